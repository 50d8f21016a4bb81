from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestInsightGates(SalesProcessCase):
    """The customer-insight exit criteria, in block and warn mode, on leaving Needs Confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.enforce_gates", "True")
        cls.customer = cls.env["res.partner"].create({"name": "SPM Gate Customer", "is_company": True})
        cls.boss = cls.env["res.partner"].create({"name": "SPM Gate Boss", "parent_id": cls.customer.id})
        cls.Gate = cls.env["sales.process.stage.gate"]

    def _gate(self, criterion, mode="block", **values):
        return self.Gate.create({"stage_id": self.stage_needs.id, "criterion": criterion, "mode": mode, **values})

    def _leads(self, count=1):
        return self._create_leads(count, stage_id=self.stage_needs.id, partner_id=self.customer.id)

    def _add_need(self, lead, name, status="confirmed"):
        return self.env["sales.process.customer.need"].create({"lead_id": lead.id, "name": name, "status": status})

    def _move(self, leads, user=None):
        leads.with_user(user or self.user_salesman).write({"stage_id": self.stage_presentation.id})

    def _notes(self, lead):
        return " ".join(lead.message_ids.mapped("body"))

    # needs confirmed --------------------------------------------------

    def test_needs_confirmed_block(self):
        self._gate("needs_confirmed", min_needs_confirmed=2)
        lead = self._leads()
        self._add_need(lead, "Confirmed one")
        self._add_need(lead, "Only identified", status="identified")
        with self.assertRaises(UserError) as catcher:
            self._move(lead)
        self.assertIn("1 of 2 needs confirmed by the customer", str(catcher.exception))
        self.assertIn(lead.name, str(catcher.exception))
        self.assertEqual(lead.stage_id, self.stage_needs)
        lead.customer_need_ids.filtered(lambda n: n.status == "identified").status = "addressed"
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    def test_needs_confirmed_warn(self):
        self._gate("needs_confirmed", mode="warn")
        lead = self._leads()
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)
        self.assertIn("0 of 1 needs confirmed by the customer", self._notes(lead))

    def test_needs_confirmed_parameter(self):
        for value in (0, -1):
            with self.assertRaises(ValidationError):
                self._gate("needs_confirmed", min_needs_confirmed=value)
        # the parameter only matters for its own criterion
        self._gate("budget_known", min_needs_confirmed=0)

    # decision maker ---------------------------------------------------

    def test_decision_maker_block(self):
        self._gate("decision_maker")
        lead = self._leads()
        Contact = self.env["sales.process.decision.contact"]
        Contact.create({"lead_id": lead.id, "partner_id": self.boss.id, "role": "influencer"})
        with self.assertRaisesRegex(UserError, "no decision maker identified"):
            self._move(lead)
        Contact.create({"lead_id": lead.id, "partner_id": self.boss.id, "role": "decision_maker"})
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    def test_decision_maker_warn(self):
        self._gate("decision_maker", mode="warn")
        lead = self._leads()
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)
        self.assertIn("no decision maker identified", self._notes(lead))

    # budget known -----------------------------------------------------

    def test_budget_known_block(self):
        self._gate("budget_known")
        lead = self._leads()
        with self.assertRaisesRegex(UserError, "budget unknown"):
            self._move(lead)
        lead.budget_known = True
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    def test_budget_known_warn(self):
        self._gate("budget_known", mode="warn")
        lead = self._leads()
        self._move(lead)
        self.assertIn("budget unknown", self._notes(lead))

    # together ---------------------------------------------------------

    def test_bulk_move_reports_each_lead(self):
        """Blocking criteria of several leads are listed per lead; nothing moves."""
        self._gate("needs_confirmed")
        self._gate("budget_known")
        ready, missing_budget, missing_all = self._leads(3)
        for lead in (ready, missing_budget):
            self._add_need(lead, "Faster delivery")
        ready.budget_known = True
        leads = ready | missing_budget | missing_all
        with self.assertRaises(UserError) as catcher:
            self._move(leads)
        message = str(catcher.exception)
        self.assertNotIn(f"- {ready.name}:", message)
        self.assertIn(f"- {missing_budget.name}:", message)
        self.assertIn(f"- {missing_all.name}:", message)
        self.assertIn("budget unknown", message)
        self.assertIn("0 of 1 needs confirmed", message)
        self.assertEqual(set(leads.mapped("stage_id")), {self.stage_needs})
        self._move(ready)
        self.assertEqual(ready.stage_id, self.stage_presentation)

    def test_evaluation_is_set_based(self):
        """Evaluating the three criteria costs the same queries for 3 leads and for 30."""
        gates = self._gate("needs_confirmed") | self._gate("decision_maker") | self._gate("budget_known")
        counts = []
        for count in (3, 30):
            leads = self._leads(count)
            before = self._cold_start()
            failures = gates._evaluate(leads)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(failures), count)
            self.assertEqual(len(failures[leads[0].id]), 3)
        self.assertEqual(counts[0], counts[1])

    def test_gate_form_shows_the_parameter(self):
        form = Form(self.Gate.with_user(self.user_admin))
        form.stage_id = self.stage_needs
        form.criterion = "needs_confirmed"
        form.min_needs_confirmed = 2
        gate = form.save()
        self.assertEqual(gate.min_needs_confirmed, 2)

    def test_demo_gates_on_needs_confirmation(self):
        stage = self.env.ref("sales_process_mgmt.stage_needs_confirmation_demo")
        kinds = {gate.criterion: gate.mode for gate in stage.gate_ids}
        self.assertEqual(kinds.get("needs_confirmed"), "block")
        self.assertEqual(kinds.get("decision_maker"), "warn")
        self.assertEqual(kinds.get("budget_known"), "warn")
        # the demo leads past the stage meet its blocking insight criterion
        later = self.env.ref("sales_process_mgmt.crm_lead_03_demo") | self.env.ref(
            "sales_process_mgmt.crm_lead_04_demo"
        )
        self.assertTrue(all(lead.needs_confirmed_count >= 1 for lead in later))

    # every confirmed need addressed ------------------------------------

    def test_needs_addressed_block_as_salesperson(self):
        self._gate("needs_addressed")
        lead = self._leads()
        self._add_need(lead, "Only identified", status="identified")
        confirmed = self._add_need(lead, "Real-time stock")
        with self.assertRaises(UserError) as catcher:
            self._move(lead)
        self.assertIn("confirmed needs not addressed: Real-time stock", str(catcher.exception))
        self.assertEqual(lead.stage_id, self.stage_needs)
        confirmed.with_user(self.user_salesman).write(
            {"status": "addressed", "solution_note": "Stock module with the RFID option"}
        )
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    def test_needs_addressed_warn(self):
        self._gate("needs_addressed", mode="warn")
        lead = self._leads()
        self._add_need(lead, "Faster delivery")
        self._move(lead)
        self.assertEqual(lead.stage_id, self.stage_presentation)
        self.assertIn("confirmed needs not addressed: Faster delivery", self._notes(lead))
