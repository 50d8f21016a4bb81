from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_process_enforce_gates = fields.Boolean(
        string="Enforce Stage Gates",
        config_parameter="sales_process_mgmt.enforce_gates",
        help="When off, leads move between stages without their exit criteria "
        "being checked (e.g. during a data migration).",
    )
