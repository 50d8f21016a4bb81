from odoo.addons.sales_process_mgmt.models.sales_process_kpi import KpiScope
from odoo.tests import tagged

from .common_evaluation import FEBRUARY, MARCH, EvaluationCase


@tagged("post_install", "-at_install")
class TestEvaluationKpi(EvaluationCase):
    """Every built-in KPI against hand-computed figures of the fixed dataset."""

    def assertValues(self, kpi, expected, period=MARCH, places=2):
        values = self._values(kpi, period)
        got = {
            "A": values[self.user_salesman.id],
            "B": values[self.user_salesman_2.id],
        }
        for key, value in expected.items():
            if value is None:
                self.assertIsNone(got[key], f"{kpi.kind} {key}: no data expected, got {got[key]}")
            else:
                self.assertAlmostEqual(got[key], value, places=places, msg=f"{kpi.kind} {key}")

    def test_lead_kpis(self):
        self.assertValues(self._kpi("won_revenue"), {"A": 4000, "B": None})
        self.assertValues(self._kpi("won_count"), {"A": 2, "B": None})
        self.assertValues(self._kpi("won_revenue"), {"A": 500, "B": None}, period=FEBRUARY)
        self.assertValues(self._kpi("new_count"), {"A": 2, "B": 1})
        self.assertValues(self._kpi("win_rate"), {"A": 200 / 3, "B": 0.0})
        self.assertValues(self._kpi("cycle_avg", direction="lower"), {"A": 11, "B": None})
        self.assertValues(self._kpi("cycle_median", direction="lower"), {"A": 11, "B": None})
        self.assertValues(self._kpi("lost_count"), {"A": 1, "B": 1})
        self.assertValues(self._kpi("lost_count", lost_reason_id=self.reason.id), {"A": 1, "B": None})
        # open at the end of March: L6; × 2/3 × 2000 average won ÷ 11 days
        self.assertValues(self._kpi("pipeline_velocity"), {"A": 1 * (2 / 3) * 2000 / 11, "B": None})

    def test_empty_period_is_no_data(self):
        """No lead at all: every KPI says no data, none says 0 % or fails."""
        kinds = [
            "won_revenue",
            "won_count",
            "new_count",
            "win_rate",
            "cycle_avg",
            "cycle_median",
            "lost_count",
            "within_standard",
            "overdue_visits",
            "first_activity_days",
            "activities_on_time",
            "satisfaction_avg",
            "satisfaction_pct",
            "pipeline_velocity",
            "training_compliance",
        ]
        for kind in kinds:
            kpi = self._kpi(kind)
            values = self._values(
                kpi, (MARCH[0].replace(year=2020), MARCH[1].replace(year=2020)), users=self.user_employee
            )
            self.assertEqual(values, {self.user_employee.id: None}, kind)
        stage_kpi = self._kpi("stage_time_avg", stage_id=self.stage_needs.id)
        self.assertEqual(self._values(stage_kpi, users=self.user_employee), {self.user_employee.id: None})

    def test_stage_kpis(self):
        needs = self.stage_needs.id
        self.assertValues(self._kpi("stage_time_avg", stage_id=needs, direction="lower"), {"A": 6, "B": None})
        self.assertValues(self._kpi("stage_time_median", stage_id=needs, direction="lower"), {"A": 5, "B": None})
        self.assertValues(self._kpi("stage_time_avg", stage_id=needs), {"A": None, "B": 2}, period=FEBRUARY)
        self.assertValues(self._kpi("within_standard", stage_id=needs), {"A": 200 / 3, "B": None})
        self.assertValues(self._kpi("overdue_visits"), {"A": 1, "B": None})
        # forward: 1 of 3 (one went back, one was lost); won: L1 and L2 of the three
        self.assertValues(self._kpi("stage_conversion", stage_id=needs), {"A": 100 / 3, "B": None})
        self.assertValues(self._kpi("stage_conversion", stage_id=needs, conversion_to="won"), {"A": 200 / 3})

    def test_activity_rating_training_kpis(self):
        self.assertValues(self._kpi("first_activity_days", direction="lower"), {"A": 2, "B": None})
        self.assertValues(self._kpi("activities_on_time"), {"A": 100 / 3, "B": None})
        self.assertValues(self._kpi("satisfaction_avg"), {"A": 3.5, "B": None})
        self.assertValues(self._kpi("satisfaction_pct"), {"A": 50, "B": None})
        # the training matrix's helper, as it is (None: no course required of them)
        users = self.user_salesman | self.user_salesman_2
        expected = self.env["sales.process.training.matrix"].sudo()._get_compliance(users)
        self.assertValues(self._kpi("training_compliance"), {"A": expected[users[0].id], "B": expected[users[1].id]})

    def test_custom_kpi(self):
        lead_fields = self.env["ir.model.fields"]
        kpi = self._kpi(
            "custom",
            custom_model="crm.lead",
            custom_domain="[('expected_revenue', '>', 1500)]",
            custom_aggregate="sum",
            custom_field_id=lead_fields._get("crm.lead", "expected_revenue").id,
            custom_date_field_id=lead_fields._get("crm.lead", "date_closed").id,
        )
        self.assertValues(kpi, {"A": 3000, "B": None})
        visits = self._kpi(
            "custom",
            code="T-visits",
            custom_model="sales.process.stage.history",
            custom_aggregate="count",
            custom_date_field_id=lead_fields._get("sales.process.stage.history", "date_out").id,
        )
        self.assertValues(visits, {"A": 3, "B": None})

    def test_companies_and_currencies_are_never_mixed(self):
        """Company 2 (another currency) counts its own won revenue, in its currency; company 1 never sees it."""
        kpi = self._kpi("won_revenue")
        c2 = self.user_salesman_c2
        self.assertEqual(self._values(kpi, users=c2), {c2.id: None})
        self.assertEqual(self._values(kpi, users=c2, company=self.company_2), {c2.id: 7000})
        self.assertNotEqual(self.company.currency_id, self.company_2.currency_id)
        team_scope = KpiScope("team_id", self.team_c2.ids, self.company_2.id)
        self.assertEqual(kpi._compute_values(*MARCH, team_scope), {self.team_c2.id: 7000})

    def test_team_scope(self):
        scope = KpiScope("team_id", (self.team | self.team_2).ids, self.company.id)
        self.assertEqual(
            self._kpi("won_revenue")._compute_values(*MARCH, scope), {self.team.id: 4000, self.team_2.id: None}
        )
        rate = self._kpi("win_rate")._compute_values(*MARCH, scope)
        self.assertAlmostEqual(rate[self.team.id], 50.0)
        self.assertIsNone(rate[self.team_2.id])
