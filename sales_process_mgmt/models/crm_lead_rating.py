from odoo import _, models


class CrmLead(models.Model):
    """Customer satisfaction (客户满意度) from the customer: Odoo's rating on opportunities.

    Winning an opportunity (and losing one, when the setting says so) queues a rating
    request by mail; the customer rates through rating's public page (/rate/<token>/<rate>)
    and the rating lands on the opportunity. A salesperson may record one by hand.
    """

    _name = "crm.lead"
    _inherit = ["crm.lead", "rating.mixin"]

    def _rating_get_operator(self):
        return self.user_id.partner_id

    def _sales_process_after_move(self, move):
        super()._sales_process_after_move(move)
        if move.stage.is_won and any(stage and not stage.is_won for stage in move.old_stages.values()):
            self._sales_process_request_rating()

    def _sales_process_after_archive(self):
        super()._sales_process_after_archive()
        param = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.rating_on_lost")
        if param:
            self.filtered(
                lambda lead: lead.type == "opportunity" and not lead.stage_id.is_won
            )._sales_process_request_rating()

    def _sales_process_request_rating(self):
        """Queue the rating request of the opportunities with a customer e-mail (never sent in the move)."""
        template = self.env.ref("sales_process_mgmt.mail_template_lead_rating_request", raise_if_not_found=False)
        if not template:
            return
        for lead in self.filtered(lambda lead: lead.type == "opportunity" and lead.partner_id.email):
            lead.rating_send_request(template, lang=lead.partner_id.lang, force_send=False)

    def action_sales_process_record_rating(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Record Customer Rating"),
            "res_model": "sales.process.rating.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_sales_process_view_ratings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_process_mgmt.rating_rating_action_sales_process")
        action["domain"] = [("res_model", "=", "crm.lead"), ("res_id", "=", self.id)]
        return action
