import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

FORECAST_MONTHS = ("sales_process_mgmt.forecast_months", 12)
FORECAST_MIN_SAMPLE = ("sales_process_mgmt.forecast_min_sample", 10)


class SalesProcessStageWinRate(models.Model):
    """Historical win rate of a stage in a company, kept for the process forecast.

    The win rate of a stage is the share of its visits opened in the last N months
    (setting) whose opportunity was eventually won, among those whose opportunity is
    decided (won, or lost: archived with probability 0). Like crm's
    ``crm.lead.scoring.frequency``, the rates are computed from the history in one
    set-based statement by a daily cron, when the forecast settings change and on demand,
    so that the forecast joins these few rows instead of aggregating every decided visit
    in each of its queries. Nobody writes them through the ORM.
    """

    _name = "sales.process.stage.win.rate"
    _description = "Stage Win Rate"
    _order = "company_id, stage_id"
    _rec_name = "stage_id"

    stage_id = fields.Many2one("crm.stage", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", readonly=True, ondelete="cascade", index=True)
    sample_size = fields.Integer(
        readonly=True, aggregator="sum", help="Decided visits of the stage in the period the win rate is taken from."
    )
    won_count = fields.Integer(
        string="Won", readonly=True, aggregator="sum", help="Of those, visits of won opportunities."
    )
    win_rate = fields.Float(string="Win Rate (%)", readonly=True, aggregator="avg", digits=(16, 2))
    sufficient_sample = fields.Boolean(
        readonly=True, help="The sample reached the minimum sample of the settings when the rate was refreshed."
    )
    date_from = fields.Datetime(string="Visits Since", readonly=True)
    computed_on = fields.Datetime(string="Refreshed On", readonly=True)

    _sql_constraints = [
        ("stage_company_unique", "UNIQUE(stage_id, company_id)", "A stage has one win rate per company."),
    ]

    def action_refresh(self):
        """Refresh button of the win rates list: the rates of the user's companies, now."""
        if not self.env.user.has_group("sales_process_mgmt.group_sales_process_admin"):
            raise AccessError(_("Only Sales Process administrators can refresh the stage win rates."))
        self._refresh_rates(self.env.companies)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_refresh_rates(self):
        count = self._refresh_rates()
        _logger.info("Sales Process: %s stage win rates refreshed", count)

    @api.model
    def _refresh_rates(self, companies=None):
        """Recompute the win rates (of ``companies`` and of leads without company; default: all).

        One ``INSERT ... SELECT`` over the stage history after deleting the rows it replaces;
        the period ends now (``fields.Datetime.now()``) and the settings are read here, so
        that the rows say what they were computed from. Returns the number of rows written.
        """
        params = self.env["ir.config_parameter"].sudo()
        months = int(params.get_param(*FORECAST_MONTHS) or FORECAST_MONTHS[1])
        min_sample = int(params.get_param(*FORECAST_MIN_SAMPLE) or FORECAST_MIN_SAMPLE[1])
        now = fields.Datetime.now()

        def scope(company_id):
            if companies is None:
                return SQL("TRUE")
            return SQL("(%(c)s IS NULL OR %(c)s = ANY(%(ids)s))", c=company_id, ids=companies.ids)

        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM sales_process_stage_win_rate WHERE %s", scope(SQL("company_id"))))
        cr.execute(
            SQL(
                """
                INSERT INTO sales_process_stage_win_rate
                       (stage_id, company_id, sample_size, won_count, win_rate, sufficient_sample, date_from,
                        computed_on, create_uid, create_date, write_uid, write_date)
                SELECT stage_id, company_id, sample, won, round(100.0 * won / sample, 2), sample >= %(min)s,
                       %(date_from)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (
                        SELECT h.stage_id, h.company_id, COUNT(*) AS sample,
                               COUNT(*) FILTER (WHERE l.active AND s.is_won) AS won
                          FROM sales_process_stage_history h
                          JOIN crm_lead l ON l.id = h.lead_id
                     LEFT JOIN crm_stage s ON s.id = l.stage_id
                         WHERE h.date_in >= %(date_from)s
                           AND ((l.active AND s.is_won) OR (NOT l.active AND l.probability = 0))
                           AND %(scope)s
                      GROUP BY h.stage_id, h.company_id
                       ) rates
                """,
                min=min_sample,
                date_from=now - relativedelta(months=months),
                now=now,
                uid=self.env.uid,
                scope=scope(SQL("h.company_id")),
            )
        )
        count = cr.rowcount
        self.invalidate_model()
        self.env["sales.process.forecast"].invalidate_model()
        return count
