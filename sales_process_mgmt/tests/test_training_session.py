from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingSession(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trainees = cls.user_salesman | cls.user_salesman_2 | cls.user_leader

    def _create_session(self, attendees, **values):
        vals = {
            "course_id": self.course.id,
            "date_start": "2025-03-03 08:00:00",
            "date_end": "2025-03-03 16:00:00",
            "trainer_id": self.user_leader.id,
            "attendee_ids": [(6, 0, attendees.ids)],
        }
        vals.update(values)
        return self.Session.create(vals)

    def test_session_completion_creates_records_in_one_batch(self):
        session = self._create_session(self.trainees)
        self.assertEqual(session.name, "SPM Product Knowledge 2025-03-03")
        session.action_confirm()
        self.assertEqual(session.state, "confirmed")
        with freeze_time("2025-03-04 12:00"):
            session.action_done()
        self.assertEqual(session.state, "done")
        records = session.record_ids
        self.assertEqual(records.salesperson_id, self.trainees)
        self.assertEqual(set(records.mapped("date")), {session.date_end.date()})
        self.assertEqual(set(records.mapped("status")), {"pending"}, "the trainer still has to enter the scores")
        self.assertFalse(any(records.mapped("expiry_date")))
        with self.assertRaises(UserError):
            session.action_done()

    def test_session_completion_query_count_is_flat(self):
        """Marking done costs the same queries for 2 and for 6 attendees (one batch)."""
        more = self.env["res.users"]
        for i in range(3):
            more |= new_test_user(self.env, login=f"spm_trainee_{i}", groups="sales_team.group_sale_salesman")
        small = self._create_session(self.user_salesman | self.user_salesman_2)
        large = self._create_session(self.trainees | more)
        warmup = self._create_session(self.user_leader)
        (small | large | warmup).action_confirm()
        warmup.action_done()
        self.env.flush_all()
        counts = []
        for session in (small, large):
            before = self._cold_start()
            session.action_done()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(len(large.record_ids), 6)
        self.assertEqual(counts[0], counts[1])

    def test_grading(self):
        """Entering a score grades the record; 0 is a real score, not "to grade"."""
        session = self._create_session(self.user_salesman | self.user_salesman_2)
        session.action_confirm()
        with freeze_time("2025-03-04 12:00"):
            session.action_done()
            rec_1, rec_2 = session.record_ids.sorted(lambda r: r.salesperson_id.login)
            rec_1.score = 88
            rec_2.score = 0
            session.record_ids.flush_recordset()
        self.assertEqual((rec_1.result, rec_1.status), ("passed", "valid"))
        self.assertEqual((rec_2.result, rec_2.status), ("failed", "failed"))

    def test_session_states(self):
        session = self._create_session(self.env["res.users"])
        with self.assertRaisesMessage(UserError, "attendees"):
            session.action_confirm()
        session.action_cancel()
        self.assertEqual(session.state, "cancelled")
        session.action_draft()
        session.attendee_ids = self.user_salesman
        session.action_confirm()
        session.action_done()
        with self.assertRaises(UserError):
            session.action_cancel()

    def test_session_bad_input(self):
        count = self.Session.search_count([])
        with self.assertRaisesMessage(ValidationError, "before the start"):
            self._create_session(self.user_salesman, date_end="2025-03-02 16:00:00")
        portal = self.env["res.users"].create(
            {"name": "SPM Portal", "login": "spm_portal", "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]}
        )
        with self.assertRaisesMessage(ValidationError, "SPM Portal"):
            self._create_session(self.user_salesman | portal)
        self.assertEqual(self.Session.search_count([]), count)
