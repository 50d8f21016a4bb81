from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestCoreAsUsers(SalesProcessCase):
    """The process core as its users meet it: each flow run by the user who does it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager_2 = cls.env["res.users"].create(
            {
                "name": "SPM Manager 2",
                "login": "spm_manager_2_hardening",
                "password": "spm_manager_2_hardening",
                "email": "manager2@example.com",
                "groups_id": [Command.link(cls.env.ref("sales_team.group_sale_manager").id)],
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "SPM Customer", "is_company": True})

    def _lead_as(self, user, **values):
        return self._create_leads(**values).with_user(user)

    # ------------------------------------------------------------------
    # Every criterion kind, as a salesperson
    # ------------------------------------------------------------------

    def test_salesperson_meets_every_criterion_kind(self):
        """For each kind: blocked while unmet, moves once the salesperson meets it."""
        course = self.env["sales.process.training.course"].create(
            {"name": "SPM Product", "stage_ids": [Command.link(self.stage_reception.id)]}
        )
        item = self._add_item(self.stage_reception, "SPM call made")
        field = self.env["ir.model.fields"]._get("crm.lead", "email_from")
        cases = {
            "required_fields": (
                {"field_ids": [Command.set(field.ids)]},
                lambda lead: lead.write({"email_from": "a@b.c"}),
            ),
            "checklist": (
                {},
                lambda lead: lead.checklist_ids.filtered(lambda c: c.item_id == item).write({"done": True}),
            ),
            "min_probability": ({"min_probability": 30}, lambda lead: lead.write({"probability": 40})),
            "domain": (
                {"domain": "[('expected_revenue', '>', 100)]"},
                lambda lead: lead.write({"expected_revenue": 500}),
            ),
            "needs_confirmed": (
                {},
                lambda lead: (
                    self.env["sales.process.customer.need"]
                    .with_user(self.user_salesman)
                    .create({"lead_id": lead.id, "name": "Lower cost", "status": "confirmed"})
                ),
            ),
            "decision_maker": (
                {},
                lambda lead: (
                    self.env["sales.process.decision.contact"]
                    .with_user(self.user_salesman)
                    .create({"lead_id": lead.id, "partner_id": self.partner.id, "role": "decision_maker"})
                ),
            ),
            "budget_known": ({}, lambda lead: lead.write({"budget_known": True})),
            # (params, meet, prepare): the lead first gets a confirmed need the solution must address
            "needs_addressed": (
                {},
                lambda lead: lead.customer_need_ids.with_user(self.user_salesman).write(
                    {"status": "addressed", "solution_note": "Cost model"}
                ),
                lambda lead: (
                    self.env["sales.process.customer.need"]
                    .with_user(self.user_salesman)
                    .create({"lead_id": lead.id, "name": "Lower cost", "status": "confirmed"})
                ),
            ),
            "certification": (
                {},
                lambda lead: self.env["sales.process.training.record"].create(
                    {
                        "salesperson_id": self.user_salesman.id,
                        "course_id": course.id,
                        "date": fields.Date.today(),
                        "score": 90,
                    }
                ),
            ),
        }
        kinds = {value for value, __ in self.env["sales.process.stage.gate"]._fields["criterion"].selection}
        self.assertEqual(set(cases), kinds, "every criterion kind is tried")
        for kind, (params, meet, *prepare) in cases.items():
            with self.subTest(kind=kind):
                gate = self._add_gate(self.stage_reception, kind, **params)
                lead = self._lead_as(self.user_salesman, probability=10, expected_revenue=0, email_from=False)
                for step in prepare:
                    step(lead)
                with self.assertRaisesMessage(UserError, gate.name):
                    lead.write({"stage_id": self.stage_needs.id})
                meet(lead)
                lead.write({"stage_id": self.stage_needs.id})
                self.assertEqual(lead.stage_id, self.stage_needs)
                gate.unlink()

    # ------------------------------------------------------------------
    # Client input cannot switch the logic off
    # ------------------------------------------------------------------

    def test_context_keys_from_clients_switch_nothing_off(self):
        self._add_item(self.stage_reception, "SPM qualified")
        self._add_gate(self.stage_reception, "checklist")
        for key in ("sales_process_skip", "sales_process_gate_override"):
            with self.subTest(key=key):
                lead = self._lead_as(self.user_salesman)
                with self.assertRaisesMessage(UserError, "cannot move"):
                    lead.with_context(**{key: True}).write({"stage_id": self.stage_needs.id})
                self.assertEqual(lead.stage_id, self.stage_reception)
                self.assertFalse(lead.gate_override_ids)
        # history is recorded whatever the key says
        lead = self._lead_as(self.user_salesman).with_context(sales_process_skip="1")
        lead.checklist_ids.write({"done": True})
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(len(lead.stage_history_ids), 2)

    def test_checklist_audit_is_the_servers(self):
        self._add_item(self.stage_reception, "SPM met")
        lead = self._lead_as(self.user_salesman)
        line = lead.checklist_ids
        line.write({"done": True, "note": "called"})
        self.assertEqual(line.done_by_id, self.user_salesman)
        for vals in (
            {"done_by_id": self.user_salesman_2.id},
            {"done_date": "2020-01-01 00:00:00"},
            {"lead_id": self._create_leads().id},
            {"required": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.write(vals)
        self.assertEqual(line.done_by_id, self.user_salesman)
        lead.write({"stage_id": self.stage_needs.id})
        closed = self.env["sales.process.lead.checklist"].with_user(self.user_salesman).browse(line.id)
        with self.assertRaisesMessage(UserError, "closed visit"):
            closed.write({"done": False})
        self.assertTrue(line.done)

    def test_overrides_are_created_by_the_wizard_only(self):
        lead = self._create_leads()
        vals = {
            "lead_id": lead.id,
            "stage_id": self.stage_reception.id,
            "criteria": "forged",
            "reason": "forged",
            "user_id": self.user_salesman_2.id,
            "date": "2020-01-01 00:00:00",
        }
        for user in (self.user_salesman, self.user_manager, self.user_admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["sales.process.gate.override"].with_user(user).create(vals)
        self._add_item(self.stage_reception, "SPM must")
        self._add_gate(self.stage_reception, "checklist")
        wizard = Form(
            self.env["sales.process.gate.override.wizard"]
            .with_user(self.user_manager)
            .with_context(default_lead_id=lead.id)
        )
        wizard.stage_id = self.stage_needs
        wizard.reason = "Customer signed a letter of intent"
        wizard.save().action_confirm()
        override = lead.gate_override_ids
        self.assertRecordValues(override, [{"user_id": self.user_manager.id, "stage_id": self.stage_reception.id}])
        self.assertLessEqual(override.date, fields.Datetime.now())
        with self.assertRaises(AccessError):
            override.with_user(self.user_manager).write({"reason": "rewritten"})

    def test_override_asks_the_accountable_of_stages_jumped_over(self):
        self._add_item(self.stage_needs, "SPM needs listed")
        self._add_gate(self.stage_needs, "checklist")
        self.env["sales.process.responsibility"].create(
            {
                "stage_id": self.stage_needs.id,
                "role": "accountable",
                "assignee_kind": "user",
                "user_id": self.user_manager_2.id,
            }
        )
        lead = self._create_leads()

        def override(user):
            wizard = Form(
                self.env["sales.process.gate.override.wizard"].with_user(user).with_context(default_lead_id=lead.id)
            )
            wizard.stage_id = self.stage_presentation
            wizard.reason = "Urgent"
            return wizard.save().action_confirm()

        with self.assertRaisesMessage(AccessError, "SPM Manager 2"):
            override(self.user_manager)
        self.assertEqual(lead.stage_id, self.stage_reception)
        override(self.user_manager_2)
        self.assertEqual(lead.stage_id, self.stage_presentation)

    # ------------------------------------------------------------------
    # Checklists
    # ------------------------------------------------------------------

    def test_item_added_while_leads_are_in_the_stage(self):
        self._add_gate(self.stage_reception, "checklist")
        lead = self._lead_as(self.user_salesman)
        lead.write({"stage_id": self.stage_needs.id})  # no item yet: nothing required
        lead.write({"stage_id": self.stage_reception.id})
        item = (
            self.env["sales.process.checklist.item"]
            .with_user(self.user_admin)
            .create({"stage_id": self.stage_reception.id, "name": "SPM new standard"})
        )
        self.assertEqual(lead.checklist_ids.item_id, item)
        self.assertEqual(lead.checklist_progress, 0)
        with self.assertRaisesMessage(UserError, "SPM new standard"):
            lead.write({"stage_id": self.stage_needs.id})
        lead.checklist_ids.write({"done": True})
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.stage_id, self.stage_needs)

    def test_checklist_filter_progress_and_snapshot(self):
        must = self._add_item(self.stage_reception, "SPM must")
        optional = self._add_item(self.stage_reception, "SPM optional", required=False)
        done, todo = self._create_leads(2)
        done.checklist_ids.filtered(lambda line: line.item_id == must).with_user(self.user_salesman).write(
            {"done": True}
        )
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        incomplete = Lead.search([("id", "in", (done | todo).ids), ("checklist_incomplete", "=", True)])
        self.assertEqual(incomplete, todo)
        self.assertEqual(done.checklist_progress, 50)
        optional.action_archive()
        self.assertEqual(done.checklist_progress, 100, "archived items count for nothing, as in the gate")
        done.write({"stage_id": self.stage_needs.id})
        past = done.with_context(active_test=False).stage_history_ids.filtered(lambda v: not v.is_open)
        lines = self.env["sales.process.lead.checklist"].search([("history_id", "=", past.id)])
        must.required = False
        self.assertTrue(lines.filtered(lambda line: line.item_id == must).required, "the past visit keeps its rule")
        self.assertFalse(todo.checklist_ids.filtered(lambda line: line.item_id == must).required)

    # ------------------------------------------------------------------
    # Order, rights after the write, lost leads, merges
    # ------------------------------------------------------------------

    def test_forward_is_decided_by_sequence_then_id_in_any_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        first = self.env["crm.stage"].create({"name": "SPM B first", "sequence": 950})
        second = self.env["crm.stage"].create({"name": "SPM A second", "sequence": 950})
        first.with_context(lang="zh_CN").name = "乙"
        second.with_context(lang="zh_CN").name = "甲"
        self._add_item(first, "SPM gate item")
        self._add_gate(first, "checklist")
        for lang in ("en_US", "zh_CN"):
            with self.subTest(lang=lang):
                lead = self._lead_as(self.user_salesman, stage_id=first.id).with_context(lang=lang)
                with self.assertRaises(UserError):
                    lead.write({"stage_id": second.id})

    def test_salesperson_hands_over_and_moves_in_one_save(self):
        self._add_item(self.stage_reception, "SPM intro")
        self._add_gate(self.stage_reception, "checklist")
        self.env["sales.process.responsibility"].create(
            {"stage_id": self.stage_reception.id, "role": "responsible", "assignee_kind": "salesperson"}
        )
        lead = self._lead_as(self.user_salesman)
        self.assertTrue(lead.activity_ids)
        lead.checklist_ids.write({"done": True})
        lead.write({"user_id": self.user_salesman_2.id, "stage_id": self.stage_needs.id})
        self.assertEqual(lead.sudo().stage_id, self.stage_needs)
        open_reception = self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("sales_process_stage_id", "=", self.stage_reception.id),
            ]
        )
        self.assertFalse(open_reception, "the stage left closes its activities, even out of the mover's sight")

    def test_lost_closes_the_visit_and_restoring_opens_one(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 1})
        lead = self._lead_as(self.user_salesman)
        lead.action_set_lost()
        visits = lead.with_context(active_test=False).stage_history_ids
        self.assertRecordValues(visits, [{"is_open": False, "exit_type": "lost", "next_stage_id": False}])
        self._set_entered(lead, 0)
        self.env["crm.lead"]._cron_refresh_stage_timing()
        self.assertFalse(
            self.env["sales.process.stage.history"].search([("lead_id", "=", lead.id), ("is_open", "=", True)])
        )
        lead.toggle_active()
        self.assertTrue(lead.active)
        visits = lead.stage_history_ids
        self.assertEqual(len(visits), 2)
        self.assertEqual(visits.filtered("is_open").stage_id, self.stage_reception)

    def test_merge_keeps_the_merged_history(self):
        """The kept opportunity (most advanced, no customer) absorbs the others' history and insight.

        Its customer comes from the first merged one that has one: the decision contacts
        of that customer come along, those of another customer stay behind.
        """
        self._add_item(self.stage_reception, "SPM evidence")
        customer, other_customer = (
            self.partner,
            self.env["res.partner"].create({"name": "SPM Other", "is_company": True}),
        )
        head = self._create_leads(stage_id=self.stage_negotiation.id)
        tail = self._create_leads(partner_id=customer.id)
        third = self._create_leads(partner_id=other_customer.id)
        tail.checklist_ids.write({"done": True, "note": "proof"})
        tail.write({"stage_id": self.stage_needs.id})
        Contact = self.env["sales.process.decision.contact"]
        Contact.create({"lead_id": tail.id, "partner_id": customer.id, "role": "decision_maker"})
        Contact.create({"lead_id": third.id, "partner_id": other_customer.id, "role": "decision_maker"})
        tail_visits = tail.stage_history_ids
        merged = (head | tail | third).with_user(self.user_salesman)._merge_opportunity(auto_unlink=True)
        self.assertEqual(merged, head)
        self.assertFalse((tail | third).exists())
        self.assertEqual(merged.partner_id, customer)
        self.assertEqual(len(tail_visits), 2)
        self.assertTrue(tail_visits.exists(), "the merged opportunity's visits are kept")
        self.assertEqual(tail_visits.lead_id, merged)
        self.assertEqual(set(tail_visits.mapped("is_open")), {False})
        self.assertIn("merged", tail_visits.mapped("exit_type"))
        evidence = self.env["sales.process.lead.checklist"].search([("note", "=", "proof")])
        self.assertEqual(evidence.lead_id, merged)
        self.assertEqual(merged.decision_contact_ids.partner_id, customer, "only the merged customer's contact")
        self.assertEqual(merged.stage_history_ids.filtered("is_open").stage_id, self.stage_negotiation)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    def test_timing_cron_works_in_batches(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 2})
        leads = self._create_leads(5)
        self._set_entered(leads, 5)
        self.env["crm.lead"]._cron_refresh_stage_timing()  # every other lead up to date
        self.env.cr.execute(
            "UPDATE crm_lead SET stage_state = 'on_time', days_in_stage = 0 WHERE id = ANY(%s)", [leads.ids]
        )
        leads.invalidate_recordset(["stage_state", "days_in_stage"])
        cron = self.env.ref("sales_process_mgmt.ir_cron_refresh_stage_timing")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "done": 0, "remaining": 0})
        Lead = self.env["crm.lead"].with_context(ir_cron_progress_id=progress.id)
        Lead._cron_refresh_stage_timing(batch_size=2)
        self.assertEqual(progress.done, 2)
        self.assertEqual(progress.remaining, 3)
        self.assertEqual(leads.mapped("stage_state").count("overdue"), 2)
        self.env["crm.lead"]._cron_refresh_stage_timing(batch_size=2)  # outside the cron: every batch
        self.assertEqual(set(leads.mapped("stage_state")), {"overdue"})
        self.assertEqual(set(leads.mapped("days_in_stage")), {5})

    def test_visit_close_date_in_calendar_time_zone(self):
        """A visit closed late evening in UTC+8 counts the local day, not the UTC one."""
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        lead = self._create_leads()
        entered = self._set_entered(lead, 7)
        lead.write({"stage_id": self.stage_needs.id})
        visit = lead.stage_history_ids.filtered(lambda v: not v.is_open)
        calendar = self.company.resource_calendar_id
        self.assertEqual(
            visit.duration_working_days,
            calendar._sales_process_working_days_between_datetimes(entered, visit.date_out),
        )
        self.assertLessEqual(visit.date_out - entered, timedelta(days=7, minutes=5))
