from odoo import api, fields, models


class RatingRating(models.Model):
    _inherit = "rating.rating"

    sales_process_source = fields.Selection(
        [("customer", "Customer"), ("manual", "Manual")],
        string="Source",
        default="customer",
        help="Customer: given by the customer through the rating link; manual: recorded by the salesperson.",
    )
    sales_process_lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        compute="_compute_sales_process_lead_id",
        store=True,
        index=True,
    )

    @api.depends("res_model", "res_id")
    def _compute_sales_process_lead_id(self):
        for rating in self:
            rating.sales_process_lead_id = rating.res_model == "crm.lead" and rating.res_id

    def action_sales_process_propose_improvement(self):
        """Open a new improvement action from a customer's rating of an opportunity (one click)."""
        self.ensure_one()
        lead = self.sales_process_lead_id
        return self.env["sales.process.improvement.action"]._action_new(
            {
                "name": f"{lead.name or self.display_name} ({self.rating:g}/5)",
                "source": "rating",
                "rating_id": self.id,
                "team_id": lead.team_id.id,
                "problem": self.feedback,
            }
        )
