import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import Form, HttpCase, new_test_user, tagged
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

    def test_needs_by_category_and_quarter(self):
        """A parent category counts its subcategories' needs; the needs are counted per quarter."""
        Category = self.env["sales.process.need.category"]
        api = Category.create({"name": "SPM API", "parent_id": self.category.id})
        Need = self.env["sales.process.customer.need"]
        Need.create(
            [
                {"lead_id": self.won_1.id, "name": "REST", "category_id": api.id, "status": "confirmed"},
                {"lead_id": self.won_1.id, "name": "Webhooks", "category_id": api.id, "status": "addressed"},
            ]
        )
        current = self.customer._get_profile_quarters()[-1]
        previous, long_ago = current - relativedelta(months=3), current - relativedelta(years=3)
        dates = {"ERP link": previous + timedelta(days=9), "WMS link": current, "REST": current, "Webhooks": long_ago}
        for need in self.customer.customer_need_ids.filtered(lambda need: need.name in dates):
            need.date_confirmed = dates[need.name]
        customer = self.customer.with_user(self.user_manager)
        series = customer._get_profile_need_series(customer)[self.customer.id]
        self.assertEqual(series[self.category.with_user(self.user_manager)], {previous: 1, current: 2, long_ago: 1})
        self.assertEqual(series[api.with_user(self.user_manager)], {current: 1, long_ago: 1})
        self.assertEqual(series[False], {current: 1}, "the uncategorised need confirmed today")
        html = customer.profile_needs_html
        # the last eight quarters as columns, the current one last, the older needs as Earlier
        labels = re.findall(r"<th(?: class='text-end')?>(.*?)</th>", html)
        self.assertEqual(labels[:3], ["Need Category", "Total", "Earlier"])
        self.assertEqual(len(labels), 11)
        self.assertEqual(labels[-1], f"Q{(current.month - 1) // 3 + 1} {current.year}")
        rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", html)
        cells = {name: re.findall(r">(\d+)<", rest) for name, rest in rows}
        self.assertEqual(list(cells), ["SPM Integration", "SPM Integration / SPM API", "Uncategorised"])
        self.assertEqual(cells["SPM Integration"], ["4", "1", "0", "0", "0", "0", "0", "0", "1", "2"])
        self.assertEqual(cells["SPM Integration / SPM API"], ["2", "1", "0", "0", "0", "0", "0", "0", "0", "1"])
        self.assertEqual(cells["Uncategorised"], ["1", "0", "0", "0", "0", "0", "0", "0", "0", "1"])
        # a salesperson counts only the needs of the opportunities they read (won_2 is salesman 2's)
        mine = self.customer.with_user(self.user_salesman)._get_profile_need_series(self.customer)[self.customer.id]
        self.assertEqual(sum(mine[self.category.with_user(self.user_salesman)].values()), 3)

    def test_the_list_shows_the_tab_figures(self):
        """The Customer Profiles list reads the same figures as the tab, as the web client does."""
        view = self.env.ref("sales_process_mgmt.res_partner_view_list_profile")
        for user in (self.user_manager, self.user_salesman):
            Partner = self.env["res.partner"].with_user(user)
            fields_shown = list(Partner.get_views([(view.id, "list")])["models"]["res.partner"]["fields"])
            figures = [name for name in fields_shown if name.startswith("profile_") and name != "profile_currency_id"]
            rows = Partner.web_search_read(
                [("id", "in", (self.customer | self.other).ids)], {name: {} for name in figures}
            )["records"]
            by_id = {row["id"]: row for row in rows}
            expected = {
                self.user_manager: (2, 4000, 1, 1, 500, 66.7, 20),
                self.user_salesman: (1, 1000, 1, 1, 500, 50.0, 10),
            }[user]
            names = ["profile_won_count", "profile_won_amount", "profile_lost_count", "profile_open_count"]
            names += ["profile_open_amount", "profile_win_rate", "profile_sales_cycle"]
            self.assertEqual(tuple(by_id[self.customer.id][name] for name in names), expected)
            self.assertTrue(by_id[self.customer.id]["profile_last_activity"])
            self.assertEqual(by_id[self.other.id]["profile_won_count"], 0)
            # the tab shows the same figures
            self.env.invalidate_all()
            self.assertEqual(tuple(Partner.browse(self.customer.id)[name] for name in names), expected)
        self.assertIn("profile_last_activity", figures)

    def test_ratings_of_the_opportunities_read(self):
        model_id = self.env["ir.model"]._get_id("crm.lead")
        self.env["rating.rating"].create(
            [
                {"res_model_id": model_id, "res_id": self.won_1.id, "rating": 5, "consumed": True, "feedback": "Fast"},
                {"res_model_id": model_id, "res_id": self.won_2.id, "rating": 2, "consumed": True},
                {"res_model_id": model_id, "res_id": self.open.id, "rating": 1, "consumed": False},
            ]
        )
        manager = self.customer.with_user(self.user_manager)
        self.assertEqual(len(manager.profile_rating_ids), 2, "the unconsumed rating is not counted")
        self.assertEqual(manager.profile_rating_avg, 3.5)
        salesman = self.customer.with_user(self.user_salesman)
        self.assertEqual(salesman.profile_rating_ids.mapped("feedback"), ["Fast"], "not salesman 2's deal")
        self.assertEqual(salesman.profile_rating_avg, 5)

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

    def test_profiles_of_a_list_in_one_query(self):
        """The figures of a whole list: one SQL query over the user's rule-filtered opportunities."""
        customers = self.env["res.partner"].create(
            [{"name": f"SPM List Customer {i}", "is_company": True} for i in range(6)]
        )
        for customer in customers:
            self._create_leads(2, partner_id=customer.id)
        for user in (self.user_manager, self.user_salesman):
            Partner = self.env["res.partner"].with_user(user)
            Partner.browse(customers.ids).mapped("profile_won_count")  # warm the registry caches (rules)
            for partners in (customers[:2] | self.customer, customers | self.customer):
                partners = Partner.browse(partners.ids)
                partners.mapped("name")
                partners.invalidate_recordset([name for name in partners._fields if name.startswith("profile_")])
                with self.assertQueryCount(1):
                    partners.mapped("profile_won_count")

    def test_decision_contacts_of_a_list_in_one_query(self):
        """The decision contacts of a whole list: one query, those of the opportunities the user reads."""
        Partner = self.env["res.partner"]
        customers = Partner.create([{"name": f"SPM Contacts Customer {i}", "is_company": True} for i in range(6)])
        people = Partner.create(
            [{"name": f"SPM Contacts Person {i}", "parent_id": customer.id} for i, customer in enumerate(customers)]
        )
        Contact = self.env["sales.process.decision.contact"]
        mine, theirs = Contact, Contact
        for customer, person in zip(customers, people, strict=True):
            lead, other = self._create_leads(2, partner_id=customer.id)
            other.user_id = self.user_salesman_2
            mine |= Contact.create({"lead_id": lead.id, "partner_id": person.id, "role": "economic_buyer"})
            theirs |= Contact.create({"lead_id": other.id, "partner_id": person.id, "role": "user"})
        everyone = customers | self.customer
        visible = {self.user_manager: mine | theirs, self.user_salesman: mine}
        for user in (self.user_manager, self.user_salesman):
            Partner = self.env["res.partner"].with_user(user)
            Partner.browse(everyone.ids).mapped("profile_decision_contact_ids")  # warm the registry caches
            for partners in (customers[:2] | self.customer, everyone):
                partners = Partner.browse(partners.ids)
                partners.mapped("name")
                partners.invalidate_recordset(["profile_decision_contact_ids"])
                with self.assertQueryCount(1):
                    partners.mapped("profile_decision_contact_ids")
            for customer, person in zip(customers, people, strict=True):
                expected = visible[user].filtered(lambda contact, person=person: contact.partner_id == person)
                # in the model's order (their opportunity's, then sequence)
                self.assertEqual(Partner.browse(customer.id).profile_decision_contact_ids.ids, expected.sorted().ids)
            # the contacts of the tab's first customer are unchanged: the buyer, decision maker
            contacts = Partner.browse(self.customer.id).profile_decision_contact_ids
            self.assertEqual((contacts.partner_id, contacts.mapped("role")), (self.buyer, ["decision_maker"]))
            # a contact of the customer shows its company's
            self.assertEqual(
                Partner.browse(people[0].id).profile_decision_contact_ids,
                contacts.browse(visible[user].filtered(lambda contact: contact.partner_id == people[0]).ids),
            )

    def test_other_company_opportunities_are_not_counted(self):
        """A customer shared by two companies: each user counts the opportunities of their companies."""
        self._create_leads(1, partner_id=self.customer.id, company_id=self.company_2.id, user_id=False, team_id=False)
        self.assertEqual(self.customer.with_user(self.user_manager).profile_open_count, 1)
        self.assertEqual(self.customer.with_user(self.user_salesman_c2).profile_open_count, 1)
        self.assertEqual(self.customer.with_user(self.user_salesman_c2).profile_won_count, 0)

    def test_export_and_print_as_salesperson(self):
        """The exported list and the printable summary carry the figures the user may see."""
        # Odoo 18 lets only the users with the export right export
        export = self.env.ref("base.group_allow_export")
        (self.user_manager | self.user_salesman).write({"groups_id": [Command.link(export.id)]})
        fields_exported = ["name", "profile_won_count", "profile_won_amount", "profile_lost_count"]
        fields_exported += ["profile_open_count", "profile_win_rate", "profile_decision_contact_ids/partner_id"]
        for user, won, amount in ((self.user_manager, 2, 4000), (self.user_salesman, 1, 1000)):
            Partner = self.env["res.partner"].with_user(user)
            rows = Partner.browse((self.customer | self.other).ids).export_data(fields_exported)["datas"]
            self.assertEqual(rows[0][:6], ["SPM Profile Customer", won, amount, 1, 1, 66.7 if won == 2 else 50.0])
            self.assertEqual(rows[0][6], "SPM Profile Customer, SPM Profile Buyer")
            self.assertEqual(rows[-1][:2], ["SPM Profile Other", 0])
        report = self.env.ref("sales_process_mgmt.res_partner_profile_report")
        html = report.with_user(self.user_salesman)._render_qweb_html(report.report_name, self.buyer.ids)[0]
        self.assertIn(b"SPM Profile Customer", html)
        self.assertIn(b"1,000.00", html)
        self.assertNotIn(b"4,000.00", html, "salesman 2's won deal is not in the salesman's summary")
        html = report.with_user(self.user_manager)._render_qweb_html(report.report_name, self.buyer.ids)[0]
        self.assertIn(b"4,000.00", html)


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
        # the same needs table as the Profile tab: per quarter, the current one last
        quarter = customer._get_profile_quarters()[-1]
        self.assertIn(b"Earlier", html)
        self.assertIn(customer._get_profile_quarter_label(quarter).encode(), html)
        pdf, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, customer.ids
        )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestCustomerProfileOverRpc(HttpCase):
    """An integrator's salesperson over JSON-RPC: imports needs with their category, reads profiles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login="spm_profile_rpc", groups="sales_team.group_sale_salesman")
        colleague = new_test_user(cls.env, login="spm_profile_rpc_2", groups="sales_team.group_sale_salesman")
        cls.category = cls.env["sales.process.need.category"].create({"name": "SPM RPC Integration"})
        cls.customer = cls.env["res.partner"].create({"name": "SPM RPC Customer", "is_company": True})
        Lead = cls.env["crm.lead"]
        cls.lead = Lead.create(
            {
                "name": "SPM RPC Need Lead",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.salesman.id,
            }
        )
        Lead.create(
            {"name": "SPM RPC Other", "type": "opportunity", "partner_id": cls.customer.id, "user_id": colleague.id}
        )

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_import_needs_and_read_profiles(self):
        self.authenticate(self.salesman.login, self.salesman.login)
        fields_imported = ["lead_id", "name", "category_id", "status"]
        result = self._call_kw(
            "sales.process.customer.need",
            "load",
            [fields_imported, [["SPM RPC Need Lead", "ERP link", "SPM RPC Integration", "confirmed"]]],
        )
        self.assertFalse(result["messages"])
        need = self.env["sales.process.customer.need"].browse(result["ids"])
        self.assertEqual((need.lead_id, need.category_id, need.user_id), (self.lead, self.category, self.salesman))
        with mute_logger("odoo.sql_db"):
            result = self._call_kw(
                "sales.process.customer.need",
                "load",
                [fields_imported, [["SPM RPC Need Lead", "Cheaper", "SPM RPC No Such Category", "identified"]]],
            )
        self.assertFalse(result["ids"])
        self.assertIn("SPM RPC No Such Category", result["messages"][0]["message"])
        self.assertEqual(len(self.lead.customer_need_ids), 1, "nothing of the bad file imported")
        # the profile over RPC counts the salesperson's opportunity, not the colleague's (both are
        # open without a probability: created without a team, PLS gives them none)
        rows = self._call_kw(
            "res.partner",
            "web_search_read",
            [[("id", "=", self.customer.id)], {"profile_open_count": {}, "profile_needs_html": {}}],
        )["records"]
        self.assertEqual(rows[0]["profile_open_count"], 1)
        self.assertIn("SPM RPC Integration", rows[0]["profile_needs_html"])
