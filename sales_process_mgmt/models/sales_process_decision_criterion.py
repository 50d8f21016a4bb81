from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessDecisionCriterion(models.Model):
    """A weighted criterion the customer decides on (price, delivery, service...)."""

    _name = "sales.process.decision.criterion"
    _description = "Purchase Decision Criterion"
    _order = "lead_id, sequence, id"

    sequence = fields.Integer(default=10)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    name = fields.Char(string="Criterion", required=True)
    weight = fields.Float(default=1.0, required=True, help="Relative importance for the customer; must be positive.")
    score = fields.Integer(
        string="Our Score",
        help="How well our offer meets the criterion, from 0 (not at all) to 10 (fully).",
    )

    @api.constrains("weight")
    def _check_weight(self):
        for criterion in self:
            if criterion.weight <= 0:
                raise ValidationError(
                    _(
                        "The weight of decision criterion %(criterion)s on %(lead)s must be positive (got %(weight)s).",
                        criterion=criterion.name,
                        lead=criterion.lead_id.display_name,
                        weight=criterion.weight,
                    )
                )

    @api.constrains("score")
    def _check_score(self):
        for criterion in self:
            if not 0 <= criterion.score <= 10:
                raise ValidationError(
                    _(
                        "Our score on decision criterion %(criterion)s of %(lead)s must be between 0 and 10.",
                        criterion=criterion.name,
                        lead=criterion.lead_id.display_name,
                    )
                )
