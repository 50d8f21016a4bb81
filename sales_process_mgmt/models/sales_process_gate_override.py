from odoo import fields, models


class SalesProcessGateOverride(models.Model):
    """A blocking exit criterion a manager let a lead pass, with the reason why.

    Written by the override wizard only (as the system, after checking who may
    override): nobody creates, edits or deletes these records.
    """

    _name = "sales.process.gate.override"
    _description = "Stage Gate Override"
    _order = "date desc, id desc"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True, readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage Left", required=True, ondelete="cascade", readonly=True)
    target_stage_id = fields.Many2one("crm.stage", string="Moved To", ondelete="set null", readonly=True)
    gate_ids = fields.Many2many("sales.process.stage.gate", string="Criteria Overridden", readonly=True)
    criteria = fields.Text(string="Unmet Criteria", required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Overridden By", required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
