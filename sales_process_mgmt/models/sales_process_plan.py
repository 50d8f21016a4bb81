from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .sales_process_kpi import period_bounds
from .sales_process_kpi_target import PERIOD_TYPES, is_period_start, period_end


class SalesProcessPlan(models.Model):
    """A team's sales plan (销售计划) for a period: targets (销售目标), strategy (销售策略),
    channel mix and budget (销售预算)."""

    _name = "sales.process.plan"
    _description = "Sales Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", required=True, check_company=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="month")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(string="End", compute="_compute_date_end", store=True)
    strategy = fields.Html(help="How the team will reach its targets.")
    budget = fields.Monetary(tracking=True)
    actual_spend = fields.Monetary(tracking=True)
    budget_remaining = fields.Monetary(compute="_compute_budget_remaining")
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    channel_ids = fields.One2many("sales.process.plan.channel", "plan_id", string="Channel Mix", copy=True)
    target_ids = fields.Many2many("sales.process.kpi.target", compute="_compute_target_ids", string="Targets")

    @api.depends("period_type", "date_start")
    def _compute_date_end(self):
        for plan in self:
            plan.date_end = plan.date_start and period_end(plan.period_type, plan.date_start)

    @api.depends("budget", "actual_spend")
    def _compute_budget_remaining(self):
        for plan in self:
            plan.budget_remaining = plan.budget - plan.actual_spend

    @api.depends("team_id", "period_type", "date_start")
    def _compute_target_ids(self):
        Target = self.env["sales.process.kpi.target"]
        for plan in self:
            plan.target_ids = (
                Target.search(
                    [
                        ("period_type", "=", plan.period_type),
                        ("date_start", "=", plan.date_start),
                        "|",
                        ("team_id", "=", plan.team_id.id),
                        ("user_id", "in", plan.team_id.member_ids.ids),
                    ]
                )
                if plan.team_id and plan.date_start
                else Target
            )

    @api.constrains("period_type", "date_start", "budget", "actual_spend", "channel_ids")
    def _check_plan(self):
        for plan in self:
            if not is_period_start(plan.period_type, plan.date_start):
                raise ValidationError(
                    _("Sales plan %(name)s: the Start must be the first day of its period.", name=plan.name)
                )
            if plan.budget < 0 or plan.actual_spend < 0:
                raise ValidationError(
                    _("Sales plan %(name)s: the budget and the spend cannot be negative.", name=plan.name)
                )
            if sum(plan.channel_ids.mapped("planned_share")) > 100.0001:
                raise ValidationError(
                    _("Sales plan %(name)s: the planned shares of the channels exceed 100%%.", name=plan.name)
                )

    def action_approve(self):
        self.write({"state": "approved"})

    def action_close(self):
        self.write({"state": "closed"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    def _get_realised_shares(self):
        """{(plan_id, channel_id): % of the team's won revenue of the period}."""
        result = {}
        for plan in self:
            start, end = period_bounds(plan.date_start, plan.date_end)
            groups = (
                self.env["crm.lead"]
                .sudo()
                ._read_group(
                    [
                        ("team_id", "=", plan.team_id.id),
                        ("company_id", "=", plan.company_id.id),
                        ("stage_id.is_won", "=", True),
                        ("date_closed", ">=", start),
                        ("date_closed", "<", end),
                    ],
                    ["sales_channel_id"],
                    ["expected_revenue:sum"],
                )
            )
            total = sum(amount for __, amount in groups)
            for channel, amount in groups:
                result[(plan.id, channel.id)] = 100.0 * amount / total if total else None
        return result
