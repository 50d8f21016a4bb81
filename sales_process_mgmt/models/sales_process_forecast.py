from odoo import fields, models
from odoo.tools import SQL


class SalesProcessForecast(models.Model):
    """Process forecast: each open opportunity weighted by the historical win rate of its stage.

    The win rates per stage and company are kept in ``sales.process.stage.win.rate``
    (see there; refreshed daily and when the settings change). Below the minimum sample
    (setting) the rate is not given: "sample too small". Odoo's probability-weighted
    revenue is shown next to it.
    """

    _name = "sales.process.forecast"
    _description = "Sales Process Forecast"
    _auto = False
    _order = "date_deadline, id"
    _rec_name = "lead_id"
    _depends = {
        "crm.lead": [
            "stage_id",
            "active",
            "type",
            "expected_revenue",
            "probability",
            "date_deadline",
            "user_id",
            "team_id",
            "company_id",
        ],
        "crm.stage": ["is_won"],
        "sales.process.stage.win.rate": [
            "stage_id",
            "company_id",
            "sample_size",
            "won_count",
            "sufficient_sample",
            "computed_on",
        ],
    }

    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_deadline = fields.Date(string="Expected Closing", readonly=True)
    expected_revenue = fields.Monetary(readonly=True, currency_field="currency_id")
    probability = fields.Float(string="Odoo Probability (%)", readonly=True, aggregator="avg")
    odoo_weighted_revenue = fields.Monetary(string="Odoo Weighted Revenue", readonly=True, currency_field="currency_id")
    historical_win_rate = fields.Float(string="Historical Win Rate (%)", readonly=True, aggregator="avg")
    sample_size = fields.Integer(
        readonly=True, aggregator="sum", help="Decided visits of the stage in the period the win rate is taken from."
    )
    sufficient_sample = fields.Boolean(readonly=True)
    process_weighted_revenue = fields.Monetary(
        string="Process Weighted Revenue",
        readonly=True,
        currency_field="currency_id",
        help="Expected revenue × historical win rate of the stage (empty when the sample is too small).",
    )
    win_rate_computed_on = fields.Datetime(string="Win Rate Refreshed On", readonly=True)

    @property
    def _table_query(self):
        # the win rates are rows of sales.process.stage.win.rate (refreshed daily), not
        # recomputed from the history here: the pivot asks for its total and its rows apart
        return SQL(
            """
            SELECT l.id AS id, l.id AS lead_id, l.stage_id, l.user_id, l.team_id, l.company_id,
                   c.currency_id, l.date_deadline, l.expected_revenue, l.probability,
                   l.expected_revenue * l.probability / 100 AS odoo_weighted_revenue,
                   CASE WHEN r.sufficient_sample THEN 100.0 * r.won_count / r.sample_size END AS historical_win_rate,
                   COALESCE(r.sample_size, 0) AS sample_size,
                   COALESCE(r.sufficient_sample, FALSE) AS sufficient_sample,
                   CASE WHEN r.sufficient_sample THEN l.expected_revenue * r.won_count / r.sample_size END
                       AS process_weighted_revenue,
                   r.computed_on AS win_rate_computed_on
              FROM crm_lead l
              JOIN crm_stage st ON st.id = l.stage_id
         LEFT JOIN res_company c ON c.id = l.company_id
         LEFT JOIN sales_process_stage_win_rate r
                ON r.stage_id = l.stage_id AND r.company_id IS NOT DISTINCT FROM l.company_id
             WHERE l.active AND l.type = 'opportunity' AND st.is_won IS NOT TRUE
            """
        )
