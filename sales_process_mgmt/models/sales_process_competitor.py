from odoo import fields, models


class SalesProcessCompetitor(models.Model):
    """A competitor that can be in play on opportunities."""

    _name = "sales.process.competitor"
    _description = "Competitor"
    _order = "sequence, name, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    website = fields.Char()
    strengths = fields.Text()
    weaknesses = fields.Text()
