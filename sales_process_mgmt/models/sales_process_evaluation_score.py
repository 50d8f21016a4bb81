from odoo import fields, models

from .sales_process_evaluation_line import MEMBER_TYPES


class SalesProcessEvaluationScore(models.Model):
    """A member's total weighted score in a scorecard and its rating band."""

    _name = "sales.process.evaluation.score"
    _description = "Scorecard Score"
    _order = "evaluation_id, score desc, id"
    _rec_name = "band_id"

    evaluation_id = fields.Many2one(
        "sales.process.evaluation", string="Scorecard", required=True, ondelete="cascade", index=True
    )
    member_type = fields.Selection(MEMBER_TYPES, string="Member", required=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True)
    date_start = fields.Date(related="evaluation_id.date_start", store=True, string="Period")
    score = fields.Float(string="Total Score", aggregator="avg", digits=(16, 1))
    has_score = fields.Boolean()
    band_id = fields.Many2one("sales.process.rating.band", string="Band", ondelete="restrict")
