from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_need_suggestion import SUGGESTION_PARAMS
from .sales_process_stage_win_rate import FORECAST_MIN_SAMPLE, FORECAST_MONTHS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_process_enforce_gates = fields.Boolean(
        string="Enforce Stage Gates",
        config_parameter="sales_process_mgmt.enforce_gates",
        help="When off, leads move between stages without their exit criteria "
        "being checked (e.g. during a data migration).",
    )
    sales_process_fallback_user_id = fields.Many2one(
        "res.users",
        string="Responsibility Fallback User",
        config_parameter="sales_process_mgmt.fallback_user_id",
        domain="[('share', '=', False)]",
        help="Takes a stage responsibility when its role resolves to nobody "
        "(no salesperson, no team leader, archived user, empty group).",
    )
    sales_process_training_expiry_warning_days = fields.Integer(
        string="Certification Expiry Warning (Days)",
        config_parameter="sales_process_mgmt.training_expiry_warning_days",
        default=30,
        help="Salespeople and their team leaders get an activity this many days before a "
        'certification expires; the training records show "Expiring Soon" from then on.',
    )

    sales_process_monthly_scorecards = fields.Boolean(
        string="Monthly Scorecards",
        config_parameter="sales_process_mgmt.monthly_scorecards",
        help="On the first days of each month, create and compute last month's scorecard of every sales team.",
    )
    sales_process_rating_on_lost = fields.Boolean(
        string="Ask Lost Customers for a Rating",
        config_parameter="sales_process_mgmt.rating_on_lost",
        help="Won opportunities always send a rating request; with this, lost ones do too.",
    )
    sales_process_forecast_months = fields.Integer(
        string="Forecast History (Months)",
        config_parameter="sales_process_mgmt.forecast_months",
        default=12,
        help="The historical win rate of a stage is taken from the visits of the last months.",
    )
    sales_process_forecast_min_sample = fields.Integer(
        string="Forecast Minimum Sample",
        config_parameter="sales_process_mgmt.forecast_min_sample",
        default=10,
        help="Below this number of decided visits, the forecast says the sample is too small.",
    )

    sales_process_suggestion_min_support = fields.Integer(
        string="Suggestions: Minimum Support",
        config_parameter="sales_process_mgmt.suggestion_min_support",
        default=3,
        help="A need category is suggested when at least this many similar won deals confirmed it "
        "together with a category the opportunity has.",
    )
    sales_process_suggestion_min_confidence = fields.Integer(
        string="Suggestions: Minimum Confidence (%)",
        config_parameter="sales_process_mgmt.suggestion_min_confidence",
        default=30,
        help="Share of the won deals with the opportunity's category that also confirmed the suggested one.",
    )
    sales_process_suggestion_months = fields.Integer(
        string="Suggestions: Look-back (Months)",
        config_parameter="sales_process_mgmt.suggestion_months",
        default=24,
        help="Only the opportunities won in these last months are compared.",
    )

    sales_process_risk_scan_interval_number = fields.Integer(
        string="Risk Scan Interval",
        compute="_compute_sales_process_risk_scan_interval",
        readonly=False,
        store=True,
        help="How often the risk rules are evaluated on every open opportunity (the cron Sales Process: Scan Risks).",
    )
    sales_process_risk_scan_interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")],
        string="Risk Scan Interval Unit",
        compute="_compute_sales_process_risk_scan_interval",
        readonly=False,
        store=True,
    )

    @api.depends("company_id")
    def _compute_sales_process_risk_scan_interval(self):
        cron = self.env.ref("sales_process_mgmt.ir_cron_risk_scan", raise_if_not_found=False)
        cron = cron and cron.sudo()
        for settings in self:
            settings.sales_process_risk_scan_interval_number = cron.interval_number if cron else 1
            settings.sales_process_risk_scan_interval_type = cron.interval_type if cron else "hours"

    def _check_suggestion_params(self):
        for name, (_key, _default, minimum, maximum) in SUGGESTION_PARAMS.items():
            field = f"sales_process_suggestion_{name}"
            value = self[field]
            if not minimum <= value <= maximum:
                raise ValidationError(
                    _(
                        "%(setting)s must be between %(minimum)s and %(maximum)s (got %(value)s).",
                        setting=self._fields[field].get_description(self.env)["string"],
                        minimum=minimum,
                        maximum=maximum,
                        value=value,
                    )
                )

    def set_values(self):
        if self.sales_process_training_expiry_warning_days < 0:
            raise ValidationError(_("The certification expiry warning cannot be a negative number of days."))
        self._check_suggestion_params()
        for field in (
            "sales_process_risk_scan_interval_number",
            "sales_process_forecast_months",
            "sales_process_forecast_min_sample",
        ):
            if self[field] <= 0:
                raise ValidationError(
                    _(
                        "%(setting)s must be a positive number (got %(value)s).",
                        setting=self._fields[field].get_description(self.env)["string"],
                        value=self[field],
                    )
                )
        params = self.env["ir.config_parameter"].sudo()
        key = "sales_process_mgmt.training_expiry_warning_days"
        forecast_keys = (FORECAST_MONTHS[0], FORECAST_MIN_SAMPLE[0])
        before = params.get_param(key)
        forecast_before = [params.get_param(name) for name in forecast_keys]
        super().set_values()
        self._set_sales_process_risk_scan_interval()
        if params.get_param(key) != before:
            # "Expiring soon" depends on the warning days: refresh the statuses now.
            self.env["sales.process.training.record"].sudo()._cron_refresh_status()
        if [params.get_param(name) for name in forecast_keys] != forecast_before:
            # the stored win rates were computed with the former period and minimum sample
            self.env["sales.process.stage.win.rate"]._refresh_rates()

    def _set_sales_process_risk_scan_interval(self):
        """Write the interval on the scan cron (administrators only reach the settings)."""
        cron = self.env.ref("sales_process_mgmt.ir_cron_risk_scan", raise_if_not_found=False)
        if not cron:
            return
        vals = {
            "interval_number": self.sales_process_risk_scan_interval_number,
            "interval_type": self.sales_process_risk_scan_interval_type or "hours",
        }
        vals = {name: value for name, value in vals.items() if cron.sudo()[name] != value}
        if vals:
            cron.sudo().write(vals)
