from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestStageGates(SalesProcessCase):
    """Exit criteria checked when leads leave a stage."""

    def _last_note(self, lead):
        return lead.message_ids.sorted("id")[-1:].body or ""

    def test_required_fields_block(self):
        field = self.env["ir.model.fields"]._get("crm.lead", "email_from")
        self._add_gate(self.stage_reception, "required_fields", field_ids=[Command.set(field.ids)])
        lead = self._create_leads().with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, r"SPM Lead 0: SPM Reception: Required fields \(missing Email\)"):
            lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_reception)
        lead.email_from = "buyer@example.com"
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)

    def test_required_fields_warn_posts_note(self):
        field = self.env["ir.model.fields"]._get("crm.lead", "phone")
        self._add_gate(self.stage_reception, "required_fields", mode="warn", field_ids=[Command.set(field.ids)])
        lead = self._create_leads().with_user(self.user_salesman)
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)
        note = self._last_note(lead)
        self.assertIn("unmet exit criteria", note)
        self.assertIn("missing Phone", note)

    def test_checklist_block_then_pass(self):
        self._add_item(self.stage_reception, "Contact recorded")
        self._add_item(self.stage_reception, "Optional call", required=False)
        self._add_gate(self.stage_reception, "checklist")
        lead = self._create_leads().with_user(self.user_salesman)
        self.assertEqual(len(lead.checklist_ids), 2)
        with self.assertRaisesMessage(UserError, "not done: Contact recorded"):
            lead.write({"stage_id": self.stage_needs.id})
        lead.checklist_ids.filtered("required").done = True
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)

    def test_checklist_warn(self):
        self._add_item(self.stage_reception, "Contact recorded")
        self._add_gate(self.stage_reception, "checklist", mode="warn")
        lead = self._create_leads().with_user(self.user_salesman)
        lead.write({"stage_id": self.stage_needs.id})
        self.assertIn("not done: Contact recorded", self._last_note(lead))

    def test_min_probability_block_and_warn(self):
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        self._add_gate(self.stage_needs, "min_probability", mode="warn", min_probability=50)
        lead = self._create_leads(probability=20).with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, "probability 20.0% is below 30.0%"):
            lead.write({"stage_id": self.stage_needs.id})
        lead.probability = 40
        lead.write({"stage_id": self.stage_needs.id})
        lead.write({"stage_id": self.stage_presentation.id})
        self.assertEqual(lead.stage_id, self.stage_presentation)
        self.assertIn("is below 50.0%", self._last_note(lead))

    def test_domain_block_and_warn(self):
        self._add_gate(self.stage_reception, "domain", domain="[('expected_revenue', '>', 0)]")
        self._add_gate(self.stage_needs, "domain", mode="warn", domain="[('tag_ids', '!=', False)]")
        lead = self._create_leads().with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, "condition not met"):
            lead.write({"stage_id": self.stage_needs.id})
        lead.expected_revenue = 1000
        lead.write({"stage_id": self.stage_needs.id})
        lead.write({"stage_id": self.stage_presentation.id})
        self.assertIn("Custom condition (condition not met)", self._last_note(lead))

    def test_backward_never_blocked(self):
        self._add_gate(self.stage_needs, "min_probability", min_probability=90)
        lead = self._create_leads(stage_id=self.stage_needs.id, probability=10).with_user(self.user_salesman)
        lead.write({"stage_id": self.stage_reception.id})
        self.assertEqual(lead.stage_id, self.stage_reception)

    def test_skipped_stages_blocking_gates(self):
        """Jumping over a stage checks its blocking gates, not its warnings."""
        self._add_gate(self.stage_needs, "min_probability", min_probability=50)
        self._add_gate(self.stage_presentation, "min_probability", mode="warn", min_probability=80)
        lead = self._create_leads(probability=40).with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, "SPM Needs: Minimum probability"):
            lead.write({"stage_id": self.stage_negotiation.id})
        lead.probability = 60
        lead.write({"stage_id": self.stage_negotiation.id})
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        self.assertNotIn("unmet exit criteria", self._last_note(lead))

    def test_skipped_checklist_counts_as_not_done(self):
        self._add_item(self.stage_needs, "Needs confirmed")
        self._add_gate(self.stage_needs, "checklist")
        lead = self._create_leads().with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, "not done: Needs confirmed"):
            lead.write({"stage_id": self.stage_presentation.id})

    def test_team_specific_skipped_stage_ignored_for_other_teams(self):
        self.stage_needs.team_id = self.team_2
        self._add_gate(self.stage_needs, "min_probability", min_probability=90)
        lead = self._create_leads(probability=10).with_user(self.user_salesman)
        lead.write({"stage_id": self.stage_presentation.id})
        self.assertEqual(lead.stage_id, self.stage_presentation)

    def test_bulk_write_all_or_nothing(self):
        """One failing lead blocks the whole write and the message names each failing lead."""
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        passing = self._create_leads(3, probability=50).with_user(self.user_salesman)
        failing = self._create_leads(2, probability=10).with_user(self.user_salesman)
        failing[0].name, failing[1].name = "Failing A", "Failing B"
        leads = passing | failing
        with self.assertRaises(UserError) as catcher:
            leads.write({"stage_id": self.stage_needs.id})
        message = str(catcher.exception)
        self.assertIn("Failing A", message)
        self.assertIn("Failing B", message)
        self.assertNotIn("SPM Lead 0", message)
        self.assertEqual(set(leads.mapped("stage_id")), {self.stage_reception})
        history = self.env["sales.process.stage.history"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(set(history.mapped("stage_id")), {self.stage_reception})

    def test_import_respects_gates(self):
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        lead = self._create_leads(probability=10)
        xmlid = lead.get_external_id()[lead.id] or lead.export_data(["id"])["datas"][0][0]
        Lead = self.env["crm.lead"].with_user(self.user_manager)  # a sales manager imports
        result = Lead.load(["id", "stage_id/id"], [[xmlid, self._xmlid(self.stage_needs)]])
        self.assertFalse(result["ids"])
        self.assertIn("below 30.0%", result["messages"][0]["message"])
        self.assertEqual(lead.stage_id, self.stage_reception)
        # with enforcement off (data migration) the same import goes through
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.enforce_gates", "False")
        result = Lead.load(["id", "stage_id/id"], [[xmlid, self._xmlid(self.stage_needs)]])
        self.assertEqual(result["ids"], [lead.id])
        self.assertEqual(lead.stage_id, self.stage_needs)

    def _xmlid(self, record):
        return record.export_data(["id"])["datas"][0][0]

    def test_mark_won_checks_gates(self):
        self._add_gate(self.stage_contract, "domain", domain="[('expected_revenue', '>', 0)]")
        lead = self._create_leads(stage_id=self.stage_contract.id).with_user(self.user_salesman)
        with self.assertRaisesMessage(UserError, "SPM Contract: Custom condition"):
            lead.action_set_won()
        self.assertFalse(lead.stage_id.is_won)
        lead.expected_revenue = 500
        lead.action_set_won()
        self.assertTrue(lead.stage_id.is_won)

    def test_enforcement_switch(self):
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        lead = self._create_leads(probability=10).with_user(self.user_salesman)
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.enforce_gates", "False")
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)

    def test_override_wizard(self):
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        lead = self._create_leads(probability=10).with_user(self.user_salesman)
        wizard_form = Form(
            self.env["sales.process.gate.override.wizard"]
            .with_user(self.user_manager)
            .with_context(default_lead_id=lead.id)
        )
        wizard_form.stage_id = self.stage_needs
        self.assertIn("Minimum probability", wizard_form.criteria)
        wizard = wizard_form.save()
        with self.assertRaisesMessage(UserError, "needs a reason"):
            wizard.action_confirm()
        self.assertEqual(lead.stage_id, self.stage_reception)
        wizard.reason = "Strategic customer, approved by the director"
        wizard.action_confirm()
        self.assertEqual(lead.stage_id, self.stage_needs)
        override = lead.gate_override_ids
        self.assertEqual(len(override), 1)
        self.assertEqual(override.stage_id, self.stage_reception)
        self.assertEqual(override.target_stage_id, self.stage_needs)
        self.assertEqual(override.user_id, self.user_manager)
        self.assertIn("Minimum probability", override.criteria)
        self.assertIn("Stage gate overridden", self._last_note(lead))

    def test_override_requires_manager(self):
        self._add_gate(self.stage_reception, "min_probability", min_probability=30)
        lead = self._create_leads(probability=10).with_user(self.user_salesman)
        with self.assertRaises(AccessError):
            wizard = (
                self.env["sales.process.gate.override.wizard"]
                .with_user(self.user_salesman)
                .create({"lead_id": lead.id, "stage_id": self.stage_needs.id, "reason": "please"})
            )
            wizard.action_confirm()
        self.assertEqual(lead.stage_id, self.stage_reception)
        self.assertFalse(lead.gate_override_ids)

    def test_values_written_with_the_stage_count(self):
        """A form saved by its statusbar writes the new values and the stage together."""
        self._add_gate(self.stage_reception, "domain", domain="[('expected_revenue', '>', 0)]")
        lead = self._create_leads().with_user(self.user_salesman)
        lead.write({"expected_revenue": 900, "stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)
        other = self._create_leads().with_user(self.user_salesman)
        with self.assertRaises(UserError):
            other.write({"description": "<p>not enough</p>", "stage_id": self.stage_needs.id})
        self.assertFalse(other.description, "a refused move writes nothing")
