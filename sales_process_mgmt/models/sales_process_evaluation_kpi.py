from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessEvaluationKpi(models.Model):
    """A KPI of a scorecard with its weight; weights are normalised to 100 % in the score."""

    _name = "sales.process.evaluation.kpi"
    _description = "Scorecard KPI"
    _order = "sequence, id"

    evaluation_id = fields.Many2one("sales.process.evaluation", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    kpi_id = fields.Many2one("sales.process.kpi", string="KPI", required=True, ondelete="restrict")
    weight = fields.Float(default=1.0)
    weight_percent = fields.Float(string="Weight (%)", compute="_compute_weight_percent", digits=(16, 1))
    direction = fields.Selection(related="kpi_id.direction")
    unit = fields.Selection(related="kpi_id.unit")

    _sql_constraints = [
        ("kpi_uniq", "UNIQUE (evaluation_id, kpi_id)", "A KPI appears once in a scorecard."),
    ]

    @api.depends("evaluation_id.kpi_ids.weight")
    def _compute_weight_percent(self):
        for line in self:
            total = sum(line.evaluation_id.kpi_ids.mapped("weight"))
            line.weight_percent = 100.0 * line.weight / total if total else 0.0

    @api.onchange("kpi_id")
    def _onchange_kpi_id(self):
        if self.kpi_id:
            self.weight = self.kpi_id.default_weight

    @api.constrains("weight")
    def _check_weight(self):
        for line in self:
            if line.weight < 0:
                raise ValidationError(
                    _(
                        "Scorecard %(name)s: the weight of %(kpi)s cannot be negative.",
                        name=line.evaluation_id.name,
                        kpi=line.kpi_id.name,
                    )
                )

    def write(self, vals):
        if any(line.evaluation_id.state == "done" for line in self):
            raise ValidationError(_("The KPIs of a done scorecard cannot be changed."))
        return super().write(vals)
