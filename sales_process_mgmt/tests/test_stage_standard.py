from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestStageStandard(SalesProcessCase):
    """Configuration of the stage standards and its bad input."""

    def test_time_limit_must_be_positive(self):
        for days in (0, -3):
            with self.subTest(days=days), self.assertRaisesMessage(ValidationError, "SPM Needs.*Maximum Days"):
                self.stage_needs.write({"has_time_limit": True, "max_days": days})
                self.env.flush_all()
        self.assertFalse(self.stage_needs.has_time_limit)

    def test_warning_percent_range(self):
        for percent in (0, 101, -5):
            with self.subTest(percent=percent), self.assertRaisesMessage(ValidationError, "between 1 and 100"):
                self.stage_needs.write({"has_time_limit": True, "max_days": 5, "warning_percent": percent})
        self.stage_needs.write({"has_time_limit": True, "max_days": 5, "warning_percent": 100})
        self.assertEqual(self.stage_needs.warning_percent, 100)

    def test_duplicate_checklist_names(self):
        self._add_item(self.stage_needs, "Needs interview")
        with self.assertRaisesMessage(ValidationError, "already has a checklist item named"):
            self._add_item(self.stage_needs, " needs INTERVIEW")
        # the same name on another stage is fine
        self.assertTrue(self._add_item(self.stage_presentation, "Needs interview"))

    def test_required_fields_gate_validation(self):
        with self.assertRaisesMessage(ValidationError, "choose at least one required field"):
            self._add_gate(self.stage_reception, "required_fields")
        computed = self.env["ir.model.fields"]._get("crm.lead", "activity_state")
        self.assertTrue(computed)
        self.assertFalse(computed.store)
        with self.assertRaisesMessage(ValidationError, "activity_state are not stored fields of the lead"):
            self._add_gate(self.stage_reception, "required_fields", field_ids=[Command.set(computed.ids)])
        partner_field = self.env["ir.model.fields"]._get("res.partner", "email")
        with self.assertRaisesMessage(ValidationError, "not stored fields of the lead"):
            self._add_gate(self.stage_reception, "required_fields", field_ids=[Command.set(partner_field.ids)])
        self.assertFalse(self.stage_reception.gate_ids)

    def test_invalid_domain(self):
        for domain in ("[('no_such_field', '=', 1)]", "not a domain", "[('name', 'like'"):
            with self.subTest(domain=domain), self.assertRaisesMessage(ValidationError, "condition .* is invalid"):
                self._add_gate(self.stage_reception, "domain", domain=domain)
        gate = self._add_gate(self.stage_reception, "domain", domain="[('expected_revenue', '>', 0)]")
        self.assertEqual(gate._get_domain(), [("expected_revenue", ">", 0)])

    def test_min_probability_range(self):
        for value in (0, 101, -1):
            with self.subTest(value=value), self.assertRaisesMessage(ValidationError, "between 0 and 100"):
                self._add_gate(self.stage_reception, "min_probability", min_probability=value)

    def test_no_gates_on_won_stage(self):
        with self.assertRaisesMessage(ValidationError, "SPM Won is a won stage"):
            self._add_gate(self.stage_won, "min_probability", min_probability=50)
        self._add_gate(self.stage_contract, "min_probability", min_probability=50)
        with self.assertRaisesMessage(ValidationError, "has exit criteria, so it cannot be a won stage"):
            self.stage_contract.is_won = True

    def test_gate_name_defaults_to_criterion(self):
        gate = self._add_gate(self.stage_reception, "checklist")
        self.assertEqual(gate.name, "Required checklist items done")
        self.assertEqual(self.stage_reception.gate_count, 1)
        with Form(gate) as form:
            form.criterion = "min_probability"
            form.min_probability = 20
        self.assertEqual(gate.name, "Minimum probability", "the default name follows the criterion")
        gate.name = "Qualified enough"
        with Form(gate) as form:
            form.criterion = "domain"
        self.assertEqual(gate.name, "Qualified enough", "a name set by hand is kept")

    def test_visited_stage_cannot_be_deleted(self):
        """A stage with visits in the history is kept for the analysis; an unvisited one goes."""
        visited = self.env["crm.stage"].create({"name": "SPM Visited", "sequence": 901})
        unvisited = self.env["crm.stage"].create({"name": "SPM Unvisited", "sequence": 902})
        lead = self._create_leads(stage_id=visited.id)
        lead.write({"stage_id": self.stage_needs.id})
        with self.assertRaisesMessage(UserError, "Stage SPM Visited cannot be deleted: 1 stage visits"):
            visited.with_user(self.user_admin).unlink()
        self.assertTrue(visited.exists())
        unvisited.with_user(self.user_admin).unlink()
        self.assertFalse(unvisited.exists())
