from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

TIME_LIMIT_FIELDS = {"has_time_limit", "max_days", "warning_percent", "time_basis"}


class CrmStage(models.Model):
    _inherit = "crm.stage"

    objective = fields.Text(translate=True, help="What the stage must achieve.")
    work_standard = fields.Html(translate=True, help="How the work of this stage is done.")
    checklist_item_ids = fields.One2many("sales.process.checklist.item", "stage_id", string="Checklist")
    gate_ids = fields.One2many("sales.process.stage.gate", "stage_id", string="Exit Criteria")
    gate_count = fields.Integer(compute="_compute_gate_count")
    has_time_limit = fields.Boolean(string="Time Limit")
    max_days = fields.Float(string="Maximum Days", help="Maximum time a lead may stay in this stage.")
    warning_percent = fields.Integer(
        string="Warning at (%)", default=80, help="Share of the maximum time after which the lead is near its limit."
    )
    time_basis = fields.Selection(
        [("calendar", "Calendar days"), ("working", "Working days")],
        default="calendar",
        required=True,
        help="Working days follow the working calendar of the lead's company.",
    )
    responsibility_ids = fields.One2many("sales.process.responsibility", "stage_id", string="Responsibilities")
    responsible_user_id = fields.Many2one(
        "res.users", string="Stage Owner", help="Person responsible for the standard of this stage."
    )

    @api.depends("gate_ids")
    def _compute_gate_count(self):
        for stage in self:
            stage.gate_count = len(stage.gate_ids)

    @api.constrains("has_time_limit", "max_days", "warning_percent")
    def _check_time_limit(self):
        for stage in self:
            if stage.has_time_limit and stage.max_days <= 0:
                raise ValidationError(
                    _(
                        "Stage %(stage)s: the Maximum Days must be greater than zero (got %(days)s).",
                        stage=stage.name,
                        days=stage.max_days,
                    )
                )
            if not 1 <= stage.warning_percent <= 100:
                raise ValidationError(
                    _(
                        "Stage %(stage)s: the warning threshold must be between 1 and 100%% (got %(percent)s).",
                        stage=stage.name,
                        percent=stage.warning_percent,
                    )
                )

    @api.constrains("is_won")
    def _check_won_without_gates(self):
        for stage in self.filtered(lambda s: s.is_won and s.gate_ids):
            raise ValidationError(
                _("Stage %(stage)s has exit criteria, so it cannot be a won stage.", stage=stage.name)
            )

    def write(self, vals):
        result = super().write(vals)
        if TIME_LIMIT_FIELDS.intersection(vals):
            # the leads' deadlines are recomputed; their open visits follow
            self.env["sales.process.stage.history"]._refresh_open_deadlines(self)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_stage_history(self):
        """Stage visits are the process history KPIs read: a visited stage is folded, not deleted."""
        groups = (
            self.env["sales.process.stage.history"]
            .sudo()
            ._read_group([("stage_id", "in", self.ids)], ["stage_id"], ["__count"])
        )
        if groups:
            stage, count = groups[0]
            raise UserError(
                _(
                    "Stage %(stage)s cannot be deleted: %(count)s stage visits of the sales process history "
                    "refer to it. Fold the stage instead.",
                    stage=stage.name,
                    count=count,
                )
            )

    def _get_sales_process_limit(self, date_in, calendar, cache):
        """(deadline, warning date) of a visit entering this stage at ``date_in``.

        ``cache`` is shared by a batch: leads moved together share their results.
        """
        self.ensure_one()
        if not self.has_time_limit or not date_in:
            return False, False
        working = self.time_basis == "working" and calendar
        key = (self.id, date_in, calendar.id if working else 0)
        if key not in cache:
            warning_days = self.max_days * self.warning_percent / 100.0
            if working:
                workdays = cache.setdefault(("workdays", calendar.id), calendar._get_sales_process_workdays())
                cache[key] = tuple(
                    calendar._sales_process_add_working_days_to_datetime(date_in, round(days), workdays)
                    for days in (self.max_days, warning_days)
                )
            else:
                cache[key] = (date_in + timedelta(days=self.max_days), date_in + timedelta(days=warning_days))
        return cache[key]
