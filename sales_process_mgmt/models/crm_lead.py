from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from .res_partner import COMPANY_SIZES

STAGE_STATES = [
    ("none", "No Time Limit"),
    ("on_time", "On Time"),
    ("warning", "Near Limit"),
    ("overdue", "Overdue"),
]


class CrmLead(models.Model):
    _inherit = "crm.lead"

    stage_objective = fields.Text(related="stage_id.objective", string="Stage Objective")
    stage_work_standard = fields.Html(related="stage_id.work_standard", string="Work Standard")
    stage_history_ids = fields.One2many("sales.process.stage.history", "lead_id", string="Stage History")
    stage_history_count = fields.Integer(compute="_compute_stage_history_count")
    checklist_ids = fields.One2many(
        "sales.process.lead.checklist", "lead_id", string="Checklist", domain=[("is_current", "=", True)]
    )
    checklist_progress = fields.Float(
        compute="_compute_checklist_progress",
        store=True,
        aggregator="avg",
        help="Share of the current stage's checklist that is done.",
    )
    gate_override_ids = fields.One2many("sales.process.gate.override", "lead_id", string="Gate Overrides")
    stage_deadline = fields.Datetime(
        compute="_compute_stage_deadline", store=True, index=True, help="When the lead exceeds the stage's time limit."
    )
    stage_warning_date = fields.Datetime(compute="_compute_stage_deadline", store=True, index=True)
    stage_state = fields.Selection(
        STAGE_STATES,
        string="Stage Timing",
        compute="_compute_stage_state",
        store=True,
        index=True,
        help="Refreshed on every stage change and by the hourly Stage Timing cron.",
    )
    days_in_stage = fields.Integer(compute="_compute_days_in_stage", store=True, index=True, aggregator="avg")
    sales_process_responsible_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_responsible_rel",
        string="Responsible",
        compute="_compute_sales_process_roles",
        help="Who does the work of the current stage (gets its activities).",
    )
    sales_process_accountable_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_accountable_rel",
        string="Accountable",
        compute="_compute_sales_process_roles",
        help="Who answers for the current stage and may override its exit criteria.",
    )
    sales_process_consulted_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_consulted_rel",
        string="Consulted",
        compute="_compute_sales_process_roles",
    )
    sales_process_informed_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_informed_rel",
        string="Informed",
        compute="_compute_sales_process_roles",
    )
    sales_process_can_override_gate = fields.Boolean(
        string="Can Override Gate", compute="_compute_sales_process_can_override_gate"
    )

    # Customer insight: who the customer is
    customer_segment_id = fields.Many2one(
        "sales.process.customer.segment",
        string="Customer Segment",
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="The target customer group; taken from the customer when it has one.",
    )
    industry_id = fields.Many2one(
        "res.partner.industry",
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
    )
    company_size = fields.Selection(
        COMPANY_SIZES,
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
    )
    customer_commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer Company"
    )
    sales_channel_id = fields.Many2one("sales.process.sales.channel", string="Sales Channel", index=True, tracking=True)
    # Customer insight: what the customer needs
    customer_need_ids = fields.One2many("sales.process.customer.need", "lead_id", string="Customer Needs")
    needs_confirmed_count = fields.Integer(
        string="Confirmed Needs",
        compute="_compute_needs_confirmed_count",
        store=True,
        help="Needs confirmed by the customer (and those already addressed).",
    )
    # Customer insight: how the customer decides
    decision_contact_ids = fields.One2many(
        "sales.process.decision.contact", "lead_id", string="Decision Makers and Influencers"
    )
    has_decision_maker = fields.Boolean(
        string="Decision Maker Identified", compute="_compute_has_decision_maker", store=True
    )
    decision_criterion_ids = fields.One2many("sales.process.decision.criterion", "lead_id", string="Decision Criteria")
    decision_criteria_score = fields.Float(
        string="Criteria Fit (%)",
        compute="_compute_decision_criteria_score",
        help="Our scores on the customer's decision criteria, weighted, as a percentage of the best possible.",
    )
    decision_process = fields.Text(
        help="How the customer decides, in words: who evaluates, who approves, in which order."
    )
    decision_step_ids = fields.One2many(
        "sales.process.decision.step", "lead_id", string="Decision Steps", help="The steps of the purchase decision."
    )
    date_decision = fields.Date(string="Expected Decision Date", tracking=True)
    budget_known = fields.Boolean(tracking=True, help="The customer's budget for this purchase is known.")
    budget_amount = fields.Monetary(string="Budget", currency_field="company_currency", tracking=True)
    lead_competitor_ids = fields.One2many("sales.process.lead.competitor", "lead_id", string="Competitors")
    # Customer insight: what we offer
    solution_summary = fields.Html(string="Customised Solution", help="The solution tailored to the customer's needs.")
    solution_attachment_ids = fields.Many2many(
        "ir.attachment",
        "crm_lead_solution_attachment_rel",
        "lead_id",
        "attachment_id",
        string="Solution Attachments",
    )

    @api.depends("stage_history_ids")
    def _compute_stage_history_count(self):
        groups = self.env["sales.process.stage.history"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
        )
        counts = {lead.id: count for lead, count in groups}
        for lead in self:
            lead.stage_history_count = counts.get(lead.id, 0)

    @api.depends("checklist_ids.done")
    def _compute_checklist_progress(self):
        groups = self.env["sales.process.lead.checklist"]._read_group(
            [("lead_id", "in", self.ids), ("is_current", "=", True)], ["lead_id", "done"], ["__count"]
        )
        counts = {}
        for lead, done, count in groups:
            total_done = counts.setdefault(lead.id, [0, 0])
            total_done[0] += count
            total_done[1] += count if done else 0
        for lead in self:
            total, done = counts.get(lead.id, (0, 0))
            lead.checklist_progress = 100.0 * done / total if total else 0.0

    @api.depends(
        "stage_id.has_time_limit",
        "stage_id.max_days",
        "stage_id.warning_percent",
        "stage_id.time_basis",
        "date_last_stage_update",
        "company_id.resource_calendar_id",
    )
    def _compute_stage_deadline(self):
        cache = {}
        default_calendar = self.env.company.resource_calendar_id
        for lead in self:
            calendar = lead.company_id.resource_calendar_id or default_calendar
            deadline, warning = lead.stage_id._get_sales_process_limit(lead.date_last_stage_update, calendar, cache)
            lead.stage_deadline, lead.stage_warning_date = deadline, warning

    @api.depends("stage_deadline", "stage_warning_date")
    def _compute_stage_state(self):
        now = self.env.cr.now()
        for lead in self:
            lead.stage_state = self._get_stage_state(lead.stage_deadline, lead.stage_warning_date, now)

    @api.depends("date_last_stage_update")
    def _compute_days_in_stage(self):
        now = self.env.cr.now()
        for lead in self:
            date_in = lead.date_last_stage_update
            lead.days_in_stage = (now - date_in).days if date_in else 0

    @api.depends("stage_id", "team_id", "user_id", "company_id")
    def _compute_sales_process_roles(self):
        resolution = self.env["sales.process.responsibility"]._resolve(self)
        Users = self.env["res.users"]
        for lead in self:
            holders = resolution.get(lead.id, {})
            lead.sales_process_responsible_ids = Users.browse(holders.get("responsible", ()))
            lead.sales_process_accountable_ids = Users.browse(holders.get("accountable", ()))
            lead.sales_process_consulted_ids = Users.browse(holders.get("consulted", ()))
            lead.sales_process_informed_ids = Users.browse(holders.get("informed", ()))

    @api.depends("stage_id", "team_id", "user_id", "company_id")
    @api.depends_context("uid")
    def _compute_sales_process_can_override_gate(self):
        user = self.env.user
        is_admin = user.has_group("sales_process_mgmt.group_sales_process_admin")
        is_manager = user.has_group("sales_process_mgmt.group_sales_process_manager")
        resolution = {} if is_admin else self.env["sales.process.responsibility"]._resolve(self, ["accountable"])
        for lead in self:
            holders = resolution.get(lead.id)
            if is_admin:
                lead.sales_process_can_override_gate = True
            elif holders and "accountable" in holders["configured"]:
                lead.sales_process_can_override_gate = user.id in holders["accountable"]
            else:
                lead.sales_process_can_override_gate = is_manager

    @api.model
    def _get_stage_state(self, deadline, warning, now):
        if not deadline:
            return "none"
        if now > deadline:
            return "overdue"
        if warning and now >= warning:
            return "warning"
        return "on_time"

    @api.depends(
        "partner_id.commercial_partner_id.customer_segment_id",
        "partner_id.commercial_partner_id.industry_id",
        "partner_id.commercial_partner_id.company_size",
    )
    def _compute_customer_profile(self):
        """The customer's profile wins when it is filled; otherwise the lead keeps its own."""
        for lead in self:
            customer = lead.partner_id.commercial_partner_id
            lead.customer_segment_id = customer.customer_segment_id or lead.customer_segment_id
            lead.industry_id = customer.industry_id or lead.industry_id
            lead.company_size = customer.company_size or lead.company_size

    @api.depends("customer_need_ids.status")
    def _compute_needs_confirmed_count(self):
        for lead in self:
            lead.needs_confirmed_count = len(
                lead.customer_need_ids.filtered(lambda need: need.status in ("confirmed", "addressed"))
            )

    @api.depends("decision_contact_ids.role")
    def _compute_has_decision_maker(self):
        for lead in self:
            lead.has_decision_maker = "decision_maker" in lead.decision_contact_ids.mapped("role")

    @api.depends("decision_criterion_ids.weight", "decision_criterion_ids.score")
    def _compute_decision_criteria_score(self):
        for lead in self:
            criteria = lead.decision_criterion_ids.filtered(lambda c: c.weight > 0)
            total = sum(criteria.mapped("weight"))
            lead.decision_criteria_score = (
                100.0 * sum(c.weight * c.score for c in criteria) / (10.0 * total) if total else 0.0
            )

    @api.constrains("partner_id")
    def _check_decision_contacts_customer(self):
        """Changing the customer must not leave decision contacts of another company."""
        self.decision_contact_ids._check_partner_of_customer()

    # ------------------------------------------------------------------
    # CRUD: the one place where stage changes are handled
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if not self.env.context.get("sales_process_skip"):
            leads.filtered("stage_id")._sales_process_stage_changed()
        return leads

    def write(self, vals):
        reassigned = self._sales_process_get_reassigned(vals)
        if "stage_id" not in vals or self.env.context.get("sales_process_skip"):
            result = super().write(vals)
            reassigned._sales_process_reassign_responsibilities()
            return result
        new_stage = self.env["crm.stage"].browse(vals["stage_id"])
        moving = self.filtered(lambda lead: lead.stage_id != new_stage)
        old_stages = {lead.id: lead.stage_id for lead in moving}
        # Gates are checked after the write, so that values written together with
        # the stage (a form saved by its statusbar) count; a UserError undoes it all.
        result = super().write(vals)
        if moving:
            warnings = moving._sales_process_check_gates(new_stage, old_stages)
            moving._sales_process_stage_changed()
            if warnings:
                moving.browse(list(warnings))._message_log_batch(warnings)
        (reassigned - moving)._sales_process_reassign_responsibilities()
        return result

    # ------------------------------------------------------------------
    # Gates
    # ------------------------------------------------------------------

    @api.model
    def _sales_process_gates_enforced(self):
        param = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.enforce_gates")
        return param not in (False, "False", "0", "")

    def _sales_process_get_failures(self, new_stage, old_stages=None):
        """Unmet exit criteria of moving ``self`` to ``new_stage``.

        :param old_stages: {lead_id: stage} the leads leave (default: their stage)
        :return: {lead: [(gate, reason), ...]}. The gates of the stage left apply
            in both modes; the stages jumped over apply their blocking gates.
            Moving backward checks nothing.
        """
        stages = self.env["crm.stage"].search([])
        position = {stage.id: index for index, stage in enumerate(stages)}
        failures = {}
        ids_by_stage = {}
        for lead in self:
            stage = old_stages[lead.id] if old_stages else lead.stage_id
            ids_by_stage.setdefault(stage, []).append(lead.id)
        for old_stage, lead_ids in ids_by_stage.items():
            leads = self.browse(lead_ids)
            if not old_stage or position.get(new_stage.id, -1) <= position.get(old_stage.id, -1):
                continue
            for lead_id, items in old_stage.gate_ids._evaluate(leads).items():
                failures.setdefault(lead_id, []).extend(items)
            start, end = position[old_stage.id], position[new_stage.id]
            for skipped in stages[start + 1 : end]:
                gates = skipped.gate_ids.filtered(lambda g: g.mode == "block")
                if not gates:
                    continue
                concerned = leads.filtered(lambda lead, s=skipped: not s.team_id or s.team_id == lead.team_id)
                for lead_id, items in gates._evaluate(concerned).items():
                    failures.setdefault(lead_id, []).extend(items)
        return {self.browse(lead_id): items for lead_id, items in failures.items()}

    def _sales_process_check_gates(self, new_stage, old_stages=None):
        """Raise a UserError when a blocking criterion fails; return the warnings.

        :return: {lead_id: chatter note body} for the leads with unmet warn criteria.
        """
        if not self._sales_process_gates_enforced():
            return {}
        failures = self._sales_process_get_failures(new_stage, old_stages)
        overriding = self.env.context.get("sales_process_gate_override")
        blocked = {
            lead: [(gate, reason) for gate, reason in items if gate.mode == "block"] for lead, items in failures.items()
        }
        blocked = {lead: items for lead, items in blocked.items() if items}
        if blocked and not overriding:
            raise UserError(self._sales_process_blocked_message(blocked, new_stage))
        warnings = {}
        for lead, items in failures.items():
            warned = [(gate, reason) for gate, reason in items if gate.mode == "warn"]
            if warned:
                warnings[lead.id] = Markup("<p>%s</p><ul>%s</ul>") % (
                    _("Moved to %(stage)s with unmet exit criteria:", stage=new_stage.name),
                    Markup().join(
                        Markup("<li>%s: %s</li>") % (gate.stage_id.name, self._format_gate_failure(gate, reason))
                        for gate, reason in warned
                    ),
                )
        return warnings

    @api.model
    def _format_gate_failure(self, gate, reason):
        return _("%(criterion)s (%(reason)s)", criterion=gate.name, reason=reason)

    def _sales_process_blocked_message(self, blocked, new_stage, limit=20):
        lines = [
            _(
                "These opportunities cannot move to %(stage)s, their stage's exit criteria are not met:",
                stage=new_stage.name,
            )
        ]
        for lead, items in list(blocked.items())[:limit]:
            criteria = "; ".join(
                f"{gate.stage_id.name}: {self._format_gate_failure(gate, reason)}" for gate, reason in items
            )
            lines.append(f"- {lead.name}: {criteria}")
        if len(blocked) > limit:
            lines.append(_("... and %(count)s more.", count=len(blocked) - limit))
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Stage history and checklists
    # ------------------------------------------------------------------

    def _sales_process_stage_changed(self):
        """Close the open stage visits of ``self``, open the new ones, create their checklists.

        Plain SQL over the whole set: a bulk move of thousands of leads costs a
        handful of queries, whatever their number (see bench/bench_stage.py).
        """
        if not self:
            return
        self.flush_recordset(
            ["stage_id", "user_id", "team_id", "company_id", "date_last_stage_update", "stage_deadline"]
        )
        self.env["sales.process.stage.history"].flush_model()
        self.env["sales.process.lead.checklist"].flush_model()
        cr, uid = self.env.cr, self.env.uid
        self._sales_process_close_visits(cr.now())
        self._sales_process_open_visits(SQL("l.id = ANY(%s)", self.ids), moved_by_id=uid)
        # a new visit starts with nothing ticked
        cr.execute(
            "UPDATE crm_lead SET checklist_progress = 0 WHERE id = ANY(%(ids)s) AND checklist_progress != 0",
            {"ids": self.ids},
        )
        self.env["sales.process.stage.history"].invalidate_model()
        self.env["sales.process.lead.checklist"].invalidate_model()
        self.invalidate_recordset(["stage_history_ids", "checklist_ids", "checklist_progress"])
        self._sales_process_apply_responsibilities()

    @api.model
    def _sales_process_open_visits(self, condition, moved_by_id=None):
        """Open a visit of their current stage, with its checklist lines, for the leads matching ``condition``.

        :param condition: SQL condition on the leads, table alias ``l``
        :param moved_by_id: who moved the leads in (None: not known)
        One statement: the checklist lines are inserted from the visits it returns.
        """
        now, uid = self.env.cr.now(), self.env.uid
        self.env.cr.execute(
            SQL(
                """
                WITH visit AS (
                    INSERT INTO sales_process_stage_history
                           (lead_id, stage_id, user_id, team_id, company_id, moved_by_id, date_in, deadline,
                            duration_days, duration_working_days, overdue, is_open, visit_count,
                            create_uid, create_date, write_uid, write_date)
                    SELECT l.id, l.stage_id, l.user_id, l.team_id, l.company_id, %(moved_by)s,
                           COALESCE(l.date_last_stage_update, %(now)s), l.stage_deadline,
                           0, 0, false, true, 1, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM crm_lead l
                     WHERE l.stage_id IS NOT NULL AND %(condition)s
                 RETURNING id, lead_id, stage_id
                )
                INSERT INTO sales_process_lead_checklist
                       (lead_id, item_id, history_id, sequence, required, done,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.lead_id, i.id, v.id, i.sequence, i.required, false,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM visit v
                  JOIN sales_process_checklist_item i ON i.stage_id = v.stage_id AND i.active
                """,
                condition=condition,
                moved_by=moved_by_id,
                now=now,
                uid=uid,
            )
        )

    def _sales_process_close_visits(self, now):
        """Close the open visits of ``self``: exit date, durations, overdue flag, next stage.

        Working days are counted in closed form, as in
        ``resource.calendar._sales_process_working_days_between``: whole weeks,
        the weekdays of the remaining days, minus the holidays on working days;
        the cost does not grow with the length of the visit. Both sides of the
        join are bounded by ``ids`` so the plan stays index-driven even when the
        statistics of freshly written rows are stale.
        """
        cr = self.env.cr
        for company in self.company_id | self.env.company:
            leads = self.filtered(lambda lead, c=company: (lead.company_id or self.env.company) == c)
            if not leads:
                continue
            calendar = company.resource_calendar_id
            weekdays, holidays = calendar._get_sales_process_workdays() if calendar else (range(5), [])
            cr.execute(
                """
                WITH visit AS (
                    SELECT h.id, l.stage_id AS next_stage_id, h.date_in::date AS day_in,
                           GREATEST(%(now)s::date - h.date_in::date, 0) AS days,
                           EXTRACT(ISODOW FROM h.date_in)::int - 1 AS weekday_in
                      FROM sales_process_stage_history h
                      JOIN crm_lead l ON l.id = h.lead_id
                     WHERE h.is_open AND h.lead_id = ANY(%(ids)s) AND l.id = ANY(%(ids)s)
                )
                UPDATE sales_process_stage_history h
                   SET date_out = %(now)s,
                       is_open = false,
                       next_stage_id = v.next_stage_id,
                       moved_out_by_id = %(uid)s,
                       duration_days = EXTRACT(EPOCH FROM (%(now)s - h.date_in)) / 86400.0,
                       median_duration_days = EXTRACT(EPOCH FROM (%(now)s - h.date_in)) / 86400.0,
                       duration_working_days = v.days / 7 * %(week_length)s
                           + (SELECT count(*) FROM generate_series(1, v.days %% 7) i
                               WHERE (v.weekday_in + i) %% 7 = ANY(%(weekdays)s))
                           - (SELECT count(*) FROM unnest(%(holidays)s::date[]) d
                               WHERE d > v.day_in AND d <= %(now)s::date
                                 AND EXTRACT(ISODOW FROM d)::int - 1 = ANY(%(weekdays)s)),
                       overdue = h.deadline IS NOT NULL AND %(now)s > h.deadline,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM visit v
                 WHERE h.id = v.id
                """,
                {
                    "now": now,
                    "uid": self.env.uid,
                    "ids": leads.ids,
                    "weekdays": list(weekdays),
                    "week_length": len(weekdays),
                    "holidays": list(holidays),
                },
            )

    @api.model
    def _cron_refresh_stage_timing(self):
        """Refresh days in stage, timing states and overdue visits of open leads.

        Only the rows whose value changes are written, in three set queries.
        """
        self.flush_model(["date_last_stage_update", "stage_deadline", "stage_warning_date"])
        now = self.env.cr.now()
        cr = self.env.cr
        cr.execute(
            """
            UPDATE crm_lead l
               SET days_in_stage = sub.days, stage_state = sub.state
              FROM (SELECT id,
                           COALESCE(EXTRACT(DAY FROM (%(now)s - date_last_stage_update))::int, 0) AS days,
                           CASE WHEN stage_deadline IS NULL THEN 'none'
                                WHEN %(now)s > stage_deadline THEN 'overdue'
                                WHEN stage_warning_date IS NOT NULL AND %(now)s >= stage_warning_date THEN 'warning'
                                ELSE 'on_time' END AS state
                      FROM crm_lead WHERE active) sub
             WHERE sub.id = l.id
               AND (l.days_in_stage IS DISTINCT FROM sub.days OR l.stage_state IS DISTINCT FROM sub.state)
            """,
            {"now": now},
        )
        cr.execute(
            """
            UPDATE sales_process_stage_history
               SET overdue = true
             WHERE is_open AND NOT overdue AND deadline IS NOT NULL AND %(now)s > deadline
            """,
            {"now": now},
        )
        self.invalidate_model(["days_in_stage", "stage_state"])
        self.env["sales.process.stage.history"].invalidate_model(["overdue"])

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_stage_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_process_mgmt.sales_process_stage_history_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"search_default_group_by_stage": 0}
        return action

    def action_open_gate_override(self):
        """Open the wizard that lets a manager move the lead past a blocking gate."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Stage Gate"),
            "res_model": "sales.process.gate.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    # ------------------------------------------------------------------
    # Customer insight
    # ------------------------------------------------------------------

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        """The customer created from the lead inherits its profile (commercial fields)."""
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        if not parent_id:
            values.update(
                customer_segment_id=self.customer_segment_id.id,
                industry_id=self.industry_id.id,
                company_size=self.company_size,
            )
        return values

    # ------------------------------------------------------------------
    # Responsibilities (明确分工)
    # ------------------------------------------------------------------

    def _sales_process_open_activities(self):
        """Open auto-activities of ``self``, read in one query."""
        return self.env["mail.activity"].search_fetch(
            [("res_model", "=", self._name), ("res_id", "in", self.ids), ("sales_process_stage_id", "!=", False)],
            [
                "res_id",
                "user_id",
                "summary",
                "activity_type_id",
                "sales_process_stage_id",
                "sales_process_responsibility_id",
            ],
        )

    def _merge_dependences(self, opportunities):
        super()._merge_dependences(opportunities)
        self._sales_process_merge_insight(opportunities)

    def _sales_process_merge_insight(self, opportunities):
        """Bring the merged ``opportunities``' customer insight and gate overrides to ``self``.

        What ``self`` already holds is kept once: the same need (text, case and spacing
        ignored), contact in the same role, criterion, step or competitor. Contacts of
        another customer than ``self``'s stay behind (they are deleted with their
        opportunity), and steps follow their contact to its counterpart on ``self``.
        """
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id

        def new_lines(field, key, accept=None):
            seen = {key(line) for line in self[field]}
            lines = self[field].browse()
            for line in opportunities[field].filtered(accept) if accept else opportunities[field]:
                if key(line) not in seen:
                    seen.add(key(line))
                    lines |= line
            return lines

        def by_name(line):
            return line.name.strip().lower()

        new_lines("customer_need_ids", lambda line: line.name_key).write({"lead_id": self.id})
        new_lines("decision_criterion_ids", by_name).write({"lead_id": self.id})
        new_lines("lead_competitor_ids", lambda line: line.competitor_id).write({"lead_id": self.id})
        new_lines("gate_override_ids", lambda line: line).write({"lead_id": self.id})
        new_lines(
            "decision_contact_ids",
            lambda line: (line.partner_id, line.role),
            accept=lambda line: not customer or line.partner_id.commercial_partner_id == customer,
        ).write({"lead_id": self.id})
        counterpart = {(contact.partner_id, contact.role): contact.id for contact in self.decision_contact_ids}
        steps = new_lines("decision_step_ids", by_name).grouped(
            lambda step: counterpart.get((step.contact_id.partner_id, step.contact_id.role), False)
        )
        for contact_id, group in steps.items():
            group.write({"lead_id": self.id, "contact_id": contact_id})

    def _merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True, max_length=5):
        head = super()._merge_opportunity(
            user_id=user_id, team_id=team_id, auto_unlink=auto_unlink, max_length=max_length
        )
        head._sales_process_tidy_merged_activities()
        return head

    def _sales_process_tidy_merged_activities(self):
        """After a merge, the merged opportunities' auto-activities belong to ``self``.

        Those of another stage than the current one are closed as on a stage exit;
        of the rest, one per (user, responsibility row) is kept: the earliest due.
        """
        activities = self._sales_process_open_activities()
        stale = activities.filtered(lambda act: act.sales_process_stage_id != self.browse(act.res_id).stage_id)
        seen, duplicates = set(), activities.browse()
        for activity in (activities - stale).sorted(lambda act: (act.date_deadline, act.id)):
            key = (activity.res_id, activity.user_id, activity.sales_process_responsibility_id)
            if key in seen:
                duplicates |= activity
            seen.add(key)
        if stale:
            stale._sales_process_close_on_stage_exit()
        duplicates.unlink()

    def _sales_process_apply_responsibilities(self):
        """Hand the work of the new stage to its people; called on every stage entry.

        Closes the open auto-activities of the stage left, schedules one activity per
        Responsible user (unless one is still open for that user in this stage),
        makes the Accountable and Consulted people followers and informs the Informed
        ones. Set-based: the number of queries does not depend on the number of leads.
        """
        if not self:
            return
        self.fetch(["stage_id", "team_id", "company_id", "user_id", "active", "name", "stage_deadline"])
        open_activities = self._sales_process_open_activities()
        stage_of = {lead.id: lead.stage_id.id for lead in self}
        left = open_activities.filtered(lambda act: act.sales_process_stage_id.id != stage_of.get(act.res_id))
        if left:
            left._sales_process_close_on_stage_exit()
        entering = self.filtered("active")
        resolution = self.env["sales.process.responsibility"]._resolve(entering)
        if not resolution:
            return
        existing = {(act.res_id, act.user_id.id) for act in open_activities - left}
        vals_list = entering._sales_process_prepare_activities(resolution, existing)
        entering._sales_process_insert_activities(vals_list)
        entering._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"))
        entering._sales_process_inform(resolution)
        entering._sales_process_log_problems(resolution)
        entering.invalidate_recordset(["activity_ids", "message_ids"])

    def _sales_process_prepare_activities(self, resolution, existing):
        """Values of the activities to create: one per (lead, Responsible user) not in ``existing``.

        What depends only on the stage and the row (type, summary, a note without
        placeholders, the deadline of a given stage deadline) is worked out once.
        """
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        per_row, notes, deadlines = {}, {}, {}
        vals_list = []
        for lead in self:
            holders = resolution.get(lead.id)
            if not holders or not holders["responsible"]:
                continue
            stage = lead.stage_id
            for user_id, row in holders["responsible"].items():
                if (lead.id, user_id) in existing:
                    continue
                existing.add((lead.id, user_id))
                key = (stage.id, row.id)
                if key not in per_row:
                    per_row[key] = (
                        row._get_activity_type().id,
                        (stage.objective or stage.name or "").strip(),
                        self._sales_process_checklist_note(stage),
                        row._has_note_placeholders(),
                    )
                activity_type_id, summary, checklist, personal = per_row[key]
                note_key = (key, lead.id if personal else 0)
                if note_key not in notes:
                    notes[note_key] = row._render_note(lead, checklist)
                deadline_key = (row.id, lead.stage_deadline)
                if deadline_key not in deadlines:
                    deadlines[deadline_key] = row._get_deadline(lead, today)
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": lead.id,
                        "user_id": user_id,
                        "activity_type_id": activity_type_id,
                        "summary": summary,
                        "note": notes[note_key],
                        "date_deadline": deadlines[deadline_key],
                        "automated": True,
                        "sales_process_responsibility_id": row.id,
                        "sales_process_stage_id": stage.id,
                    }
                )
        return vals_list

    def _sales_process_insert_activities(self, vals_list):
        """Insert the auto-activities of ``vals_list`` in one query.

        Through the ORM, mail.activity.create() costs about a millisecond per
        activity (note sanitizing, computed fields, per-user subscriptions), 20 s
        for a bulk move of 10,000 leads with two Responsible rows; this query keeps
        the move within twice its cost without responsibilities (bench). The values
        are built here from escaped markup, and the caller already wrote the leads.
        What create() does besides is done by the caller in batch: the assignees
        follow the leads (_sales_process_subscribe_roles), and they get the same bus
        notification. The "assigned to you" notifications follow
        ``mail.activity._sales_process_notify_assignees`` (small moves only).
        """
        if not vals_list:
            return
        self.env["mail.activity"].flush_model()
        # notes and summaries are mostly shared: sent once, referenced by position
        texts = {}
        columns = {
            "res_id": ("int", [vals["res_id"] for vals in vals_list]),
            "user_id": ("int", [vals["user_id"] for vals in vals_list]),
            "activity_type_id": ("int", [vals["activity_type_id"] for vals in vals_list]),
            "summary": ("int", [texts.setdefault(vals["summary"], len(texts) + 1) for vals in vals_list]),
            "note": ("int", [texts.setdefault(vals["note"], len(texts) + 1) for vals in vals_list]),
            "date_deadline": ("date", [vals["date_deadline"] for vals in vals_list]),
            "responsibility_id": ("int", [vals["sales_process_responsibility_id"] for vals in vals_list]),
            "stage_id": ("int", [vals["sales_process_stage_id"] for vals in vals_list]),
        }
        unnest = SQL(", ").join(SQL("%s::%s[]", values, SQL(kind)) for kind, values in columns.values())
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity
                       (res_model_id, res_model, res_id, res_name, user_id, user_tz, activity_type_id, summary, note,
                        date_deadline, automated, active, sales_process_responsibility_id, sales_process_stage_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(model_id)s, %(model)s, t.res_id, l.name, t.user_id, p.tz, t.activity_type_id,
                       (%(texts)s::text[])[t.summary], (%(texts)s::text[])[t.note],
                       t.date_deadline, true, true, t.responsibility_id, t.stage_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(unnest)s) AS t(%(names)s)
                  JOIN crm_lead l ON l.id = t.res_id
                  JOIN res_users u ON u.id = t.user_id
                  JOIN res_partner p ON p.id = u.partner_id
                RETURNING id, user_id
                """,
                texts=[str(text) for text in texts],
                model_id=vals_list[0]["res_model_id"],
                model=self._name,
                uid=self.env.uid,
                now=self.env.cr.now(),
                unnest=unnest,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
            )
        )
        self.env["mail.activity"].browse(row[0] for row in self.env.cr.fetchall())._sales_process_notify_assignees()
        today = fields.Date.context_today(self)
        due = {vals["user_id"] for vals in vals_list if vals["date_deadline"] <= today}
        self.env["res.users"].browse(sorted(due))._bus_send("mail.activity/updated", {"activity_created": True})

    def _sales_process_log_notes(self, bodies, partner_ids=()):
        """Log ``bodies`` ({lead_id: body}) as internal notes, in a few queries.

        The same notes as _message_log_batch(), which creates them through the ORM
        (about 0.6 ms each). ``partner_ids`` are listed on the notes and get an
        inbox notification, as for a note mentioning them.
        """
        if not bodies:
            return
        self.env["mail.message"].flush_model()
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        lead_ids = list(bodies)
        texts = {}  # shared bodies are sent once
        positions = [texts.setdefault(bodies[lead_id], len(texts) + 1) for lead_id in lead_ids]
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO mail_message
                       (model, res_id, body, message_type, subtype_id, author_id, email_from, reply_to, message_id,
                        is_internal, email_add_signature, date, create_uid, create_date, write_uid, write_date)
                SELECT %(model)s, t.res_id, b.body, 'notification', %(subtype)s, %(author)s, %(email_from)s,
                       %(reply_to)s, %(message_id)s, true, false, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(positions)s::int[]) AS t(res_id, position)
                  JOIN LATERAL (SELECT (%(bodies)s::text[])[t.position] AS body) b ON true
                RETURNING id
                """,
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from,
                reply_to=reply_to,
                message_id=generate_tracking_message_id("message-notify"),
                now=cr.now(),
                uid=self.env.uid,
                ids=lead_ids,
                positions=positions,
                bodies=[str(body) for body in texts],
            )
        )
        message_ids = [row[0] for row in cr.fetchall()]
        if partner_ids:
            cr.execute(
                SQL(
                    """
                    INSERT INTO mail_message_res_partner_rel (mail_message_id, res_partner_id)
                    SELECT m, p FROM unnest(%(messages)s::int[]) m, unnest(%(partners)s::int[]) p
                    """,
                    messages=message_ids,
                    partners=list(partner_ids),
                )
            )
            notified = [partner_id for partner_id in partner_ids if partner_id != author_id]
            if notified:
                cr.execute(
                    SQL(
                        """
                        INSERT INTO mail_notification
                               (mail_message_id, res_partner_id, author_id, notification_type, notification_status,
                                is_read)
                        SELECT m, p, %(author)s, 'inbox', 'sent', false
                          FROM unnest(%(messages)s::int[]) m, unnest(%(partners)s::int[]) p
                        """,
                        messages=message_ids,
                        partners=notified,
                        author=author_id,
                    )
                )
        self.browse(lead_ids).invalidate_recordset(["message_ids"])

    @api.model
    def _sales_process_checklist_note(self, stage):
        items = stage.checklist_item_ids
        if not items:
            return Markup()
        lines = Markup().join(
            Markup("<li>%s</li>") % (self.env._("%(item)s (required)", item=item.name) if item.required else item.name)
            for item in items
        )
        return Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (_("Checklist"), lines)

    def _sales_process_subscribe_roles(self, resolution, roles=("accountable", "consulted")):
        """Make the holders of ``roles`` followers, one subscription per set of partners."""
        Users = self.env["res.users"].sudo()
        by_partners, cache = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            if not holders:
                continue
            if id(holders) not in cache:  # leads resolved together share their holders
                user_ids = {uid for role in roles for uid in holders[role]}
                cache[id(holders)] = frozenset(Users.browse(sorted(user_ids)).partner_id.ids)
            if cache[id(holders)]:
                by_partners.setdefault(cache[id(holders)], []).append(lead.id)
        for partner_ids, lead_ids in by_partners.items():
            self.browse(lead_ids)._sales_process_add_followers(sorted(partner_ids))

    def _sales_process_add_followers(self, partner_ids):
        """Make ``partner_ids`` (of internal users) follow ``self`` with the default subtypes.

        What _message_subscribe() does, in one query instead of an ORM create per
        100 followers; existing followers keep their subscription.
        """
        if not self or not partner_ids:
            return
        subtypes = self.env["mail.message.subtype"].default_subtypes(self._name)[0]
        self.env["mail.followers"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT %(model)s, r, p FROM unnest(%(ids)s::int[]) r, unnest(%(partners)s::int[]) p
                    ON CONFLICT (res_model, res_id, partner_id) DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, s FROM new, unnest(%(subtypes)s::int[]) s
                """,
                model=self._name,
                ids=self.ids,
                partners=list(partner_ids),
                subtypes=subtypes.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids"])

    def _sales_process_inform(self, resolution):
        """One chatter note per lead for its Informed people, delivered to their inbox."""
        Users = self.env["res.users"].sudo()
        groups, cache = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            if holders and holders["informed"]:
                if id(holders) not in cache:
                    cache[id(holders)] = Users.browse(sorted(holders["informed"])).partner_id
                groups.setdefault((lead.stage_id, cache[id(holders)]), []).append(lead.id)
        for (stage, partners), lead_ids in groups.items():
            body = Markup("<p>%s</p>") % _(
                "Entered stage %(stage)s. For the information of: %(people)s.",
                stage=stage.name,
                people=", ".join(partners.mapped("name")),
            )
            self.browse(lead_ids)._sales_process_log_notes(dict.fromkeys(lead_ids, body), partners.ids)

    def _sales_process_log_problems(self, resolution, roles=None):
        """A chatter note on the leads whose roles resolved to nobody (or to the fallback user)."""
        role_labels = dict(self.env["sales.process.responsibility"]._fields["role"]._description_selection(self.env))
        bodies, rendered = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            problems = [p for p in (holders or {}).get("problems", []) if not roles or p[0].role in roles]
            if not problems:
                continue
            key = (id(holders), roles)
            if key not in rendered:
                lines = []
                for row, reason, fallback in problems:
                    values = {
                        "role": role_labels[row.role],
                        "stage": row.stage_id.name,
                        "assignee": row._get_assignee_label(),
                        "reason": reason,
                    }
                    if fallback:
                        lines.append(
                            _(
                                "%(role)s of stage %(stage)s (%(assignee)s): %(reason)s; "
                                "the fallback user %(user)s takes it.",
                                user=fallback.name,
                                **values,
                            )
                        )
                    else:
                        lines.append(
                            _(
                                "Nobody is %(role)s of stage %(stage)s (%(assignee)s): %(reason)s. "
                                "Set a fallback user in the Sales Process settings.",
                                **values,
                            )
                        )
                rendered[key] = Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in lines)
            bodies[lead.id] = rendered[key]
        self._sales_process_log_notes(bodies)

    def _sales_process_get_reassigned(self, vals):
        """Leads of ``self`` whose salesperson or team ``vals`` changes."""
        if self.env.context.get("sales_process_skip") or not ("user_id" in vals or "team_id" in vals):
            return self.browse()
        return self.filtered(
            lambda lead: (
                ("user_id" in vals and lead.user_id.id != (vals["user_id"] or False))
                or ("team_id" in vals and lead.team_id.id != (vals["team_id"] or False))
            )
        )

    def _sales_process_reassign_responsibilities(self):
        """Move the open auto-activities of the current stage to the people resolved now.

        Called after the salesperson or team of the leads changed. An activity whose
        user is no longer Responsible goes to a newly resolved user (the one of the
        same responsibility row first); left-over activities are cancelled and
        newly resolved users without one get one. Leads without open auto-activities
        in their current stage are left alone.
        """
        if not self:
            return
        self.fetch(["stage_id", "team_id", "company_id", "user_id", "active", "name", "stage_deadline"])
        stage_of = {lead.id: lead.stage_id.id for lead in self}
        current = self._sales_process_open_activities().filtered(
            lambda act: act.sales_process_stage_id.id == stage_of.get(act.res_id)
        )
        if not current:
            return
        leads = self.browse(sorted(set(current.mapped("res_id"))))
        resolution = self.env["sales.process.responsibility"]._resolve(
            leads, ["responsible", "accountable", "consulted"]
        )
        moves, cancelled, keep = {}, current.browse(), set()
        for lead_id, activities in current.grouped("res_id").items():
            responsible = (resolution.get(lead_id) or {}).get("responsible", {})
            missing = [uid for uid in responsible if uid not in activities.user_id.ids]
            for activity in activities:
                if activity.user_id.id in responsible:
                    keep.add((lead_id, activity.user_id.id))
                    continue
                if not missing:
                    cancelled |= activity
                    continue
                same_row = [uid for uid in missing if responsible[uid] == activity.sales_process_responsibility_id]
                user_id = (same_row or missing)[0]
                missing.remove(user_id)
                keep.add((lead_id, user_id))
                moves.setdefault((user_id, responsible[user_id]), []).append(activity.id)
        for (user_id, row), activity_ids in moves.items():
            current.browse(activity_ids).with_context(mail_activity_quick_update=True).write(
                {"user_id": user_id, "sales_process_responsibility_id": row.id}
            )
        current.browse([activity_id for ids in moves.values() for activity_id in ids])._sales_process_notify_assignees()
        if cancelled:
            cancelled.unlink()
        leads._sales_process_insert_activities(leads._sales_process_prepare_activities(resolution, keep))
        leads._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"))
        leads.invalidate_recordset(["activity_ids"])
        leads._sales_process_log_problems(resolution, roles=("responsible",))

    def _sales_process_check_override_allowed(self):
        """Raise unless the current user may override the exit criteria of the lead's stage.

        With an Accountable row for the stage (and the lead's team), only the resolved
        Accountable people and Sales Process administrators may; without one, any
        Sales Process manager may.
        """
        self.ensure_one()
        if self.sales_process_can_override_gate:
            return
        holders = self.env["sales.process.responsibility"]._resolve(self, ["accountable"]).get(self.id)
        if holders and "accountable" in holders["configured"]:
            names = self.env["res.users"].sudo().browse(list(holders["accountable"])).mapped("name")
            raise AccessError(
                _(
                    "Only the Accountable person of stage %(stage)s for %(lead)s (%(people)s) or a Sales Process "
                    "administrator can override its exit criteria.",
                    stage=self.stage_id.name,
                    lead=self.name,
                    people=", ".join(names) or _("nobody resolved"),
                )
            )
        raise AccessError(_("Only sales process managers can override a stage gate."))
