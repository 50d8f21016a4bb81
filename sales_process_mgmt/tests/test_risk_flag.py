from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_risk import RiskCase


@tagged("post_install", "-at_install")
class TestRiskFlag(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule("risk_match_domain", domain="[('priority', '=', '3')]", severity="high")
        cls.rule_low = cls._rule("risk_match_domain", domain="[('priority', 'in', ['2', '3'])]", severity="low")

    def _versions(self):
        """Physical row addresses (ctid) of the flags and leads: any UPDATE moves a row."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT (SELECT array_agg(ctid::text ORDER BY id) FROM sales_process_risk_flag),"
            " (SELECT array_agg(ctid::text ORDER BY id) FROM crm_lead)"
        )
        return self.env.cr.fetchone()

    def test_rescan_with_nothing_changed_writes_nothing(self):
        leads = self._create_leads(5, priority="3")
        self._scan()
        self.assertEqual(len(self._open(self.rule)), 5)
        self.assertEqual(set(leads.mapped("sales_process_risk_level")), {"high"})
        before = self._versions()
        self.env["crm.lead"].flush_model()
        self._scan()
        self.assertEqual(self._versions(), before, "a rescan without change writes no row")
        self.assertEqual(len(self._open(self.rule)), 5)

    def test_one_flag_in_force_per_lead_and_rule(self):
        lead = self._create_leads(priority="3")
        self._scan()
        flag = self._open(self.rule, lead)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self.Flag.create({"lead_id": lead.id, "rule_id": self.rule.id, "severity": "high"})
        # a scan of the lead (the move hooks') raises nothing more and closes nothing
        raised, closed = self.Flag._scan(self.rule, lead_ids=lead.ids)
        self.assertEqual((raised, closed), (self.Flag, 0))
        self.assertEqual(self.Flag.search_count([("lead_id", "=", lead.id), ("rule_id", "=", self.rule.id)]), 1)
        # closed flags stay; a new one may be raised after
        flag.action_resolve()
        self._scan()
        self.assertEqual(self.Flag.search_count([("lead_id", "=", lead.id), ("rule_id", "=", self.rule.id)]), 2)

    def test_risk_level_is_the_highest_severity_in_force_and_snooze(self):
        lead = self._create_leads(priority="3")
        self._scan()
        self.assertEqual(lead.sales_process_risk_level, "high")
        flag = self._open(self.rule, lead)
        with self.assertRaisesMessage(ValidationError, "needs a reason"):
            flag.write({"snooze_until": fields.Date.today() + timedelta(days=3)})
        flag.write({"snooze_until": fields.Date.today() + timedelta(days=3), "snooze_reason": "Customer on holiday"})
        self.assertEqual(lead.sales_process_risk_level, "low")
        self.assertTrue(flag.is_active, "a snoozed flag stays in the register")
        self.assertEqual(
            self.env["crm.lead"].search([("id", "=", lead.id), ("sales_process_risk_level", "!=", False)]), lead
        )
        flag.snooze_until = fields.Date.today() - timedelta(days=1)
        self.assertEqual(lead.sales_process_risk_level, "high")

    def test_full_scan_sets_the_level_when_a_snooze_ends(self):
        """Nothing raised or closed: the scan still moves the level of a lead whose snooze ended."""
        lead = self._create_leads(priority="3")
        with freeze_time("2026-04-01 09:00"):
            self._scan()
            flag = self._open(self.rule, lead)
            flag.write({"snooze_until": "2026-04-02", "snooze_reason": "Customer on holiday"})
            self.assertEqual(lead.sales_process_risk_level, "low")
            self._scan()
            self.assertEqual(lead.sales_process_risk_level, "low")
        with freeze_time("2026-04-03 09:00"):
            raised, closed = self.Flag._scan(self.Rule.search([]))
            self.assertEqual((raised, closed), (self.Flag, 0))
            self.env.invalidate_all()
            self.assertEqual(lead.sales_process_risk_level, "high")

    def test_rule_deleted_sets_the_levels_of_its_leads(self):
        lead = self._create_leads(priority="3")
        self._scan()
        self.assertEqual(lead.sales_process_risk_level, "high")
        self.rule.unlink()
        self.assertEqual(lead.sales_process_risk_level, "low")
        self.rule_low.unlink()
        self.assertFalse(lead.sales_process_risk_level)

    def test_register_grouped_by_stage_and_team_read_from_the_lead(self):
        """Stage and team are the lead's (not copied): grouped as the heatmaps do; a move writes no flag."""
        rule = self._rule("risk_match_domain", domain="[('priority', '=', '3')]", team_ids=[Command.clear()])
        leads = self._create_leads(2, priority="3") | self._create_leads(priority="3", team_id=self.team_2.id)
        self._scan()
        Flag = self.Flag.with_user(self.user_manager)
        domain = [("rule_id", "=", rule.id), ("is_active", "=", True)]
        by_team = dict(Flag._read_group(domain, ["team_id"], ["__count"]))
        self.assertEqual(by_team, {self.team: 2, self.team_2: 1})
        self.assertEqual(Flag.search_count(domain + [("team_id", "=", self.team_2.id)]), 1)
        flags_before = self._versions()[0]
        leads[0].write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._versions()[0], flags_before, "moving a lead rewrites none of its flags")
        by_stage = dict(Flag._read_group(domain, ["stage_id"], ["__count"]))
        self.assertEqual(by_stage, {self.stage_reception: 2, self.stage_needs: 1})

    def test_cheap_rules_in_the_move_and_reassignment(self):
        overdue = self._rule("risk_overdue", severity="critical")
        lead = self._create_leads(priority="3")
        self.assertTrue(self._open(self.rule, lead), "raised in the creation, no scan needed")
        self._set_entered(lead, 2)
        lead.write({"stage_id": self.stage_needs.id})
        self._set_entered(lead, 11)
        lead.write({"team_id": self.team_2.id})
        self.assertFalse(self._open(self.rule, lead), "reassigned out of the rule's teams: closed")
        lead.write({"team_id": self.team.id})
        self.assertTrue(self._open(overdue, lead))
        self.assertEqual(lead.sales_process_risk_level, "critical")
        lead.action_set_lost()
        self.assertFalse(self._open(overdue, lead) | self._open(self.rule, lead))
        self.assertFalse(lead.sales_process_risk_level)

    def test_flag_states_and_resolution_note(self):
        self.rule.require_resolution_note = True
        lead = self._create_leads(priority="3")
        flag = self._open(self.rule, lead)
        flag.with_user(self.user_salesman).action_acknowledge()
        self.assertEqual((flag.state, flag.owner_id), ("acknowledged", self.user_salesman))
        flag.with_user(self.user_salesman).action_mitigate()
        with self.assertRaisesMessage(ValidationError, "needs a resolution note"):
            flag.with_user(self.user_salesman).action_resolve()
        self.assertEqual(flag.state, "mitigating")
        flag.with_user(self.user_salesman).write({"resolution_note": "Discount agreed"})
        flag.with_user(self.user_salesman).action_resolve()
        self.assertEqual(flag.state, "resolved")
        self.assertTrue(flag.closed_on)
        with self.assertRaisesMessage(UserError, "Only flags in force"):
            flag.action_acknowledge()

    def test_notification_of_high_flags_and_activity(self):
        self.rule.write({"warn_salesperson": True, "warn_team_leader": True, "create_activity": True})
        lead = self._create_leads(priority="2")
        lead.write({"priority": "3"})
        self._scan()
        flag = self._open(self.rule, lead)
        message = flag.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(set(message.partner_ids), {self.user_salesman.partner_id, self.user_manager.partner_id})
        self.assertIn("Risk raised on", message.body)
        activities = lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("sales_process_mgmt.mail_activity_type_risk")
        )
        self.assertEqual(activities.user_id, self.user_salesman | self.user_manager)
        low = self._open(self.rule_low, lead)
        self.assertFalse(low.message_ids.filtered(lambda m: m.message_type == "comment"), "low flags do not notify")

    def test_daily_digest_per_team(self):
        leads = self._create_leads(2, priority="3")
        self._scan()
        old = self._open(self.rule, leads[0])
        old.write({"due_date": fields.Date.today() - timedelta(days=2)})
        self.Flag._cron_send_digest()
        digest = self.team.message_ids.filtered(lambda m: "Risk digest" in (m.body or ""))
        self.assertEqual(len(digest), 1)
        self.assertIn(self.user_manager.partner_id, digest.partner_ids)
        self.assertIn("overdue since", digest.body)
        self.assertIn(leads[1].name, digest.body)

    def test_rule_deactivated_closes_its_flags(self):
        lead = self._create_leads(priority="3")
        flag = self._open(self.rule, lead)
        self.rule.active = False
        self._scan()
        self.assertEqual(flag.state, "closed")
        self.assertEqual(lead.sales_process_risk_level, "low")

    def test_scan_interval_setting_writes_the_cron(self):
        cron = self.env.ref("sales_process_mgmt.ir_cron_risk_scan")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "hours"), "hourly by default")
        admin = new_test_user(
            self.env, login="spm_settings_admin", groups="base.group_system,sales_team.group_sale_manager"
        )
        Settings = self.env["res.config.settings"].with_user(admin)
        settings = Settings.create({})
        self.assertEqual(
            (settings.sales_process_risk_scan_interval_number, settings.sales_process_risk_scan_interval_type),
            (1, "hours"),
        )
        Settings.create(
            {"sales_process_risk_scan_interval_number": 30, "sales_process_risk_scan_interval_type": "minutes"}
        ).execute()
        self.assertEqual((cron.interval_number, cron.interval_type), (30, "minutes"))
        for value in (0, -2):
            with (
                self.subTest(value=value),
                self.assertRaisesMessage(ValidationError, "Risk Scan Interval must be a positive"),
            ):
                Settings.create({"sales_process_risk_scan_interval_number": value}).execute()
        self.assertEqual((cron.interval_number, cron.interval_type), (30, "minutes"), "nothing saved")

    def test_demo_register_is_filled_at_install(self):
        """The demo data end with a first scan: a fresh demo database opens with flags of several kinds."""
        for xmlid in ("overdue", "near_limit", "percentile", "close_date", "satisfaction", "idle"):
            with self.subTest(rule=xmlid):
                flags = self._open(self.env.ref(f"sales_process_mgmt.risk_rule_{xmlid}_demo"))
                self.assertTrue(flags)
                self.assertTrue(all(flags.mapped("explanation")), "every flag says why")
        unhappy = self._open(self.env.ref("sales_process_mgmt.risk_rule_satisfaction_demo"))
        self.assertIn(self.env.ref("sales_process_mgmt.crm_lead_03_demo"), unhappy.lead_id)
        self.assertRegex(unhappy[:1].explanation, r"average rating 2.0 is below 3.0 \(1 ratings\)")
