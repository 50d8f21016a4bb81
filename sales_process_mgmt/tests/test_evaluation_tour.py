from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEvaluationTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, login="spm_eval_tour_manager", groups="sales_team.group_sale_manager", lang="en_US")
        seller = new_test_user(
            cls.env, login="spm_eval_tour_seller", name="SPM Tour Seller", groups="sales_team.group_sale_salesman"
        )
        team = cls.env["crm.team"].create({"name": "SPM Eval Tour Team", "member_ids": [seller.id]})
        won = cls.env["crm.stage"].create({"name": "SPM Tour Won", "sequence": 990, "is_won": True})
        start = cls.env["crm.stage"].create({"name": "SPM Tour Start", "sequence": 901})
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "SPM Tour Won Deal",
                "type": "opportunity",
                "user_id": seller.id,
                "team_id": team.id,
                "stage_id": start.id,
                "expected_revenue": 12000,
            }
        )
        cls.lead.stage_id = won
        kpi = cls.env["sales.process.kpi"].create({"code": "TOUR", "name": "SPM Tour Revenue", "kind": "won_revenue"})
        today = cls.lead.date_closed.date()
        cls.evaluation = cls.env["sales.process.evaluation"].create(
            {
                "name": "SPM Tour Scorecard",
                "period_type": "month",
                "date_start": today.replace(day=1),
                "team_ids": [(6, 0, team.ids)],
                "kpi_ids": [(0, 0, {"kpi_id": kpi.id, "weight": 1})],
            }
        )

    def test_evaluation_tour(self):
        """A manager computes and freezes a scorecard, then drills into a line."""
        self.start_tour("/odoo", "sales_process_evaluation_tour", login="spm_eval_tour_manager")
        self.assertEqual(self.evaluation.state, "done")
        line = self.evaluation.line_ids.filtered(lambda line: line.user_id.login == "spm_eval_tour_seller")
        self.assertEqual(line.actual, 12000)
