from contextlib import contextmanager

import psycopg2
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase


class CustomerInsightCase(SalesProcessCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Segment = cls.env["sales.process.customer.segment"]
        cls.segment_sme = Segment.create({"name": "SPM SMEs", "criteria": "10-249 employees"})
        cls.segment_large = Segment.create({"name": "SPM Large"})
        cls.industry = cls.env.ref("base.res_partner_industry_C")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SPM Customer Co",
                "is_company": True,
                "customer_segment_id": cls.segment_sme.id,
                "industry_id": cls.industry.id,
                "company_size": "medium",
            }
        )
        cls.boss = cls.env["res.partner"].create({"name": "SPM Boss", "parent_id": cls.customer.id})
        cls.buyer = cls.env["res.partner"].create({"name": "SPM Buyer", "parent_id": cls.customer.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "SPM Other Co", "is_company": True})
        cls.stranger = cls.env["res.partner"].create({"name": "SPM Stranger", "parent_id": cls.other_customer.id})
        cls.lead = cls._create_leads(partner_id=cls.customer.id)
        cls.Need = cls.env["sales.process.customer.need"]
        cls.Contact = cls.env["sales.process.decision.contact"]

    @contextmanager
    def assertRaisesMessage(self, exception, pattern):
        """assertRaises (which rolls the failed operation back) and a regex on the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)


@tagged("post_install", "-at_install")
class TestCustomerSegment(CustomerInsightCase):
    def test_lead_takes_the_customer_profile(self):
        self.assertEqual(self.lead.customer_segment_id, self.segment_sme)
        self.assertEqual(self.lead.industry_id, self.industry)
        self.assertEqual(self.lead.company_size, "medium")

    def test_contact_follows_its_company(self):
        """Segment and size are commercial fields: contacts and their leads follow the company."""
        self.assertEqual(self.boss.customer_segment_id, self.segment_sme)
        lead = self._create_leads(partner_id=self.boss.id)
        self.assertEqual(lead.customer_segment_id, self.segment_sme)
        self.customer.customer_segment_id = self.segment_large
        self.assertEqual(self.boss.customer_segment_id, self.segment_large)
        self.assertEqual((lead | self.lead).customer_segment_id, self.segment_large)

    def test_lead_without_customer_keeps_its_own_segment(self):
        lead = self._create_leads(customer_segment_id=self.segment_large.id, company_size="small")
        self.assertEqual(lead.customer_segment_id, self.segment_large)
        # A customer without profile does not erase what the salesperson recorded.
        lead.partner_id = self.other_customer
        self.assertEqual(lead.customer_segment_id, self.segment_large)
        self.assertEqual(lead.company_size, "small")
        lead.partner_id = self.customer
        self.assertEqual(lead.customer_segment_id, self.segment_sme)

    def test_segment_on_lead_form(self):
        with Form(self.env["crm.lead"].with_user(self.user_salesman)) as form:
            form.name = "SPM form lead"
            form.partner_id = self.buyer
            self.assertEqual(form.customer_segment_id, self.segment_sme)
            self.assertEqual(form.company_size, "medium")

    def test_partner_created_from_lead_gets_the_profile(self):
        lead = self._create_leads(
            partner_name="SPM New Customer",
            customer_segment_id=self.segment_large.id,
            industry_id=self.industry.id,
            company_size="large",
        )
        lead._handle_partner_assignment(create_missing=True)
        partner = lead.partner_id
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.customer_segment_id, self.segment_large)
        self.assertEqual(partner.company_size, "large")
        self.assertEqual(partner.industry_id, self.industry)

    def test_assign_segment_to_matching_customers(self):
        self.segment_large.partner_domain = "[('company_size', 'in', ['large', 'enterprise'])]"
        big = self.env["res.partner"].create({"name": "SPM Big Co", "is_company": True, "company_size": "enterprise"})
        big_contact = self.env["res.partner"].create({"name": "SPM Big Contact", "parent_id": big.id})
        taken = self.env["res.partner"].create(
            {
                "name": "SPM Taken Co",
                "is_company": True,
                "company_size": "large",
                "customer_segment_id": self.segment_sme.id,
            }
        )
        self.segment_large.action_assign_partners()
        self.assertEqual(big.customer_segment_id, self.segment_large)
        self.assertEqual(big_contact.customer_segment_id, self.segment_large)
        self.assertEqual(taken.customer_segment_id, self.segment_sme, "an existing segment is kept")
        self.assertEqual(self.segment_large.partner_count, 2)

    def test_assign_segment_bad_criteria(self):
        with self.assertRaisesMessage(UserError, "no matching-customer criteria"):
            self.segment_sme.action_assign_partners()
        self.segment_sme.partner_domain = "[('company_size', '=', "
        with self.assertRaisesMessage(UserError, "not a valid domain"):
            self.segment_sme.action_assign_partners()

    def test_employee_can_still_edit_a_company(self):
        """Syncing the commercial fields to contacts needs no access to the segments."""
        contact_manager = new_test_user(
            self.env, login="spm_contact_manager", groups="base.group_user,base.group_partner_manager"
        )
        self.assertFalse(contact_manager.has_group("sales_process_mgmt.group_sales_process_user"))
        self.customer.with_user(contact_manager).write({"vat": "CN123"})
        self.assertEqual(self.boss.vat, "CN123")
        self.assertEqual(self.boss.customer_segment_id, self.segment_sme)


@tagged("post_install", "-at_install")
class TestCustomerNeeds(CustomerInsightCase):
    def test_lifecycle_and_confirmed_count(self):
        need = self.Need.create({"lead_id": self.lead.id, "name": "Faster delivery", "kind": "explicit"})
        latent = self.Need.create({"lead_id": self.lead.id, "name": "Cash-flow relief", "kind": "latent"})
        self.assertEqual(need.status, "identified")
        self.assertFalse(need.date_confirmed)
        self.assertEqual(self.lead.needs_confirmed_count, 0)
        need.status = "confirmed"
        self.assertEqual(need.date_confirmed, fields.Date.context_today(need))
        self.assertEqual(self.lead.needs_confirmed_count, 1)
        need.status = "addressed"
        latent.status = "confirmed"
        self.assertEqual(self.lead.needs_confirmed_count, 2, "addressed needs were confirmed first")
        # the stored count is searchable (gates and KPIs read it)
        self.assertIn(self.lead, self.env["crm.lead"].search([("needs_confirmed_count", ">=", 2)]))
        latent.unlink()
        self.assertEqual(self.lead.needs_confirmed_count, 1)

    def test_related_fields_for_analysis(self):
        need = self.Need.create({"lead_id": self.lead.id, "name": "Traceability"})
        self.assertEqual(need.partner_id, self.customer)
        self.assertEqual(need.segment_id, self.segment_sme)
        self.assertEqual(need.user_id, self.user_salesman)
        self.assertEqual(need.company_id, self.company)
        self.lead.customer_segment_id = self.segment_large
        self.assertEqual(need.segment_id, self.segment_large)

    def test_backward_move_needs_a_note(self):
        need = self.Need.create({"lead_id": self.lead.id, "name": "Faster delivery", "status": "confirmed"})
        with self.assertRaisesMessage(ValidationError, "Faster delivery.*moves back from Confirmed by Customer"):
            need.status = "identified"
        self.assertEqual(need.status, "confirmed")
        messages_before = self.lead.message_ids
        need.write({"status": "identified", "status_note": "The customer withdrew it after the budget review"})
        self.assertEqual(need.status, "identified")
        self.assertFalse(need.date_confirmed)
        note = self.lead.message_ids - messages_before
        self.assertEqual(len(note), 1)
        self.assertIn("withdrew it after the budget review", note.body)
        # forward moves never need a note
        need.status = "addressed"
        self.assertEqual(need.status, "addressed")

    def test_backward_move_of_needs_on_several_leads(self):
        """One write moving needs of two opportunities back logs one note on each."""
        other_lead = self.lead.copy({"name": "Second opportunity"})
        needs = self.Need.create(
            [
                {"lead_id": self.lead.id, "name": "Faster delivery", "status": "confirmed"},
                {"lead_id": self.lead.id, "name": "Local support", "status": "confirmed"},
                {"lead_id": other_lead.id, "name": "Faster delivery", "status": "confirmed"},
            ]
        )
        before = (self.lead | other_lead).message_ids
        needs.write({"status": "identified", "status_note": "Budget frozen"})
        notes = (self.lead | other_lead).message_ids - before
        self.assertEqual(sorted(notes.mapped("res_id")), sorted([self.lead.id, other_lead.id]))
        lead_note = notes.filtered(lambda message: message.res_id == self.lead.id)
        self.assertIn("Local support", lead_note.body)
        self.assertIn("Faster delivery", lead_note.body)

    def test_backward_move_on_lead_form(self):
        """In the editable list of the lead the note column is filled in the same save."""
        self.Need.create({"lead_id": self.lead.id, "name": "Faster delivery", "status": "addressed"})
        with Form(self.lead.with_user(self.user_salesman)) as form, form.customer_need_ids.edit(0) as line:
            line.status = "confirmed"
            line.status_note = "Delivery tests failed"
        self.assertEqual(self.lead.customer_need_ids.status, "confirmed")

    def test_duplicate_need_on_one_opportunity(self):
        self.Need.create({"lead_id": self.lead.id, "name": "Faster delivery"})
        with self.assertRaisesMessage(ValidationError, "recorded twice"):
            self.Need.create({"lead_id": self.lead.id, "name": "  faster   DELIVERY "})
        with self.assertRaisesMessage(ValidationError, "recorded twice"):
            self.Need.create([{"lead_id": self.lead.id, "name": "Same"}, {"lead_id": self.lead.id, "name": "same"}])
        # the same need on another opportunity is fine
        other = self._create_leads()
        self.Need.create({"lead_id": other.id, "name": "Faster delivery"})

    def test_duplicate_need_refused_by_the_database(self):
        """Two transactions adding the same need at once: the unique index refuses the second."""
        need = self.Need.create({"lead_id": self.lead.id, "name": "  Faster   Delivery"})
        self.assertEqual(need.name_key, "faster delivery")
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self.env.cr.execute(
                """
                INSERT INTO sales_process_customer_need (lead_id, name, name_key, kind, priority, status, sequence)
                VALUES (%s, 'faster delivery', 'faster delivery', 'explicit', '1', 'identified', 10)
                """,
                [self.lead.id],
            )

    def test_partner_needs_history(self):
        lead_2 = self._create_leads(partner_id=self.buyer.id)
        self.Need.create({"lead_id": self.lead.id, "name": "Faster delivery"})
        self.Need.create({"lead_id": lead_2.id, "name": "Better reports"})
        self.assertEqual(set(self.customer.customer_need_ids.mapped("name")), {"Faster delivery", "Better reports"})
        self.assertEqual(self.customer.customer_need_count, 2)
        self.assertEqual(self.buyer.customer_need_count, 2, "a contact shows its company's count")


@tagged("post_install", "-at_install")
class TestPurchaseDecision(CustomerInsightCase):
    def test_decision_maker_roles(self):
        self.assertFalse(self.lead.has_decision_maker)
        influencer = self.Contact.create(
            {"lead_id": self.lead.id, "partner_id": self.buyer.id, "role": "influencer", "attitude": "supportive"}
        )
        self.Contact.create({"lead_id": self.lead.id, "partner_id": self.buyer.id, "role": "economic_buyer"})
        self.assertFalse(self.lead.has_decision_maker)
        maker = self.Contact.create(
            {"lead_id": self.lead.id, "partner_id": self.boss.id, "role": "decision_maker", "attitude": "opposed"}
        )
        self.assertTrue(self.lead.has_decision_maker)
        self.assertIn(self.lead, self.env["crm.lead"].search([("has_decision_maker", "=", True)]))
        maker.role = "gatekeeper"
        self.assertFalse(self.lead.has_decision_maker)
        influencer.role = "decision_maker"
        self.assertTrue(self.lead.has_decision_maker)
        influencer.unlink()
        self.assertFalse(self.lead.has_decision_maker)

    def test_same_role_twice_is_refused(self):
        self.Contact.create({"lead_id": self.lead.id, "partner_id": self.boss.id, "role": "decision_maker"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Contact.create({"lead_id": self.lead.id, "partner_id": self.boss.id, "role": "decision_maker"})

    def test_contact_of_another_company_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "SPM Stranger.*does not belong to the customer SPM Customer Co"):
            self.Contact.create({"lead_id": self.lead.id, "partner_id": self.stranger.id, "role": "decision_maker"})
        # the company itself and an individual customer's own record are accepted
        self.Contact.create({"lead_id": self.lead.id, "partner_id": self.customer.id, "role": "user"})

    def test_lead_without_customer_accepts_any_contact(self):
        lead = self._create_leads()
        self.Contact.create({"lead_id": lead.id, "partner_id": self.stranger.id, "role": "decision_maker"})
        self.assertTrue(lead.has_decision_maker)
        # ... until a customer is set that the contact does not belong to
        with self.assertRaisesMessage(ValidationError, "SPM Stranger"):
            lead.partner_id = self.customer
        lead.partner_id = self.other_customer

    def test_criteria_weights(self):
        Criterion = self.env["sales.process.decision.criterion"]
        for weight in (0, -2):
            with self.assertRaisesMessage(ValidationError, "weight of decision criterion Price.*must be positive"):
                Criterion.create({"lead_id": self.lead.id, "name": "Price", "weight": weight})
        with self.assertRaisesMessage(ValidationError, "between 0 and 10"):
            Criterion.create({"lead_id": self.lead.id, "name": "Price", "weight": 1, "score": 11})
        Criterion.create({"lead_id": self.lead.id, "name": "Price", "weight": 3, "score": 5})
        Criterion.create({"lead_id": self.lead.id, "name": "Service", "weight": 1, "score": 9})
        # (3 * 5 + 1 * 9) / (10 * 4) = 60 %
        self.assertAlmostEqual(self.lead.decision_criteria_score, 60.0)

    def test_budget_and_competitors(self):
        competitor = self.env["sales.process.competitor"].create({"name": "SPM Rival"})
        with Form(self.lead.with_user(self.user_salesman)) as form:
            form.budget_known = True
            form.budget_amount = 50000
            form.date_decision = fields.Date.today()
            form.sales_channel_id = self.env.ref("sales_process_mgmt.sales_channel_agent")
            with form.lead_competitor_ids.new() as line:
                line.competitor_id = competitor
                line.position = "behind"
        self.assertTrue(self.lead.budget_known)
        self.assertEqual(self.lead.budget_amount, 50000)
        self.assertEqual(self.lead.lead_competitor_ids.position, "behind")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["sales.process.lead.competitor"].create({"lead_id": self.lead.id, "competitor_id": competitor.id})

    def test_seed_sales_channels(self):
        channels = self.env["sales.process.sales.channel"].search([])
        names = set(channels.with_context(lang="en_US").mapped("name"))
        self.assertLessEqual({"Direct Sales", "Agent", "E-commerce", "Other"}, names)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sales_process_mgmt"], ["zh_CN"], overwrite=True)
        direct = self.env.ref("sales_process_mgmt.sales_channel_direct").with_context(lang="zh_CN")
        self.assertEqual(direct.name, "直销")


@tagged("post_install", "-at_install")
class TestNeedsAnalysis(CustomerInsightCase):
    def test_group_needs_by_kind_status_segment(self):
        lead_large = self._create_leads(customer_segment_id=self.segment_large.id)
        self.Need.create(
            [
                {"lead_id": self.lead.id, "name": "A", "kind": "explicit", "status": "confirmed"},
                {"lead_id": self.lead.id, "name": "B", "kind": "latent"},
                {"lead_id": lead_large.id, "name": "C", "kind": "latent", "status": "addressed"},
            ]
        )
        domain = [("lead_id", "in", (self.lead | lead_large).ids)]
        groups = self.Need._read_group(domain, ["segment_id", "kind"], ["__count"])
        self.assertEqual(
            {(segment.name, kind): count for segment, kind, count in groups},
            {("SPM SMEs", "explicit"): 1, ("SPM SMEs", "latent"): 1, ("SPM Large", "latent"): 1},
        )
        by_status = dict(self.Need._read_group(domain, ["status"], ["__count"]))
        self.assertEqual(by_status, {"identified": 1, "confirmed": 1, "addressed": 1})

    def test_analysis_action_and_views(self):
        action = self.env.ref("sales_process_mgmt.sales_process_customer_need_action")
        self.assertEqual(action.view_mode, "pivot,graph,list,form")
        views = self.Need.with_user(self.user_salesman).get_views(
            [(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")]
        )
        search_arch = views["views"]["search"]["arch"]
        for group_by in ("group_by_kind", "group_by_status", "group_by_segment"):
            self.assertIn(group_by, search_arch)
        self.assertIn('name="segment_id"', views["views"]["pivot"]["arch"])
        self.assertIn('name="kind"', views["views"]["graph"]["arch"])
        menu = self.env.ref("sales_process_mgmt.sales_process_customer_need_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.user_salesman)._visible_menu_ids())

    def test_lead_form_has_insight_page(self):
        arch = self.env["crm.lead"].with_user(self.user_salesman).get_view(view_type="form")["arch"]
        self.assertIn('name="sales_process_insight"', arch)
        self.assertIn('name="customer_need_ids"', arch)
        employee_partner_arch = self.env["res.partner"].with_user(self.user_employee).get_view(view_type="form")["arch"]
        self.assertNotIn('name="customer_need_ids"', employee_partner_arch)

    def test_decision_steps(self):
        """The purchase decision as ordered steps, each owned by a decision contact of the opportunity."""
        boss = self.Contact.create({"lead_id": self.lead.id, "partner_id": self.boss.id, "role": "decision_maker"})
        Step = self.env["sales.process.decision.step"]
        steps = Step.create(
            [
                {"lead_id": self.lead.id, "name": "Signature", "sequence": 30, "contact_id": boss.id},
                {"lead_id": self.lead.id, "name": "Technical evaluation", "sequence": 10, "done": True},
                {"lead_id": self.lead.id, "name": "Budget approval", "sequence": 20, "date_planned": "2026-12-15"},
            ]
        )
        self.assertEqual(
            self.lead.decision_step_ids.mapped("name"), ["Technical evaluation", "Budget approval", "Signature"]
        )
        today = fields.Date.context_today(steps)
        self.assertEqual(steps[1].date_done, today)
        steps[2].done = True
        self.assertEqual(steps[2].date_done, today)
        steps[1].done = False
        self.assertFalse(steps[1].date_done)
        other = self._create_leads(partner_id=self.customer.id)
        stranger_contact = self.Contact.create({"lead_id": other.id, "partner_id": self.boss.id, "role": "user"})
        with self.assertRaisesMessage(ValidationError, "Decision step Signature of"):
            steps[0].contact_id = stranger_contact

    def test_merge_brings_the_insight_together(self):
        """Merging keeps every need, contact, criterion, step and competitor once, on the kept opportunity."""
        rival, rival_2 = self.env["sales.process.competitor"].create([{"name": "SPM Rival A"}, {"name": "SPM Rival B"}])
        tail = self.lead
        head = self._create_leads(partner_id=self.customer.id, stage_id=self.stage_needs.id)
        self.Need.create(
            [
                {"lead_id": head.id, "name": "faster  DELIVERY"},
                {"lead_id": tail.id, "name": "Faster delivery"},
                {"lead_id": tail.id, "name": "Better reports"},
            ]
        )
        boss = {
            lead: self.Contact.create({"lead_id": lead.id, "partner_id": self.boss.id, "role": "decision_maker"})
            for lead in (head, tail)
        }
        self.Contact.create({"lead_id": tail.id, "partner_id": self.buyer.id, "role": "economic_buyer"})
        self.env["sales.process.decision.step"].create(
            [
                {"lead_id": head.id, "name": "Signature", "contact_id": boss[head].id, "sequence": 20},
                {"lead_id": tail.id, "name": "Technical evaluation", "contact_id": boss[tail].id, "sequence": 10},
            ]
        )
        self.env["sales.process.decision.criterion"].create(
            [
                {"lead_id": head.id, "name": "price "},
                {"lead_id": tail.id, "name": "Price"},
                {"lead_id": tail.id, "name": "Service"},
            ]
        )
        self.env["sales.process.lead.competitor"].create(
            [
                {"lead_id": head.id, "competitor_id": rival.id},
                {"lead_id": tail.id, "competitor_id": rival.id},
                {"lead_id": tail.id, "competitor_id": rival_2.id},
            ]
        )
        merged = (tail | head).merge_opportunity(auto_unlink=True)
        self.assertEqual(merged, head, "the most advanced opportunity is kept")
        self.assertFalse(tail.exists())
        self.assertEqual(sorted(head.customer_need_ids.mapped("name_key")), ["better reports", "faster delivery"])
        self.assertEqual(
            sorted(head.decision_contact_ids.mapped(lambda c: (c.partner_id.name, c.role))),
            [("SPM Boss", "decision_maker"), ("SPM Buyer", "economic_buyer")],
        )
        self.assertEqual(head.decision_step_ids.mapped("name"), ["Technical evaluation", "Signature"])
        self.assertEqual(head.decision_step_ids.contact_id, boss[head], "the step follows its contact's counterpart")
        self.assertEqual(sorted(head.decision_criterion_ids.mapped("name")), ["Service", "price "])
        self.assertEqual(head.lead_competitor_ids.competitor_id, rival | rival_2)
