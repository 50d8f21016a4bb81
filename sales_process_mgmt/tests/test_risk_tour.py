from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRiskTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env, login="spm_risk_tour_seller", groups="sales_team.group_sale_salesman", lang="en_US"
        )
        new_test_user(cls.env, login="spm_risk_tour_manager", groups="sales_team.group_sale_manager", lang="en_US")
        team = cls.env["crm.team"].create({"name": "SPM Risk Tour Team", "member_ids": [cls.seller.id]})
        stage = cls.env["crm.stage"].create({"name": "SPM Risk Tour Stage", "sequence": 901})
        cls.rule = cls.env["sales.process.risk.rule"].create(
            {
                "name": "SPM Tour Hot Deal",
                "criterion": "risk_match_domain",
                "domain": "[('priority', '=', '3')]",
                "severity": "high",
                "team_ids": [(6, 0, team.ids)],
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "SPM Risk Tour Deal",
                "type": "opportunity",
                "priority": "3",
                "user_id": cls.seller.id,
                "team_id": team.id,
                "stage_id": stage.id,
            }
        )

    def test_salesperson_acknowledges_and_proposes_manager_approves(self):
        flag = self.lead.sales_process_risk_flag_ids
        self.assertEqual(flag.state, "open")
        self.start_tour("/odoo", "sales_process_risk_salesperson_tour", login="spm_risk_tour_seller")
        self.assertEqual(flag.state, "acknowledged")
        action = flag.improvement_action_ids
        self.assertEqual(
            (action.state, action.create_uid, action.root_cause),
            ("proposed", self.seller, "Nobody follows up after the demo"),
        )
        self.start_tour("/odoo", "sales_process_risk_manager_tour", login="spm_risk_tour_manager")
        self.assertEqual(action.state, "approved")
