from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestResponsibilityMail(SalesProcessCase):
    """The work of a stage goes through mail's API on interactive moves, as the mover."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Responsibility = cls.env["sales.process.responsibility"]
        cls.Activity = cls.env["mail.activity"].with_context(active_test=False)
        cls.stage_work = cls.env.ref("sales_process_mgmt.mail_activity_type_stage_work")
        cls.user_specific = cls.env["res.users"].create(
            {
                "name": "SPM Specific",
                "login": "spm_mail_specific",
                "email": "specific@example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        cls.stage_needs.write({"objective": "Confirm the needs", "has_time_limit": True, "max_days": 5})
        cls.env["sales.process.checklist.item"].create(
            [
                {"stage_id": cls.stage_needs.id, "name": "Needs interview held", "required": True},
                {"stage_id": cls.stage_needs.id, "name": "Budget known", "required": False},
            ]
        )
        cls.stage_presentation.objective = "Present the offer"
        cls.env["ir.config_parameter"].set_param("sales_process_mgmt.fallback_user_id", False)

    def _row(self, stage=None, **values):
        return self.Responsibility.create(dict({"stage_id": (stage or self.stage_needs).id}, **values))

    def _move(self, leads, stage, user=None):
        """Move ``leads`` as ``user`` and run the mail jobs: the records as seen after the cron."""
        leads.with_user(user or self.user_salesman).write({"stage_id": stage.id})
        self._run_mail_jobs()

    def _set_threshold(self, value):
        self.env["ir.config_parameter"].set_param("sales_process_mgmt.bulk_threshold", value)

    # ------------------------------------------------------------------
    # Followers, notifications
    # ------------------------------------------------------------------

    def test_only_people_who_can_read_the_lead_follow_it(self):
        """A Responsible or Consulted salesperson who cannot read the lead gets no subscription."""
        self._row(role="responsible", assignee_kind="user", user_id=self.user_specific.id)
        self._row(role="consulted", assignee_kind="user", user_id=self.user_salesman_2.id)
        self._row(role="accountable", assignee_kind="team_leader")
        for threshold in ("20", "0"):
            with self.subTest(threshold=threshold):
                self._set_threshold(threshold)
                lead = self._create_leads()
                self._move(lead, self.stage_needs)
                self.assertEqual(self.Activity.search([("res_id", "=", lead.id)]).user_id, self.user_specific)
                self.assertEqual(lead.message_partner_ids, self.user_manager.partner_id)

    def test_informed_by_email_get_an_email_queued_for_the_mail_cron(self):
        """Informed users who chose email notifications get one; it leaves from the queue, not the request."""
        self.user_manager_2 = self.user_manager.copy({"login": "spm_mail_manager_2", "name": "SPM Manager 2"})
        self.user_manager_2.write({"notification_type": "email", "email": "manager2@example.com"})
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        lead = self._create_leads()
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self._move(lead, self.stage_needs)
        message = lead.message_ids.filtered(lambda m: "For the information of" in m.body)
        self.assertEqual(message.partner_ids, self.user_manager_2.partner_id)
        self.assertEqual(message.notification_ids.notification_type, "email")
        self.assertEqual(message.notification_ids.mail_mail_id.state, "outgoing", "queued, not sent in the request")
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)

    def test_assignee_notified_by_mail_in_their_language(self):
        """The "assigned to you" notification is mail's own; texts and deadline are the assignee's."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.stage_needs.with_context(lang="fr_FR").objective = "Confirmer les besoins"
        self.stage_needs.checklist_item_ids.filtered("required").with_context(lang="fr_FR").name = "Entretien tenu"
        row = self._row(role="responsible", assignee_kind="team_leader", note_template="Call {customer}.")
        row.with_context(lang="fr_FR").note_template = "Appeler {customer}."
        self.user_manager.write({"lang": "fr_FR", "notification_type": "email", "email": "manager@example.com"})
        lead = self._create_leads(partner_name="Acme")
        self._move(lead, self.stage_needs)
        activity = self.Activity.search([("res_id", "=", lead.id)])
        self.assertEqual(activity.user_id, self.user_manager)
        self.assertEqual(activity.summary, "Confirmer les besoins")
        self.assertIn("Appeler Acme.", activity.note)
        self.assertIn("Entretien tenu", activity.note)
        notification = self.env["mail.message"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("message_type", "=", "user_notification")]
        )
        self.assertEqual(notification.partner_ids, self.user_manager.partner_id)
        self.assertEqual(notification.author_id, self.user_salesman.partner_id)
        self.assertIn("Confirmer les besoins", notification.subject)
        self.assertEqual(notification.notification_ids.mail_mail_id.state, "outgoing")

    def test_deadline_in_assignee_time_zone(self):
        """Due "in 1 day" counts from the assignee's today, not the mover's."""
        self.user_salesman.tz = "Pacific/Pago_Pago"  # UTC-11
        self.user_manager.tz = "Pacific/Kiritimati"  # UTC+14: always another date
        self._row(role="responsible", assignee_kind="team_leader", deadline_rule="days", deadline_days=1)
        self._row(role="responsible", assignee_kind="salesperson", deadline_rule="days", deadline_days=1)
        lead = self._create_leads()
        self._move(lead, self.stage_needs)
        deadlines = {act.user_id: act.date_deadline for act in self.Activity.search([("res_id", "=", lead.id)])}
        for user in (self.user_manager, self.user_salesman):
            today = fields.Date.context_today(lead.with_context(tz=user.tz))
            self.assertEqual(deadlines[user], today + timedelta(days=1), user.name)
        self.assertNotEqual(deadlines[self.user_manager], deadlines[self.user_salesman])

    # ------------------------------------------------------------------
    # Both paths
    # ------------------------------------------------------------------

    def _snapshot(self, leads):
        """What the moves left on ``leads``, by lead position, in comparable values."""
        Message = self.env["mail.message"]
        result = []
        for lead in leads:
            activities = self.Activity.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            messages = Message.search([("model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            followers = self.env["mail.followers"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            result.append(
                {
                    "activities": sorted(
                        (
                            act.user_id.id,
                            act.activity_type_id.id,
                            act.summary,
                            str(act.note),
                            act.date_deadline,
                            act.automated,
                            act.active,
                            act.date_done,
                            act.res_name,
                            act.user_tz,
                            act.create_uid.id,
                            act.sales_process_responsibility_id.id,
                            act.sales_process_stage_id.id,
                        )
                        for act in activities
                    ),
                    "messages": sorted(
                        (
                            msg.model,
                            str(msg.body),
                            msg.message_type,
                            msg.subtype_id.id,
                            msg.mail_activity_type_id.id,
                            msg.author_id.id,
                            msg.is_internal,
                            tuple(sorted(msg.partner_ids.ids)),
                            tuple(
                                sorted(
                                    (notif.res_partner_id.id, notif.notification_type, notif.is_read)
                                    for notif in msg.notification_ids
                                )
                            ),
                        )
                        for msg in messages
                        # only the interactive path sends "assigned to you": see below
                        if msg.message_type != "user_notification"
                    ),
                    "followers": sorted((fol.partner_id.id, tuple(sorted(fol.subtype_ids.ids))) for fol in followers),
                }
            )
        return result

    def test_bulk_and_interactive_paths_leave_the_same_records(self):
        """The same moves of three leads through mail's API and through the bulk queries.

        Compared field by field: activities, messages, their recipients and
        notifications, followers. What only mail's API does, on purpose: the
        "assigned to you" notifications (a user_notification message per activity
        assigned by someone else, left out of the comparison; a bulk move sends
        none); and the Informed who chose email notifications get an email through
        the API, an inbox notification in bulk (here everyone uses the inbox); the
        followers who subscribed by hand to the "Activities" subtype are notified of
        the stage work done through the API only (it is not a default subtype).
        """
        informed_user = self.user_manager.copy({"login": "spm_mail_informed", "name": "SPM Informed"})
        informed_user.notification_type = "inbox"
        kept_type = self.env["mail.activity.type"].create({"name": "SPM Kept", "keep_done": True})
        self._row(
            role="responsible",
            assignee_kind="salesperson",
            activity_type_id=kept_type.id,  # archived once done
            note_template="Call {customer} about {lead}.",
        )
        self._row(role="responsible", assignee_kind="team_leader", close_mode="cancel")
        self._row(role="accountable", assignee_kind="team_leader")
        self._row(role="consulted", assignee_kind="user", user_id=self.user_admin.id)
        self._row(role="consulted", assignee_kind="user", user_id=self.user_specific.id)  # cannot read: no follower
        self._row(role="informed", assignee_kind="user", user_id=informed_user.id)
        self._row(role="informed", assignee_kind="user", user_id=self.user_salesman.id)  # the mover: not notified
        self._row(stage=self.stage_presentation, role="responsible", assignee_kind="user", user_id=self.user_admin.id)
        self._row(stage=self.stage_presentation, role="accountable", assignee_kind="salesperson")
        self._row(stage=self.stage_presentation, role="responsible", assignee_kind="salesperson")

        def run(threshold):
            self._set_threshold(threshold)
            leads = self._create_leads(3, partner_name="Acme")
            leads[2].team_id = self.team_2  # no leader: a problem note, no team-leader activity
            for stage in (self.stage_needs, self.stage_presentation):
                self._move(leads, stage)
            leads.with_user(self.user_manager).write({"user_id": self.user_salesman_2.id})
            self.env.flush_all()
            self.env.invalidate_all()
            return self._snapshot(leads)

        self.maxDiff = None
        interactive, bulk = run("20"), run("0")
        self.assertTrue(all(lead["activities"] and lead["messages"] for lead in interactive))
        for position, (api_records, sql_records) in enumerate(zip(interactive, bulk, strict=True)):
            for kind in ("activities", "messages", "followers"):
                with self.subTest(lead=position, kind=kind):
                    self.assertEqual(sql_records[kind], api_records[kind])

    # ------------------------------------------------------------------
    # Performance
    # ------------------------------------------------------------------

    def _lead_with_history(self, visits):
        lead = self._create_leads(partner_name="History Co")
        for __ in range(visits // 2):
            self._move(lead, self.stage_needs)
            self._move(lead, self.stage_reception)
        return lead

    def test_move_query_count_does_not_grow_with_history(self):
        """One kanban move by the salesperson costs the same queries after 5 or 200 past visits."""
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="responsible", assignee_kind="team_leader")
        self._row(role="accountable", assignee_kind="team_leader")
        self._row(role="informed", assignee_kind="user", user_id=self.user_admin.id)
        self._move(self._lead_with_history(2), self.stage_needs)  # warm the caches
        counts = []
        for visits in (6, 200):
            lead = self._lead_with_history(visits)
            start = self._cold_start()
            lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
            self._run_mail_jobs()
            self.assertEqual(len(self.Activity.search([("res_id", "=", lead.id), ("active", "=", True)])), 2)
        self.assertEqual(counts[0], counts[1], f"queries of one move after 6 and 200 visits: {counts}")
