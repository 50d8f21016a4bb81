from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_risk import RiskCase


@tagged("post_install", "-at_install")
class TestRiskAccess(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule("risk_match_domain", domain="[('priority', '=', '3')]", team_ids=[])
        cls.own = cls._create_leads(priority="3")
        cls.other = cls._create_leads(priority="3", user_id=cls.user_salesman_2.id, team_id=cls.team_2.id)
        cls.led = cls._create_leads(priority="3", user_id=cls.user_salesman_2.id)
        cls.env["crm.lead"]._cron_scan_risks()

    def test_salesperson_sees_and_acknowledges_the_flags_of_own_leads(self):
        flags = self.Flag.with_user(self.user_salesman).search([("rule_id", "=", self.rule.id)])
        self.assertEqual(flags.lead_id, self.own)
        flags.action_acknowledge()
        self.assertEqual(flags.state, "acknowledged")
        other = self._open(self.rule, self.other)
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).action_acknowledge()
        with self.assertRaises(AccessError):
            self.Flag.with_user(self.user_salesman).create(
                {"lead_id": self.own.id, "rule_id": self.rule.id, "severity": "low"}
            )
        with self.assertRaises(AccessError):
            flags.with_user(self.user_salesman).unlink()

    def test_team_leader_sees_the_team_manager_all(self):
        leader = self.env["res.users"].browse(self.team.user_id.id)
        self.assertEqual(leader, self.user_manager)
        flags = self.Flag.with_user(self.user_manager).search([("rule_id", "=", self.rule.id)])
        self.assertEqual(flags.lead_id, self.own | self.other | self.led)
        leader_only = self.env["res.users"].create(
            {
                "name": "SPM Leader",
                "login": "spm_risk_leader",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        self.team_2.user_id = leader_only
        flags = self.Flag.with_user(leader_only).search([("rule_id", "=", self.rule.id)])
        self.assertEqual(flags.lead_id, self.other)

    def test_only_administrators_configure_rules(self):
        self.assertTrue(self.Rule.with_user(self.user_salesman).search([("id", "=", self.rule.id)]))
        for user in (self.user_salesman, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Rule.with_user(user).create({"name": "x", "criterion": "risk_overdue"})
        rule = self.Rule.with_user(self.user_admin).create({"name": "SPM admin rule", "criterion": "risk_overdue"})
        rule.with_user(self.user_admin).severity = "critical"
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.user_employee).search([])

    def test_rules_of_another_company_are_hidden(self):
        rule_c2 = self.Rule.create(
            {"name": "SPM C2 rule", "criterion": "risk_overdue", "company_id": self.company_2.id}
        )
        self.assertFalse(self.Rule.with_user(self.user_salesman).search([("id", "=", rule_c2.id)]))
        self.assertTrue(self.Rule.with_user(self.user_salesman_c2).search([("id", "=", rule_c2.id)]))

    def test_flags_of_another_company_are_hidden(self):
        """The scan stores each flag's company (its opportunity's), which the multi-company rule reads."""
        rule = self._rule("risk_match_domain", domain="[('priority', '=', '3')]", team_ids=[], company_id=False)
        team_c2 = self.env["crm.team"].create({"name": "SPM Team C2", "company_id": self.company_2.id})
        lead_c2 = self._create_leads(
            priority="3", user_id=self.user_salesman_c2.id, team_id=team_c2.id, company_id=self.company_2.id
        )
        self.env["crm.lead"]._cron_scan_risks()
        flag_c2 = self._open(rule, lead_c2)
        self.assertEqual(flag_c2.company_id, self.company_2)
        self.assertEqual(self._open(rule, self.own).company_id, self.company)
        self.assertEqual(self.Flag.with_user(self.user_salesman_c2).search([("rule_id", "=", rule.id)]), flag_c2)
        manager_flags = self.Flag.with_user(self.user_manager).search([("rule_id", "=", rule.id)])
        self.assertEqual(manager_flags.lead_id, self.own | self.other | self.led)
