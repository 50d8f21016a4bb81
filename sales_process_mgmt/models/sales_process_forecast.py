from odoo import fields, models
from odoo.tools import SQL


class SalesProcessForecast(models.Model):
    """Process forecast: each open opportunity weighted by the historical win rate of its stage.

    The win rate of a stage is the share of the visits of that stage opened in the last
    N months (setting) whose opportunity was eventually won, among those whose opportunity
    is decided (won or lost), per company. Below the minimum sample (setting) the rate is
    not given: "sample too small". Odoo's probability-weighted revenue is shown next to it.
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
            "date_closed",
        ],
        "sales.process.stage.history": ["lead_id", "stage_id", "date_in", "company_id"],
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

    @property
    def _table_query(self):
        params = self.env["ir.config_parameter"].sudo()
        months = int(params.get_param("sales_process_mgmt.forecast_months", 12) or 12)
        min_sample = int(params.get_param("sales_process_mgmt.forecast_min_sample", 10) or 10)
        return SQL(
            """
            WITH rates AS (
                SELECT h.stage_id, h.company_id,
                       COUNT(*) AS sample,
                       COUNT(*) FILTER (WHERE l.active AND s.is_won) AS won
                  FROM sales_process_stage_history h
                  JOIN crm_lead l ON l.id = h.lead_id
             LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE h.date_in >= (now() at time zone 'utc') - make_interval(months => %(months)s)
                   AND ((l.active AND s.is_won) OR (NOT l.active AND l.probability = 0))
              GROUP BY h.stage_id, h.company_id
            )
            SELECT l.id AS id, l.id AS lead_id, l.stage_id, l.user_id, l.team_id, l.company_id,
                   c.currency_id, l.date_deadline, l.expected_revenue, l.probability,
                   l.expected_revenue * l.probability / 100 AS odoo_weighted_revenue,
                   CASE WHEN r.sample >= %(min)s THEN 100.0 * r.won / r.sample END AS historical_win_rate,
                   COALESCE(r.sample, 0) AS sample_size,
                   COALESCE(r.sample, 0) >= %(min)s AS sufficient_sample,
                   CASE WHEN r.sample >= %(min)s THEN l.expected_revenue * r.won / r.sample END
                       AS process_weighted_revenue
              FROM crm_lead l
              JOIN crm_stage st ON st.id = l.stage_id
         LEFT JOIN res_company c ON c.id = l.company_id
         LEFT JOIN rates r ON r.stage_id = l.stage_id AND r.company_id IS NOT DISTINCT FROM l.company_id
             WHERE l.active AND l.type = 'opportunity' AND st.is_won IS NOT TRUE
            """,
            months=months,
            min=min_sample,
        )
