from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestStageSecurity(SalesProcessCase):
    """Who may read and change standards, checklists, history and overrides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._add_item(cls.stage_reception, "Contact recorded")
        cls.gate = cls._add_gate(cls.stage_reception, "checklist")
        cls.own_lead = cls._create_leads()
        cls.other_lead = cls._create_leads(user_id=cls.user_salesman_2.id)
        cls.lead_c2 = cls._create_leads(company_id=cls.company_2.id, user_id=cls.user_salesman_c2.id, team_id=False)
        History = cls.env["sales.process.stage.history"]
        cls.history_own = History.search([("lead_id", "=", cls.own_lead.id)])
        cls.history_other = History.search([("lead_id", "=", cls.other_lead.id)])
        cls.history_c2 = History.search([("lead_id", "=", cls.lead_c2.id)])

    def test_salesman_ticks_own_checklist_and_moves_on(self):
        lead = self.own_lead.with_user(self.user_salesman)
        lead.checklist_ids.write({"done": True})
        self.assertEqual(lead.checklist_progress, 100)
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(self.own_lead.stage_id, self.stage_needs)
        visits = (
            self.env["sales.process.stage.history"]
            .with_user(self.user_salesman)
            .search([("lead_id", "=", self.own_lead.id)])
        )
        self.assertEqual(len(visits), 2)

    def test_salesman_cannot_touch_colleague_checklist(self):
        lines = self.other_lead.checklist_ids.with_user(self.user_salesman)
        with self.assertRaises(AccessError):
            lines.write({"done": True})
        self.assertFalse(self.other_lead.checklist_ids.done)
        History = self.env["sales.process.stage.history"].with_user(self.user_salesman)
        self.assertEqual(History.search([("lead_id", "in", (self.own_lead | self.other_lead).ids)]), self.history_own)

    def test_salesman_cannot_edit_standards_or_history(self):
        for record, vals in (
            (self.item, {"name": "Changed"}),
            (self.gate, {"mode": "warn"}),
            (self.history_own, {"duration_days": 1}),
        ):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.user_salesman).write(vals)
        with self.assertRaises(AccessError):
            self.env["sales.process.stage.gate"].with_user(self.user_salesman).create(
                {"stage_id": self.stage_needs.id, "criterion": "checklist"}
            )
        with self.assertRaises(AccessError):
            self.env["sales.process.lead.checklist"].with_user(self.user_salesman).create(
                {"lead_id": self.own_lead.id, "item_id": self.item.id, "history_id": self.history_own.id}
            )
        self.assertEqual(self.gate.mode, "block")

    def test_manager_reads_team_data_but_does_not_configure(self):
        History = self.env["sales.process.stage.history"].with_user(self.user_manager)
        self.assertEqual(
            History.search([("lead_id", "in", (self.own_lead | self.other_lead).ids)]),
            self.history_own | self.history_other,
        )
        with self.assertRaises(AccessError):
            self.gate.with_user(self.user_manager).write({"mode": "warn"})

    def test_admin_configures_standards(self):
        gate = (
            self.env["sales.process.stage.gate"]
            .with_user(self.user_admin)
            .create(
                {
                    "stage_id": self.stage_needs.id,
                    "criterion": "required_fields",
                    "field_ids": [Command.set(self.env["ir.model.fields"]._get("crm.lead", "email_from").ids)],
                }
            )
        )
        self.assertEqual(gate.stage_id, self.stage_needs)
        self.item.with_user(self.user_admin).name = "Contact details recorded"
        self.assertEqual(self.item.name, "Contact details recorded")

    def test_multi_company_isolation(self):
        History = self.env["sales.process.stage.history"]
        self.assertFalse(History.with_user(self.user_manager).search([("id", "=", self.history_c2.id)]))
        with self.assertRaises(AccessError):
            self.history_c2.with_user(self.user_manager).read(["duration_days"])
        self.assertFalse(History.with_user(self.user_salesman_c2).search([("id", "=", self.history_own.id)]))
        self.assertEqual(
            History.with_user(self.user_salesman_c2).search([("lead_id", "=", self.lead_c2.id)]), self.history_c2
        )

    def test_plain_employee_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["sales.process.stage.history"].with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.env["sales.process.stage.gate"].with_user(self.user_employee).search([])
