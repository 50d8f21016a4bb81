from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

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
        help="The steps of the customer's purchase decision: who evaluates, who approves, in which order."
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
        if "stage_id" not in vals or self.env.context.get("sales_process_skip"):
            return super().write(vals)
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
        cr, uid, now = self.env.cr, self.env.uid, self.env.cr.now()
        self._sales_process_close_visits(now)
        cr.execute(
            """
            INSERT INTO sales_process_stage_history
                   (lead_id, stage_id, user_id, team_id, company_id, moved_by_id, date_in, deadline,
                    duration_days, duration_working_days, overdue, is_open, visit_count,
                    create_uid, create_date, write_uid, write_date)
            SELECT id, stage_id, user_id, team_id, company_id, %(uid)s, COALESCE(date_last_stage_update, %(now)s),
                   stage_deadline, 0, 0, false, true, 1, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM crm_lead
             WHERE id = ANY(%(ids)s) AND stage_id IS NOT NULL
            """,
            {"ids": self.ids, "uid": uid, "now": now},
        )
        cr.execute(
            """
            INSERT INTO sales_process_lead_checklist
                   (lead_id, item_id, stage_id, history_id, company_id, sequence, required, done,
                    create_uid, create_date, write_uid, write_date)
            SELECT h.lead_id, i.id, i.stage_id, h.id, h.company_id, i.sequence, i.required, false,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM sales_process_stage_history h
              JOIN sales_process_checklist_item i ON i.stage_id = h.stage_id AND i.active
             WHERE h.lead_id = ANY(%(ids)s) AND h.is_open
            """,
            {"ids": self.ids, "uid": uid, "now": now},
        )
        # a new visit starts with nothing ticked
        cr.execute(
            "UPDATE crm_lead SET checklist_progress = 0 WHERE id = ANY(%(ids)s) AND checklist_progress != 0",
            {"ids": self.ids},
        )
        self.env["sales.process.stage.history"].invalidate_model()
        self.env["sales.process.lead.checklist"].invalidate_model()
        self.invalidate_recordset(["stage_history_ids", "checklist_ids", "checklist_progress"])

    def _sales_process_close_visits(self, now):
        """Close the open visits of ``self``: exit date, durations, overdue flag, next stage."""
        cr = self.env.cr
        for company in self.company_id | self.env.company:
            leads = self.filtered(lambda lead, c=company: (lead.company_id or self.env.company) == c)
            if not leads:
                continue
            calendar = company.resource_calendar_id
            weekdays, holidays = calendar._get_sales_process_workdays() if calendar else (range(5), [])
            cr.execute(
                """
                UPDATE sales_process_stage_history h
                   SET date_out = %(now)s,
                       is_open = false,
                       next_stage_id = l.stage_id,
                       moved_out_by_id = %(uid)s,
                       duration_days = EXTRACT(EPOCH FROM (%(now)s - h.date_in)) / 86400.0,
                       median_duration_days = EXTRACT(EPOCH FROM (%(now)s - h.date_in)) / 86400.0,
                       duration_working_days = (
                           SELECT count(*) FROM generate_series(h.date_in::date + 1, %(now)s::date, '1 day') d
                            WHERE EXTRACT(ISODOW FROM d)::int - 1 = ANY(%(weekdays)s)
                              AND NOT d::date = ANY(%(holidays)s::date[])),
                       overdue = h.deadline IS NOT NULL AND %(now)s > h.deadline,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM crm_lead l
                 WHERE l.id = h.lead_id AND h.is_open AND h.lead_id = ANY(%(ids)s)
                """,
                {
                    "now": now,
                    "uid": self.env.uid,
                    "ids": leads.ids,
                    "weekdays": list(weekdays),
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
