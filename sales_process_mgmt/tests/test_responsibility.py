from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestResponsibility(SalesProcessCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Responsibility = cls.env["sales.process.responsibility"]
        cls.Activity = cls.env["mail.activity"]
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.user_specific = new_test_user(
            cls.env, login="spm_specific", name="SPM Specific", groups="sales_team.group_sale_salesman", **common
        )
        cls.user_manager_2 = new_test_user(
            cls.env, login="spm_manager_2", name="SPM Manager 2", groups="sales_team.group_sale_manager", **common
        )
        cls.user_archived = new_test_user(
            cls.env, login="spm_archived", name="SPM Archived", groups="sales_team.group_sale_salesman", **common
        )
        cls.user_archived.active = False
        cls.group_reviewers = cls.env["res.groups"].create(
            {
                "name": "SPM Reviewers",
                "users": [Command.set([cls.user_specific.id, cls.user_salesman_2.id, cls.user_salesman_c2.id])],
            }
        )
        cls.stage_needs.write({"objective": "Confirm the needs", "has_time_limit": True, "max_days": 5})
        cls.env["sales.process.checklist.item"].create(
            [
                {"stage_id": cls.stage_needs.id, "name": "Needs interview held", "required": True},
                {"stage_id": cls.stage_needs.id, "name": "Budget known", "required": False},
            ]
        )
        cls.env["ir.config_parameter"].set_param("sales_process_mgmt.fallback_user_id", False)

    def _row(self, stage=None, **values):
        return self.Responsibility.create(dict({"stage_id": (stage or self.stage_needs).id}, **values))

    def _auto_activities(self, leads, **domain):
        return self.Activity.with_context(active_test=False).search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("sales_process_stage_id", "!=", False)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def _set_fallback(self, user):
        self.env["ir.config_parameter"].set_param("sales_process_mgmt.fallback_user_id", user.id if user else False)

    # ------------------------------------------------------------------
    # Assignee kinds and activity values
    # ------------------------------------------------------------------

    def test_salesperson_kind(self):
        self._row(role="responsible", assignee_kind="salesperson", note_template="Call {customer} about {lead}.")
        lead = self._create_leads(partner_name="Acme Ltd")
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        activity = self._auto_activities(lead)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.summary, "Confirm the needs")
        self.assertIn("Call Acme Ltd about SPM Lead 0.", activity.note)
        self.assertIn("Needs interview held (required)", activity.note)
        self.assertIn("Budget known", activity.note)
        self.assertEqual(activity.date_deadline, lead.stage_deadline.date())
        self.assertEqual(activity.activity_type_id, self.env.ref("sales_process_mgmt.mail_activity_type_stage_work"))
        self.assertEqual(activity.sales_process_stage_id, self.stage_needs)
        self.assertTrue(activity.automated)

    def test_team_leader_kind(self):
        self._row(role="responsible", assignee_kind="team_leader", deadline_rule="days", deadline_days=2)
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        activity = self._auto_activities(lead)
        self.assertEqual(activity.user_id, self.user_manager)
        self.assertEqual((activity.date_deadline - activity.create_date.date()).days, 2)

    def test_specific_user_kind(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        self._row(role="responsible", assignee_kind="user", user_id=self.user_specific.id, activity_type_id=todo.id)
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        activity = self._auto_activities(lead)
        self.assertEqual(activity.user_id, self.user_specific)
        self.assertEqual(activity.activity_type_id, todo)

    def test_group_kind_only_usable_members(self):
        """Members of another company or archived are skipped; one activity per member."""
        self.group_reviewers.users = [Command.link(self.user_archived.id)]
        self._row(role="responsible", assignee_kind="group", group_id=self.group_reviewers.id)
        leads = self._create_leads(2)
        leads.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        for lead in leads:
            self.assertEqual(
                self._auto_activities(lead).user_id, self.user_specific | self.user_salesman_2, "one per member"
            )

    def test_same_user_by_two_rows_gets_one_activity(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="responsible", assignee_kind="user", user_id=self.user_salesman.id)
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertEqual(len(self._auto_activities(lead)), 1)

    def test_create_and_import_in_stage(self):
        """Leads created or imported straight into the stage get their activities too."""
        self._row(role="responsible", assignee_kind="salesperson")
        created = self._create_leads(stage_id=self.stage_needs.id)
        self.assertEqual(self._auto_activities(created).user_id, self.user_salesman)
        result = self.env["crm.lead"].load(
            ["name", "type", "stage_id/.id", "user_id/.id", "team_id/.id"],
            [
                [
                    "SPM Imported",
                    "opportunity",
                    str(self.stage_needs.id),
                    str(self.user_salesman_2.id),
                    str(self.team.id),
                ]
            ],
        )
        imported = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(self._auto_activities(imported).user_id, self.user_salesman_2)

    # ------------------------------------------------------------------
    # Fallbacks
    # ------------------------------------------------------------------

    def test_fallback_user_when_team_has_no_leader(self):
        self._set_fallback(self.user_specific)
        self._row(role="responsible", assignee_kind="team_leader")
        lead = self._create_leads(team_id=self.team_2.id)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._auto_activities(lead).user_id, self.user_specific)
        self.assertIn("has no leader", lead.message_ids[0].body)
        self.assertIn("the fallback user SPM Specific takes it", lead.message_ids[0].body)

    def test_archived_user_falls_back(self):
        self._set_fallback(self.user_specific)
        row = self._row(role="responsible", assignee_kind="user", user_id=self.user_salesman_2.id)
        self.user_salesman_2.active = False
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._auto_activities(lead).user_id, self.user_specific)
        self.assertEqual(self._auto_activities(lead).sales_process_responsibility_id, row)

    def test_no_fallback_logs_a_warning(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="accountable", assignee_kind="team_leader")
        lead = self._create_leads(user_id=False, team_id=self.team_2.id)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertFalse(self._auto_activities(lead))
        body = lead.message_ids[0].body
        self.assertIn("Nobody is Responsible of stage SPM Needs", body)
        self.assertIn("the lead has no salesperson", body)
        self.assertIn("Nobody is Accountable of stage SPM Needs", body)
        self.assertIn("Set a fallback user", body)

    # ------------------------------------------------------------------
    # Team override, re-entry, leaving, reassignment
    # ------------------------------------------------------------------

    def test_team_rows_override_company_rows(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        self._row(role="responsible", assignee_kind="user", user_id=self.user_specific.id, team_id=self.team.id)
        lead_team = self._create_leads()
        lead_team_2 = self._create_leads(team_id=self.team_2.id)
        (lead_team | lead_team_2).with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._auto_activities(lead_team).user_id, self.user_specific)
        self.assertEqual(self._auto_activities(lead_team_2).user_id, self.user_salesman)
        # the override is per role: the company-wide Informed row still applies to the team
        self.assertEqual(lead_team.sales_process_informed_ids, self.user_manager_2)

    def test_reentry_without_duplicates(self):
        self._row(role="responsible", assignee_kind="salesperson")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        first = self._auto_activities(lead)
        self.assertEqual(len(first), 1)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        lead._sales_process_apply_responsibilities()  # entering again while the activity is open
        self.assertEqual(self._auto_activities(lead), first)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_reception.id})
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self._run_mail_jobs()
        second = self._auto_activities(lead)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, first)

    def _assigned_notifications(self, leads, user):
        return self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
                ("partner_ids", "in", user.partner_id.ids),
                ("subject", "ilike", "assigned to you"),
            ]
        )

    def test_assignee_notified_like_any_assigned_activity(self):
        """A move by someone else sends the Responsible Odoo's "assigned to you" notification."""
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="responsible", assignee_kind="user", user_id=self.user_manager.id)
        lead = self._create_leads()
        lead.with_user(self.user_manager).write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._auto_activities(lead).user_id, self.user_salesman | self.user_manager)
        self.assertFalse(self._assigned_notifications(lead, self.user_salesman), "sent after the commit")
        self._run_mail_jobs()
        notification = self._assigned_notifications(lead, self.user_salesman)
        self.assertEqual(len(notification), 1)
        self.assertIn("Confirm the needs", notification.subject)
        self.assertEqual(notification.message_type, "user_notification")
        self.assertFalse(self._assigned_notifications(lead, self.user_manager), "nobody is notified of their own move")

    def test_bulk_move_over_the_limit_sends_no_notifications(self):
        self.env["ir.config_parameter"].set_param("sales_process_mgmt.bulk_threshold", 2)
        self._row(role="responsible", assignee_kind="salesperson")
        leads = self._create_leads(3)
        leads.with_user(self.user_manager).write({"stage_id": self.stage_needs.id})
        self.assertEqual(len(self._auto_activities(leads)), 3)
        self.assertFalse(self._assigned_notifications(leads, self.user_salesman))
        leads[:2].with_user(self.user_manager).write({"stage_id": self.stage_presentation.id})
        leads[:2].with_user(self.user_manager).write({"stage_id": self.stage_needs.id})
        self._run_mail_jobs()
        self.assertEqual(len(self._assigned_notifications(leads, self.user_salesman)), 2)

    def _assert_done_message(self, lead, summary, user=None):
        """mail's "… done" message of a stage work marked done by the stage change."""
        message = lead.message_ids.filtered(lambda m: m.mail_activity_type_id and summary in m.body)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_activities"))
        self.assertEqual(
            message.mail_activity_type_id, self.env.ref("sales_process_mgmt.mail_activity_type_stage_work")
        )
        self.assertIn("Done by stage change", message.body)
        if user:  # "originally assigned to": done by someone else
            self.assertIn(user.name, message.body)
        return message

    def test_merge_keeps_one_activity_per_user_and_row(self):
        """Merging two opportunities of the same stage leaves one auto-activity, not two."""
        self._row(role="responsible", assignee_kind="salesperson")
        leads = self._create_leads(2, stage_id=self.stage_needs.id, partner_name="Merge Co")
        self.assertEqual(len(self._auto_activities(leads)), 2)
        head = leads.merge_opportunity(auto_unlink=True)
        activities = self._auto_activities(head)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.user_salesman)
        self.assertEqual(activities.sales_process_stage_id, self.stage_needs)

    def test_merge_closes_activities_of_other_stages(self):
        """The merged-in opportunity's auto-activities of a stage the result is not in are closed."""
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(
            stage=self.stage_presentation,
            role="responsible",
            assignee_kind="user",
            user_id=self.user_specific.id,
        )
        needs = self._create_leads(stage_id=self.stage_needs.id, partner_name="Merge Co")
        presentation = self._create_leads(stage_id=self.stage_presentation.id, partner_name="Merge Co")
        head = (needs | presentation).merge_opportunity(auto_unlink=True)
        self.assertEqual(head, presentation, "the most advanced opportunity is kept")
        self._run_mail_jobs()
        activities = self._auto_activities(head)
        self.assertEqual(activities.user_id, self.user_specific)
        self.assertEqual(activities.sales_process_stage_id, self.stage_presentation)
        self._assert_done_message(head, "Confirm the needs", self.user_salesman)

    def test_leave_stage_marks_done(self):
        activity_type = self.env.ref("sales_process_mgmt.mail_activity_type_stage_work")
        self._row(role="responsible", assignee_kind="salesperson")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.assertFalse(activity.active, "off the lead at once")
        self._run_mail_jobs()
        self.assertFalse(activity.exists())
        message = self._assert_done_message(lead, "Confirm the needs")
        self.assertEqual(message.author_id, self.user_salesman.partner_id)
        # crm's activity analysis counts the stage work done
        report = self.env["crm.activity.report"].with_user(self.user_salesman)
        self.assertEqual(report.search([("lead_id", "=", lead.id)]).mail_activity_type_id, activity_type)

    def test_leave_stage_keeps_done_activity_of_keep_done_type(self):
        kept_type = self.env["mail.activity.type"].create({"name": "SPM Kept", "keep_done": True})
        self._row(role="responsible", assignee_kind="salesperson", activity_type_id=kept_type.id)
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_presentation.id})
        self.assertTrue(activity.exists())
        self.assertFalse(activity.active)
        self.assertTrue(activity.date_done)

    def test_leave_stage_cancels(self):
        self._row(role="responsible", assignee_kind="salesperson", close_mode="cancel")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_reception.id})
        self.assertFalse(activity.exists())
        self.assertIn("Cancelled by stage change", lead.message_ids[0].body)

    def test_reassign_salesperson_moves_activity(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="responsible", assignee_kind="user", user_id=self.user_specific.id)
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead, user_id=self.user_salesman.id)
        lead.with_user(self.user_manager).write({"user_id": self.user_salesman_2.id})
        self._run_mail_jobs()
        self.assertEqual(activity.user_id, self.user_salesman_2, "the same activity moved")
        self.assertEqual(self._auto_activities(lead).user_id, self.user_salesman_2 | self.user_specific)
        self.assertEqual(len(self._assigned_notifications(lead, self.user_salesman_2)), 1, "the new assignee is told")

    def test_reassign_team_moves_activity_to_new_leader(self):
        self.team_2.user_id = self.user_manager_2
        self._row(role="responsible", assignee_kind="team_leader")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead)
        self.assertEqual(activity.user_id, self.user_manager)
        lead.with_user(self.user_manager).write({"team_id": self.team_2.id})
        self.assertEqual(activity.user_id, self.user_manager_2)
        self.assertIn(self.user_manager_2.partner_id, lead.message_partner_ids)

    def test_reassign_to_nobody_cancels(self):
        self._row(role="responsible", assignee_kind="salesperson")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        activity = self._auto_activities(lead)
        lead.with_user(self.user_manager).write({"user_id": False})
        self.assertFalse(activity.exists())
        self.assertIn("the lead has no salesperson", lead.message_ids[0].body)

    # ------------------------------------------------------------------
    # Accountable, Consulted, Informed
    # ------------------------------------------------------------------

    def test_accountable_and_consulted_follow_informed_notified(self):
        self._row(role="accountable", assignee_kind="team_leader")
        self._row(role="consulted", assignee_kind="user", user_id=self.user_admin.id)
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        self.user_manager_2.notification_type = "inbox"  # by email: test_responsibility_mail
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self._run_mail_jobs()
        self.assertIn(self.user_manager.partner_id, lead.message_partner_ids)
        self.assertIn(self.user_admin.partner_id, lead.message_partner_ids)
        self.assertNotIn(self.user_manager_2.partner_id, lead.message_partner_ids)
        message = lead.message_ids.filtered(lambda m: "For the information of" in m.body)
        self.assertEqual(message.partner_ids, self.user_manager_2.partner_id)
        notification = message.notification_ids
        self.assertEqual(notification.res_partner_id, self.user_manager_2.partner_id)
        self.assertEqual(notification.notification_type, "inbox")
        self.assertFalse(notification.is_read)
        self.assertIn(message, message.with_user(self.user_manager_2).search([("needaction", "=", True)]))

    def test_lead_shows_role_holders(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="accountable", assignee_kind="team_leader")
        self._row(role="consulted", assignee_kind="group", group_id=self.group_reviewers.id)
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self.assertEqual(lead.sales_process_responsible_ids, self.user_salesman)
        self.assertEqual(lead.sales_process_accountable_ids, self.user_manager)
        self.assertEqual(lead.sales_process_consulted_ids, self.user_specific | self.user_salesman_2)
        self.assertEqual(lead.sales_process_informed_ids, self.user_manager_2)
        with Form(lead.with_user(self.user_manager)) as form:
            form.user_id = self.user_salesman_2
            self.assertEqual(len(form.sales_process_responsible_ids), 1)
            self.assertEqual(form.sales_process_responsible_ids[0], self.user_salesman_2)

    # ------------------------------------------------------------------
    # Gate override by the Accountable person
    # ------------------------------------------------------------------

    def _blocked_lead(self):
        """A lead in SPM Needs whose required checklist item blocks the move forward."""
        self.env["sales.process.stage.gate"].create(
            {"stage_id": self.stage_needs.id, "criterion": "checklist", "mode": "block"}
        )
        return self._create_leads(stage_id=self.stage_needs.id)

    def _override(self, lead, user):
        wizard = (
            self.env["sales.process.gate.override.wizard"]
            .with_user(user)
            .create({"lead_id": lead.id, "stage_id": self.stage_presentation.id, "reason": "Customer in a hurry"})
        )
        wizard.action_confirm()

    def test_override_only_by_accountable(self):
        self._row(role="accountable", assignee_kind="team_leader")
        lead = self._blocked_lead()
        with self.assertRaisesRegex(AccessError, "Only the Accountable person of stage SPM Needs .*SPM Manager\\)"):
            self._override(lead, self.user_manager_2)
        self.assertEqual(lead.stage_id, self.stage_needs)
        self._override(lead, self.user_manager)
        self.assertEqual(lead.stage_id, self.stage_presentation)
        self.assertEqual(lead.gate_override_ids.user_id, self.user_manager)

    def test_override_by_accountable_salesperson_and_admin(self):
        self._row(role="accountable", assignee_kind="salesperson")
        lead = self._blocked_lead()
        self.assertTrue(lead.with_user(self.user_salesman).sales_process_can_override_gate)
        self.assertFalse(lead.with_user(self.user_manager).sales_process_can_override_gate)
        self._override(lead, self.user_salesman)
        self.assertEqual(lead.stage_id, self.stage_presentation)
        other = self._create_leads(stage_id=self.stage_needs.id)
        self._override(other, self.user_admin)
        self.assertEqual(other.stage_id, self.stage_presentation)

    def test_override_without_accountable_keeps_manager_rule(self):
        lead = self._blocked_lead()
        with self.assertRaisesRegex(AccessError, "Only sales process managers"):
            self._override(lead, self.user_salesman)
        self._override(lead, self.user_manager_2)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    # ------------------------------------------------------------------
    # Bad input and access
    # ------------------------------------------------------------------

    def test_bad_input(self):
        before = self.Responsibility.search_count([])
        stage_c2 = self.env["crm.stage"].create(
            {
                "name": "SPM C2 Stage",
                "team_id": self.env["crm.team"].create({"name": "SPM C2 Team", "company_id": self.company_2.id}).id,
            }
        )
        team_c2 = self.env["crm.team"].create({"name": "SPM C2 Team 2", "company_id": self.company_2.id})
        cases = [
            ({"assignee_kind": "user"}, "choose the user"),
            ({"assignee_kind": "group"}, "choose the group"),
            ({"stage_id": stage_c2.id, "company_id": self.company.id}, "belongs to company SPM Second Company"),
            ({"team_id": team_c2.id, "company_id": self.company.id}, "team SPM C2 Team 2 belongs to company"),
            (
                {"assignee_kind": "user", "user_id": self.user_salesman_c2.id, "company_id": self.company.id},
                "not allowed in company",
            ),
            ({"deadline_rule": "days", "deadline_days": -1}, "cannot be negative"),
        ]
        cases += [
            ({"role": "accountable", "assignee_kind": "user", "user_id": self.user_specific.id}, "for all teams"),
            (
                {"role": "accountable", "assignee_kind": "team_leader", "company_id": False},
                "already has an Accountable",
            ),
        ]
        self._row(role="accountable", assignee_kind="team_leader")
        for values, message in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError) as catcher:
                self._row(**values)
            self.assertIn(message, str(catcher.exception))
        self._row(role="accountable", assignee_kind="user", user_id=self.user_specific.id, team_id=self.team.id)
        self.assertEqual(self.Responsibility.search_count([]), before + 2)

    def test_access_per_group(self):
        row = self._row(role="responsible", assignee_kind="salesperson")
        for user in (self.user_salesman, self.user_manager):
            self.assertEqual(row.with_user(user).role, "responsible")
            with self.assertRaises(AccessError):
                self.Responsibility.with_user(user).create({"stage_id": self.stage_needs.id})
            with self.assertRaises(AccessError):
                row.with_user(user).write({"role": "informed"})
        with self.assertRaises(AccessError):
            row.with_user(self.user_employee).read(["role"])
        created = self.Responsibility.with_user(self.user_admin).create(
            {"stage_id": self.stage_contract.id, "role": "informed", "assignee_kind": "team_leader"}
        )
        created.with_user(self.user_admin).unlink()
        # a company-2 row is invisible from company 1
        row_c2 = self._row(company_id=self.company_2.id, assignee_kind="user", user_id=self.user_salesman_c2.id)
        self.assertNotIn(row_c2, self.Responsibility.with_user(self.user_admin).search([]))

    def test_salesperson_moves_own_lead(self):
        """A salesperson moving their lead schedules the work of others too (no extra rights needed)."""
        self._row(role="responsible", assignee_kind="team_leader")
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        lead = self._create_leads()
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._auto_activities(lead).user_id, self.user_manager)

    def test_my_responsibilities_and_workload(self):
        self._row(role="responsible", assignee_kind="salesperson")
        self._create_leads(2, stage_id=self.stage_needs.id)
        self._create_leads(1, stage_id=self.stage_needs.id, user_id=self.user_salesman_2.id)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_mgmt.mail_activity_action_my_responsibilities"
        )
        Activity = self.Activity.with_user(self.user_salesman)
        mine = Activity.search(safe_eval(action["domain"], {"uid": self.user_salesman.id}))
        self.assertEqual(len(mine), 2)
        self.assertEqual(mine.user_id, self.user_salesman)
        groups = self.Activity.with_user(self.user_manager)._read_group(
            [("sales_process_stage_id", "!=", False)],
            ["user_id", "sales_process_stage_id"],
            ["__count"],
        )
        workload = {(user, stage): count for user, stage, count in groups}
        self.assertEqual(workload[self.user_salesman, self.stage_needs], 2)
        self.assertEqual(workload[self.user_salesman_2, self.stage_needs], 1)

    # ------------------------------------------------------------------
    # Performance
    # ------------------------------------------------------------------

    def test_bulk_move_query_count_does_not_grow(self):
        """Moving 20 leads costs the queries of moving 5: everything is done per set."""
        self._row(role="responsible", assignee_kind="salesperson")
        self._row(role="responsible", assignee_kind="user", user_id=self.user_specific.id)
        self._row(role="accountable", assignee_kind="team_leader")
        self._row(role="informed", assignee_kind="user", user_id=self.user_manager_2.id)
        self._row(role="informed", assignee_kind="group", group_id=self.group_reviewers.id)
        # the bulk path: interactive moves go through mail's API, whose cost grows per
        # activity and note (see test_move_query_count_does_not_grow_with_history)
        self.env["ir.config_parameter"].set_param("sales_process_mgmt.bulk_threshold", 4)
        counts = []
        for count in (20, 5, 20):  # the first one warms the caches (the salesperson's access rules, ...)
            leads = self._create_leads(count)
            start = self._cold_start()
            leads.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(self._auto_activities(leads)), 2 * count)
        counts = counts[1:]
        self.assertEqual(counts[0], counts[1], f"queries for 5 and 20 leads: {counts}")
        leads = self._create_leads(20)
        self._cold_start()
        with self.assertQueryCount(counts[0]):
            leads.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})


@tagged("post_install", "-at_install")
class TestResponsibilityTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env,
            login="spm_tour_responsible",
            name="SPM Tour Salesman",
            groups="sales_team.group_sale_salesman",
            lang="en_US",
        )
        Stage = cls.env["crm.stage"]
        cls.stage_start = Stage.create({"name": "SPM Tour Start", "sequence": -20})
        cls.stage_needs = Stage.create(
            {"name": "SPM Tour Needs", "sequence": -19, "objective": "Confirm the tour customer's needs"}
        )
        cls.env["sales.process.responsibility"].create(
            {"stage_id": cls.stage_needs.id, "role": "responsible", "assignee_kind": "salesperson"}
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "SPM Tour Opportunity",
                "type": "opportunity",
                "partner_name": "SPM Tour Customer",
                "user_id": cls.user_salesman.id,
                "stage_id": cls.stage_start.id,
            }
        )

    def test_salesperson_sees_activity_of_stage_move(self):
        """The salesperson moves their opportunity and finds its work in My Responsibilities."""
        self.start_tour("/odoo", "sales_process_responsibility_tour", login="spm_tour_responsible")
        activity = self.env["mail.activity"].search([("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)])
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.sales_process_stage_id, self.stage_needs)
