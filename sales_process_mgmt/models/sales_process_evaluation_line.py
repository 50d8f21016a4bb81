from odoo import _, api, fields, models
from odoo.exceptions import UserError

MEMBER_TYPES = [("team", "Sales Team"), ("user", "Salesperson")]
TRENDS = [("improved", "Improved"), ("stable", "Stable"), ("declined", "Declined"), ("none", "No Data")]


class SalesProcessEvaluationLine(models.Model):
    """One KPI of one member in a scorecard: stored figures, frozen once the scorecard is done.

    ``has_*`` flags tell "no data" from zero (an empty denominator is no data, never 0 %).
    """

    _name = "sales.process.evaluation.line"
    _description = "Scorecard Line"
    _order = "evaluation_id, member_type, user_id, team_id, id"
    _rec_name = "kpi_id"

    evaluation_id = fields.Many2one(
        "sales.process.evaluation", string="Scorecard", required=True, ondelete="cascade", index=True
    )
    kpi_id = fields.Many2one("sales.process.kpi", string="KPI", required=True, ondelete="restrict", index=True)
    member_type = fields.Selection(MEMBER_TYPES, string="Member", required=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    member_name = fields.Char(string="Member Name", compute="_compute_member_name")
    # the scorecard's, stored on the line for the trend analysis (a frozen line keeps them)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date_start = fields.Date(string="Period", readonly=True)
    state = fields.Selection(related="evaluation_id.state")
    unit = fields.Selection(related="kpi_id.unit")
    direction = fields.Selection(related="kpi_id.direction")
    actual = fields.Float(aggregator="avg", digits=(16, 2))
    has_actual = fields.Boolean(string="Has Data")
    target = fields.Float(aggregator="avg", digits=(16, 2))
    achievement = fields.Float(string="Achievement (%)", aggregator="avg", digits=(16, 1))
    has_achievement = fields.Boolean()
    weight = fields.Float(string="Weight (%)", aggregator="sum", digits=(16, 1))
    weighted_score = fields.Float(aggregator="sum", digits=(16, 2))
    previous_actual = fields.Float(string="Previous Period", aggregator="avg", digits=(16, 2))
    has_previous = fields.Boolean()
    trend = fields.Selection(TRENDS, default="none")
    display_actual = fields.Char(string="Actual Value", compute="_compute_display_values")
    display_achievement = fields.Char(string="Achievement", compute="_compute_display_values")
    display_previous = fields.Char(string="Previous Value", compute="_compute_display_values")
    improvement_measure = fields.Text(
        string="Improvement Measure",
        help="Concrete measure decided from this figure; the risk layer links its improvement actions here.",
    )
    improvement_action_ids = fields.One2many(
        "sales.process.improvement.action", "evaluation_line_id", string="Improvement Actions"
    )

    @api.depends("member_type", "user_id", "team_id")
    def _compute_member_name(self):
        for line in self:
            line.member_name = (line.user_id if line.member_type == "user" else line.team_id).sudo().display_name

    @api.depends("actual", "has_actual", "achievement", "has_achievement", "previous_actual", "has_previous")
    def _compute_display_values(self):
        no_data = _("No data")
        for line in self:
            line.display_actual = f"{line.actual:,.2f}" if line.has_actual else no_data
            line.display_achievement = f"{line.achievement:.1f} %" if line.has_achievement else no_data
            line.display_previous = f"{line.previous_actual:,.2f}" if line.has_previous else no_data

    def write(self, vals):
        if set(vals) - {"improvement_measure"} and any(line.evaluation_id.state == "done" for line in self):
            raise UserError(_("The lines of a done scorecard are frozen."))
        return super().write(vals)

    def action_propose_improvement(self):
        """Open a new improvement action from this figure (one click)."""
        self.ensure_one()
        return self.env["sales.process.improvement.action"]._action_new(
            {
                "name": _("%(kpi)s: %(member)s", kpi=self.kpi_id.name, member=self.member_name),
                "source": "scorecard_line",
                "evaluation_line_id": self.id,
                "kpi_id": self.kpi_id.id,
                "team_id": self.team_id.id,
                "user_id": self.user_id.id if self.member_type == "user" else False,
                "company_id": self.company_id.id,
                "problem": self.improvement_measure,
            }
        )

    def action_open_details(self):
        """Open the leads, visits, activities or ratings behind the actual value."""
        self.ensure_one()
        evaluation = self.evaluation_id
        field = "user_id" if self.member_type == "user" else "team_id"
        member = self.user_id if self.member_type == "user" else self.team_id
        model, domain = self.kpi_id.sudo()._get_drilldown(
            evaluation.date_start, evaluation.date_end, field, member.id, evaluation.company_id.id
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("%(kpi)s: %(member)s", kpi=self.kpi_id.name, member=self.member_name),
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"active_test": False, "create": False},
        }
