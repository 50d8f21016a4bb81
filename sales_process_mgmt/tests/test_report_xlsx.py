import base64
import io
import json
from unittest.mock import patch
from urllib.parse import quote

import openpyxl

from odoo import http
from odoo.addons.sales_process_mgmt.controllers.report_xlsx import _sales_process_report_url
from odoo.addons.sales_process_mgmt.reports.sales_process_xlsx import SalesProcessXlsx
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common_evaluation import MARCH, EvaluationCase

EXPORT = "sales_process_mgmt.export_xlsx"
HEADER_ROW = 4  # title, subtitle, blank line, then the table


class XlsxCase(EvaluationCase):
    """The evaluation fixture of March 2026, a computed scorecard, risk flags and an action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.stage_needs.write({"has_time_limit": True, "max_days": 4})
        cls.kpi_revenue = cls._kpi("won_revenue", unit="amount")
        cls.kpi_rate = cls._kpi("win_rate", unit="percent", default_target=50)
        cls.env["sales.process.kpi.target"].create(
            {
                "kpi_id": cls.kpi_revenue.id,
                "scope": "user",
                "user_id": cls.user_salesman.id,
                "period_type": "month",
                "date_start": MARCH[0],
                "value": 5000,
            }
        )
        cls.scorecard = cls.env["sales.process.evaluation"].create(
            {
                "name": "SPM March",
                "period_type": "month",
                "date_start": MARCH[0],
                "team_ids": [(6, 0, cls.team.ids)],
                "kpi_ids": [
                    (0, 0, {"kpi_id": cls.kpi_revenue.id, "weight": 1}),
                    (0, 0, {"kpi_id": cls.kpi_rate.id, "weight": 1}),
                ],
            }
        )
        cls.scorecard.action_compute()
        rule = cls.env["sales.process.risk.rule"].create(
            {"name": "SPM idle", "criterion": "risk_idle", "severity": "high", "team_ids": [(6, 0, cls.team.ids)]}
        )
        Flag = cls.env["sales.process.risk.flag"]
        cls.flag_own = Flag.create(
            {"lead_id": cls.l6.id, "rule_id": rule.id, "severity": "critical", "explanation_values": {"days": 12}}
        )
        (cls.l_other,) = cls._create_leads(1, user_id=cls.user_salesman_2.id)
        cls.flag_other = Flag.create({"lead_id": cls.l_other.id, "rule_id": rule.id, "severity": "low"})
        cls.action = cls.env["sales.process.improvement.action"].create(
            {"name": "SPM shorten needs", "team_id": cls.team.id, "deadline": "2026-03-25"}
        )

    def _export(self, user, **options):
        """The export wizard's workbook as ``user`` (filled through the form, as they do)."""
        wizard_form = Form(self.env["sales.process.export.wizard"].with_user(user))
        wizard_form.date_from, wizard_form.date_to = MARCH
        wizard_form.sheet_visits = True
        for name, value in options.items():
            setattr(wizard_form, name, value)
        action = wizard_form.save().action_export()
        self.assertEqual(action["report_type"], "xlsx")
        content, kind = (
            self.env["ir.actions.report"].with_user(user)._render_xlsx(action["report_name"], None, action["data"])
        )
        self.assertEqual(kind, "xlsx")
        return openpyxl.load_workbook(io.BytesIO(content))

    @staticmethod
    def _table(sheet):
        """The rows of the sheet's table as dicts by header."""
        headers = [cell.value for cell in sheet[HEADER_ROW]]
        rows = []
        for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
            if values[0] is None:
                break
            rows.append(dict(zip(headers, values, strict=False)))
        return rows


@tagged("post_install", "-at_install")
class TestExportWorkbook(XlsxCase):
    def test_sheets_headers_values_formats_and_chart(self):
        workbook = self._export(self.user_manager)
        self.assertEqual(
            workbook.sheetnames,
            ["Summary", "Stage Durations", "Funnel", "Forecast", "Risks", "Training", "Actions", "Stage Visits"],
        )
        summary = workbook["Summary"]
        self.assertEqual(summary["A1"].value, "KPIs against their targets")
        self.assertEqual(summary["A2"].value, "Period: 2026-03-01 – 2026-03-31")
        self.assertEqual(
            [cell.value for cell in summary[HEADER_ROW]],
            ["Period", "Scorecard", "Member", "Sales Team", "Salesperson", "KPI", "Actual", "Target",
             "Achievement (%)", "Weight (%)", "Trend"],
        )  # fmt: skip
        self.assertEqual(summary.freeze_panes, f"A{HEADER_ROW + 1}")
        self.assertTrue(summary.auto_filter.ref.startswith(f"A{HEADER_ROW}:K"))
        self.assertTrue(summary[f"A{HEADER_ROW}"].font.b)
        # every line of the scorecard, with the ORM's figures
        lines = self.scorecard.line_ids
        rows = self._table(summary)
        self.assertEqual(len(rows), len(lines))
        revenue = lines.filtered(lambda line: line.kpi_id == self.kpi_revenue and line.user_id == self.user_salesman)
        (row,) = (r for r in rows if r["KPI"] == self.kpi_revenue.name and r["Salesperson"] == "SPM Salesman")
        self.assertEqual((row["Actual"], row["Target"]), (revenue.actual, revenue.target))
        self.assertAlmostEqual(row["Achievement (%)"], revenue.achievement / 100)  # 80 % as 0.8
        self.assertEqual(row["Sales Team"], "SPM Team")
        # no won revenue for B: an empty cell, not 0
        (row_b,) = (r for r in rows if r["KPI"] == self.kpi_revenue.name and r["Salesperson"] == "SPM Salesman 2")
        self.assertIsNone(row_b["Actual"])
        self.assertIsNone(row_b["Achievement (%)"])
        first = HEADER_ROW + 1
        filled = next(r for r in range(first, first + len(rows)) if summary.cell(r, 9).value is not None)
        self.assertEqual(summary.cell(filled, 1).number_format, "yyyy-mm-dd")
        self.assertEqual(summary.cell(filled, 9).number_format, "0.0%")
        self.assertEqual(summary.cell(filled, 7).number_format, "#,##0.00")
        formatted = {str(rng.sqref) for rng in summary.conditional_formatting}
        self.assertIn(f"I{first}:I{first + len(lines) - 1}", formatted)
        # the native chart of the average achievement per KPI
        (chart,) = summary._charts
        self.assertEqual(chart.tagname, "barChart")
        self.assertEqual(len(chart.series), 1)

        durations = self._table(workbook["Stage Durations"])
        # Needs (SPM Team), visits ended in March: 3, 10 (overdue) and 5 days; standard 4 days
        (needs,) = (r for r in durations if r["Stage"] == "SPM Needs")
        self.assertEqual((needs["Visits"], needs["Average Days"], needs["Median Days"]), (3, 6, 5))
        self.assertEqual((needs["Standard (days)"], needs["Overdue Visits"]), (4, 1))
        self.assertAlmostEqual(needs["Average vs Standard"], 1.5)
        self.assertAlmostEqual(needs["Overdue Share"], 1 / 3)

        funnel = {r["Stage"]: r for r in self._table(workbook["Funnel"])}
        self.assertEqual(funnel["SPM Needs"]["Visits Ended"], 3)
        # one moved forward (to Presentation), one back (to Reception), one lost
        self.assertEqual(
            (funnel["SPM Needs"]["Moved to a Later Stage"], funnel["SPM Needs"]["Lost or Archived"]), (1, 1)
        )
        self.assertAlmostEqual(funnel["SPM Needs"]["Conversion"], 1 / 3)
        self.assertEqual(len(workbook["Funnel"]._charts), 1)

        forecast = self._table(workbook["Forecast"])
        open_revenue = sum(
            self.env["sales.process.forecast"].search([("company_id", "=", self.company.id)]).mapped("expected_revenue")
        )
        self.assertAlmostEqual(sum(r["Expected Revenue"] or 0 for r in forecast), open_revenue)
        currency = workbook["Forecast"].cell(HEADER_ROW + 1, 4).number_format
        self.assertIn(self.company.currency_id.symbol, currency)

        risks = self._table(workbook["Risks"])
        # most severe first
        self.assertEqual([r["Severity"] for r in risks][:1], ["Critical"])
        self.assertIn("Critical: 1", workbook["Risks"]["A2"].value)
        # the explanation is computed from the flag's values, in the reader's language
        self.assertEqual(risks[0]["Explanation"], "no activity done and no message for 12 days")

        actions = self._table(workbook["Actions"])
        self.assertEqual([r["Problem"] for r in actions], ["SPM shorten needs"])

        visits = self._table(workbook["Stage Visits"])
        ended = [r for r in visits if r["Stage"] == "SPM Needs"]
        self.assertEqual(sorted(r["Days in Stage"] for r in ended), [3, 5, 10])
        self.assertEqual(workbook["Stage Visits"].cell(HEADER_ROW + 1, 6).number_format, "yyyy-mm-dd hh:mm")

    def test_rows_read_in_batches(self):
        """Keyset batches: every row once, whatever the batch size (5,000 in use; 2 here)."""
        with patch("odoo.addons.sales_process_mgmt.reports.sales_process_xlsx.BATCH_SIZE", 2):
            workbook = self._export(self.user_manager, date_from="2026-01-01", team_ids=self.team)
        History = self.env["sales.process.stage.history"].with_user(self.user_manager)
        entered = [("date_in", ">=", "2026-01-01"), ("date_in", "<", "2026-04-01"), ("team_id", "=", self.team.id)]
        expected = History.search(entered)
        self.assertGreater(len(expected), 2)
        visits = self._table(workbook["Stage Visits"])
        self.assertEqual(
            sorted((r["Stage"], r["Days in Stage"] or 0) for r in visits),
            sorted((v.stage_id.name, v.duration_days) for v in expected),
        )
        self.assertTrue(self.env["report.sales_process_mgmt.export_xlsx"].get_workbook_options()["constant_memory"])

    def test_sheets_chosen_and_file_name(self):
        workbook = self._export(
            self.user_manager,
            sheet_stage_durations=False,
            sheet_funnel=False,
            sheet_forecast=False,
            sheet_training=False,
            sheet_actions=False,
            sheet_visits=False,
        )
        self.assertEqual(workbook.sheetnames, ["Summary", "Risks"])
        wizard = (
            self.env["sales.process.export.wizard"]
            .with_user(self.user_manager)
            .create({"date_from": MARCH[0], "date_to": MARCH[1]})
        )
        result = wizard.get_workbook(wizard._get_options())
        self.assertEqual(result["filename"], "Sales Process 2026-03-01 to 2026-03-31.xlsx")
        self.assertTrue(base64.b64decode(result["content"]).startswith(b"PK"))

    def test_bad_selection(self):
        Wizard = self.env["sales.process.export.wizard"].with_user(self.user_manager)
        with self.assertRaisesMessage(ValidationError, "starts on 2026-03-31, after its end"):
            Wizard.create({"date_from": MARCH[1], "date_to": MARCH[0]})
        wizard = Wizard.create({"date_from": MARCH[0], "date_to": MARCH[1]})
        wizard.write({f"sheet_{key}": False for key in ("summary", "stage_durations", "funnel", "forecast")})
        wizard.write({f"sheet_{key}": False for key in ("risks", "training", "actions", "visits")})
        with self.assertRaisesMessage(UserError, "choose at least one sheet"):
            wizard.action_export()
        # options sent by an RPC client are checked
        for options in ({"date_from": "March"}, {"team_ids": ["x"]}, {"sheets": 3}):
            with self.assertRaisesMessage(UserError, "Export to Excel: invalid selection"):
                Wizard.get_workbook(options)

    def test_empty_selection_gives_no_data_lines(self):
        workbook = self._export(self.user_manager, date_from="2001-01-01", date_to="2001-01-31", team_ids=self.team_2)
        for name, message in [
            ("Summary", "No scorecard line for this selection."),
            ("Stage Durations", "No stage visit ended in this period."),
            ("Funnel", "No stage visit in this period."),
            ("Forecast", "No open opportunity in this selection."),
            ("Risks", "No risk flag in force for this selection."),
            ("Actions", "No improvement action in this period."),
            ("Stage Visits", "No stage visit in this period."),
        ]:
            sheet = workbook[name]
            self.assertEqual(sheet.cell(HEADER_ROW + 1, 1).value, message, name)
            self.assertIsNone(sheet.cell(HEADER_ROW + 2, 1).value, name)

    def test_salesperson_exports_only_what_they_may_read(self):
        workbook = self._export(self.user_salesman, date_from="2026-02-01")
        summary = self._table(workbook["Summary"])
        self.assertTrue(summary)
        self.assertEqual({r["Salesperson"] for r in summary}, {"SPM Salesman"})
        visible = (
            self.env["sales.process.evaluation.line"]
            .with_user(self.user_salesman)
            .search_count([("date_start", ">=", "2026-02-01"), ("date_start", "<=", MARCH[1])])
        )
        self.assertEqual(len(summary), visible)
        visits = self._table(workbook["Stage Visits"])
        self.assertEqual({r["Salesperson"] for r in visits}, {"SPM Salesman"})
        History = self.env["sales.process.stage.history"]
        entered = [("date_in", ">=", "2026-02-01"), ("date_in", "<", "2026-04-01")]
        self.assertEqual(len(visits), History.with_user(self.user_salesman).search_count(entered))
        self.assertLess(len(visits), History.search_count(entered))
        risks = self._table(workbook["Risks"])
        self.assertEqual([r["Opportunity"] for r in risks], [self.l6.name])
        # the manager reads both flags
        manager_risks = self._table(self._export(self.user_manager, team_ids=self.team)["Risks"])
        self.assertEqual([r["Severity"] for r in manager_risks], ["Critical", "Low"])


@tagged("post_install", "-at_install")
class TestPrintMenuWorkbooks(XlsxCase):
    def _print(self, xmlid, records, user=None):
        report = self.env.ref(f"sales_process_mgmt.{xmlid}")
        self.assertEqual(report.binding_model_id.model, records._name)  # in the Print menu
        self.assertEqual(report.report_type, "xlsx")
        content, __ = (
            self.env["ir.actions.report"].with_user(user or self.user_manager)._render_xlsx(report, records.ids, {})
        )
        return openpyxl.load_workbook(io.BytesIO(content))

    def test_scorecards_one_sheet_each(self):
        february = self.scorecard.copy({"name": "SPM February", "date_start": "2026-02-01"})
        february.action_compute()
        workbook = self._print("sales_process_evaluation_xlsx", self.scorecard | february)
        self.assertEqual(workbook.sheetnames, ["SPM March", "SPM February"])
        rows = self._table(workbook["SPM February"])
        self.assertEqual(len(rows), len(february.line_ids))
        self.assertEqual({r["Period"].date() for r in rows}, {february.date_start})
        self.assertEqual(len(workbook["SPM March"]._charts), 1)

    def test_risk_register_training_stage_durations_actions(self):
        workbook = self._print("sales_process_risk_flag_xlsx", self.flag_own | self.flag_other)
        self.assertEqual(len(self._table(workbook["Risks"])), 2)
        matrix = self.env["sales.process.training.matrix"].with_user(self.user_manager).search([], limit=5)
        workbook = self._print("sales_process_training_matrix_xlsx", matrix)
        rows = self._table(workbook["Training"])
        self.assertEqual(len(rows), len(matrix))
        visits = self.env["sales.process.stage.history"].search([("stage_id", "=", self.stage_needs.id)])
        workbook = self._print("sales_process_stage_history_xlsx", visits)
        self.assertEqual(workbook.sheetnames, ["Stage Durations", "Stage Visits"])
        self.assertEqual(len(self._table(workbook["Stage Visits"])), len(visits))
        workbook = self._print("sales_process_improvement_action_xlsx", self.action)
        self.assertEqual(self._table(workbook["Actions"])[0]["Sales Team"], "SPM Team")

    def test_print_as_salesperson_keeps_to_their_records(self):
        workbook = self._print("sales_process_risk_flag_xlsx", self.flag_own | self.flag_other, self.user_salesman)
        self.assertEqual([r["Opportunity"] for r in self._table(workbook["Risks"])], [self.l6.name])


@tagged("post_install", "-at_install")
class TestExportZhCn(XlsxCase):
    def test_titles_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sales_process_mgmt"], ["zh_CN"], overwrite=True)
        self.user_manager.lang = "zh_CN"
        workbook = self._export(self.user_manager.with_context(lang="zh_CN"))
        self.assertEqual(workbook.sheetnames[:3], ["汇总", "阶段时长", "漏斗"])
        summary = workbook["汇总"]
        self.assertEqual(summary["A1"].value, "KPI 与目标对比")
        headers = [cell.value for cell in summary[HEADER_ROW]]
        self.assertIn("达成率（%）", headers)
        self.assertIn("销售人员", headers)
        risks = self._table(workbook["风险"])
        self.assertEqual(risks[0]["说明"], "12 天内没有已完成的活动，也没有消息")


@tagged("post_install", "-at_install")
class TestExportReadOnly(HttpCase, XlsxCase):
    """The downloads run inside a read-only transaction (Odoo serves them from a replica when there is one)."""

    def _spy(self):
        seen = []
        original = SalesProcessXlsx.create_xlsx_report

        def create_xlsx_report(report, docids, data):
            seen.append(report.env.cr.readonly)
            return original(report, docids, data)

        return seen, patch.object(SalesProcessXlsx, "create_xlsx_report", create_xlsx_report)

    def test_download_route_is_read_only(self):
        self.authenticate(self.user_salesman.login, self.user_salesman.login)
        options = {"date_from": "2026-03-01", "date_to": "2026-03-31", "sheets": ["summary", "risks"]}
        # as report_xlsx's client handler builds it from the wizard's action
        url = f"/report/xlsx/{EXPORT}?options={quote(json.dumps({'options': options}))}&context={quote('{}')}"
        seen, spy = self._spy()
        with spy:
            response = self.url_open(
                "/report/download",
                data={"data": json.dumps([url, "xlsx"]), "context": "{}", "csrf_token": http.Request.csrf_token(self)},
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(seen, [True])
        self.assertIn("Sales%20Process%202026-03-01%20to%202026-03-31.xlsx", response.headers["Content-Disposition"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["Summary", "Risks"])
        self.assertEqual([r["Opportunity"] for r in self._table(workbook["Risks"])], [self.l6.name])

    def test_print_menu_download_is_read_only(self):
        self.authenticate(self.user_manager.login, self.user_manager.login)
        url = f"/report/xlsx/sales_process_mgmt.risk_register_xlsx/{self.flag_own.id},{self.flag_other.id}"
        seen, spy = self._spy()
        with spy:
            response = self.url_open(
                "/report/download",
                data={"data": json.dumps([url, "xlsx"]), "context": "{}", "csrf_token": http.Request.csrf_token(self)},
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(seen, [True])
        self.assertTrue(response.content.startswith(b"PK"))

    def test_rpc_get_workbook_is_read_only(self):
        self.authenticate(self.user_salesman.login, self.user_salesman.login)
        seen, spy = self._spy()
        with spy:
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw/sales.process.export.wizard/get_workbook",
                {
                    "model": "sales.process.export.wizard",
                    "method": "get_workbook",
                    "args": [{"date_from": "2026-03-01", "date_to": "2026-03-31", "sheets": ["visits"]}],
                    "kwargs": {},
                },
            )
        self.assertEqual(seen, [True])
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(result["content"])))
        self.assertEqual({r["Salesperson"] for r in self._table(workbook["Stage Visits"])}, {"SPM Salesman"})

    def test_manager_exports_from_the_menu_tour(self):
        """Analysis > Export to Excel: period, two sheets picked, Export downloads that workbook."""
        downloads = []
        original = SalesProcessXlsx.create_xlsx_report

        def create_xlsx_report(report, docids, data):
            result = original(report, docids, data)
            downloads.append((report.env.user, report.env.cr.readonly, data["options"], result))
            return result

        with patch.object(SalesProcessXlsx, "create_xlsx_report", create_xlsx_report):
            self.start_tour("/odoo", "sales_process_export_tour", login=self.user_manager.login)
        ((user, readonly, options, (content, kind)),) = downloads
        self.assertEqual((user, readonly, kind), (self.user_manager, True, "xlsx"))
        self.assertEqual(
            (options["date_from"], options["date_to"], options["sheets"]),
            ("2026-03-01", "2026-03-31", ["summary", "risks"]),
        )
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames, ["Summary", "Risks"])
        # a manager's register: the fixture's flags, their salespeople's and others' (demo data)
        self.assertLessEqual(
            {self.l6.name, self.l_other.name}, {r["Opportunity"] for r in self._table(workbook["Risks"])}
        )

    def test_other_downloads_stay_read_write(self):
        """Odoo's own reports keep their read/write route (they may save attachments)."""
        self.assertIsNone(_sales_process_report_url(json.dumps(["/report/pdf/crm.report/1", "qweb-pdf"])))
        self.assertIsNone(_sales_process_report_url(json.dumps(["/report/xlsx/other.report/1", "xlsx"])))
        self.assertIsNone(_sales_process_report_url("not json"))
        self.assertTrue(_sales_process_report_url(json.dumps([f"/report/xlsx/{EXPORT}?options={{}}", "xlsx"])))
