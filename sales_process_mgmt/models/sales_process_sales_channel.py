from odoo import fields, models


class SalesProcessSalesChannel(models.Model):
    """How an opportunity is sold (销售渠道): direct, agent, e-commerce..."""

    _name = "sales.process.sales.channel"
    _description = "Sales Channel"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
