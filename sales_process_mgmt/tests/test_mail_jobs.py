from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase

JOB_LOGGER = "odoo.addons.sales_process_mgmt.models.sales_process_mail_job"


@tagged("post_install", "-at_install")
class TestMailJobs(SalesProcessCase):
    """Mail's work of an interactive move is queued in its transaction and done once by the cron."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["sales.process.mail.job"]
        cls.cron = cls.env.ref("sales_process_mgmt.ir_cron_mail_jobs")
        cls.stage_needs.objective = "Confirm the needs"
        cls.env["ir.config_parameter"].set_param("sales_process_mgmt.fallback_user_id", False)
        Responsibility = cls.env["sales.process.responsibility"]
        Responsibility.create(
            [
                {"stage_id": cls.stage_needs.id, "role": "responsible", "assignee_kind": "salesperson"},
                {"stage_id": cls.stage_presentation.id, "role": "responsible", "assignee_kind": "salesperson"},
                {
                    "stage_id": cls.stage_presentation.id,
                    "role": "informed",
                    "assignee_kind": "user",
                    "user_id": cls.user_manager.id,
                },
            ]
        )

    def _done_messages(self, lead):
        return self.env["mail.message"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("mail_activity_type_id", "!=", False)]
        )

    def _informed_notes(self, lead):
        return self.env["mail.message"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("body", "ilike", "For the information of")]
        )

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM sales_process_mail_job")
        self.first_job_id = self.env.cr.fetchone()[0] + 1

    def _jobs(self):
        return self.Job.search([("id", ">=", self.first_job_id)])

    def test_queued_work_is_done_once_by_the_cron(self):
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._run_mail_jobs()  # the creation's own jobs
        activity = lead.activity_ids
        self.assertEqual(len(activity), 1)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.env.flush_all()
        # at once: the new stage's activity; the left one off the lead; mail's work queued
        self.assertEqual(lead.activity_ids.sales_process_stage_id, self.stage_presentation)
        self.assertFalse(activity.active)
        self.assertEqual(self._jobs().mapped("kind"), ["activity_done", "subscribe", "note"], "in the request's order")
        self.assertEqual(self._jobs().user_id, self.user_salesman)
        self.assertFalse(self._done_messages(lead))
        self.assertFalse(self._informed_notes(lead))
        self.env.cr.precommit.run()  # what the commit runs: the cron's trigger
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]), triggers + 1)
        self._run_mail_jobs()
        done = self._done_messages(lead)
        self.assertEqual(len(done), 1)
        self.assertIn("Done by stage change", done.body)
        self.assertEqual(done.author_id, self.user_salesman.partner_id, "posted as the mover")
        note = self._informed_notes(lead)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.user_salesman.partner_id)
        self.assertEqual(note.notification_ids.res_partner_id, self.user_manager.partner_id)
        self.assertFalse(activity.exists())
        self.assertFalse(self._jobs())
        self._run_mail_jobs()  # nothing left: nothing posted twice
        self.assertEqual(self._done_messages(lead), done)
        self.assertEqual(self._informed_notes(lead), note)

    def test_notifications_and_followers_after_the_commit(self):
        """A move by the manager: "assigned to you" and the Accountable follower come from the jobs."""
        self.env["sales.process.responsibility"].create(
            {"stage_id": self.stage_presentation.id, "role": "accountable", "assignee_kind": "team_leader"}
        )
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._run_mail_jobs()  # the creation's own jobs
        lead.message_unsubscribe(partner_ids=self.user_manager.partner_id.ids)
        last_message = self.env["mail.message"].search([], order="id desc", limit=1).id
        lead.with_user(self.user_manager).write({"stage_id": self.stage_presentation.id})
        self.env.flush_all()
        self.assertEqual(self._jobs().mapped("kind"), ["activity_done", "activity_notify", "subscribe", "note"])
        activity = lead.activity_ids
        self.assertEqual(activity.user_id, self.user_salesman, "the activity at once")
        self.assertIn(self.user_salesman.partner_id, lead.message_partner_ids, "its assignee follows at once")
        self.assertNotIn(self.user_manager.partner_id, lead.message_partner_ids)
        assigned = [
            ("model", "=", "crm.lead"),
            ("res_id", "=", lead.id),
            ("message_type", "=", "user_notification"),
            ("id", ">", last_message),
        ]
        self.assertFalse(self.env["mail.message"].search(assigned))
        self._run_mail_jobs()
        notification = self.env["mail.message"].search(assigned)
        self.assertEqual(notification.partner_ids, self.user_salesman.partner_id)
        self.assertEqual(notification.author_id, self.user_manager.partner_id)
        self.assertIn(self.user_manager.partner_id, lead.message_partner_ids)
        self.assertFalse(self._jobs())

    def test_nothing_queued_when_the_move_rolls_back(self):
        self._add_gate(self.stage_needs, "min_probability", min_probability=90)
        lead = self._create_leads(stage_id=self.stage_needs.id, probability=10)
        self._run_mail_jobs()  # the creation's own jobs
        activity = lead.activity_ids
        with self.assertRaises(UserError):
            lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.assertFalse(self._jobs())
        self.assertTrue(activity.active)
        self.assertEqual(lead.stage_id, self.stage_needs)

    def test_failing_job_is_retried_and_logged_without_blocking_the_others(self):
        lead, other = self._create_leads(2, stage_id=self.stage_needs.id)
        self._run_mail_jobs()  # the creation's own jobs
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.env.flush_all()
        # a job whose recipient has disappeared since (a partner id that no longer exists)
        self.env.cr.execute("SELECT max(id) + 1000 FROM res_partner")
        broken = self.Job.with_user(self.user_salesman)._queue_notes(
            {other.id: "<p>For the information of nobody</p>"}, [self.env.cr.fetchone()[0]]
        )
        with self.assertLogs(JOB_LOGGER, "WARNING") as logs, mute_logger("odoo.sql_db"):
            self._run_mail_jobs()
        self.assertIn(f"Sales process mail job {broken.id} (note) failed, attempt 1 of 5", logs.output[0])
        self.assertEqual(len(self._done_messages(lead)), 1, "the other jobs are done")
        self.assertEqual(len(self._informed_notes(lead)), 1)
        self.assertEqual(self._jobs(), broken)
        self.assertEqual((broken.state, broken.attempts), ("pending", 1))
        self.assertTrue(broken.error)
        self.assertGreater(broken.date_next_try, fields.Datetime.now())
        self._run_mail_jobs()  # not due yet: untouched
        self.assertEqual(broken.attempts, 1)
        for attempt in range(2, 6):
            broken.date_next_try = fields.Datetime.now() - timedelta(seconds=1)
            with self.assertLogs(JOB_LOGGER, "WARNING") as logs, mute_logger("odoo.sql_db"):
                self._run_mail_jobs()
            self.assertIn(f"attempt {attempt} of 5", logs.output[0])
        self.assertEqual((broken.state, broken.attempts), ("failed", 5))
        self.assertIn("ERROR", logs.output[0], "given up: logged as an error")
        self.assertFalse(self._informed_notes(other))
        broken.with_user(self.user_admin).action_retry()
        self.assertEqual((broken.state, broken.attempts), ("pending", 0))

    def test_job_only_closes_stage_work_of_leads(self):
        """A job's list of activities cannot reach an activity the move did not close."""
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._run_mail_jobs()  # the creation's own jobs
        manual = lead.activity_schedule("mail.mail_activity_data_todo", user_id=self.user_salesman.id)
        self.Job.with_user(self.user_salesman)._queue("activity_done", {"activity_ids": manual.ids, "feedback": "x"})
        self._run_mail_jobs()
        self.assertTrue(manual.exists())
        self.assertFalse(self._done_messages(lead))
        self.assertFalse(self._jobs())

    def test_only_process_administrators_see_the_jobs(self):
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._run_mail_jobs()  # the creation's own jobs
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.env.flush_all()
        for user in (self.user_salesman, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Job.with_user(user).search([])
        self.assertEqual(self.Job.with_user(self.user_admin).search([("id", ">=", self.first_job_id)]), self._jobs())
        self.assertEqual(len(self._jobs()), 3)
        with self.assertRaises(AccessError):
            self.Job.with_user(self.user_admin).create({"kind": "note", "user_id": self.user_admin.id, "payload": {}})
