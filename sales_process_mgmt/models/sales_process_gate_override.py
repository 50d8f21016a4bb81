from odoo import fields, models


class SalesProcessGateOverride(models.Model):
    """A blocking exit criterion a manager let a lead pass, with the reason why."""

    _name = "sales.process.gate.override"
    _description = "Stage Gate Override"
    _order = "date desc, id desc"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("crm.stage", string="Stage Left", required=True, ondelete="cascade")
    target_stage_id = fields.Many2one("crm.stage", string="Moved To", ondelete="set null")
    gate_ids = fields.Many2many("sales.process.stage.gate", string="Criteria Overridden")
    criteria = fields.Text(string="Unmet Criteria", required=True)
    user_id = fields.Many2one("res.users", string="Overridden By", required=True, default=lambda self: self.env.user)
    reason = fields.Text(required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
