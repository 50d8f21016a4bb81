from collections import defaultdict

from odoo import api, models


class ScorecardReport(models.AbstractModel):
    """The printable scorecard: one section per team or salesperson (its preview figures)."""

    _name = "report.sales_process_mgmt.sales_process_evaluation_document"
    _description = "Scorecard Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["sales.process.evaluation"].browse(docids)
        docs.check_access("read")
        return {"doc_ids": docids, "doc_model": docs._name, "docs": docs, "previews": docs.get_scorecard_preview()}


class OpportunityProcessReport(models.AbstractModel):
    """The process report of opportunities: visits against the standards, evidence, overrides, risks."""

    _name = "report.sales_process_mgmt.crm_lead_process_document"
    _description = "Opportunity Process Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["crm.lead"].browse(docids)
        docs.check_access("read")
        Checklist = self.env["sales.process.lead.checklist"]
        lines = Checklist.search([("lead_id", "in", docs.ids)]).grouped("history_id")
        checklists = defaultdict(Checklist.browse, {visit.id: visit_lines for visit, visit_lines in lines.items()})
        return {"doc_ids": docids, "doc_model": docs._name, "docs": docs, "checklists": checklists}


class TrainingTranscriptReport(models.AbstractModel):
    """The training transcript of the salespeople of the selected records: all their records, their compliance."""

    _name = "report.sales_process_mgmt.training_transcript_document"
    _description = "Training Transcript"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["sales.process.training.record"].browse(docids)
        docs.check_access("read")
        salespeople = docs.salesperson_id
        Record = self.env["sales.process.training.record"]
        by_salesperson = Record.search([("salesperson_id", "in", salespeople.ids)], order="date desc, id desc")
        records = defaultdict(
            Record.browse,
            {user.id: user_records for user, user_records in by_salesperson.grouped("salesperson_id").items()},
        )
        matrix = self.env["sales.process.training.matrix"]
        return {
            "doc_ids": docids,
            "doc_model": docs._name,
            "docs": docs,
            "salespeople": salespeople,
            "records": records,
            "compliance": matrix._get_compliance(salespeople),
            "required": matrix.search([("user_id", "in", salespeople.ids)]).grouped("user_id"),
        }
