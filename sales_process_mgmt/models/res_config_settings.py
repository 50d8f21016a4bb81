from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_process_enforce_gates = fields.Boolean(
        string="Enforce Stage Gates",
        config_parameter="sales_process_mgmt.enforce_gates",
        help="When off, leads move between stages without their exit criteria "
        "being checked (e.g. during a data migration).",
    )
    sales_process_fallback_user_id = fields.Many2one(
        "res.users",
        string="Responsibility Fallback User",
        config_parameter="sales_process_mgmt.fallback_user_id",
        domain="[('share', '=', False)]",
        help="Takes a stage responsibility when its role resolves to nobody "
        "(no salesperson, no team leader, archived user, empty group).",
    )
