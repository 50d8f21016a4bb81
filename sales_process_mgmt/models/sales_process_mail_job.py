import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

JOB_KINDS = [
    ("activity_done", "Mark Activities Done"),
    ("activity_notify", "Notify Assignees"),
    ("subscribe", "Add Followers"),
    ("note", "Post Notes"),
]


class SalesProcessMailJob(models.Model):
    """Mail work of an interactive move, done after its commit by the cron.

    A move records at once what the mover sees (the stage, the visit, the new
    activities; the left stage's activities archived) and queues, in the same
    transaction, what mail renders and delivers: the "… done" messages of the
    left stage's activities, the "assigned to you" notifications of the new ones,
    the role holders made followers and the notes to the Informed people, in
    that order (the order of the request before). A rolled-back
    move queues nothing. The cron *Sales Process: Mail Jobs*, triggered by the
    move, takes the pending jobs in batches (``FOR UPDATE SKIP LOCKED``: two
    workers never take the same job), runs each in a savepoint as the mover
    (their name as author, their language, the system's rights on those leads
    only, as the move's own consequences) and deletes it in the same transaction:
    done exactly once. A failing job is rolled back alone, logged, and retried
    later (``MAX_ATTEMPTS``, then kept as given up for an administrator).
    """

    _name = "sales.process.mail.job"
    _description = "Sales Process Mail Job"
    _order = "id"

    MAX_ATTEMPTS = 5
    BATCH_SIZE = 200

    kind = fields.Selection(JOB_KINDS, required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Mover", required=True, readonly=True, ondelete="cascade")
    lang = fields.Char(string="Language", readonly=True)
    payload = fields.Json(required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("failed", "Given Up")], default="pending", required=True, readonly=True, index=True
    )
    date_next_try = fields.Datetime(
        string="Next Try", default=fields.Datetime.now, required=True, readonly=True, index=True
    )
    attempts = fields.Integer(string="Tries", readonly=True)
    error = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Queueing (in the move's transaction)
    # ------------------------------------------------------------------

    @api.model
    def _queue(self, kind, payload):
        """Queue ``payload`` for the mover (the current user) and wake the cron after the commit."""
        job = self.sudo().create({"kind": kind, "user_id": self.env.uid, "lang": self.env.lang, "payload": payload})
        # one trigger per transaction, created as it commits (nothing when it rolls back)
        flags = self.env.cr.precommit.data
        if not flags.get("sales_process_mail_job_trigger"):
            flags["sales_process_mail_job_trigger"] = True
            self.env.cr.precommit.add(self.env.ref("sales_process_mgmt.ir_cron_mail_jobs").sudo()._trigger)
        return job

    @api.model
    def _queue_activities_done(self, activities, feedback):
        """Archive ``activities`` now (off the lead's card) and queue mail's "… done" messages."""
        activities.sudo().action_archive()
        return self._queue("activity_done", {"activity_ids": activities.ids, "feedback": str(feedback)})

    @api.model
    def _queue_activity_notifications(self, activities):
        """Queue mail's "assigned to you" notifications of ``activities`` (created without them)."""
        return self._queue(
            "activity_notify",
            {"activity_ids": activities.ids, "user_ids": [activity.user_id.id for activity in activities]},
        )

    @api.model
    def _queue_subscriptions(self, groups):
        """Queue followers: ``groups`` is [(partner_ids, lead_ids)], subscribed if they can read the leads."""
        return self._queue("subscribe", {"groups": [[list(partners), list(leads)] for partners, leads in groups]})

    @api.model
    def _queue_notes(self, bodies, partner_ids):
        """Queue the notes ``bodies`` ({lead_id: Markup}), posted to ``partner_ids`` as they chose."""
        return self._queue(
            "note",
            {"bodies": {str(lead_id): str(body) for lead_id, body in bodies.items()}, "partner_ids": list(partner_ids)},
        )

    # ------------------------------------------------------------------
    # Processing (the cron)
    # ------------------------------------------------------------------

    @api.model
    def _cron_process(self):
        """Run one batch of the pending jobs; the cron reruns while some remain (its progress API)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM sales_process_mail_job
                 WHERE state = 'pending' AND date_next_try <= %(now)s
                 ORDER BY id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
                """,
                now=fields.Datetime.now(),
                limit=self.BATCH_SIZE,
            )
        )
        jobs = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        done = jobs.browse()
        for job in jobs:
            try:
                with self.env.cr.savepoint():
                    job._run()
            except Exception as error:  # one job's failure must not block the others
                job._record_failure(error)
            else:
                done |= job
        done.unlink()
        remaining = self.sudo().search_count(
            [("state", "=", "pending"), ("date_next_try", "<=", fields.Datetime.now())]
        )
        self.env["ir.cron"]._notify_progress(done=len(jobs), remaining=remaining)
        return len(done)

    def _run(self):
        """Do the work of the job ``self``, as its mover, with the system's rights on its leads."""
        self.ensure_one()
        env = self.env(user=self.user_id.id, context={"lang": self.lang or self.user_id.lang, "tz": self.user_id.tz})
        if self.kind in ("activity_done", "activity_notify"):
            # only the auto-activities of leads: what a move closes or creates
            activities = (
                env["mail.activity"]
                .sudo()
                .with_context(active_test=self.kind == "activity_notify", mail_notify_force_send=False)
                .search(
                    [
                        ("id", "in", self.payload["activity_ids"]),
                        ("res_model", "=", "crm.lead"),
                        ("sales_process_stage_id", "!=", False),
                    ]
                )
            )
            if self.kind == "activity_done" and activities:
                activities._action_done(feedback=self.payload["feedback"])
            elif activities:
                # an activity given to someone else since was notified by that change
                assignee = dict(zip(self.payload["activity_ids"], self.payload["user_ids"], strict=True))
                activities = activities.filtered(
                    lambda activity: activity.user_id.id == assignee[activity.id] and activity.user_id != env.user
                )
                activities.action_notify()
                env["crm.lead"]._sales_process_trigger_mail_queue(activities.user_id)
        elif self.kind == "subscribe":
            Lead = env["crm.lead"].sudo().with_context(sales_process_readers_only=True)
            for partner_ids, lead_ids in self.payload["groups"]:
                Lead.browse(lead_ids).exists().message_subscribe(partner_ids=partner_ids)
        elif self.kind == "note":
            Lead = env["crm.lead"].sudo().with_context(**env["crm.lead"]._sales_process_mail_context())
            bodies = {int(lead_id): Markup(body) for lead_id, body in self.payload["bodies"].items()}
            partner_ids = self.payload["partner_ids"]
            for lead in Lead.browse(sorted(bodies)).exists():
                lead.message_post(
                    body=bodies[lead.id],
                    message_type="notification",
                    subtype_xmlid="mail.mt_note",
                    partner_ids=partner_ids,
                )
            Lead._sales_process_trigger_mail_queue(env["res.partner"].browse(partner_ids).sudo().user_ids)

    def _record_failure(self, error):
        """Count the failed attempt and plan the next one (later each time); give up after MAX_ATTEMPTS."""
        attempts = self.attempts + 1
        failed = attempts >= self.MAX_ATTEMPTS
        _logger.log(
            logging.ERROR if failed else logging.WARNING,
            "Sales process mail job %s (%s) failed, attempt %s of %s: %s",
            self.id,
            self.kind,
            attempts,
            self.MAX_ATTEMPTS,
            error,
            exc_info=failed,
        )
        next_try = fields.Datetime.now() + timedelta(minutes=5 * attempts)
        self.write(
            {
                "attempts": attempts,
                "error": str(error),
                "state": "failed" if failed else "pending",
                "date_next_try": next_try,
            }
        )
        if not failed:
            self.env.ref("sales_process_mgmt.ir_cron_mail_jobs").sudo()._trigger(next_try)

    def action_retry(self):
        """Put jobs back in the queue, due now (who may read them: process administrators).

        Nobody writes a job's payload: it is what the move decided.
        """
        self.check_access("read")
        self.sudo().write({"state": "pending", "attempts": 0, "date_next_try": fields.Datetime.now()})
        self.env.ref("sales_process_mgmt.ir_cron_mail_jobs").sudo()._trigger()
