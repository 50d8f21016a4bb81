from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval


class SalesProcessCustomerSegment(models.Model):
    """A target customer group (目标客户群体) and the criteria that define it."""

    _name = "sales.process.customer.segment"
    _description = "Customer Segment"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Html(translate=True)
    criteria = fields.Text(
        translate=True,
        help="What defines the group, in words: industry, size, region, buying habits...",
    )
    partner_domain = fields.Char(
        string="Matching Customers",
        default="[]",
        help="The customers (companies and individuals) that belong to this segment. "
        "'Assign to Matching Customers' sets the segment on those that have none yet.",
    )
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("customer_segment_id", "in", self.ids)], ["customer_segment_id"], ["__count"]
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    def _get_partner_domain(self):
        """The segment's domain on res.partner, restricted to commercial entities
        (the segment is a commercial field: contacts follow their company)."""
        self.ensure_one()
        try:
            domain = safe_eval(self.partner_domain or "[]")
        except Exception as exc:
            raise UserError(
                _(
                    "The matching customers of segment %(segment)s are not a valid domain: %(error)s",
                    segment=self.display_name,
                    error=exc,
                )
            ) from exc
        return [("parent_id", "=", False), *domain] if domain else []

    def action_assign_partners(self):
        """Set this segment on the matching customers that have no segment yet."""
        self.ensure_one()
        domain = self._get_partner_domain()
        if not domain:
            raise UserError(
                _("Segment %(segment)s has no matching-customer criteria to apply.", segment=self.display_name)
            )
        partners = self.env["res.partner"].search([*domain, ("customer_segment_id", "=", False)])
        partners.write({"customer_segment_id": self.id})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(count)s customers assigned to segment %(segment)s.",
                    count=len(partners),
                    segment=self.display_name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("customer_segment_id", "=", self.id)],
            "context": {"default_customer_segment_id": self.id},
        }
