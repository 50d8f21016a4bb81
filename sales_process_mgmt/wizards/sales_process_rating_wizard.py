from odoo import fields, models


class SalesProcessRatingWizard(models.TransientModel):
    """A rating the salesperson records by hand (source: manual), e.g. after a call."""

    _name = "sales.process.rating.wizard"
    _description = "Record Customer Rating"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True)
    rating = fields.Selection([("5", "Satisfied"), ("3", "Okay"), ("1", "Dissatisfied")], required=True, default="5")
    feedback = fields.Text()

    def action_record(self):
        self.ensure_one()
        lead = self.lead_id
        lead.check_access("write")
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": lead.id,
                    "partner_id": lead.partner_id.id,
                    "rated_partner_id": lead.user_id.partner_id.id,
                    "sales_process_source": "manual",
                    "is_internal": True,
                }
            )
        )
        lead.rating_apply(int(self.rating), rating=rating, feedback=self.feedback)
        return {"type": "ir.actions.act_window_close"}
