import re

from odoo.tests import HttpCase, tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestEvaluationRating(HttpCase, SalesProcessCase):
    """Customer satisfaction (客户反馈): Odoo's rating on the opportunity, from the customer or by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "SPM Rated Customer", "email": "rated@example.com"})
        (cls.lead,) = cls._create_leads(1, partner_id=cls.customer.id, stage_id=cls.stage_contract.id)

    def _request(self, lead):
        return self.env["rating.rating"].sudo().search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_won_sends_a_request_and_the_customer_rates_through_the_public_page(self):
        self.lead.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        rating = self._request(self.lead)
        self.assertEqual(len(rating), 1)
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.partner_id, self.customer)
        mail = self.env["mail.mail"].sudo().search([("model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])
        self.assertEqual(mail.state, "outgoing", "queued, not sent in the move")
        self.assertIn(f"/rate/{rating.access_token}/5", str(mail.body_html))
        # the customer, not logged in, follows the link and submits the form
        page = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={"rate": 5, "feedback": "Very professional", "csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 200)
        rating.invalidate_recordset()
        self.assertTrue(rating.consumed)
        self.assertEqual(
            (rating.rating, rating.feedback, rating.sales_process_source), (5, "Very professional", "customer")
        )
        self.assertEqual(rating.sales_process_lead_id, self.lead)
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.rating_count, 1)
        # the salesperson sees the rating of their opportunity, another salesperson does not
        Rating = self.env["rating.rating"]
        self.assertEqual(Rating.with_user(self.user_salesman).search([("id", "=", rating.id)]), rating)
        self.assertFalse(Rating.with_user(self.user_salesman_2).search([("id", "=", rating.id)]))
        self.assertEqual(Rating.with_user(self.user_manager).search([("id", "=", rating.id)]), rating)

    def test_no_request_without_email_or_when_lost_by_default(self):
        (lead,) = self._create_leads(1, stage_id=self.stage_contract.id)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        self.assertFalse(self._request(lead))
        self.lead.with_user(self.user_salesman).action_set_lost()
        self.assertFalse(self._request(self.lead))

    def test_lost_sends_a_request_with_the_setting(self):
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.rating_on_lost", "True")
        self.lead.with_user(self.user_salesman).action_set_lost()
        self.assertEqual(len(self._request(self.lead)), 1)

    def test_manual_rating_by_the_salesperson(self):
        wizard = (
            self.env["sales.process.rating.wizard"]
            .with_user(self.user_salesman)
            .create({"lead_id": self.lead.id, "rating": "3", "feedback": "Said so on the phone"})
        )
        wizard.action_record()
        rating = self._request(self.lead)
        self.assertEqual((rating.rating, rating.sales_process_source, rating.consumed), (3, "manual", True))
