"""The Excel report actions: the export wizard's workbook and the Print menu's workbooks."""

from odoo import _, models

from .sales_process_xlsx_sheets import SHEETS


class SalesProcessExportXlsx(models.AbstractModel):
    """*Analysis > Export to Excel*: one workbook of the sheets chosen, over the selection."""

    _name = "report.sales_process_mgmt.export_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Sales Process Excel Export"

    def generate_xlsx_report(self, workbook, data, objs):
        options = self._parse_options(data)
        for key, __ in SHEETS:
            if key in options["sheets"]:
                getattr(self, f"_sheet_{key}")(workbook, options)
        if not workbook.worksheets():
            sheet, row = self._add_sheet(workbook, _("Summary"), _("Sales process export"))
            sheet.write(row, 0, _("No sheet was selected."), self._styles(workbook)["no_data"])


class SalesProcessScorecardXlsx(models.AbstractModel):
    """*Print > Scorecards (Excel)*: one sheet per scorecard, with the members' total scores."""

    _name = "report.sales_process_mgmt.scorecard_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Scorecard Excel Report"

    def generate_xlsx_report(self, workbook, data, scorecards):
        for scorecard in scorecards:
            subtitle = _(
                "%(period)s – %(end)s · %(state)s",
                period=scorecard.date_start,
                end=scorecard.date_end,
                state=dict(scorecard._fields["state"]._description_selection(self.env))[scorecard.state],
            )
            self._sheet_scorecard_lines(
                workbook, scorecard.name, scorecard.name, subtitle, [("evaluation_id", "=", scorecard.id)]
            )
        if not scorecards:
            sheet, row = self._add_sheet(workbook, _("Scorecards"), _("Scorecards"))
            sheet.write(row, 0, _("No data for this selection."), self._styles(workbook)["no_data"])


class SalesProcessRiskRegisterXlsx(models.AbstractModel):
    """*Print > Risk Register (Excel)* of the flags selected."""

    _name = "report.sales_process_mgmt.risk_register_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Risk Register Excel Report"

    def generate_xlsx_report(self, workbook, data, flags):
        self._sheet_risks(workbook, {}, domain=[("id", "in", flags.ids)])


class SalesProcessTrainingMatrixXlsx(models.AbstractModel):
    """*Print > Training Matrix (Excel)* of the rows selected."""

    _name = "report.sales_process_mgmt.training_matrix_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Training Matrix Excel Report"

    def generate_xlsx_report(self, workbook, data, rows):
        self._sheet_training(workbook, {}, domain=[("id", "in", rows.ids)])


class SalesProcessStageDurationXlsx(models.AbstractModel):
    """*Print > Stage Durations (Excel)* of the visits selected: per stage × team, then every visit."""

    _name = "report.sales_process_mgmt.stage_duration_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Stage Duration Excel Report"

    def generate_xlsx_report(self, workbook, data, visits):
        domain = [("id", "in", visits.ids)]
        self._sheet_stage_durations(workbook, {}, domain=domain + [("is_open", "=", False)])
        self._sheet_visits(workbook, {}, domain=domain)


class SalesProcessImprovementActionXlsx(models.AbstractModel):
    """*Print > Improvement Actions (Excel)* of the actions selected."""

    _name = "report.sales_process_mgmt.improvement_action_xlsx"
    _inherit = "report.sales_process_mgmt.xlsx_base"
    _description = "Improvement Action Excel Report"

    def generate_xlsx_report(self, workbook, data, actions):
        self._sheet_actions(workbook, {}, domain=[("id", "in", actions.ids)])
