from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common_risk import RiskCase


@tagged("post_install", "-at_install")
class TestImprovementAction(RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["sales.process.improvement.action"]
        cls.kpi_new = cls.env["sales.process.kpi"].create(
            {"code": "T-RISK-NEW", "name": "SPM New Opportunities", "kind": "new_count"}
        )
        cls.rule = cls._rule("risk_match_domain", domain="[('priority', '=', '3')]", severity="high")

    def _from(self, action_dict, user):
        context = dict(action_dict["context"], tracking_disable=True)
        form = Form(self.Action.with_user(user).with_context(context))
        return form

    def test_from_a_flag_approved_and_verified_with_its_measured_effect(self):
        lead = self._create_leads(2, priority="3")[0]
        flag = self._open(self.rule, lead)
        form = self._from(flag.with_user(self.user_salesman).action_propose_improvement(), self.user_salesman)
        form.kpi_id = self.kpi_new
        form.root_cause = "No follow-up call planned"
        action = form.save()
        self.assertEqual(
            (action.source, action.flag_id, action.rule_id, action.team_id), ("risk_flag", flag, self.rule, self.team)
        )
        self.assertEqual(action.state, "proposed")
        self.assertEqual(flag.improvement_action_ids, action)
        with self.assertRaises(AccessError):
            action.with_user(self.user_salesman).action_approve()
        action.with_user(self.user_manager).action_approve()
        self.assertEqual(action.state, "approved")
        self.assertTrue(action.has_kpi_before)
        before = action.kpi_value_before
        self.assertGreaterEqual(before, 2)
        self._create_leads(3)
        action.with_user(self.user_salesman).action_start()
        action.with_user(self.user_salesman).action_done()
        with self.assertRaisesMessage(ValidationError, "describe the result"):
            action.with_user(self.user_manager).action_verify()
        self.assertEqual(action.state, "done")
        action.with_user(self.user_salesman).result = "Follow-up calls within two days"
        action.with_user(self.user_manager).action_verify()
        self.assertEqual(action.state, "verified")
        self.assertEqual(action.kpi_value_after, before + 3)
        self.assertEqual(action.kpi_change, 3)

    def test_from_a_scorecard_line(self):
        evaluation = self.env["sales.process.evaluation"].create(
            {
                "name": "SPM Risk Scorecard",
                "period_type": "month",
                "date_start": "2026-03-01",
                "team_ids": [(6, 0, self.team.ids)],
                "kpi_ids": [(0, 0, {"kpi_id": self.kpi_new.id, "weight": 1})],
            }
        )
        evaluation.action_compute()
        line = evaluation.line_ids.filtered(lambda line: line.member_type == "team")[:1]
        self.assertTrue(line)
        action = self._from(line.action_propose_improvement(), self.user_manager).save()
        self.assertEqual(
            (action.source, action.evaluation_line_id, action.kpi_id), ("scorecard_line", line, self.kpi_new)
        )
        self.assertEqual(line.improvement_action_ids, action)

    def test_staff_suggestion_and_bad_input(self):
        action = self.Action.with_user(self.user_salesman).create({"name": "Shorter quotation template"})
        self.assertEqual((action.source, action.state, action.owner_id), ("suggestion", "proposed", self.user_salesman))
        with self.assertRaisesMessage(ValidationError, "choose the sales team or the salesperson"):
            self.Action.create({"name": "SPM no scope", "kpi_id": self.kpi_new.id})
        with self.assertRaisesMessage(ValidationError, "measuring period must be positive"):
            self.Action.create({"name": "SPM bad period", "measure_days": 0})
        # another salesperson reads it but cannot change it; a colleague of another department carries it
        self.assertEqual(action.with_user(self.user_salesman_2).name, "Shorter quotation template")
        with self.assertRaises(AccessError):
            action.with_user(self.user_salesman_2).write({"root_cause": "x"})
        action.with_user(self.user_salesman).participant_ids = self.user_employee
        self.assertEqual(action.participant_ids, self.user_employee)

    def test_from_a_low_rating_and_the_team_card(self):
        lead = self._create_leads(priority="3")
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": lead.id,
                    "rating": 1,
                    "consumed": True,
                    "feedback": "Nobody called back",
                }
            )
        )
        action = self._from(rating.action_sales_process_propose_improvement(), self.user_manager).save()
        self.assertEqual((action.source, action.rating_id, action.team_id), ("rating", rating, self.team))
        self.assertEqual(action.problem, "Nobody called back")
        self.assertEqual(self.team.sales_process_risk_count, 1)
        self.assertEqual(self.team.action_sales_process_view_team_risks()["domain"], [("team_id", "=", self.team.id)])

    def test_from_the_lost_reason_analysis(self):
        """A salesperson proposes an action from a lost reason; the losses counted are those they read."""
        reason = self.env["crm.lost.reason"].create({"name": "SPM Too expensive"})
        lost = self._create_leads(3) | self._create_leads(team_id=self.team_2.id)
        lost.action_set_lost(lost_reason_id=reason.id)
        self._create_leads(user_id=self.user_salesman_2.id).action_set_lost(lost_reason_id=reason.id)
        form = self._from(
            reason.with_user(self.user_salesman).action_sales_process_propose_improvement(), self.user_salesman
        )
        action = form.save()
        self.assertEqual(
            (action.source, action.lost_reason_id, action.team_id, action.state, action.owner_id),
            ("lost_reason", reason, self.team, "proposed", self.user_salesman),
        )
        self.assertEqual(action.name, "Lost reason: SPM Too expensive")
        self.assertEqual(
            action.problem,
            "4 opportunities lost for the reason SPM Too expensive in the last 90 days"
            " (SPM Team: 3 and SPM Team 2: 1).",
        )
        # the same analysis read by a salesperson working in Chinese: the breakdown too
        self.env["res.lang"]._activate_lang("zh_CN")
        self.user_salesman.lang = "zh_CN"
        chinese = (
            reason.with_user(self.user_salesman).with_context(lang="zh_CN").action_sales_process_propose_improvement()
        )
        self.assertEqual(
            chinese["context"]["default_problem"],
            "最近 90 天内有 4 个商机因“SPM Too expensive”而丢失（SPM Team：3 个和SPM Team 2：1 个）。",
        )
        manager_view = reason.with_user(self.user_manager).action_sales_process_propose_improvement()
        self.assertIn("5 opportunities lost", manager_view["context"]["default_problem"])
