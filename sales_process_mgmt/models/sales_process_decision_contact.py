from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

ROLES = [
    ("decision_maker", "Decision Maker"),
    ("economic_buyer", "Economic Buyer"),
    ("influencer", "Influencer"),
    ("user", "User"),
    ("gatekeeper", "Gatekeeper"),
]


class SalesProcessDecisionContact(models.Model):
    """A person of the customer who takes part in the purchase decision."""

    _name = "sales.process.decision.contact"
    _description = "Purchase Decision Contact"
    _order = "lead_id, sequence, id"
    _rec_name = "partner_id"

    sequence = fields.Integer(default=10)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Contact", required=True, index=True, ondelete="cascade")
    function = fields.Char(related="partner_id.function", string="Job Position")
    role = fields.Selection(ROLES, required=True, default="influencer")
    attitude = fields.Selection(
        [("supportive", "Supportive"), ("neutral", "Neutral"), ("opposed", "Opposed")],
        required=True,
        default="neutral",
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "lead_partner_role_uniq",
            "unique(lead_id, partner_id, role)",
            "A contact has each role only once per opportunity.",
        ),
    ]

    @api.constrains("lead_id", "partner_id")
    def _check_partner_of_customer(self):
        """A decision contact belongs to the lead's customer: same commercial entity.

        Leads without a customer accept any contact (the customer is often not
        recorded yet at reception).
        """
        for contact in self:
            customer = contact.lead_id.partner_id.commercial_partner_id
            if customer and contact.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "%(contact)s cannot be a decision contact on %(lead)s: "
                        "the contact does not belong to the customer %(customer)s.",
                        contact=contact.partner_id.display_name,
                        lead=contact.lead_id.display_name,
                        customer=customer.display_name,
                    )
                )
