from odoo import api, fields, models

COMPANY_SIZES = [
    ("micro", "1-9 employees"),
    ("small", "10-49 employees"),
    ("medium", "50-249 employees"),
    ("large", "250-999 employees"),
    ("enterprise", "1000+ employees"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_segment_id = fields.Many2one(
        "sales.process.customer.segment", string="Customer Segment", index=True, tracking=True
    )
    company_size = fields.Selection(COMPANY_SIZES)
    customer_need_ids = fields.One2many(
        "sales.process.customer.need",
        "partner_id",
        string="Customer Needs",
        groups="sales_process_mgmt.group_sales_process_user",
    )
    customer_need_count = fields.Integer(
        string="Needs",
        compute="_compute_customer_need_count",
        groups="sales_process_mgmt.group_sales_process_user",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_customer_need_count(self):
        counts = dict(
            self.env["sales.process.customer.need"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.customer_need_count = counts.get(partner.commercial_partner_id, 0)

    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "customer_segment_id", "company_size"]
