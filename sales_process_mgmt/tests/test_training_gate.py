from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingGate(TrainingCase):
    """The "certification" exit criterion on the presentation stage, which ``course`` requires."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("sales_process_mgmt.enforce_gates", "True")
        cls.gate = cls._add_gate(cls.stage_presentation, "certification")
        with freeze_time("2025-05-10 12:00"):
            cls._create_record(cls.user_salesman, date="2025-01-10")  # valid until 2026-01-10
            cls._create_record(cls.user_salesman_2, date="2024-01-10")  # expired 2025-01-10

    def _leads(self, user, count=1, **values):
        values = {"user_id": user.id, "stage_id": self.stage_presentation.id, **values}
        return self._create_leads(count, **values)

    @freeze_time("2025-05-10 12:00")
    def test_block_uncertified_salesperson(self):
        certified = self._leads(self.user_salesman)
        uncertified = self._leads(self.user_salesman_2)
        with self.assertRaisesMessage(UserError, "SPM Salesman 2 has no valid certification for SPM Product Knowledge"):
            (certified | uncertified).write({"stage_id": self.stage_negotiation.id})
        self.assertEqual((certified | uncertified).stage_id, self.stage_presentation, "nothing moved")
        certified.write({"stage_id": self.stage_negotiation.id})
        self.assertEqual(certified.stage_id, self.stage_negotiation)
        # Backward moves are not gated.
        uncertified.write({"stage_id": self.stage_needs.id})
        self.assertEqual(uncertified.stage_id, self.stage_needs)

    @freeze_time("2025-05-10 12:00")
    def test_warn_notes_the_missing_certification(self):
        self.gate.mode = "warn"
        lead = self._leads(self.user_salesman_2)
        lead.write({"stage_id": self.stage_negotiation.id})
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        self.assertIn("no valid certification for SPM Product Knowledge", lead.message_ids[0].body)

    def test_certification_expires_with_time(self):
        """Validity is checked against today, even before the daily cron refreshed the status."""
        lead = self._leads(self.user_salesman)
        with freeze_time("2026-01-10 12:00"):
            self.assertIn(lead.id, self.gate._evaluate_certification(lead, self.gate.stage_id))
        with freeze_time("2026-01-09 12:00"):
            self.assertFalse(self.gate._evaluate_certification(lead, self.gate.stage_id))

    @freeze_time("2025-05-10 12:00")
    def test_team_course_and_unassigned_lead(self):
        team_course = self.Course.create(
            {"name": "SPM Team 2 Course", "stage_ids": [self.stage_presentation.id], "team_ids": [self.team_2.id]}
        )
        lead_team = self._leads(self.user_salesman, team_id=self.team.id)
        lead_team_2 = self._leads(self.user_salesman, team_id=self.team_2.id)
        unassigned = self._leads(self.user_salesman, user_id=False)
        failures = self.gate._evaluate_certification(lead_team | lead_team_2 | unassigned, self.gate.stage_id)
        self.assertEqual(set(failures), {lead_team_2.id, unassigned.id})
        self.assertEqual(failures[lead_team_2.id], {"user": self.user_salesman.id, "missing": team_course.ids})
        self.assertIn(team_course.name, self.gate._format_reason(failures[lead_team_2.id]))
        self.assertIn("no salesperson", self.gate._format_reason(failures[unassigned.id]))
        self.assertEqual(self.gate.training_course_ids, self.course | team_course)

    @freeze_time("2025-05-10 12:00")
    def test_evaluation_is_set_based(self):
        """Same number of queries for 2 and for 20 leads of several salespeople."""
        small = self._leads(self.user_salesman) | self._leads(self.user_salesman_2)
        large = self._leads(self.user_salesman, 10) | self._leads(self.user_salesman_2, 10)
        self.gate._evaluate_certification(small, self.gate.stage_id)  # warm the registry caches
        counts = []
        for leads in (small, large):
            before = self._cold_start()
            failures = self.gate._evaluate_certification(leads, self.gate.stage_id)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(set(failures), set(leads.filtered(lambda lead: lead.user_id == self.user_salesman_2).ids))
        self.assertEqual(counts[0], counts[1])
