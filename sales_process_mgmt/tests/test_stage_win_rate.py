from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCase

NOW = "2026-06-15 09:00:00"


@tagged("post_install", "-at_install")
class TestStageWinRate(SalesProcessCase):
    """The forecast's win rates, kept per stage and company and refreshed in one statement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["sales.process.stage.win.rate"]
        cls.user_settings = new_test_user(
            cls.env,
            login="spm_settings_admin",
            name="SPM Settings Admin",
            groups="base.group_system,sales_team.group_sale_manager,sales_process_mgmt.group_sales_process_admin",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("sales_process_mgmt.forecast_months", 12)
        params.set_param("sales_process_mgmt.forecast_min_sample", 5)
        # company 1: 3 won and 2 lost, each through Reception and Needs, in May 2026; one won
        # two years before (outside the 12 months); 2 still open in Reception
        cls.won = cls._decided(3, won=True)
        cls.lost = cls._decided(2, won=False)
        cls.old_won = cls._decided(1, won=True, date_in="2024-05-01")
        cls.open_leads = cls._create_leads(2, expected_revenue=1000)
        # company 2: one won through Reception
        cls.won_c2 = cls._decided(1, won=True, company=cls.company_2, user=cls.user_salesman_c2)

    @classmethod
    def _decided(cls, count, won, date_in="2026-05-02", company=None, user=None):
        """``count`` opportunities moved Reception → Needs, then won or lost, visits entered on ``date_in``."""
        values = {}
        if company:
            values = {"company_id": company.id, "team_id": False, "user_id": user.id}
        leads = cls._create_leads(count, **values)
        leads.write({"stage_id": cls.stage_needs.id})
        if won:
            leads.write({"stage_id": cls.stage_won.id})
        else:
            leads.action_set_lost()
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE sales_process_stage_history SET date_in = %s WHERE lead_id = ANY(%s)", (date_in, leads.ids)
        )
        cls.env["sales.process.stage.history"].invalidate_model()
        return leads

    def _rates(self, user):
        """{(stage, company): (sample, won, rate, sufficient)} as ``user`` reads them."""
        records = self.Rate.with_user(user).search([("stage_id", "in", self._stages().ids)])
        return {
            (r.stage_id, r.company_id): (r.sample_size, r.won_count, r.win_rate, r.sufficient_sample) for r in records
        }

    def _stages(self):
        return self.stage_reception | self.stage_needs | self.stage_won

    def _forecast(self, user, lead):
        return self.env["sales.process.forecast"].with_user(user).search([("lead_id", "=", lead.id)])

    def test_refresh_gives_the_hand_count(self):
        with freeze_time(NOW):
            self.Rate._refresh_rates()  # every company, as the cron does
        # hand count: Reception and Needs each saw 5 decided visits in the last 12 months
        # (3 won, 2 lost; the lead won in 2024 is out); the won stage 3 won visits
        c1 = self.company
        self.assertEqual(
            self._rates(self.user_manager),
            {
                (self.stage_reception, c1): (5, 3, 60.0, True),
                (self.stage_needs, c1): (5, 3, 60.0, True),
                (self.stage_won, c1): (3, 3, 100.0, False),
            },
        )
        rates = self.Rate.with_user(self.user_manager).search([("stage_id", "=", self.stage_reception.id)])
        self.assertEqual(rates.computed_on, datetime(2026, 6, 15, 9, 0))
        self.assertEqual(rates.date_from, datetime(2025, 6, 15, 9, 0))
        # the other company's rates: its own salesperson sees them, company 1's users do not
        self.assertEqual(
            self._rates(self.user_salesman_c2),
            {(stage, self.company_2): (1, 1, 100.0, False) for stage in self._stages()},
        )
        self.assertNotIn(self.company_2, {company for _stage, company in self._rates(self.user_salesman)})

    def test_refresh_is_one_statement_whatever_the_rows(self):
        self.Rate._refresh_rates()
        self._cold_start()
        with self.assertQueryCount(3):  # the settings, the delete, the insert
            self.Rate.with_user(self.user_admin)._refresh_rates()
        self._decided(5, won=False)
        self._cold_start()
        with self.assertQueryCount(3):
            self.Rate.with_user(self.user_admin)._refresh_rates()

    def test_forecast_uses_the_stored_rates(self):
        with freeze_time(NOW):
            self.Rate.with_user(self.user_admin).action_refresh()
        lead = self.open_leads[0]
        row = self._forecast(self.user_salesman, lead)
        self.assertEqual(
            (row.historical_win_rate, row.sample_size, row.sufficient_sample, row.process_weighted_revenue),
            (60.0, 5, True, 600.0),
        )
        self.assertEqual(row.win_rate_computed_on, datetime(2026, 6, 15, 9, 0))
        # more history changes nothing until the rates are refreshed
        self._decided(5, won=False)
        self.env.invalidate_all()
        self.assertEqual(self._forecast(self.user_salesman, lead).historical_win_rate, 60.0)
        with freeze_time("2026-06-16 09:00:00"):
            self.Rate.with_user(self.user_admin).action_refresh()
        row = self._forecast(self.user_salesman, lead)
        self.assertEqual((row.historical_win_rate, row.sample_size, row.process_weighted_revenue), (30.0, 10, 300.0))
        self.assertEqual(row.win_rate_computed_on, datetime(2026, 6, 16, 9, 0))

    def test_settings_change_refreshes(self):
        with freeze_time(NOW):
            self.Rate._refresh_rates()
            # the same settings saved again: nothing recomputed
        with freeze_time("2026-06-20 09:00:00"):
            settings = self.env["res.config.settings"].with_user(self.user_settings)
            settings.create({}).execute()
            reception = self.Rate.with_user(self.user_manager).search([("stage_id", "=", self.stage_reception.id)])
            self.assertEqual(reception.computed_on, datetime(2026, 6, 15, 9, 0))
            # a minimum sample above 5: Reception's sample becomes too small, in the forecast too
            settings.create({"sales_process_forecast_min_sample": 6}).execute()
            self.assertEqual(self._rates(self.user_manager)[(self.stage_reception, self.company)], (5, 3, 60.0, False))
            row = self._forecast(self.user_salesman, self.open_leads[0])
            self.assertFalse(row.sufficient_sample)
            self.assertFalse(row.process_weighted_revenue)
            # 36 months: the lead won in 2024 counts again
            settings.create({"sales_process_forecast_months": 36, "sales_process_forecast_min_sample": 5}).execute()
            self.assertEqual(self._rates(self.user_manager)[(self.stage_reception, self.company)], (6, 4, 66.67, True))
            reception = self.Rate.with_user(self.user_manager).search([("stage_id", "=", self.stage_reception.id)])
            self.assertEqual(reception.date_from, datetime(2023, 6, 20, 9, 0))

    def test_settings_refuse_non_positive_values(self):
        params = self.env["ir.config_parameter"].sudo()
        settings = self.env["res.config.settings"].with_user(self.user_settings)
        for field in ("sales_process_forecast_months", "sales_process_forecast_min_sample"):
            with self.assertRaisesMessage(ValidationError, r"must be a positive number \(got 0\)"):
                settings.create({field: 0}).execute()
        self.assertEqual(params.get_param("sales_process_mgmt.forecast_months"), "12")
        self.assertEqual(params.get_param("sales_process_mgmt.forecast_min_sample"), "5")

    def test_cron_refreshes(self):
        cron = self.env.ref("sales_process_mgmt.ir_cron_refresh_stage_win_rates")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
        with freeze_time(NOW):
            cron.method_direct_trigger()
        self.assertEqual(self._rates(self.user_manager)[(self.stage_needs, self.company)], (5, 3, 60.0, True))
        self._decided(1, won=True, date_in="2026-06-01")
        with freeze_time("2026-06-16 01:00:00"):
            cron.method_direct_trigger()
        self.assertEqual(self._rates(self.user_manager)[(self.stage_needs, self.company)], (6, 4, 66.67, True))
        rate = self.Rate.with_user(self.user_manager).search([("stage_id", "=", self.stage_needs.id)])
        self.assertEqual(rate.computed_on, datetime(2026, 6, 16, 1, 0))

    def test_only_the_refresh_writes_rates(self):
        self.Rate._refresh_rates()
        rate = self.Rate.search([("stage_id", "=", self.stage_reception.id), ("company_id", "=", self.company.id)])
        for user in (self.user_salesman, self.user_manager, self.user_admin):
            self.assertEqual(rate.with_user(user).win_rate, 60.0, "readable by Sales Process users")
            with self.assertRaises(AccessError):
                rate.with_user(user).write({"win_rate": 99})
            with self.assertRaises(AccessError):
                self.Rate.with_user(user).create({"stage_id": self.stage_needs.id, "win_rate": 99})
            with self.assertRaises(AccessError):
                rate.with_user(user).unlink()
        for user in (self.user_salesman, self.user_manager):
            with self.assertRaisesMessage(AccessError, "Only Sales Process administrators can refresh"):
                self.Rate.with_user(user).action_refresh()
        with self.assertRaises(AccessError):
            self.Rate.with_user(self.user_employee).search([])
        self.assertEqual(rate.win_rate, 60.0)

    def test_refresh_by_an_administrator_keeps_to_their_companies(self):
        with freeze_time(NOW):
            self.Rate._refresh_rates()
        self._decided(2, won=False, company=self.company_2, user=self.user_salesman_c2)
        with freeze_time("2026-06-16 09:00:00"):
            self.Rate.with_user(self.user_admin).action_refresh()
        c2 = self.Rate.search([("company_id", "=", self.company_2.id), ("stage_id", "=", self.stage_reception.id)])
        self.assertEqual((c2.sample_size, c2.computed_on), (1, datetime(2026, 6, 15, 9, 0)))
        c1 = self.Rate.search([("company_id", "=", self.company.id), ("stage_id", "=", self.stage_reception.id)])
        self.assertEqual(c1.computed_on, datetime(2026, 6, 16, 9, 0))

    def test_zh_cn(self):
        self.user_salesman.lang = "zh_CN"
        self.Rate._refresh_rates()
        Rate = self.Rate.with_user(self.user_salesman).with_context(lang="zh_CN")
        labels = {name: Rate._fields[name].get_description(Rate.env)["string"] for name in ("win_rate", "computed_on")}
        self.assertEqual(labels, {"win_rate": "赢单率 (%)", "computed_on": "刷新时间"})
        self.assertEqual(
            self.env.ref("sales_process_mgmt.sales_process_stage_win_rate_action").with_context(lang="zh_CN").name,
            "阶段赢单率",
        )
        with self.assertRaisesMessage(AccessError, "只有销售流程管理员可以刷新阶段赢单率"):
            Rate.action_refresh()
