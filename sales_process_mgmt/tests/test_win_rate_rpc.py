from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestWinRatesAndFlagsOverRpc(HttpCase):
    """Integrators' view of the stored win rates and of the flags' company: the client's
    context cannot widen a refresh or a read beyond the user's rights and companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.company_2 = cls.env["res.company"].create({"name": "SPM RPC Second Company"})
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.salesman = new_test_user(
            cls.env, login="spm_rate_rpc_salesman", groups="sales_team.group_sale_salesman", **common
        )
        cls.admin = new_test_user(
            cls.env,
            login="spm_rate_rpc_admin",
            groups="sales_team.group_sale_manager,sales_process_mgmt.group_sales_process_admin",
            **common,
        )
        stage = cls.env["crm.stage"].create({"name": "SPM RPC Rate Stage", "sequence": 941})
        cls.rule = cls.env["sales.process.risk.rule"].create(
            {"name": "SPM RPC rule", "criterion": "risk_match_domain", "domain": "[('priority', '=', '3')]"}
        )
        Lead = cls.env["crm.lead"]
        cls.lead = Lead.create(
            {
                "name": "SPM RPC own",
                "type": "opportunity",
                "priority": "3",
                "user_id": cls.salesman.id,
                "stage_id": stage.id,
                "company_id": cls.company.id,
            }
        )
        cls.lead_c2 = Lead.create(
            {
                "name": "SPM RPC other company",
                "type": "opportunity",
                "priority": "3",
                "user_id": False,
                "stage_id": stage.id,
                "company_id": cls.company_2.id,
            }
        )
        cls.rule.company_id = False
        Lead._cron_scan_risks()
        cls.Rate = cls.env["sales.process.stage.win.rate"]

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    @mute_logger("odoo.http")
    def test_refresh_and_writes_of_win_rates(self):
        self.authenticate(self.salesman.login, self.salesman.login)
        for context in ({}, {"sales_process_admin": True}, {"allowed_company_ids": [self.company.id]}):
            with self.subTest(context=context), self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call_kw(self.Rate._name, "action_refresh", [[]], {"context": context})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call_kw(self.Rate._name, "create", [{"stage_id": self.lead.stage_id.id, "sample_size": 99}])
        self.authenticate(self.admin.login, self.admin.login)
        # a company the administrator does not belong to cannot be slipped into the context
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call_kw(
                self.Rate._name, "action_refresh", [[]], {"context": {"allowed_company_ids": [self.company_2.id]}}
            )
        result = self._call_kw(self.Rate._name, "action_refresh", [[]])
        self.assertEqual(result["tag"], "soft_reload")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            rates = self._call_kw(self.Rate._name, "search", [[]])
            self._call_kw(self.Rate._name, "write", [rates, {"win_rate": 100}])

    @mute_logger("odoo.http")
    def test_flags_of_another_company_stay_hidden(self):
        flag_c2 = self.env["sales.process.risk.flag"].search([("lead_id", "=", self.lead_c2.id)])
        self.assertEqual(flag_c2.company_id, self.company_2)
        self.authenticate(self.admin.login, self.admin.login)
        for context in ({}, {"active_test": False}):
            with self.subTest(context=context):
                flags = self._call_kw(
                    "sales.process.risk.flag",
                    "search_read",
                    [[("rule_id", "=", self.rule.id)]],
                    {"fields": ["lead_id", "company_id"], "context": context},
                )
                self.assertEqual([flag["lead_id"][0] for flag in flags], self.lead.ids)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call_kw(
                "sales.process.risk.flag",
                "search_read",
                [[("rule_id", "=", self.rule.id)]],
                {"fields": ["lead_id"], "context": {"allowed_company_ids": [self.company_2.id]}},
            )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call_kw("sales.process.risk.flag", "read", [flag_c2.ids, ["explanation"]])
