from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
RISK_KINDS = [
    ("risk_overdue", "Over the stage time standard"),
    ("risk_near_limit", "Near the stage time limit"),
    ("risk_idle", "Idle (no activity done, no message)"),
    ("risk_exit_criteria", "Exit criteria of the current stage not met"),
    ("risk_close_date", "Expected closing date passed"),
    ("risk_pushed_back", "Expected closing date pushed back"),
    ("risk_large_amount", "Large amount without an Accountable person"),
    ("risk_probability", "Probability out of line with the stage"),
    ("risk_satisfaction", "Customer satisfaction below a threshold"),
    ("risk_match_domain", "Matches a custom domain"),
    ("risk_percentile", "Time in stage beyond the winning visits' percentile"),
]
#: Kinds cheap enough to re-evaluate on the leads of a move or reassignment, in its transaction.
CHEAP_KINDS = (
    "risk_overdue",
    "risk_near_limit",
    "risk_exit_criteria",
    "risk_close_date",
    "risk_large_amount",
    "risk_match_domain",
    "certification",
    "required_fields",
    "checklist",
    "min_probability",
    "domain",
)
#: Kinds whose evaluator needs the stage of the leads (evaluated per stage).
STAGE_KINDS = ("risk_exit_criteria", "certification", "checklist")


class SalesProcessRiskRule(models.Model):
    """A risk indicator (风险评估指标): a condition whose failure raises a flag on the lead.

    Reuses the shared condition mechanism (``sales.process.condition``): a kind with
    its parameters and a set-based evaluator ``_evaluate_<kind>(leads, stage)`` returning
    ``{lead_id: explanation}``. The risk kinds below read the leads, their stage history,
    messages, tracking and ratings with one SQL query per rule over all the leads scanned.
    """

    _name = "sales.process.risk.rule"
    _inherit = ["sales.process.condition"]
    _description = "Risk Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    criterion = fields.Selection(
        selection_add=RISK_KINDS,
        ondelete=dict.fromkeys((kind for kind, __ in RISK_KINDS), "cascade"),
        string="Kind",
        default="risk_overdue",
    )
    severity = fields.Selection(SEVERITIES, required=True, default="medium")
    team_ids = fields.Many2many("crm.team", string="Sales Teams", help="Empty: every team.")
    stage_ids = fields.Many2many("crm.stage", string="Stages", help="Empty: every stage.")
    warn_salesperson = fields.Boolean(string="Warn the Salesperson", default=True)
    warn_accountable = fields.Boolean(string="Warn the Accountable")
    warn_team_leader = fields.Boolean(string="Warn the Team Leader")
    create_activity = fields.Boolean(help="Schedule an activity for the warned people on the opportunity.")
    require_resolution_note = fields.Boolean(help="A flag of this rule is resolved only with a note.")
    # Parameters of the risk kinds
    idle_days = fields.Integer(default=14, help="Idle: days without an activity done or a message.")
    max_pushbacks = fields.Integer(string="Maximum Push-backs", default=2)
    amount_threshold = fields.Float(help="Large amount: expected revenue above which an Accountable is needed.")
    probability_gap = fields.Float(
        string="Probability Gap (points)",
        default=30,
        help="How far the probability may be from the median of the stage's open opportunities.",
    )
    min_rating = fields.Float(string="Minimum Average Rating", default=3, help="Ratings go from 1 to 5.")
    percentile = fields.Integer(default=80)
    history_months = fields.Integer(string="History (months)", default=12)
    min_sample = fields.Integer(string="Minimum Sample", default=20)
    flag_ids = fields.One2many("sales.process.risk.flag", "rule_id", string="Flags")
    open_flag_count = fields.Integer(string="Flags in Force", compute="_compute_open_flag_count")
    is_cheap = fields.Boolean(
        string="Checked on Moves",
        compute="_compute_is_cheap",
        help="Re-evaluated on the leads of every move or reassignment.",
    )

    def _compute_open_flag_count(self):
        groups = self.env["sales.process.risk.flag"]._read_group(
            [("rule_id", "in", self.ids), ("is_active", "=", True)], ["rule_id"], ["__count"]
        )
        counts = {rule.id: count for rule, count in groups}
        for rule in self:
            rule.open_flag_count = counts.get(rule.id, 0)

    @api.depends("criterion")
    def _compute_is_cheap(self):
        for rule in self:
            rule.is_cheap = rule.criterion in CHEAP_KINDS

    @api.constrains(
        "criterion",
        "idle_days",
        "max_pushbacks",
        "amount_threshold",
        "probability_gap",
        "min_rating",
        "percentile",
        "history_months",
        "min_sample",
    )
    def _check_risk_parameters(self):
        positive = {
            "risk_idle": ["idle_days"],
            "risk_pushed_back": ["max_pushbacks"],
            "risk_large_amount": ["amount_threshold"],
            "risk_probability": ["probability_gap"],
            "risk_percentile": ["history_months", "min_sample"],
        }
        for rule in self:
            for fname in positive.get(rule.criterion, ()):
                if rule[fname] <= 0:
                    raise ValidationError(
                        _(
                            "Risk rule %(rule)s: %(field)s must be positive (got %(value)s).",
                            rule=rule.display_name,
                            field=rule._fields[fname].get_description(self.env)["string"],
                            value=rule[fname],
                        )
                    )
            if rule.criterion == "risk_percentile" and not 1 <= rule.percentile <= 99:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s: the percentile must be between 1 and 99 (got %(value)s).",
                        rule=rule.display_name,
                        value=rule.percentile,
                    )
                )
            if rule.criterion == "risk_satisfaction" and not 1 < rule.min_rating <= 5:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s: the minimum rating must be above 1 and at most 5 (got %(value)s).",
                        rule=rule.display_name,
                        value=rule.min_rating,
                    )
                )
            if rule.criterion == "risk_match_domain":
                rule._get_domain()

    @api.constrains("company_id", "team_ids")
    def _check_company_teams(self):
        for rule in self.filtered("company_id"):
            foreign = rule.team_ids.filtered(lambda t, rule=rule: t.company_id and t.company_id != rule.company_id)
            if foreign:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s of %(company)s cannot apply to the teams of another company: %(teams)s.",
                        rule=rule.display_name,
                        company=rule.company_id.name,
                        teams=", ".join(foreign.mapped("name")),
                    )
                )

    def _describe(self):
        self.ensure_one()
        return _("Risk rule %(rule)s", rule=self.display_name)

    # ------------------------------------------------------------------
    # Scope and evaluation
    # ------------------------------------------------------------------

    def _get_scope_domain(self):
        """Open opportunities the rule watches: its company, teams and stages."""
        self.ensure_one()
        domain = [("type", "=", "opportunity"), ("active", "=", True), ("stage_id.is_won", "=", False)]
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id.id, False]))
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.stage_ids:
            domain.append(("stage_id", "in", self.stage_ids.ids))
        return domain

    def _evaluate_risk(self, leads):
        """{lead_id: explanation} of the leads of ``leads`` (in the rule's scope) at risk."""
        self.ensure_one()
        rule = self.sudo()
        if not leads:
            return {}
        self.env["crm.lead"].flush_model()
        evaluator = getattr(rule, f"_evaluate_{rule.criterion}")
        if rule.criterion not in STAGE_KINDS:
            return evaluator(leads, self.env["crm.stage"])
        result = {}
        for stage, group in leads.grouped("stage_id").items():
            result.update(evaluator(group, stage))
        return result

    def _fetch(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    def _evaluate_risk_overdue(self, leads, stage):
        rows = self._fetch(
            SQL(
                """
                SELECT l.id, EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update)) / 86400,
                       s.max_days
                  FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.id = ANY(%s) AND l.stage_deadline < (now() at time zone 'utc')
                """,
                leads.ids,
            )
        )
        return {
            lead_id: self.env._(
                "%(days)s days in the stage, beyond its time limit of %(limit)s days",
                days=round(days or 0, 1),
                limit=limit,
            )
            for lead_id, days, limit in rows
        }

    def _evaluate_risk_near_limit(self, leads, stage):
        rows = self._fetch(
            SQL(
                """
                SELECT l.id, l.stage_deadline
                  FROM crm_lead l
                 WHERE l.id = ANY(%s) AND l.stage_warning_date <= (now() at time zone 'utc')
                   AND l.stage_deadline >= (now() at time zone 'utc')
                """,
                leads.ids,
            )
        )
        return {
            lead_id: self.env._("the stage's time limit is reached on %(deadline)s", deadline=deadline.date())
            for lead_id, deadline in rows
        }

    def _evaluate_risk_idle(self, leads, stage):
        """No message and no activity done (its message) on the lead for ``idle_days`` days."""
        self.env["mail.message"].flush_model()
        rows = self._fetch(
            SQL(
                """
                SELECT l.id
                  FROM crm_lead l
                 WHERE l.id = ANY(%(ids)s) AND l.create_date < %(since)s
                   AND NOT EXISTS (
                       SELECT 1 FROM mail_message m
                        WHERE m.model = 'crm.lead' AND m.res_id = l.id AND m.date >= %(since)s
                          AND (m.message_type IN ('comment', 'email', 'email_outgoing')
                               OR m.mail_activity_type_id IS NOT NULL))
                """,
                ids=leads.ids,
                since=self.env.cr.now() - timedelta(days=self.idle_days),
            )
        )
        reason = self.env._("no activity done and no message for %(days)s days", days=self.idle_days)
        return {lead_id: reason for (lead_id,) in rows}

    def _evaluate_risk_exit_criteria(self, leads, stage):
        """The exit criteria of the current stage, evaluated by the stage's own gates."""
        failures = stage.gate_ids._evaluate(leads)
        return {
            lead_id: "; ".join(f"{gate.name}: {reason}" for gate, reason in items)
            for lead_id, items in failures.items()
        }

    def _evaluate_risk_close_date(self, leads, stage):
        rows = self._fetch(
            SQL(
                "SELECT l.id, l.date_deadline FROM crm_lead l WHERE l.id = ANY(%s) AND l.date_deadline < %s",
                leads.ids,
                fields.Date.context_today(self),
            )
        )
        return {lead_id: self.env._("expected closing date %(date)s has passed", date=date) for lead_id, date in rows}

    def _evaluate_risk_pushed_back(self, leads, stage):
        """Push-backs: tracked changes of the expected closing date to a later date."""
        self.env["mail.tracking.value"].flush_model()
        field = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        rows = self._fetch(
            SQL(
                """
                SELECT m.res_id, count(*)
                  FROM mail_tracking_value t
                  JOIN mail_message m ON m.id = t.mail_message_id
                 WHERE m.model = 'crm.lead' AND m.res_id = ANY(%s) AND t.field_id = %s
                   AND t.old_value_datetime IS NOT NULL AND t.new_value_datetime > t.old_value_datetime
                 GROUP BY m.res_id
                HAVING count(*) > %s
                """,
                leads.ids,
                field.id,
                self.max_pushbacks,
            )
        )
        return {
            lead_id: self.env._(
                "expected closing date pushed back %(count)s times (more than %(maximum)s)",
                count=count,
                maximum=self.max_pushbacks,
            )
            for lead_id, count in rows
        }

    def _evaluate_risk_large_amount(self, leads, stage):
        rows = self._fetch(
            SQL(
                "SELECT id FROM crm_lead WHERE id = ANY(%s) AND expected_revenue > %s",
                leads.ids,
                self.amount_threshold,
            )
        )
        large = leads.browse([lead_id for (lead_id,) in rows])
        if not large:
            return {}
        resolution = self.env["sales.process.responsibility"]._resolve(large)
        return {
            lead.id: self.env._(
                "expected revenue %(amount)s above %(threshold)s and no Accountable person",
                amount=lead.expected_revenue,
                threshold=self.amount_threshold,
            )
            for lead in large
            if not resolution.get(lead.id, {}).get("accountable")
        }

    def _evaluate_risk_probability(self, leads, stage):
        """Probability farther than the gap from the median probability of the stage's open opportunities."""
        rows = self._fetch(
            SQL(
                """
                WITH ref AS (
                    SELECT o.stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY o.probability) AS median
                      FROM crm_lead o
                     WHERE o.active AND o.type = 'opportunity'
                       AND o.stage_id IN (SELECT stage_id FROM crm_lead WHERE id = ANY(%(ids)s))
                     GROUP BY o.stage_id
                )
                SELECT l.id, l.probability, ref.median
                  FROM crm_lead l JOIN ref ON ref.stage_id = l.stage_id
                 WHERE l.id = ANY(%(ids)s) AND abs(l.probability - ref.median) > %(gap)s
                """,
                ids=leads.ids,
                gap=self.probability_gap,
            )
        )
        return {
            lead_id: self.env._(
                "probability %(value)s%% is more than %(gap)s points from the stage's median %(median)s%%",
                value=round(probability, 1),
                gap=self.probability_gap,
                median=round(median, 1),
            )
            for lead_id, probability, median in rows
        }

    def _evaluate_risk_satisfaction(self, leads, stage):
        """Average rating given by the lead's customer (all its rated opportunities) below the minimum."""
        self.env["rating.rating"].flush_model()
        rows = self._fetch(
            SQL(
                """
                SELECT l.id, avg(r.rating), count(r.id)
                  FROM crm_lead l
                  JOIN rating_rating r ON r.partner_id = l.partner_id AND r.res_model = 'crm.lead'
                                      AND r.consumed AND r.rating > 0
                 WHERE l.id = ANY(%s)
                 GROUP BY l.id
                HAVING avg(r.rating) < %s
                """,
                leads.ids,
                self.min_rating,
            )
        )
        return {
            lead_id: self.env._(
                "customer's average rating %(value)s is below %(minimum)s (%(count)s ratings)",
                value=round(float(value), 2),
                minimum=self.min_rating,
                count=count,
            )
            for lead_id, value, count in rows
        }

    def _evaluate_risk_match_domain(self, leads, stage):
        matching = leads.with_context(active_test=False).search(
            expression.AND([[("id", "in", leads.ids)], self._get_domain()])
        )
        reason = self.env._("matches the rule's condition")
        return dict.fromkeys(matching.ids, reason)

    def _get_percentiles(self, stage_ids):
        """{stage_id: (percentile value in days, sample size)} of the visits that ended in a win."""
        self.env["sales.process.stage.history"].flush_model()
        since = self.env.cr.now() - timedelta(days=round(30.44 * self.history_months))
        rows = self._fetch(
            SQL(
                """
                SELECT h.stage_id, percentile_cont(%(p)s) WITHIN GROUP (ORDER BY h.duration_days), count(*)
                  FROM sales_process_stage_history h
                  JOIN crm_lead l ON l.id = h.lead_id
                  JOIN crm_stage s ON s.id = l.stage_id
                 WHERE h.stage_id = ANY(%(stages)s) AND NOT h.is_open AND h.date_out >= %(since)s
                   AND s.is_won AND l.active
                 GROUP BY h.stage_id
                """,
                p=self.percentile / 100.0,
                stages=list(stage_ids),
                since=since,
            )
        )
        return {stage_id: (value, count) for stage_id, value, count in rows}

    def _evaluate_risk_percentile(self, leads, stage):
        """Time in the current stage beyond the P-th percentile of the stage's won visits.

        Stages with fewer won visits than ``min_sample`` fall back to their time standard.
        """
        rows = self._fetch(
            SQL(
                """
                SELECT l.id, l.stage_id,
                       EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update)) / 86400,
                       l.stage_deadline < (now() at time zone 'utc')
                  FROM crm_lead l WHERE l.id = ANY(%s) AND l.date_last_stage_update IS NOT NULL
                """,
                leads.ids,
            )
        )
        percentiles = self._get_percentiles({row[1] for row in rows})
        result = {}
        for lead_id, stage_id, days, overdue in rows:
            value, count = percentiles.get(stage_id, (None, 0))
            if count >= self.min_sample:
                if days > value:
                    result[lead_id] = self.env._(
                        "%(days)s days in the stage, beyond %(value)s days: the %(p)sth percentile "
                        "of %(count)s visits that ended in a win",
                        days=round(days, 1),
                        value=round(value, 1),
                        p=self.percentile,
                        count=count,
                    )
            elif overdue:
                result[lead_id] = self.env._(
                    "%(days)s days in the stage, beyond its time standard (only %(count)s won visits, "
                    "fewer than %(minimum)s)",
                    days=round(days, 1),
                    count=count,
                    minimum=self.min_sample,
                )
        return result
