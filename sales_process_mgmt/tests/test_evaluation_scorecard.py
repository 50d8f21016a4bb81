from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_evaluation import MARCH, EvaluationCase


@tagged("post_install", "-at_install")
class TestEvaluationScorecard(EvaluationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi_revenue = cls._kpi("won_revenue", unit="amount")
        cls.kpi_cycle = cls._kpi("cycle_avg", unit="days", direction="lower")
        cls.kpi_rate = cls._kpi("win_rate", unit="percent", default_target=50)
        Target = cls.env["sales.process.kpi.target"]
        Target.create(
            [
                {
                    "kpi_id": cls.kpi_revenue.id,
                    "scope": "user",
                    "user_id": cls.user_salesman.id,
                    "period_type": "month",
                    "date_start": MARCH[0],
                    "value": 5000,
                },
                {
                    "kpi_id": cls.kpi_cycle.id,
                    "scope": "user",
                    "user_id": cls.user_salesman.id,
                    "period_type": "month",
                    "date_start": MARCH[0],
                    "value": 22,
                },
                {
                    "kpi_id": cls.kpi_revenue.id,
                    "scope": "team",
                    "team_id": cls.team.id,
                    "period_type": "month",
                    "date_start": MARCH[0],
                    "value": 8000,
                },
            ]
        )

    def _scorecard(self, user=None, **values):
        vals = {
            "name": "SPM March",
            "period_type": "month",
            "date_start": MARCH[0],
            "team_ids": [(6, 0, self.team.ids)],
            "kpi_ids": [
                (0, 0, {"kpi_id": self.kpi_revenue.id, "weight": 2}),
                (0, 0, {"kpi_id": self.kpi_cycle.id, "weight": 1}),
                (0, 0, {"kpi_id": self.kpi_rate.id, "weight": 1}),
            ],
        }
        vals.update(values)
        return self.env["sales.process.evaluation"].with_user(user or self.user_manager).create(vals)

    def _line(self, evaluation, kpi, member):
        field = "user_id" if member._name == "res.users" else "team_id"
        return evaluation.line_ids.filtered(
            lambda line: line.kpi_id == kpi and line[field] == member and line.member_type == field[:4]
        )

    def test_compute_achievement_weights_trend_and_band(self):
        evaluation = self._scorecard()
        evaluation.action_compute()
        self.assertEqual(evaluation.state, "computed")
        a = self.user_salesman
        revenue = self._line(evaluation, self.kpi_revenue, a)
        self.assertEqual((revenue.actual, revenue.target, revenue.achievement), (4000, 5000, 80))
        self.assertEqual(revenue.weight, 50)  # 2 of 4
        self.assertEqual(revenue.weighted_score, 40)
        # February: 500 → improved
        self.assertEqual((revenue.previous_actual, revenue.trend), (500, "improved"))
        # lower is better: 11 days against 22 → 200 % (the cap)
        cycle = self._line(evaluation, self.kpi_cycle, a)
        self.assertEqual((cycle.actual, cycle.achievement, cycle.weight), (11, 200, 25))
        # no target of A's own: the KPI's default target, 50 %: 66.7 / 50
        rate = self._line(evaluation, self.kpi_rate, a)
        self.assertAlmostEqual(rate.achievement, 200 / 3 / 50 * 100, places=1)
        score = evaluation.score_ids.filtered(lambda s: s.user_id == a)
        expected = (80 * 50 + 200 * 25 + rate.achievement * 25) / 100
        self.assertAlmostEqual(score.score, expected, places=0)
        self.assertEqual(score.band_id, self.env.ref("sales_process_mgmt.rating_band_a"))
        # B: no won revenue → no data, not 0 %; the score leaves it out
        b_revenue = self._line(evaluation, self.kpi_revenue, self.user_salesman_2)
        self.assertFalse(b_revenue.has_actual)
        self.assertEqual(b_revenue.display_actual, "No data")
        self.assertFalse(b_revenue.has_achievement)
        # the team line: 4000 of 8000
        self.assertEqual(self._line(evaluation, self.kpi_revenue, self.team).achievement, 50)

    def test_done_scorecard_is_frozen(self):
        evaluation = self._scorecard()
        evaluation.action_compute()
        evaluation.action_done()
        revenue = self._line(evaluation, self.kpi_revenue, self.user_salesman)
        with self.assertRaisesMessage(UserError, "SPM March is done"):
            evaluation.action_compute()
        with self.assertRaises(UserError):
            revenue.with_user(self.user_manager).write({"actual": 1})
        # later changes to the leads never alter it
        self.l2.expected_revenue = 30000
        self.env.flush_all()
        evaluation.invalidate_recordset()
        self.assertEqual(revenue.actual, 4000)
        # an improvement measure can still be noted
        revenue.with_user(self.user_manager).improvement_measure = "Coach on closing"
        # a draft scorecard of the same period sees the change
        other = self._scorecard(name="SPM March bis")
        other.action_compute()
        self.assertEqual(self._line(other, self.kpi_revenue, self.user_salesman).actual, 31000)

    def test_drilldown_opens_the_leads_behind_the_figure(self):
        evaluation = self._scorecard()
        evaluation.action_compute()
        action = (
            self._line(evaluation, self.kpi_revenue, self.user_salesman)
            .with_user(self.user_manager)
            .action_open_details()
        )
        self.assertEqual(action["res_model"], "crm.lead")
        leads = self.env["crm.lead"].with_context(active_test=False).search(action["domain"])
        self.assertEqual(leads, self.l1 | self.l2)
        needs = self._kpi("stage_time_avg", stage_id=self.stage_needs.id)
        evaluation_2 = self._scorecard(name="SPM visits", kpi_ids=[(0, 0, {"kpi_id": needs.id})])
        evaluation_2.action_compute()
        action = self._line(evaluation_2, needs, self.user_salesman).action_open_details()
        self.assertEqual(action["res_model"], "sales.process.stage.history")
        self.assertEqual(len(self.env["sales.process.stage.history"].search(action["domain"])), 3)

    def test_query_count_does_not_grow_with_members(self):
        small = self._scorecard(user_ids=[(6, 0, self.user_salesman.ids)])
        large = self._scorecard(
            name="SPM large",
            user_ids=[(6, 0, (self.user_salesman | self.user_salesman_2 | self.user_manager | self.user_admin).ids)],
        )
        (small | large).action_compute()
        counts = []
        for evaluation in (small, large, small, large):
            start = self._cold_start()
            evaluation.action_compute()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - start)
        # 1 salesperson vs 4 (and their lines): the same queries
        self.assertLessEqual(counts[3], counts[2], counts)

    def test_cron_is_idempotent(self):
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.monthly_scorecards", "True")
        Evaluation = self.env["sales.process.evaluation"]
        with freeze_time("2026-04-03"):
            Evaluation._cron_create_monthly_scorecards()
            created = Evaluation.search([("auto_team_id", "=", self.team.id)])
            self.assertEqual(len(created), 1)
            self.assertEqual((created.date_start, created.state), (MARCH[0], "computed"))
            self.assertEqual(self._line(created, self.kpi_revenue, self.user_salesman).actual, 4000)
            Evaluation._cron_create_monthly_scorecards()
            self.assertEqual(Evaluation.search_count([("auto_team_id", "=", self.team.id)]), 1)

    def test_cron_setting_off_creates_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.monthly_scorecards", False)
        Evaluation = self.env["sales.process.evaluation"]
        before = Evaluation.search_count([])
        Evaluation._cron_create_monthly_scorecards()
        self.assertEqual(Evaluation.search_count([]), before)

    # ------------------------------------------------------------------
    # Bad input: a translated error naming the record, nothing saved
    # ------------------------------------------------------------------

    def test_bad_targets(self):
        Target = self.env["sales.process.kpi.target"].with_user(self.user_manager)
        vals = {
            "kpi_id": self.kpi_revenue.id,
            "scope": "user",
            "user_id": self.user_salesman.id,
            "period_type": "month",
            "date_start": MARCH[0],
            "value": 1,
        }
        with self.assertRaisesMessage(ValidationError, "already a target"):
            Target.create(vals)
        with self.assertRaisesMessage(ValidationError, "first day"):
            Target.create(dict(vals, period_type="quarter", date_start="2026-02-01"))
        with self.assertRaisesMessage(ValidationError, "first day"):
            Target.create(dict(vals, date_start="2026-03-15"))
        with self.assertRaises(ValidationError):
            Target.create(dict(vals, scope="team", date_start="2026-05-01"))
        self.assertEqual(Target.search_count([("kpi_id", "=", self.kpi_revenue.id)]), 2)

    def test_bad_kpis(self):
        Kpi = self.env["sales.process.kpi"].with_user(self.user_admin)
        fields = self.env["ir.model.fields"]
        with self.assertRaisesMessage(ValidationError, "SPM bad.*Stage is required"):
            Kpi.create({"code": "B1", "name": "SPM bad", "kind": "stage_time_avg"})
        with self.assertRaisesMessage(ValidationError, "SPM bad.*Default Weight cannot be negative"):
            Kpi.create({"code": "B2", "name": "SPM bad", "kind": "won_count", "default_weight": -1})
        date_closed = fields._get("crm.lead", "date_closed").id
        with self.assertRaisesMessage(ValidationError, "SPM bad.*Domain"):
            Kpi.create(
                {
                    "code": "B3",
                    "name": "SPM bad",
                    "kind": "custom",
                    "custom_model": "crm.lead",
                    "custom_domain": "[('no_such_field', '=', 1)]",
                    "custom_date_field_id": date_closed,
                }
            )
        with self.assertRaisesMessage(ValidationError, "SPM bad.*numeric"):
            Kpi.create(
                {
                    "code": "B4",
                    "name": "SPM bad",
                    "kind": "custom",
                    "custom_model": "crm.lead",
                    "custom_aggregate": "sum",
                    "custom_field_id": fields._get("crm.lead", "name").id,
                    "custom_date_field_id": date_closed,
                }
            )
        self.assertFalse(Kpi.search([("name", "=", "SPM bad")]))
        evaluation = self._scorecard()
        with self.assertRaisesMessage(ValidationError, "SPM March.*negative"):
            evaluation.kpi_ids[0].weight = -2

    def test_bad_bands(self):
        Band = self.env["sales.process.rating.band"].with_user(self.user_admin)
        company = self.company
        Band.create({"name": "X", "min_score": 50, "max_score": 100, "company_id": company.id})
        with self.assertRaisesMessage(ValidationError, "X and Y overlap|Y and X overlap"):
            Band.create({"name": "Y", "min_score": 80, "max_score": 120, "company_id": company.id})
        with self.assertRaisesMessage(ValidationError, "gap between 10.0 and 50.0"):
            Band.create({"name": "Z", "min_score": 0, "max_score": 10, "company_id": company.id})
        with self.assertRaisesMessage(ValidationError, "Band W: the Minimum Score must be lower"):
            Band.create({"name": "W", "min_score": 10, "max_score": 0, "company_id": company.id})
        self.assertEqual(Band.search([("company_id", "=", company.id)]).mapped("name"), ["X"])

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_access_per_group(self):
        evaluation = self._scorecard()
        evaluation.action_compute()
        Line = self.env["sales.process.evaluation.line"]
        own = Line.with_user(self.user_salesman).search([("evaluation_id", "=", evaluation.id)])
        self.assertEqual(own.user_id, self.user_salesman)
        self.assertEqual(set(own.mapped("member_type")), {"user"})
        every = Line.with_user(self.user_manager).search([("evaluation_id", "=", evaluation.id)])
        self.assertEqual(every, evaluation.line_ids)
        # a team leader who is a salesperson sees the team's lines
        self.team_2.user_id = self.user_salesman_2
        led = self._scorecard(
            name="SPM led", team_ids=[(6, 0, self.team_2.ids)], user_ids=[(6, 0, self.user_salesman.ids)]
        )
        self.team_2.member_ids = [(4, self.user_salesman.id)]
        led.action_compute()
        seen = Line.with_user(self.user_salesman_2).search([("evaluation_id", "=", led.id)])
        self.assertEqual(seen, led.line_ids)
        with self.assertRaises(AccessError):
            self._scorecard(user=self.user_salesman, name="SPM mine")
        with self.assertRaises(AccessError):
            self.env["sales.process.kpi"].with_user(self.user_manager).create(
                {"code": "M", "name": "SPM M", "kind": "won_count"}
            )
        with self.assertRaises(AccessError):
            self.env["sales.process.rating.band"].with_user(self.user_manager).create(
                {"name": "M", "min_score": 200, "max_score": 300}
            )
        with self.assertRaises(AccessError):
            self.env["sales.process.kpi.target"].with_user(self.user_salesman).create(
                {
                    "kpi_id": self.kpi_revenue.id,
                    "scope": "user",
                    "user_id": self.user_salesman.id,
                    "period_type": "month",
                    "date_start": "2026-06-01",
                    "value": 1,
                }
            )
        # another company's scorecards stay hidden
        self.assertFalse(
            self.env["sales.process.evaluation"].with_user(self.user_salesman_c2).search([("id", "=", evaluation.id)])
        )
