from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingSecurity(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls.Session.create(
            {
                "course_id": cls.course.id,
                "date_start": "2025-03-03 08:00:00",
                "date_end": "2025-03-03 16:00:00",
                "trainer_id": cls.user_salesman_2.id,
                "attendee_ids": [(6, 0, (cls.user_salesman | cls.user_leader).ids)],
            }
        )
        cls.session.action_confirm()
        cls.session.action_done()
        cls.rec_own = cls.session.record_ids.filtered(lambda r: r.salesperson_id == cls.user_salesman)
        cls.rec_leader = cls.session.record_ids - cls.rec_own
        cls.rec_other = cls._create_record(cls.user_salesman_2, course=cls.course_2)
        cls.rec_c2 = cls.Record.create(
            {
                "salesperson_id": cls.user_salesman_c2.id,
                "course_id": cls.course_2.id,
                "date": "2025-01-10",
                "score": 90,
                "company_id": cls.company_2.id,
            }
        )
        cls.all_c1 = cls.rec_own | cls.rec_leader | cls.rec_other

    def _visible(self, user):
        return self.Record.with_user(user).search([("id", "in", (self.all_c1 | self.rec_c2).ids)])

    def test_salesperson_sees_and_cannot_change_own_records(self):
        self.assertEqual(self._visible(self.user_salesman), self.rec_own)
        with self.assertRaises(AccessError):
            self.rec_own.with_user(self.user_salesman).score = 100
        with self.assertRaises(AccessError):
            self.rec_other.with_user(self.user_salesman).read(["score"])
        with self.assertRaises(AccessError):
            self._create_record(self.user_salesman).with_user(self.user_salesman).unlink()
        with self.assertRaises(AccessError):
            self.Record.with_user(self.user_salesman).create(
                {"salesperson_id": self.user_salesman.id, "course_id": self.course.id, "score": 100}
            )

    def test_team_leader_sees_the_team(self):
        """user_leader leads team_2, whose member is user_salesman."""
        self.assertEqual(self._visible(self.user_leader), self.rec_own | self.rec_leader)
        with self.assertRaises(AccessError):
            self.rec_own.with_user(self.user_leader).score = 100

    def test_trainer_records_scores_of_own_sessions_only(self):
        trainer = self.user_salesman_2
        self.assertEqual(self._visible(trainer), self.all_c1)
        self.session.record_ids.with_user(trainer).write({"score": 77})
        self.assertEqual(set(self.session.record_ids.mapped("result")), {"passed"})
        with self.assertRaisesMessage(AccessError, "salesperson_id"):
            self.rec_own.with_user(trainer).salesperson_id = trainer
        other_session = self.session.copy({"trainer_id": self.user_leader.id})
        other_session.action_confirm()
        other_session.action_done()
        with self.assertRaises(AccessError):
            other_session.record_ids.with_user(trainer).write({"score": 90})
        # The session form writes the scores through the session.
        self.session.with_user(trainer).write({"record_ids": [(1, self.rec_own.id, {"score": 50})]})
        self.assertEqual(self.rec_own.result, "failed")
        with self.assertRaises(AccessError):
            other_session.with_user(trainer).write({"location": "Elsewhere"})

    def test_manager_sees_and_keeps_the_records_of_the_teams(self):
        """user_manager leads ``team``, whose member is user_salesman_2; user_salesman is in team_2."""
        manager = self.user_manager
        self.assertEqual(self._visible(manager), self.rec_other)
        with self.assertRaises(AccessError):
            self.rec_own.with_user(manager).read(["score"])
        record = self._create_record(self.user_salesman_2).with_user(manager)
        record.write({"score": 30, "date": "2025-02-01"})
        self.assertEqual(record.result, "failed")
        record.unlink()
        with self.assertRaises(AccessError):
            self.Record.with_user(manager).create(
                {"salesperson_id": self.user_salesman.id, "course_id": self.course.id, "score": 100}
            )
        # a manager who is a member (not the leader) of a team sees its members' records too
        self.env["crm.team.member"].create({"crm_team_id": self.team_2.id, "user_id": manager.id})
        self.assertEqual(self._visible(manager), self.rec_other | self.rec_own)
        session = self.Session.with_user(manager).create({"course_id": self.course.id})
        session.unlink()

    def test_admin_sees_all(self):
        admin = self.user_admin
        self.assertEqual(self._visible(admin), self.all_c1)
        record = self._create_record(self.user_salesman).with_user(admin)
        record.write({"score": 30, "date": "2025-02-01"})
        record.unlink()

    def test_employee_has_no_access(self):
        with self.assertRaises(AccessError):
            self.Record.with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.Matrix.with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.Course.with_user(self.user_employee).search([])

    def test_multi_company(self):
        self.assertEqual(self._visible(self.user_salesman_c2), self.rec_c2)
        self.assertNotIn(self.rec_c2, self._visible(self.user_manager))

    def test_courses_configured_by_admin(self):
        self.assertTrue(self.Course.with_user(self.user_salesman).search([("id", "=", self.course.id)]))
        for user in (self.user_salesman, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Course.with_user(user).create({"name": "SPM Not Mine"})
        self.Course.with_user(self.user_admin).create({"name": "SPM Admin Course"})

    def test_matrix_rows_per_group(self):
        users = self.user_salesman | self.user_salesman_2 | self.user_leader
        domain = [("user_id", "in", users.ids), ("course_id", "in", (self.course | self.course_2).ids)]
        self.assertEqual(self.Matrix.with_user(self.user_salesman).search(domain).user_id, self.user_salesman)
        self.assertEqual(
            self.Matrix.with_user(self.user_leader).search(domain).user_id, self.user_salesman | self.user_leader
        )
        self.assertEqual(self.Matrix.with_user(self.user_manager).search(domain).user_id, self.user_salesman_2)
        self.assertEqual(self.Matrix.with_user(self.user_admin).search(domain).user_id, users)
