from freezegun import freeze_time

from odoo.tests import tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingCron(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activity_type = cls.env.ref("sales_process_mgmt.mail_activity_type_certification_renewal")

    def _activities(self, records):
        return self.env["mail.activity"].search([("res_model", "=", self.Record._name), ("res_id", "in", records.ids)])

    def test_refresh_status_is_set_based_and_idempotent(self):
        with freeze_time("2025-01-15 12:00"):
            valid = self._create_record(self.user_salesman, date="2024-06-01")  # expires 2025-06-01
            soon = self._create_record(self.user_salesman_2, date="2024-02-01")  # expires 2025-02-01
            failed = self._create_record(self.user_leader, date="2024-02-01", score=10)
            forever = self._create_record(self.user_leader, course=self.course_2, date="2001-01-01")
        self.assertEqual((valid | soon | failed | forever).mapped("status"), ["valid", "expiring", "failed", "valid"])
        with freeze_time("2025-05-10 12:00"):
            self.assertGreaterEqual(self.Record._cron_refresh_status(), 2)
            self.assertEqual(
                (valid | soon | failed | forever).mapped("status"), ["expiring", "expired", "failed", "valid"]
            )
            self.assertEqual(self.Record._cron_refresh_status(), 0, "a second run changes nothing")
            # A shorter warning period turns "expiring soon" back into "valid".
            settings = self.env["res.config.settings"].create({"sales_process_training_expiry_warning_days": 7})
            settings.execute()
            self.assertEqual(valid.status, "valid")

    def test_expiry_activities_once_per_record(self):
        """Salesperson and team leader are reminded once; a second run creates nothing."""
        with freeze_time("2025-05-10 12:00"):
            expiring = self._create_record(self.user_salesman, date="2024-06-01")  # expires in 22 days
            later = self._create_record(self.user_salesman_2, date="2024-08-01")  # in 83 days
            expired = self._create_record(self.user_leader, date="2024-05-01")
            created = self.Record._cron_schedule_expiry_activities()
            self.assertEqual(created, 2)
            activities = self._activities(expiring | later | expired)
            self.assertEqual(activities.user_id, self.user_salesman | self.user_leader)
            self.assertEqual(set(activities.mapped("res_id")), {expiring.id})
            self.assertEqual(activities.activity_type_id, self.activity_type)
            self.assertEqual(set(activities.mapped("date_deadline")), {expiring.expiry_date})
            self.assertTrue(expiring.expiry_activity_done)
            self.assertEqual(self.Record._cron_schedule_expiry_activities(), 0)
            self.assertEqual(len(self._activities(expiring | later | expired)), 2)

    def test_no_reminder_once_renewed(self):
        with freeze_time("2025-05-10 12:00"):
            old = self._create_record(self.user_salesman_2, date="2024-06-01")
            self._create_record(self.user_salesman_2, date="2025-05-01")
            self.assertEqual(self.Record._cron_schedule_expiry_activities(), 0)
            self.assertTrue(old.expiry_activity_done)
            self.assertFalse(self._activities(old))

    def test_crons_exist(self):
        for xmlid in ("ir_cron_training_refresh_status", "ir_cron_training_expiry_activities"):
            cron = self.env.ref(f"sales_process_mgmt.{xmlid}")
            self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
            cron.method_direct_trigger()
