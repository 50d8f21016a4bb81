from odoo import api, fields, models
from odoo.tools import SQL

STAGE_STATES = [
    ("none", "No Time Limit"),
    ("on_time", "On Time"),
    ("warning", "Near Limit"),
    ("overdue", "Overdue"),
]


class CrmLead(models.Model):
    """Stage visits, checklists and stage timing of the lead."""

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
    checklist_incomplete = fields.Boolean(
        compute="_compute_checklist_incomplete",
        search="_search_checklist_incomplete",
        help="A required item of the current stage's checklist is not done.",
    )
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

    @api.depends("stage_history_ids")
    def _compute_stage_history_count(self):
        groups = self.env["sales.process.stage.history"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
        )
        counts = {lead.id: count for lead, count in groups}
        for lead in self:
            lead.stage_history_count = counts.get(lead.id, 0)

    @api.depends("checklist_ids.done", "checklist_ids.item_id.active")
    def _compute_checklist_progress(self):
        """Done share of the current lines whose item is active (archived items count for nothing)."""
        groups = (
            self.env["sales.process.lead.checklist"]
            .sudo()
            ._read_group(
                [("lead_id", "in", self.ids), ("is_current", "=", True), ("item_id.active", "=", True)],
                ["lead_id", "done"],
                ["__count"],
            )
        )
        counts = {}
        for lead, done, count in groups:
            total_done = counts.setdefault(lead.id, [0, 0])
            total_done[0] += count
            total_done[1] += count if done else 0
        for lead in self:
            total, done = counts.get(lead.id, (0, 0))
            lead.checklist_progress = 100.0 * done / total if total else 0.0

    @api.depends("checklist_ids.done", "checklist_ids.required")
    def _compute_checklist_incomplete(self):
        incomplete = self.search([("id", "in", self._origin.ids), ("checklist_incomplete", "=", True)])
        for lead in self:
            lead.checklist_incomplete = lead._origin in incomplete

    def _search_checklist_incomplete(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError()
        self.env["sales.process.lead.checklist"].flush_model(["lead_id", "history_id", "item_id", "required", "done"])
        self.env["sales.process.stage.history"].flush_model(["is_open"])
        self.env["sales.process.checklist.item"].flush_model(["active"])
        lines = SQL(
            """
            (SELECT c.lead_id FROM sales_process_lead_checklist c
              JOIN sales_process_stage_history h ON h.id = c.history_id AND h.is_open
              JOIN sales_process_checklist_item i ON i.id = c.item_id AND i.active
             WHERE c.required AND NOT c.done)
            """
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", lines)]

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
        for lead in self:
            calendar = lead._sales_process_get_calendar()
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

    def _sales_process_get_calendar(self):
        """The working calendar that times the lead: its company's (the main company's without one)."""
        self.ensure_one()
        company = self.company_id or self.env.ref("base.main_company", raise_if_not_found=False)
        return company.sudo().resource_calendar_id if company else self.env["resource.calendar"]

    # ------------------------------------------------------------------
    # Move hooks
    # ------------------------------------------------------------------

    def _sales_process_after_move(self, move):
        """Close the open visits of the leads, open the visits of their new stage with its checklist."""
        super()._sales_process_after_move(move)
        self._sales_process_record_visits()

    def _sales_process_after_archive(self):
        """Lost or archived leads leave their stage: their visit is closed as lost."""
        super()._sales_process_after_archive()
        History = self.env["sales.process.stage.history"]
        History._close_visits(self, exit_type="lost")
        History._invalidate_visits(self)

    def _sales_process_after_restore(self):
        """A restored lead starts a new visit of its stage."""
        super()._sales_process_after_restore()
        self.filtered("stage_id")._sales_process_record_visits()

    def _sales_process_on_merge(self, opportunities):
        """The merged opportunities' visits and checklist evidence become the kept one's history."""
        super()._sales_process_on_merge(opportunities)
        History = self.env["sales.process.stage.history"]
        History._close_visits(opportunities, exit_type="merged")
        History._reassign_visits(opportunities, self)
        History._invalidate_visits(self | opportunities)

    def _sales_process_record_visits(self):
        """Close the open visits of ``self`` and open one of their current stage.

        Plain SQL over the whole set: a bulk move of thousands of leads costs a
        handful of queries, whatever their number (see bench/bench_stage.py).
        """
        if not self:
            return
        self.flush_recordset(
            ["stage_id", "user_id", "team_id", "company_id", "date_last_stage_update", "stage_deadline"]
        )
        History = self.env["sales.process.stage.history"]
        History._close_visits(self, exit_type="moved")
        History._open_visits(SQL("l.id = ANY(%s)", self.ids), moved_by_id=self.env.uid)
        # a new visit starts with nothing ticked
        self.env.cr.execute(
            "UPDATE crm_lead SET checklist_progress = 0 WHERE id = ANY(%(ids)s) AND checklist_progress != 0",
            {"ids": self.ids},
        )
        History._invalidate_visits(self)
        self.invalidate_recordset(["checklist_progress"])

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh_stage_timing(self, batch_size=5000):
        """Refresh days in stage, timing states and overdue visits of open leads.

        Only the rows whose value changes are written, a batch at a time, skipping
        rows that users hold locked (they are picked up by the next run). Run by
        the cron, each call does one batch and reports what is left: the framework
        commits it and calls again.
        """
        self.flush_model(["date_last_stage_update", "stage_deadline", "stage_warning_date"])
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        cr, now = self.env.cr, self.env.cr.now()
        stale = SQL(
            """
            SELECT id,
                   COALESCE(EXTRACT(DAY FROM (%(now)s - date_last_stage_update))::int, 0) AS days,
                   CASE WHEN stage_deadline IS NULL THEN 'none'
                        WHEN %(now)s > stage_deadline THEN 'overdue'
                        WHEN stage_warning_date IS NOT NULL AND %(now)s >= stage_warning_date THEN 'warning'
                        ELSE 'on_time' END AS state,
                   days_in_stage, stage_state
              FROM crm_lead
             WHERE active
            """,
            now=now,
        )
        done = 0
        while True:
            cr.execute(
                SQL(
                    """
                    WITH todo AS (%(stale)s), batch AS (
                        SELECT l.id, todo.days, todo.state
                          FROM crm_lead l JOIN todo ON todo.id = l.id
                         WHERE todo.days_in_stage IS DISTINCT FROM todo.days
                            OR todo.stage_state IS DISTINCT FROM todo.state
                         ORDER BY l.id
                         LIMIT %(limit)s
                           FOR UPDATE OF l SKIP LOCKED
                    )
                    UPDATE crm_lead l SET days_in_stage = batch.days, stage_state = batch.state
                      FROM batch WHERE batch.id = l.id
                    """,
                    stale=stale,
                    limit=batch_size,
                )
            )
            done += cr.rowcount
            if in_cron or cr.rowcount < batch_size:
                break
        self.env["sales.process.stage.history"]._refresh_overdue(now)
        self.invalidate_model(["days_in_stage", "stage_state"])
        if in_cron:
            cr.execute(
                SQL(
                    """
                    SELECT count(*) FROM (%(stale)s) todo
                     WHERE todo.days_in_stage IS DISTINCT FROM todo.days OR todo.stage_state IS DISTINCT FROM todo.state
                    """,
                    stale=stale,
                )
            )
            self.env["ir.cron"]._notify_progress(done=done, remaining=cr.fetchone()[0])

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_stage_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_process_mgmt.sales_process_stage_history_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"search_default_group_by_stage": 0}
        return action
