from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PERIOD_TYPES = [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")]
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_end(period_type, date_start):
    """Last day of the period of ``period_type`` starting on ``date_start``."""
    return date_start + relativedelta(months=PERIOD_MONTHS[period_type], days=-1)


def is_period_start(period_type, date_start):
    """Whether ``date_start`` is the first day of a month, a quarter or a year."""
    if date_start.day != 1:
        return False
    if period_type == "quarter":
        return date_start.month in (1, 4, 7, 10)
    if period_type == "year":
        return date_start.month == 1
    return True


class SalesProcessKpiTarget(models.Model):
    """The target (销售目标) of a KPI for a company, a team or a salesperson over a period."""

    _name = "sales.process.kpi.target"
    _description = "Sales Process KPI Target"
    _order = "date_start desc, kpi_id, scope, id"
    _rec_name = "kpi_id"

    kpi_id = fields.Many2one("sales.process.kpi", string="KPI", required=True, ondelete="cascade", index=True)
    scope = fields.Selection(
        [("company", "Company"), ("team", "Sales Team"), ("user", "Salesperson")], required=True, default="team"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson")
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="month")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(string="End", compute="_compute_date_end", store=True)
    value = fields.Float(string="Target", required=True)
    unit = fields.Selection(related="kpi_id.unit")

    _sql_constraints = [
        (
            "target_uniq",
            "UNIQUE NULLS NOT DISTINCT (kpi_id, scope, company_id, team_id, user_id, period_type, date_start)",
            "There is already a target for this KPI, scope and period.",
        ),
    ]

    @api.depends("period_type", "date_start")
    def _compute_date_end(self):
        for target in self:
            target.date_end = target.date_start and period_end(target.period_type, target.date_start)

    @api.model_create_multi
    def create(self, vals_list):
        # Checked before the INSERT, whose unique constraint would otherwise answer first
        # (untranslated); the constraint still guards concurrent saves.
        keys = set()
        for vals in vals_list:
            key = self._target_key(vals)
            if key in keys or self.search_count(self._target_domain(key), limit=1):
                kpi = self.env["sales.process.kpi"].browse(vals.get("kpi_id"))
                name = "%s (%s)" % (kpi.name, vals.get("date_start"))  # noqa: UP031 (babel reads the call below)
                raise ValidationError(
                    _("Target %(target)s: there is already a target for this KPI, scope and period.", target=name)
                )
            keys.add(key)
        return super().create(vals_list)

    def _target_key(self, vals):
        return (
            vals.get("kpi_id"),
            vals.get("scope", "team"),
            vals.get("company_id", self.env.company.id),
            vals.get("team_id") or False,
            vals.get("user_id") or False,
            vals.get("period_type", "month"),
            str(vals.get("date_start")),
        )

    @staticmethod
    def _target_domain(key):
        kpi, scope, company, team, user, period_type, date_start = key
        return [
            ("kpi_id", "=", kpi),
            ("scope", "=", scope),
            ("company_id", "=", company),
            ("team_id", "=", team),
            ("user_id", "=", user),
            ("period_type", "=", period_type),
            ("date_start", "=", date_start),
        ]

    @api.constrains("scope", "team_id", "user_id", "period_type", "date_start", "kpi_id", "company_id")
    def _check_target(self):
        for target in self:
            name = f"{target.kpi_id.name} ({target.date_start})"
            if not is_period_start(target.period_type, target.date_start):
                raise ValidationError(
                    _(
                        "Target %(target)s: the Start must be the first day of a %(period)s.",
                        target=name,
                        period=dict(self._fields["period_type"]._description_selection(self.env))[target.period_type],
                    )
                )
            if (target.scope == "team") != bool(target.team_id) or (target.scope == "user") != bool(target.user_id):
                raise ValidationError(
                    _(
                        "Target %(target)s: set the Sales Team or the Salesperson of its scope, and only it.",
                        target=name,
                    )
                )
            duplicate = self.search_count(
                [
                    ("id", "!=", target.id),
                    ("kpi_id", "=", target.kpi_id.id),
                    ("scope", "=", target.scope),
                    ("company_id", "=", target.company_id.id),
                    ("team_id", "=", target.team_id.id),
                    ("user_id", "=", target.user_id.id),
                    ("period_type", "=", target.period_type),
                    ("date_start", "=", target.date_start),
                ]
            )
            if duplicate:
                raise ValidationError(
                    _("Target %(target)s: there is already a target for this KPI, scope and period.", target=name)
                )
