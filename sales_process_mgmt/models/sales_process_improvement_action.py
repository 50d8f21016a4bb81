from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .sales_process_kpi import KpiScope

ACTION_STATES = [
    ("proposed", "Proposed"),
    ("approved", "Approved"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("verified", "Verified"),
    ("cancelled", "Cancelled"),
]
SOURCES = [
    ("risk_flag", "Risk flag"),
    ("risk_rule", "Risk rule"),
    ("scorecard_line", "Scorecard line"),
    ("lost_reason", "Lost reason"),
    ("rating", "Customer rating"),
    ("suggestion", "Staff suggestion"),
]


class SalesProcessImprovementAction(models.Model):
    """An improvement action (改进措施 · 持续改进): a problem, its root cause and a plan, measured.

    Anyone in the process proposes one (a suggestion); a manager approves it. The action
    names the KPI it should move: approval records the KPI's value for its scope over
    the period before, verification over the period since approval, and the change shows.
    Its owner and participants may be anyone internal (跨部门协作).
    """

    _name = "sales.process.improvement.action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Improvement Action"
    _order = "id desc"

    name = fields.Char(string="Problem", required=True, tracking=True)
    problem = fields.Text(string="Problem Statement")
    source = fields.Selection(SOURCES, required=True, default="suggestion")
    flag_id = fields.Many2one("sales.process.risk.flag", string="Risk Flag", ondelete="set null", index=True)
    rule_id = fields.Many2one("sales.process.risk.rule", string="Risk Rule", ondelete="set null")
    evaluation_line_id = fields.Many2one(
        "sales.process.evaluation.line", string="Scorecard Line", ondelete="set null", index=True
    )
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", ondelete="set null")
    rating_id = fields.Many2one("rating.rating", string="Customer Rating", ondelete="set null")
    root_cause = fields.Text()
    action_plan = fields.Html()
    owner_id = fields.Many2one(
        "res.users", string="Owner", tracking=True, domain=[("share", "=", False)], default=lambda self: self.env.user
    )
    participant_ids = fields.Many2many("res.users", string="Participants", domain=[("share", "=", False)])
    deadline = fields.Date(tracking=True)
    state = fields.Selection(ACTION_STATES, required=True, default="proposed", tracking=True, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson", help="Scope of the KPI: a salesperson.")
    kpi_id = fields.Many2one("sales.process.kpi", string="KPI", help="The indicator the action should move.")
    measure_days = fields.Integer(string="Measuring Period (days)", default=30)
    approved_on = fields.Date(readonly=True)
    approved_by_id = fields.Many2one("res.users", readonly=True)
    verified_on = fields.Date(readonly=True)
    kpi_value_before = fields.Float(string="KPI at Approval", readonly=True, digits=(16, 2))
    kpi_value_after = fields.Float(string="KPI at Verification", readonly=True, digits=(16, 2))
    has_kpi_before = fields.Boolean(string="KPI Measured at Approval", readonly=True)
    has_kpi_after = fields.Boolean(string="KPI Measured at Verification", readonly=True)
    kpi_change = fields.Float(string="KPI Change", compute="_compute_kpi_change", digits=(16, 2))
    result = fields.Text(help="What the action achieved; needed to verify it.")

    @api.depends("kpi_value_before", "kpi_value_after", "has_kpi_before", "has_kpi_after")
    def _compute_kpi_change(self):
        for action in self:
            both = action.has_kpi_before and action.has_kpi_after
            action.kpi_change = action.kpi_value_after - action.kpi_value_before if both else 0.0

    @api.constrains("measure_days")
    def _check_measure_days(self):
        for action in self:
            if action.measure_days <= 0:
                raise ValidationError(
                    _(
                        "%(action)s: the measuring period must be positive (got %(value)s).",
                        action=action.name,
                        value=action.measure_days,
                    )
                )

    @api.constrains("kpi_id", "team_id", "user_id")
    def _check_kpi_scope(self):
        for action in self:
            if action.kpi_id and not (action.team_id or action.user_id):
                raise ValidationError(
                    _("%(action)s: choose the sales team or the salesperson whose KPI is measured.", action=action.name)
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def _action_new(self, defaults):
        """Window action opening a new improvement action with ``defaults`` (the one-click creation)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Propose an Improvement"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
            "context": {f"default_{key}": value for key, value in defaults.items() if value},
        }

    def _check_manager(self):
        if not self.env.user.has_group("sales_process_mgmt.group_sales_process_manager"):
            raise AccessError(_("Only sales process managers approve and verify improvement actions."))

    def _check_state(self, states):
        wrong = self.filtered(lambda a: a.state not in states)
        if wrong:
            raise UserError(
                _(
                    "%(action)s cannot do this in its state %(state)s.",
                    action=wrong[0].name,
                    state=dict(ACTION_STATES)[wrong[0].state],
                )
            )

    def _measure(self, date_from, date_to):
        """(has value, value) of the action's KPI for its scope over [date_from, date_to]."""
        self.ensure_one()
        if not self.kpi_id:
            return False, 0.0
        field, member = ("user_id", self.user_id) if self.user_id else ("team_id", self.team_id)
        scope = KpiScope(field, [member.id], self.company_id.id)
        value = self.kpi_id.sudo()._compute_values(date_from, date_to, scope).get(member.id)
        return value is not None, value or 0.0

    def action_approve(self):
        self._check_manager()
        self._check_state(["proposed"])
        today = fields.Date.context_today(self)
        for action in self:
            has, value = action._measure(today - timedelta(days=action.measure_days), today)
            action.sudo().write(
                {
                    "state": "approved",
                    "approved_on": today,
                    "approved_by_id": self.env.uid,
                    "has_kpi_before": has,
                    "kpi_value_before": value,
                }
            )
        return True

    def action_start(self):
        self._check_state(["approved"])
        self.write({"state": "in_progress"})
        return True

    def action_done(self):
        self._check_state(["approved", "in_progress"])
        self.write({"state": "done"})
        return True

    def action_verify(self):
        self._check_manager()
        self._check_state(["done"])
        today = fields.Date.context_today(self)
        for action in self:
            if not (action.result or "").strip():
                raise ValidationError(_("%(action)s: describe the result before verifying it.", action=action.name))
            start = action.approved_on or today
            has, value = action._measure(start, max(today, start))
            action.sudo().write(
                {"state": "verified", "verified_on": today, "has_kpi_after": has, "kpi_value_after": value}
            )
        return True

    def action_cancel(self):
        self._check_state(["proposed", "approved", "in_progress"])
        self.write({"state": "cancelled"})
        return True
