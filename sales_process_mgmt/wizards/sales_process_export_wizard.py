import base64

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..reports.sales_process_xlsx_sheets import SHEETS


class SalesProcessExportWizard(models.TransientModel):
    """*Sales Process > Analysis > Export to Excel*: the selection of one workbook."""

    _name = "sales.process.export.wizard"
    _description = "Export the Sales Process to Excel"

    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_date_from())
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    team_ids = fields.Many2many("crm.team", string="Sales Teams", help="Empty: every team you may read.")
    user_ids = fields.Many2many(
        "res.users", string="Salespeople", domain=[("share", "=", False)], help="Empty: every salesperson."
    )
    stage_ids = fields.Many2many("crm.stage", string="Stages", help="Empty: every stage.")
    sheet_summary = fields.Boolean(string="Summary", default=True)
    sheet_stage_durations = fields.Boolean(string="Stage Durations", default=True)
    sheet_funnel = fields.Boolean(string="Funnel", default=True)
    sheet_forecast = fields.Boolean(string="Forecast", default=True)
    sheet_risks = fields.Boolean(string="Risks", default=True)
    sheet_training = fields.Boolean(string="Training", default=True)
    sheet_actions = fields.Boolean(string="Actions", default=True)
    sheet_visits = fields.Boolean(string="Stage Visits", help="Every stage visit entered in the period.")

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1) - relativedelta(months=2)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    _(
                        "Export to Excel: the period starts on %(start)s, after its end (%(end)s).",
                        start=wizard.date_from,
                        end=wizard.date_to,
                    )
                )

    def _get_options(self):
        self.ensure_one()
        return {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
            "team_ids": self.team_ids.ids,
            "user_ids": self.user_ids.ids,
            "stage_ids": self.stage_ids.ids,
            "sheets": [key for key, __ in SHEETS if self[f"sheet_{key}"]],
        }

    def action_export(self):
        """Download the workbook (rendered on the read-only cursor, see controllers/report_xlsx.py)."""
        self.ensure_one()
        if not any(self[f"sheet_{key}"] for key, __ in SHEETS):
            raise UserError(_("Export to Excel: choose at least one sheet."))
        report = self.env.ref("sales_process_mgmt.sales_process_export_xlsx")
        return report.report_action(self, data={"options": self._get_options()}, config=False)

    @api.model
    @api.readonly
    def get_workbook(self, options):
        """The workbook of ``options`` (the keys of ``_get_options``) for RPC clients.

        Returns ``{"filename": ..., "content": base64}``; read-only, so that a deployment
        with a replica (``--db_replica_host``) serves it from the replica.
        """
        report = self.env.ref("sales_process_mgmt.sales_process_export_xlsx")
        content, __ = self.env["ir.actions.report"]._render_xlsx(report.report_name, None, {"options": options})
        options = self.env[f"report.{report.report_name}"]._parse_options({"options": options})
        return {
            "filename": self.env[f"report.{report.report_name}"]._export_filename(options),
            "content": base64.b64encode(content).decode(),
        }
