from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingRecord(TrainingCase):
    def test_pass_fail_and_expiry(self):
        """Passed at or above the passing score; the certification lasts the course's validity."""
        with freeze_time("2025-03-01 12:00"):
            passed = self._create_record(self.user_salesman, date="2024-06-01", score=70)
            failed = self._create_record(self.user_salesman_2, date="2024-06-01", score=69.5)
            forever = self._create_record(self.user_salesman, course=self.course_2, date="2010-01-01", score=60)
        self.assertEqual(passed.result, "passed")
        self.assertEqual(passed.expiry_date, date(2025, 6, 1))
        self.assertEqual(passed.status, "valid")
        self.assertEqual(failed.result, "failed")
        self.assertFalse(failed.expiry_date)
        self.assertEqual(failed.status, "failed")
        self.assertEqual(forever.result, "passed")
        self.assertFalse(forever.expiry_date, "validity 0 never expires")
        self.assertEqual(forever.status, "valid")

    def test_status_by_date(self):
        """Valid, then expiring soon within the warning days (30 by default), then expired on the expiry day."""
        cases = [
            ("2025-05-01 12:00", "valid"),  # expiry in 31 days
            ("2025-05-02 12:00", "expiring"),  # expiry in 30 days
            ("2025-05-31 12:00", "expiring"),
            ("2025-06-01 12:00", "expired"),
        ]
        for today, status in cases:
            with self.subTest(today=today), freeze_time(today):
                record = self._create_record(self.user_salesman, date="2024-06-01", score=90)
                self.assertEqual(record.status, status)
                record.unlink()

    def test_warning_days_setting(self):
        self.env["ir.config_parameter"].set_param("sales_process_mgmt.training_expiry_warning_days", "60")
        with freeze_time("2025-04-15 12:00"):
            record = self._create_record(self.user_salesman, date="2024-06-01", score=90)
        self.assertEqual(record.status, "expiring")

    def test_recompute_on_course_change(self):
        """Raising the passing score or the validity recomputes result, expiry and status."""
        with freeze_time("2025-03-01 12:00"):
            record = self._create_record(self.user_salesman, date="2024-06-01", score=75)
            self.course.passing_score = 80
            self.assertEqual((record.result, record.status), ("failed", "failed"))
            self.course.write({"passing_score": 70, "validity_months": 6})
            self.assertEqual(record.expiry_date, date(2024, 12, 1))
            self.assertEqual(record.status, "expired")

    def test_bad_scores(self):
        count = self.Record.search_count([])
        course_50 = self.Course.create({"name": "SPM Quiz", "max_score": 50, "passing_score": 30})
        for score, course in ((101, self.course), (-1, self.course), (60, course_50)):
            with self.subTest(score=score), self.assertRaisesMessage(ValidationError, "score"):
                self._create_record(self.user_salesman, course=course, score=score)
        self.assertEqual(self.Record.search_count([]), count)
        record = self._create_record(self.user_salesman, score=80)
        with self.assertRaisesMessage(ValidationError, "SPM Product Knowledge - SPM Salesman"):
            record.score = 120
        # Nor can the course's maximum go below a recorded score.
        with self.assertRaisesMessage(ValidationError, "SPM Product Knowledge"):
            self.course.max_score = 75

    def test_bad_course_values(self):
        count = self.Course.search_count([])
        bad_values = [
            {"passing_score": 101},
            {"passing_score": -5},
            {"max_score": 50, "passing_score": 60},
            {"max_score": 120},
            {"hours": -1},
            {"validity_months": -12},
        ]
        for values in bad_values:
            with self.subTest(values=values), self.assertRaisesMessage(ValidationError, "SPM Bad Course"):
                self.Course.create(dict(values, name="SPM Bad Course"))
        self.assertEqual(self.Course.search_count([]), count)

    def test_record_for_archived_or_portal_user(self):
        portal = self.env["res.users"].create(
            {"name": "SPM Portal", "login": "spm_portal", "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]}
        )
        archived = self.user_salesman_2.copy({"login": "spm_archived", "name": "SPM Archived"})
        archived.active = False
        count = self.Record.search_count([])
        for user in (portal, archived):
            with self.subTest(user=user.name), self.assertRaisesMessage(ValidationError, user.name):
                self._create_record(user)
        self.assertEqual(self.Record.search_count([]), count)

    def test_import_with_bad_row(self):
        """The web import (load) rejects the whole file and names the bad row and its reason."""
        fields = ["salesperson_id", "course_id", "date", "score"]
        rows = [
            ["spm_salesman", "SPM Product Knowledge", "2024-03-01", "85"],
            ["spm_salesman_2", "SPM Product Knowledge", "2024-03-01", "150"],
            ["spm_salesman_2", "SPM Selling Skills", "2023-11-20", "72"],
        ]
        count = self.Record.search_count([])
        result = self.Record.load(fields, rows)
        self.assertFalse(result["ids"])
        # Odoo reports the batch's error on its first row, then the failing row itself.
        errors = [msg for msg in result["messages"] if msg["type"] == "error"]
        self.assertIn({"from": 1, "to": 1}, [msg["rows"] for msg in errors])
        for message in errors:
            self.assertIn("SPM Product Knowledge - SPM Salesman 2: the score 150.0", message["message"])
        self.assertEqual(self.Record.search_count([]), count)

        result = self.Record.load(fields, [rows[0], rows[2]])
        self.assertFalse(result["messages"])
        records = self.Record.browse(result["ids"])
        self.assertEqual(records.mapped("result"), ["passed", "passed"])
        self.assertEqual(records.salesperson_id, self.user_salesman | self.user_salesman_2)
