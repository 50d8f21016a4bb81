from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestCoreMultiCompany(TrainingCase):
    """Records of one company never mix with another's, whatever company the user works in."""

    def test_shared_course_rows_follow_the_salesperson_company(self):
        """A course of every company lists each salesperson in their own company's matrix."""
        admin_c1 = new_test_user(
            self.env,
            login="spm_mc_admin",
            groups="sales_team.group_sale_manager,sales_process_mgmt.group_sales_process_admin",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        rows = self.Matrix.search([("course_id", "=", self.course_2.id)])
        self.assertIn(self.user_salesman_c2, rows.user_id)
        self.assertEqual(rows.filtered(lambda row: row.user_id == self.user_salesman_c2).company_id, self.company_2)
        visible = self.Matrix.with_user(admin_c1).search([("course_id", "=", self.course_2.id)])
        self.assertIn(self.user_salesman, visible.user_id)
        self.assertNotIn(self.user_salesman_c2, visible.user_id, "another company's salesperson stays out")

    def test_records_refuse_another_company_course(self):
        course_c2 = self.Course.create({"name": "SPM C2 course", "company_id": self.company_2.id})
        with self.assertRaises(UserError):
            self._create_record(self.user_salesman, course=course_c2)

    def test_session_records_take_the_attendee_company(self):
        """Closing a session of a shared course gives each attendee a record of their company."""
        session = self.Session.create(
            {
                "course_id": self.course_2.id,
                "company_id": False,
                "date_start": "2026-11-02 09:00:00",
                "date_end": "2026-11-02 17:00:00",
                "attendee_ids": [(6, 0, (self.user_salesman | self.user_salesman_c2).ids)],
            }
        )
        vals = {
            user: session._prepare_record_vals(user)["company_id"]
            for user in self.user_salesman | self.user_salesman_c2
        }
        self.assertEqual(vals, {self.user_salesman: self.company.id, self.user_salesman_c2: self.company_2.id})

    def test_lead_without_company_uses_rows_of_every_company(self):
        """A lead without company is not given the rows of the mover's current company."""
        Responsibility = self.env["sales.process.responsibility"]
        Responsibility.create(
            [
                {
                    "stage_id": self.stage_needs.id,
                    "role": "informed",
                    "assignee_kind": "user",
                    "user_id": self.user_manager.id,
                    "company_id": self.company.id,
                },
                {
                    "stage_id": self.stage_needs.id,
                    "role": "consulted",
                    "assignee_kind": "user",
                    "user_id": self.user_salesman_2.id,
                    "company_id": False,
                },
            ]
        )
        lead = self._create_leads(company_id=False, team_id=False, stage_id=self.stage_needs.id)
        self.assertFalse(lead.sales_process_informed_ids, "the company-1 row does not apply")
        self.assertEqual(lead.sales_process_consulted_ids, self.user_salesman_2)
