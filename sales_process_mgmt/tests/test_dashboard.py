import json
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import file_open, mute_logger

DASHBOARD_FILE = "sales_process_mgmt/data/files/sales_process_dashboard.json"


def dashboard_pivots():
    """The pivots of the dashboard as its JSON declares them."""
    with file_open(DASHBOARD_FILE) as handle:
        return list(json.load(handle)["pivots"].values())


def pivot_read_group_kwargs(pivot):
    """The read_group the spreadsheet pivot sends for its rows (lazy=False, as web's PivotModel does;
    measures by name: each field's own aggregator)."""
    return {
        "domain": pivot["domain"],
        "fields": [m["fieldName"] for m in pivot["measures"] if m["fieldName"] != "__count"],
        "groupby": [row["fieldName"] for row in pivot["rows"]],
        "lazy": False,
    }


@tagged("post_install", "-at_install")
class TestSalesProcessDashboard(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="spm_dash_manager", groups="sales_team.group_sale_manager", lang="en_US"
        )
        cls.seller = new_test_user(
            cls.env, login="spm_dash_seller", groups="sales_team.group_sale_salesman", lang="en_US"
        )
        cls.dashboard = cls.env.ref("sales_process_mgmt.spreadsheet_dashboard_sales_process")
        # first in the funnel (the pivot shows 10 stages); the tour finds its row by its name
        cls.stage = cls.env["crm.stage"].create({"name": "SPM Dashboard Stage", "sequence": -1000})
        cls.leads = cls.env["crm.lead"].create(
            [
                {"name": f"SPM Dashboard Deal {x}", "type": "opportunity", "stage_id": cls.stage.id, "user_id": False}
                for x in "AB"
            ]
        )
        cls.scorecard = cls.env["sales.process.evaluation"].create(
            {
                "name": "SPM Dashboard Scorecard",
                "period_type": "month",
                "date_start": "2026-03-01",
                "user_ids": [(6, 0, cls.seller.ids)],
                "kpi_ids": [
                    (
                        0,
                        0,
                        {
                            "kpi_id": cls.env["sales.process.kpi"]
                            .create({"code": "T-DASH", "name": "SPM Dashboard KPI", "kind": "won_count"})
                            .id,
                            "weight": 1,
                        },
                    )
                ],
            }
        )

    def test_dashboard_for_managers_only(self):
        action = self.env.ref("sales_process_mgmt.spreadsheet_dashboard_sales_process_action")
        self.assertEqual(action.params, {"dashboard_id": self.dashboard.id})
        data = self.dashboard.with_user(self.manager).get_readonly_dashboard()
        self.assertEqual(
            [p["model"] for p in data["snapshot"]["pivots"].values()],
            [
                "crm.lead",
                "sales.process.evaluation.line",
                "sales.process.stage.history",
                "sales.process.forecast",
                "sales.process.risk.flag",
                "sales.process.training.matrix",
            ],
        )
        self.assertIn(self.dashboard, self.env["spreadsheet.dashboard"].with_user(self.manager).search([]))
        self.assertNotIn(self.dashboard, self.env["spreadsheet.dashboard"].with_user(self.seller).search([]))
        with self.assertRaises(AccessError):
            self.dashboard.with_user(self.seller).check_access("read")

    def test_funnel_pivot_counts_the_stage(self):
        (funnel,) = [p for p in dashboard_pivots() if p["model"] == "crm.lead"]
        groups = self.env["crm.lead"].with_user(self.manager).read_group(**pivot_read_group_kwargs(funnel))
        (group,) = [g for g in groups if g["stage_id"] and g["stage_id"][0] == self.stage.id]
        self.assertEqual(group["__count"], 2)

    def _record_readonly(self, model, method):
        """Patch ``model.method`` to note, for each call, whether its transaction is read-only."""
        seen = []
        cls = type(self.env[model])
        original = getattr(cls, method)

        def probe(records, *args, **kwargs):
            records.env.cr.execute("SHOW transaction_read_only")
            seen.append((records.env.cr.readonly, records.env.cr.fetchone()[0]))
            return original(records, *args, **kwargs)

        return seen, patch.object(cls, method, probe)

    def test_dashboard_data_run_on_the_read_only_cursor(self):
        """Each pivot's read_group and the list's web_search_read, sent as the dashboard sends
        them, run in a read-only transaction."""
        self.authenticate("spm_dash_manager", "spm_dash_manager")
        for pivot in dashboard_pivots():
            seen, patcher = self._record_readonly(pivot["model"], "_read_group")
            with self.subTest(model=pivot["model"]), patcher:
                result = self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{pivot['model']}/read_group",
                    {
                        "model": pivot["model"],
                        "method": "read_group",
                        "args": [],
                        "kwargs": pivot_read_group_kwargs(pivot),
                    },
                )
                self.assertIsInstance(result, list)
                self.assertTrue(seen)
                self.assertEqual(set(seen), {(True, "on")})
        # the list of stage standards, as the spreadsheet's list data source reads it
        (stage_list,) = json.load(file_open(DASHBOARD_FILE))["lists"].values()
        seen, patcher = self._record_readonly("crm.stage", "search_fetch")
        with patcher:
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.stage/web_search_read",
                {
                    "model": "crm.stage",
                    "method": "web_search_read",
                    "args": [],
                    "kwargs": {
                        "domain": stage_list["domain"],
                        "specification": {name: {} for name in stage_list["columns"]},
                        "order": "sequence",
                    },
                },
            )
        self.assertIn("records", result)
        self.assertEqual(set(seen), {(True, "on")})

    def test_scorecard_preview_runs_on_the_read_only_cursor(self):
        self.authenticate("spm_dash_manager", "spm_dash_manager")
        seen, patcher = self._record_readonly("sales.process.evaluation", "_format_preview")
        with patcher:
            (preview,) = self.make_jsonrpc_request(
                "/web/dataset/call_kw/sales.process.evaluation/get_scorecard_preview",
                {
                    "model": "sales.process.evaluation",
                    "method": "get_scorecard_preview",
                    "args": [self.scorecard.ids],
                    "kwargs": {},
                },
            )
            self.assertEqual(preview["name"], "SPM Dashboard Scorecard")
            self.assertEqual([m["name"] for m in preview["members"]], [self.seller.name])
            # the printed preview: Odoo's report route is read-only as well
            response = self.url_open(
                f"/report/html/sales_process_mgmt.sales_process_evaluation_document/{self.scorecard.id}"
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("SPM Dashboard KPI", response.text)
        self.assertEqual(seen, [(True, "on"), (True, "on")])
        self.assertFalse(self.scorecard.line_ids)

    @mute_logger("odoo.addons.base.models.ir_actions_report")
    def test_manager_opens_the_dashboard_and_drills_down(self):
        self.start_tour("/odoo", "sales_process_dashboard_tour", login="spm_dash_manager")
