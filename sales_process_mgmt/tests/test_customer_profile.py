from odoo.tests import Form, HttpCase, tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestCustomerProfile(SalesProcessCase):
    """The customer profile (客户画像) of companies, computed for lists of customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.category = cls.env["sales.process.need.category"].create({"name": "SPM Integration"})
        cls.customer = Partner.create({"name": "SPM Profile Customer", "is_company": True})
        cls.buyer = Partner.create({"name": "SPM Profile Buyer", "parent_id": cls.customer.id})
        cls.other = Partner.create({"name": "SPM Profile Other", "is_company": True})
        mine = {"partner_id": cls.buyer.id, "stage_id": cls.stage_reception.id}
        cls.won_1, cls.won_2, cls.lost, cls.open = cls._create_leads(4, **mine)
        cls.won_2.user_id = cls.user_salesman_2
        for lead, amount in ((cls.won_1, 1000), (cls.won_2, 3000), (cls.lost, 700), (cls.open, 500)):
            lead.expected_revenue = amount
        Need = cls.env["sales.process.customer.need"]
        Need.create(
            [
                {"lead_id": cls.won_1.id, "name": "ERP link", "category_id": cls.category.id, "status": "addressed"},
                {"lead_id": cls.won_2.id, "name": "WMS link", "category_id": cls.category.id, "status": "confirmed"},
                {"lead_id": cls.open.id, "name": "Faster", "status": "confirmed"},
                {"lead_id": cls.open.id, "name": "Maybe", "category_id": cls.category.id},
            ]
        )
        cls.env["sales.process.decision.contact"].create(
            {"lead_id": cls.won_1.id, "partner_id": cls.buyer.id, "role": "decision_maker"}
        )
        (cls.won_1 | cls.won_2).write({"stage_id": cls.stage_won.id})
        cls.lost.action_set_lost()
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE crm_lead SET day_close = 10 WHERE id = %s", [cls.won_1.id])
        cls.env.cr.execute("UPDATE crm_lead SET day_close = 30 WHERE id = %s", [cls.won_2.id])
        cls.open.message_post(body="Called the buyer", message_type="comment")
        cls.env.invalidate_all()

    def test_profile_figures(self):
        customer = self.customer.with_user(self.user_manager)
        self.assertEqual(
            (customer.profile_won_count, customer.profile_lost_count, customer.profile_open_count),
            (2, 1, 1),
        )
        self.assertEqual((customer.profile_won_amount, customer.profile_open_amount), (4000, 500))
        self.assertAlmostEqual(customer.profile_win_rate, 66.7)
        self.assertEqual(customer.profile_sales_cycle, 20)
        self.assertTrue(customer.profile_last_activity)
        self.assertIn("SPM Integration", customer.profile_needs_html)
        self.assertIn("<td class='text-end'>2</td>", customer.profile_needs_html, "the identified need is not counted")
        self.assertIn("Uncategorised", customer.profile_needs_html)
        self.assertEqual(customer.profile_decision_contact_ids.partner_id, self.buyer)
        # a contact shows its company's profile; another customer has none
        self.assertEqual(self.buyer.with_user(self.user_manager).profile_won_count, 2)
        self.assertEqual(self.other.with_user(self.user_manager).profile_won_count, 0)
        self.assertFalse(self.other.with_user(self.user_manager).profile_needs_html)

    def test_salesperson_sees_what_they_read(self):
        customer = self.customer.with_user(self.user_salesman)
        self.assertEqual(customer.profile_won_count, 1, "salesman 2's won deal is not counted for salesman")
        self.assertEqual(customer.profile_won_amount, 1000)
        self.assertNotIn("<td class='text-end'>2</td>", customer.profile_needs_html)
        employee = self.customer.with_user(self.user_employee)
        self.assertNotIn("profile_won_count", employee.fields_get())

    def test_new_contact_form(self):
        with Form(self.env["res.partner"].with_user(self.user_manager)) as form:
            form.name = "SPM New Contact"
            form.parent_id = self.customer
            self.assertEqual(form.profile_won_count, 0, "no figures before it is saved")
        self.assertEqual(form.record.profile_won_count, 2)

    def test_preferences_are_kept_on_the_company(self):
        channel = self.env["sales.process.sales.channel"].search([], limit=1)
        self.customer.with_user(self.user_salesman).write(
            {
                "profile_preferred_channel_id": channel.id,
                "profile_contact_times": "Mornings",
                "profile_preferred_language": "Chinese",
            }
        )
        self.assertEqual(self.buyer.profile_contact_times, "Mornings")
        self.assertEqual(self.buyer.profile_preferred_channel_id, channel)

    def test_profiles_of_a_list_in_constant_queries(self):
        Partner = self.env["res.partner"].with_user(self.user_manager)
        customers = Partner.create([{"name": f"SPM List Customer {i}", "is_company": True} for i in range(6)])
        for customer in customers:
            self._create_leads(2, partner_id=customer.id)

        partners = Partner.browse((customers[:2] | self.customer).ids)
        partners.mapped("profile_won_count")  # warm the caches
        few = self._queries(partners)
        many = self._queries(Partner.browse((customers | self.customer).ids))
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)

    def _queries(self, partners):
        partners.invalidate_recordset()
        for model in ("crm.lead", "sales.process.customer.need", "sales.process.decision.contact"):
            self.env[model].invalidate_model()
        start = self.env.cr.sql_log_count
        partners.mapped("profile_won_count")
        return self.env.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestCustomerProfileReport(HttpCase):
    """The printable profile, rendered by wkhtmltopdf (it fetches the assets from the test server)."""

    # wkhtmltopdf without patched qt warns about its header and footer switches
    @mute_logger("odoo.addons.base.models.ir_actions_report")
    def test_printable_profile(self):
        category = self.env["sales.process.need.category"].create({"name": "SPM Report Integration"})
        customer = self.env["res.partner"].create({"name": "SPM Report Customer", "is_company": True})
        lead = self.env["crm.lead"].create(
            {"name": "SPM Report Lead", "type": "opportunity", "partner_id": customer.id}
        )
        self.env["sales.process.customer.need"].create(
            {"lead_id": lead.id, "name": "ERP link", "category_id": category.id, "status": "confirmed"}
        )
        report = self.env.ref("sales_process_mgmt.res_partner_profile_report")
        html, _format = report._render_qweb_html(report.report_name, customer.ids)
        self.assertIn(b"SPM Report Customer", html)
        self.assertIn(b"SPM Report Integration", html)
        pdf, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, customer.ids
        )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
