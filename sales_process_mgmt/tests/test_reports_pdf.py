import subprocess
import tempfile

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_evaluation import MARCH, EvaluationCase
from .common_risk import RiskCase
from .common_training import TrainingCase


def pdf_text(pdf):
    """The text of a PDF as poppler's pdftotext extracts it (layout kept)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout


class PdfCase:
    # wkhtmltopdf without patched qt warns about its header and footer switches
    @mute_logger("odoo.addons.base.models.ir_actions_report")
    def _render(self, user, report, records, lang="en_US"):
        """Render ``report`` of ``records`` as ``user`` would print it, and return its text."""
        Report = self.env["ir.actions.report"].with_user(user).with_context(force_report_rendering=True, lang=lang)
        pdf, kind = Report._render_qweb_pdf(f"sales_process_mgmt.{report}", records.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf_text(pdf)

    def _header_and_footer(self, user, report, records, lang="en_US"):
        """The header and footer pages wkhtmltopdf gets for ``report`` (``web.external_layout``), as text.

        wkhtmltopdf prints them only when built with patched Qt; Debian's build (these tests')
        ignores them, so they are read from what Odoo hands it rather than from the PDF.
        """
        Report = self.env["ir.actions.report"].with_user(user).with_context(force_report_rendering=True, lang=lang)
        name = f"sales_process_mgmt.{report}"
        html = Report._render_qweb_html(name, records.ids, data={"report_type": "pdf"})[0]
        __, __, header, footer, __ = Report._get_report(name)._prepare_html(html, report_model=records._name)
        return header, footer

    def _assert_company_layout(self, user, report, records, lang="en_US"):
        header, footer = self._header_and_footer(user, report, records, lang)
        company = user.company_id
        self.assertIn(company.name, header)
        self.assertIn(f"o_company_{company.id}_layout", header)
        self.assertRegex(footer, r'<span class="page"></span> / <span class="topage"></span>')
        return header, footer

    def _zh_cn(self):
        """zh_CN in the test database, with the addon's terms (as scripts/test.sh adds it)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "=", "sales_process_mgmt")])._update_translations(["zh_CN"])


@tagged("post_install", "-at_install")
class TestScorecardPdf(PdfCase, EvaluationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi_revenue = cls._kpi("won_revenue", unit="amount", name="SPM Won Revenue")
        cls.kpi_rate = cls._kpi("win_rate", unit="percent", default_target=50, name="SPM Win Rate")
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
        cls.scorecard = (
            cls.env["sales.process.evaluation"]
            .with_user(cls.user_manager)
            .create(
                {
                    "name": "SPM March",
                    "period_type": "month",
                    "date_start": MARCH[0],
                    "user_ids": [(6, 0, (cls.user_salesman | cls.user_salesman_2).ids)],
                    "kpi_ids": [
                        (0, 0, {"kpi_id": cls.kpi_revenue.id, "weight": 1}),
                        (0, 0, {"kpi_id": cls.kpi_rate.id, "weight": 1}),
                    ],
                }
            )
        )

    def test_draft_preview_shows_the_figures_and_writes_nothing(self):
        text = self._render(self.user_manager, "sales_process_evaluation_document", self.scorecard)
        self.assertIn("Scorecard: SPM March", text)
        self.assertIn("Preview: not computed yet", text)
        # salesperson A: won 4,000 of a 5,000 target (80 %); win rate 2 won of 3 closed
        self.assertRegex(text, r"SPM Won Revenue\s+4,000.00\s+5,000.00\s+80.0 %")
        self.assertRegex(text, r"SPM Win Rate\s+66.67\s+50.00\s+133.3 %")
        self.assertIn(self.user_salesman_2.name, text)
        self.assertFalse(self.scorecard.line_ids)
        self.assertEqual(self.scorecard.state, "draft")

    def test_computed_scorecard_as_manager_and_as_salesperson(self):
        self.scorecard.action_compute()
        line = self.scorecard.line_ids.filtered(
            lambda line: line.kpi_id == self.kpi_revenue and line.user_id == self.user_salesman
        )
        line.improvement_measure = "Call back every lost customer"
        score = self.scorecard.score_ids.filtered(lambda s: s.user_id == self.user_salesman)
        text = self._render(self.user_manager, "sales_process_evaluation_document", self.scorecard)
        self.assertNotIn("Preview", text)
        self.assertRegex(text, r"SPM Won Revenue\s+4,000.00\s+5,000.00\s+80.0 %\s+50.0\s+40.00\s+500.00\s+Improved")
        self.assertIn("Improvement Measure: Call back every lost customer", text)
        self.assertRegex(text, rf"Total Score: {score.score:.1f} · Rating: {score.band_id.name}")
        self.assertIn(self.user_salesman_2.name, text)
        # a salesperson prints their own figures only (record rules on the lines)
        own = self._render(self.user_salesman, "sales_process_evaluation_document", self.scorecard)
        self.assertRegex(own, r"SPM Won Revenue\s+4,000.00\s+5,000.00\s+80.0 %")
        self.assertNotIn(self.user_salesman_2.name, own)
        self._assert_company_layout(self.user_salesman, "sales_process_evaluation_document", self.scorecard)

    def test_salesperson_cannot_preview_a_draft(self):
        with self.assertRaisesRegex(AccessError, "SPM March is not computed"):
            self.scorecard.with_user(self.user_salesman).get_scorecard_preview()

    def test_zh_cn_scorecard_prints_chinese(self):
        self._zh_cn()
        self.scorecard.action_compute()
        text = self._render(self.user_manager, "sales_process_evaluation_document", self.scorecard, lang="zh_CN")
        self.assertRegex(text, r"计分卡：\s*SPM March")
        self.assertIn("实际值", text)
        self.assertRegex(text, r"4,000.00\s+5,000.00\s+80.0 %")
        self._assert_company_layout(
            self.user_manager, "sales_process_evaluation_document", self.scorecard, lang="zh_CN"
        )


@tagged("post_install", "-at_install")
class TestProcessReportPdf(PdfCase, RiskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_item(cls.stage_reception, "SPM Greet the customer")
        cls.lead = cls._create_leads(1, expected_revenue=12345)
        cls.lead.checklist_ids.write({"done": True, "note": "Met at the fair"})
        cls.lead.stage_id = cls.stage_needs
        cls.other = cls._create_leads(1, user_id=cls.user_salesman_2.id)
        cls.rule = cls._rule("risk_large_amount", severity="high", amount_threshold=1000)

    def test_process_report_as_salesperson(self):
        self.env["crm.lead"]._cron_scan_risks()
        text = self._render(self.user_salesman, "crm_lead_process_document", self.lead)
        self.assertIn(f"Process Report: {self.lead.name}", text)
        self.assertIn("12,345.00", text)
        self.assertRegex(text, r"SPM Reception\s+\S+\s+\S+\s+[\d.]+\s+On Time\s+Moved to Another Stage")
        self.assertRegex(text, r"☑ SPM Greet the customer \(Required\) · .+ · Met at the fair")
        self.assertRegex(text, r"SPM risk_large_amount\s+High\s+Open")

    def test_process_report_has_the_company_header_and_page_numbers(self):
        self._assert_company_layout(self.user_salesman, "crm_lead_process_document", self.lead)

    def test_salesperson_cannot_print_a_colleagues_opportunity(self):
        with self.assertRaises(AccessError):
            self._render(self.user_salesman, "crm_lead_process_document", self.other)


@tagged("post_install", "-at_install")
class TestTrainingTranscriptPdf(PdfCase, TrainingCase):
    def test_transcript_lists_records_and_compliance(self):
        passed = self._create_record(self.user_salesman, score=85, date="2025-06-01")
        self._create_record(self.user_salesman, course=self.course_2, score=40, date="2025-07-01")
        compliance = self.Matrix._get_compliance(self.user_salesman)[self.user_salesman.id]
        text = self._render(self.user_salesman, "training_transcript_document", passed)
        self.assertIn(f"Training Transcript: {self.user_salesman.name}", text)
        self.assertIn(f"Training Compliance: {compliance:.1f} %", text)
        self.assertRegex(text, r"SPM Product Knowledge\s+85.00\s+Passed")
        self.assertRegex(text, r"SPM Selling Skills\s+40.00\s+Failed")
        self._assert_company_layout(self.user_salesman, "training_transcript_document", passed)
