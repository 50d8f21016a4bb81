from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .sales_process_risk_rule import SEVERITIES

FLAG_STATES = [
    ("open", "Open"),
    ("acknowledged", "Acknowledged"),
    ("mitigating", "Mitigating"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]
#: States of a flag still in force (at most one per lead and rule).
ACTIVE_STATES = ("open", "acknowledged", "mitigating")
SEVERITY_SQL = "CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"


class SalesProcessRiskFlag(models.Model):
    """One entry of the risk register (风险登记): a rule's condition raised on an opportunity.

    Raised and closed by the scans in set queries (never deleted: the history stays);
    at most one flag in force per lead and rule, by a unique partial index.
    """

    _name = "sales.process.risk.flag"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Risk Flag"
    _order = "raised_on desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, ondelete="cascade", index=True)
    rule_id = fields.Many2one("sales.process.risk.rule", string="Rule", required=True, ondelete="cascade", index=True)
    severity = fields.Selection(SEVERITIES, required=True, tracking=True)
    explanation_values = fields.Json(
        readonly=True, help="What the scan measured (values, thresholds, records), the explanation is written from."
    )
    explanation = fields.Text(
        compute="_compute_explanation",
        help="Why the flag was raised: the measured value against the threshold, in the reader's language.",
    )
    raised_on = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    state = fields.Selection(FLAG_STATES, required=True, default="open", tracking=True)
    # no index of its own: "in force" is searched through the unique partial index (WHERE is_active)
    is_active = fields.Boolean(string="In Force", compute="_compute_is_active", store=True)
    closed_on = fields.Datetime(readonly=True)
    auto_closed = fields.Boolean(readonly=True, help="Closed by the scan: the condition cleared.")
    owner_id = fields.Many2one("res.users", string="Owner", tracking=True, domain=[("share", "=", False)])
    mitigation_plan = fields.Html()
    due_date = fields.Date(tracking=True)
    residual_severity = fields.Selection(SEVERITIES)
    snooze_until = fields.Date(tracking=True, help="The flag does not count in the risk level until then.")
    snooze_reason = fields.Char()
    resolution_note = fields.Text()
    # The lead's salesperson, team and stage are read from the lead (searched, grouped and sorted
    # through it), not copied: the scans insert flags by the hundred thousand, and each stored
    # many2one adds a foreign-key check and an index entry per row (and moving a lead rewrote its flags).
    user_id = fields.Many2one(related="lead_id.user_id", string="Salesperson")
    team_id = fields.Many2one(related="lead_id.team_id", string="Sales Team")
    stage_id = fields.Many2one(related="lead_id.stage_id", string="Stage")
    # The company is stored all the same: through the lead, the multi-company rule made every
    # read of flags (register, heatmaps, dashboard) scan crm_lead twice for the companies' leads.
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    improvement_action_ids = fields.One2many(
        "sales.process.improvement.action", "flag_id", string="Improvement Actions"
    )
    flag_count = fields.Integer(string="Flags", default=1, aggregator="sum")

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS sales_process_risk_flag_active_uniq
                    ON sales_process_risk_flag (lead_id, rule_id) WHERE is_active
                """
            )
        )

    @api.depends("state")
    def _compute_is_active(self):
        for flag in self:
            flag.is_active = flag.state in ACTIVE_STATES

    @api.depends("rule_id.criterion", "explanation_values")
    @api.depends_context("lang")
    def _compute_explanation(self):
        for flag in self:
            flag.explanation = flag.rule_id.sudo()._format_explanation(flag.explanation_values) if flag.rule_id else ""

    def _compute_display_name(self):
        for flag in self:
            flag.display_name = f"{flag.rule_id.name} – {flag.lead_id.name}"

    @api.constrains("snooze_until", "snooze_reason")
    def _check_snooze(self):
        for flag in self:
            if flag.snooze_until and not flag.snooze_reason:
                raise ValidationError(_("Snoozing the flag %(flag)s needs a reason.", flag=flag.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        flags = super().create(vals_list)
        self.env["crm.lead"]._sales_process_refresh_risk_level(flags.lead_id.ids)
        return flags

    def write(self, vals):
        result = super().write(vals)
        if {"state", "snooze_until", "severity"} & set(vals):
            self.env["crm.lead"]._sales_process_refresh_risk_level(self.lead_id.ids)
        return result

    def unlink(self):
        lead_ids = self.lead_id.ids
        result = super().unlink()
        self.env["crm.lead"]._sales_process_refresh_risk_level(lead_ids)
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_in_force(self):
        if any(not flag.is_active for flag in self):
            raise UserError(_("Only flags in force (open, acknowledged, mitigating) can change this way."))

    def action_acknowledge(self):
        self._check_in_force()
        for flag in self:
            flag.write({"state": "acknowledged", "owner_id": flag.owner_id.id or self.env.uid})
        return True

    def action_mitigate(self):
        self._check_in_force()
        self.write({"state": "mitigating"})
        return True

    def action_resolve(self):
        self._check_in_force()
        for flag in self:
            if flag.rule_id.require_resolution_note and not (flag.resolution_note or "").strip():
                raise ValidationError(_("Resolving the flag %(flag)s needs a resolution note.", flag=flag.display_name))
        self.write({"state": "resolved", "closed_on": fields.Datetime.now()})
        return True

    def action_propose_improvement(self):
        """Open a new improvement action proposed from this flag (one click)."""
        self.ensure_one()
        return self.env["sales.process.improvement.action"]._action_new(
            {
                "name": _("%(rule)s on %(lead)s", rule=self.rule_id.name, lead=self.lead_id.name),
                "source": "risk_flag",
                "flag_id": self.id,
                "rule_id": self.rule_id.id,
                "team_id": self.team_id.id,
                "problem": self.explanation,
            }
        )

    # ------------------------------------------------------------------
    # Raising and closing (the scans)
    # ------------------------------------------------------------------

    @api.model
    def _scan(self, rules, lead_ids=None):
        """Evaluate ``rules`` on their scopes (restricted to ``lead_ids``): raise and close flags.

        Set-based end to end: each rule's (lead, values) pairs go into a temporary
        table in one ``INSERT ... SELECT``; then one ``UPDATE`` closes the flags in
        force that are no longer there, one ``INSERT ... SELECT ... ON CONFLICT DO
        NOTHING`` raises the new ones (the unique partial index: concurrent scans
        raise each flag once) and one ``UPDATE`` sets the risk levels. A rescan with
        nothing changed writes no row. ``lead_ids`` None: a full scan, and the flags
        of the rules not scanned (deactivated) close as well.

        New high and critical flags notify (``_notify_raised``).

        :return: (new flags, number of flags closed)
        """
        self._scan_collect(rules, lead_ids)
        return self._scan_apply(rules, lead_ids)

    @api.model
    def _scan_collect(self, rules, lead_ids=None):
        """The pairs at risk of every rule of ``rules`` into the temporary table ``sales_process_risk_scan``."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS sales_process_risk_scan (lead_id int, rule_id int, vals jsonb)
                ON COMMIT DROP;
            TRUNCATE sales_process_risk_scan
            """
        )
        for rule in rules:
            cr.execute(
                SQL(
                    "INSERT INTO sales_process_risk_scan (lead_id, vals, rule_id)"
                    " SELECT q.*, %s FROM (%s) q(lead_id, vals)",
                    rule.id,
                    rule._get_risk_sql(lead_ids),
                )
            )
        if lead_ids is None:
            cr.execute("ANALYZE sales_process_risk_scan")  # the planner's row counts for the joins below

    @api.model
    def _scan_apply(self, rules, lead_ids=None):
        """Close, raise and notify the flags of ``rules`` from the collected pairs; set the risk levels."""
        cr = self.env.cr
        now, uid = cr.now(), self.env.uid
        scope = (
            SQL("TRUE")
            if lead_ids is None
            else SQL("f.rule_id = ANY(%s) AND f.lead_id = ANY(%s)", rules.ids, list(lead_ids))
        )
        cr.execute(
            SQL(
                """
                UPDATE sales_process_risk_flag f
                   SET state = 'closed', is_active = false, auto_closed = true, closed_on = %(now)s,
                       write_uid = %(uid)s, write_date = %(now)s
                 WHERE f.is_active AND %(scope)s
                   AND NOT EXISTS (SELECT 1 FROM sales_process_risk_scan t
                                    WHERE t.lead_id = f.lead_id AND t.rule_id = f.rule_id)
                RETURNING f.lead_id
                """,
                now=now,
                uid=uid,
                scope=scope,
            )
        )
        closed = cr.rowcount
        closed_leads = {lead_id for (lead_id,) in cr.fetchall()}
        cr.execute(
            SQL(
                """
                INSERT INTO sales_process_risk_flag
                       (lead_id, rule_id, severity, explanation_values, raised_on, state, is_active, flag_count,
                        company_id, create_uid, create_date, write_uid, write_date)
                SELECT t.lead_id, t.rule_id, r.severity, t.vals, %(now)s, 'open', true, 1,
                       l.company_id, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM sales_process_risk_scan t
                  JOIN crm_lead l ON l.id = t.lead_id
                  JOIN sales_process_risk_rule r ON r.id = t.rule_id
                 WHERE NOT EXISTS (SELECT 1 FROM sales_process_risk_flag f
                                    WHERE f.is_active AND f.lead_id = t.lead_id AND f.rule_id = t.rule_id)
                 ORDER BY t.lead_id, t.rule_id
                ON CONFLICT (lead_id, rule_id) WHERE is_active DO NOTHING
                RETURNING id, lead_id, severity IN ('high', 'critical')
                """,
                now=now,
                uid=uid,
            )
        )
        rows = cr.fetchall()
        raised = self.browse([flag_id for flag_id, __, __ in rows])
        if closed or raised:
            self.invalidate_model()
        # the levels to refresh: the leads whose flags changed, and in a full scan the leads with a
        # snoozed flag in force (a snooze that ended since moves the level); the others cannot change
        touched = closed_leads | {lead_id for __, lead_id, __ in rows}
        if lead_ids is None:
            cr.execute(
                "SELECT DISTINCT lead_id FROM sales_process_risk_flag WHERE is_active AND snooze_until IS NOT NULL"
            )
            touched.update(lead_id for (lead_id,) in cr.fetchall())
        self.env["crm.lead"]._sales_process_refresh_risk_level(touched)
        self.browse([flag_id for flag_id, __, warn in rows if warn])._notify_raised()
        return raised, closed

    def _notify_raised(self):
        """Warn the people the rule names of these new flags (mail's API), with activities if it asks.

        Called on the new high and critical flags of a scan: their rules and leads are
        read together, one ``message_post`` per flag (each is its own thread) and the
        activities of all of them created in one ``create``.
        """
        if not self:
            return
        self.fetch(["rule_id", "lead_id", "explanation_values"])
        self.lead_id.fetch(["name", "user_id", "team_id"])
        activity_type = self.env.ref("sales_process_mgmt.mail_activity_type_risk")
        lead_model_id = self.env["ir.model"]._get_id("crm.lead")
        deadline = activity_type._get_date_deadline()
        activities = []
        for flag in self:
            rule, lead = flag.rule_id, flag.lead_id
            users = self.env["res.users"]
            if rule.warn_salesperson:
                users |= lead.user_id
            if rule.warn_team_leader:
                users |= lead.team_id.user_id
            if rule.warn_accountable:
                users |= lead.sales_process_accountable_ids
            users = users.filtered(lambda u: not u.share)
            if not users:
                continue
            explanation = flag.explanation or ""
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._("Risk raised on %(lead)s: %(rule)s", lead=lead.name, rule=rule.name),
                explanation,
            )
            flag.message_post(
                body=body, partner_ids=users.partner_id.ids, message_type="comment", subtype_xmlid="mail.mt_note"
            )
            if rule.create_activity:
                activities += [
                    {
                        "res_model_id": lead_model_id,
                        "res_id": lead.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "summary": rule.name,
                        "note": explanation,
                        "date_deadline": deadline,
                    }
                    for user in users
                ]
        if activities:
            self.env["mail.activity"].create(activities)

    @api.model
    def _cron_send_digest(self):
        """Daily digest per team: flags raised in the last day and flags past their due date."""
        since = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        today = fields.Date.context_today(self)
        flags = self.search([("is_active", "=", True), "|", ("raised_on", ">=", since), ("due_date", "<", today)])
        managers = self.env.ref("sales_process_mgmt.group_sales_process_manager").users.filtered(
            lambda u: not u.share and u.active
        )
        for team, team_flags in flags.grouped("team_id").items():
            if not team:
                continue
            lines = Markup().join(
                Markup("<li>%s: %s (%s)%s</li>")
                % (
                    flag.lead_id.name,
                    flag.rule_id.name,
                    dict(SEVERITIES)[flag.severity],
                    self.env._(" – overdue since %(date)s", date=flag.due_date)
                    if flag.due_date and flag.due_date < today
                    else "",
                )
                for flag in team_flags
            )
            readers = managers.filtered(lambda u, t=team: not t.company_id or t.company_id in u.company_ids)
            partners = (team.user_id | readers).partner_id
            team.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (self.env._("Risk digest: %(count)s new or overdue flags", count=len(team_flags)), lines),
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
