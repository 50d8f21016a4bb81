from odoo import fields, models


class SalesProcessLeadCompetitor(models.Model):
    """A competitor in play on one opportunity, and our position against it."""

    _name = "sales.process.lead.competitor"
    _description = "Competitor on Opportunity"
    _order = "lead_id, sequence, id"

    sequence = fields.Integer(default=10)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    competitor_id = fields.Many2one("sales.process.competitor", required=True, ondelete="restrict")
    position = fields.Selection(
        [
            ("ahead", "We are ahead"),
            ("even", "Even"),
            ("behind", "We are behind"),
            ("unknown", "Unknown"),
        ],
        string="Our Position",
        required=True,
        default="unknown",
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "lead_competitor_uniq",
            "unique(lead_id, competitor_id)",
            "A competitor is listed only once per opportunity.",
        ),
    ]
