"""The process forecast's stage win rates, refreshed at scale (shared by bench_dashboard and
bench_evaluation): ``_refresh_rates`` (delete, one ``INSERT ... SELECT``) next to the
aggregate it replaced in every forecast query (the rates' ``SELECT`` alone), same counts."""

RATES_SQL = """
    SELECT h.stage_id, h.company_id, COUNT(*), COUNT(*) FILTER (WHERE l.active AND s.is_won)
      FROM sales_process_stage_history h
      JOIN crm_lead l ON l.id = h.lead_id
 LEFT JOIN crm_stage s ON s.id = l.stage_id
     WHERE h.date_in >= (now() at time zone 'utc') - make_interval(months => %s)
       AND ((l.active AND s.is_won) OR (NOT l.active AND l.probability = 0))
  GROUP BY 1, 2
"""


def refresh_win_rates(env, bench, name):
    """Refresh the stored rates (committed: the forecast reads them next), timed against their SELECT."""
    cr = env.cr
    months = int(env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.forecast_months", 12))

    def baseline():
        cr.execute(RATES_SQL, [months])
        return sorted(cr.fetchall())

    def measured():
        env["sales.process.stage.win.rate"]._refresh_rates()
        cr.execute("SELECT stage_id, company_id, sample_size, won_count FROM sales_process_stage_win_rate")
        return sorted(cr.fetchall())

    bench.compare(name, baseline=baseline, measured=measured)
    cr.commit()
