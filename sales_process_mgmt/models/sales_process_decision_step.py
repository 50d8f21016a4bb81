from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessDecisionStep(models.Model):
    """A step of the customer's purchase decision process: who evaluates, approves, signs, and when."""

    _name = "sales.process.decision.step"
    _description = "Purchase Decision Step"
    _order = "lead_id, sequence, id"

    sequence = fields.Integer(default=10)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    name = fields.Char(string="Step", required=True, help="e.g. technical evaluation, budget approval, signature.")
    contact_id = fields.Many2one(
        "sales.process.decision.contact",
        string="Customer Contact",
        domain="[('lead_id', '=', lead_id)]",
        ondelete="set null",
        help="The decision maker or influencer who owns this step.",
    )
    date_planned = fields.Date(string="Planned On")
    done = fields.Boolean()
    date_done = fields.Date(string="Done On", readonly=True)

    @api.constrains("contact_id", "lead_id")
    def _check_contact_of_lead(self):
        for step in self.filtered(lambda s: s.contact_id and s.contact_id.lead_id != s.lead_id):
            raise ValidationError(
                _(
                    "Decision step %(step)s of %(lead)s: %(contact)s is a decision contact of another opportunity.",
                    step=step.name,
                    lead=step.lead_id.display_name,
                    contact=step.contact_id.partner_id.display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if vals.get("done"):
                vals.setdefault("date_done", today)
        return super().create(vals_list)

    def write(self, vals):
        if "done" in vals:
            vals = dict(vals, date_done=vals["done"] and fields.Date.context_today(self))
        return super().write(vals)
