"""Evaluation at scale (issue #11: KPIs, scorecards, process forecast).

Data (plain SQL inserts): 50 salespeople in 5 teams, 200,000 opportunities created over
the 12 months of 2025 (30 % won, 20 % lost, 50 % open), 1,000,000 stage visits (5 per
lead), 100,000 activities, 30,000 customer ratings; plus 100,000 open opportunities more,
so that the forecast runs over 200,000 open ones.

1. Twelve monthly scorecards of 2025 with every built-in KPI for the 50 salespeople
   (``action_compute``: the actual and previous-period values, targets, lines, scores),
   next to hand-written SQL returning the same actual values (one query per KPI over the
   year, grouped by month and salesperson); asserted equal.
2. The process forecast (pivot: team × expected closing month, Odoo's and the process's
   weighted revenue) over 200,000 open opportunities, next to its SQL (both read the stage
   win rates stored by ``_refresh_rates``, itself timed against the rates' SELECT).
"""

from datetime import date

from win_rates import refresh_win_rates

from odoo import Command
from odoo.addons.sales_process_mgmt.models.sales_process_kpi import KPI_KINDS
from odoo.tools import SQL

YEAR = 2025
BUILTIN_KINDS = [kind for kind, _label in KPI_KINDS if kind != "custom"]


def _setup(env, bench):
    cr = env.cr
    company = env.company
    users = bench.create_users("bench_eval", 50)
    teams = env["crm.team"].create(
        [
            {"name": f"Bench Eval Team {t}", "member_ids": [Command.set(users[t * 10 : (t + 1) * 10].ids)]}
            for t in range(5)
        ]
    )
    stages = env["crm.stage"].create([{"name": f"Bench E{i}", "sequence": 1001 + i} for i in range(5)])
    won = env["crm.stage"].create({"name": "Bench E Won", "sequence": 1010, "is_won": True})
    reason = env["crm.lost.reason"].create({"name": "Bench reason"})
    user_team = {user.id: teams[i // 10].id for i, user in enumerate(users)}
    params = {
        "users": users.ids,
        "teams": [user_team[u] for u in users.ids],
        "stages": stages.ids,
        "won": won.id,
        "company": company.id,
        "reason": reason.id,
        "start": f"{YEAR}-01-01",
    }
    # kind of lead by i % 10: 0-2 won, 3-4 lost, 5-9 open
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id, probability,
                              expected_revenue, create_date, write_date, date_closed, lost_reason_id,
                              date_deadline, date_last_stage_update)
        SELECT 'Eval lead ' || i, 'opportunity', i %% 10 NOT IN (3, 4),
               CASE WHEN i %% 10 < 3 THEN %(won)s ELSE (%(stages)s::int[])[1 + i %% 5] END,
               (%(teams)s::int[])[1 + i %% 50], (%(users)s::int[])[1 + i %% 50], %(company)s,
               CASE WHEN i %% 10 < 3 THEN 100 WHEN i %% 10 < 5 THEN 0 ELSE 10 + i %% 80 END,
               1000 + i %% 5000, c, c,
               CASE WHEN i %% 10 < 3 THEN c + make_interval(days => 5 + i %% 60)
                    WHEN i %% 10 < 5 THEN c + make_interval(days => 3 + i %% 40) END,
               CASE WHEN i %% 10 IN (3, 4) THEN %(reason)s END,
               (c + make_interval(days => 30 + i %% 90))::date, c
          FROM generate_series(1, 200000) i,
               LATERAL (SELECT %(start)s::timestamp + make_interval(days => i %% 365, hours => i %% 24) AS c) d
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id, probability,
                              expected_revenue, create_date, write_date, date_deadline, date_last_stage_update)
        SELECT 'Eval open lead ' || i, 'opportunity', true, (%(stages)s::int[])[1 + i %% 5],
               (%(teams)s::int[])[1 + i %% 50], (%(users)s::int[])[1 + i %% 50], %(company)s, 10 + i %% 80,
               2000 + i %% 3000, now() at time zone 'utc', now() at time zone 'utc',
               (now() at time zone 'utc' + make_interval(days => i %% 180))::date, now() at time zone 'utc'
          FROM generate_series(1, 100000) i
        """,
        params,
    )
    # 5 visits per lead of the first batch: stages 1..5; the last one of an open lead is open
    cr.execute(
        """
        INSERT INTO sales_process_stage_history
               (lead_id, stage_id, next_stage_id, user_id, team_id, company_id, date_in, date_out,
                duration_days, duration_working_days, overdue, is_open, exit_type, visit_count,
                create_date, write_date)
        SELECT l.id, (%(stages)s::int[])[v],
               CASE WHEN v < 5 THEN (%(stages)s::int[])[v + 1] WHEN l.active AND l.stage_id = %(won)s THEN %(won)s END,
               l.user_id, l.team_id, l.company_id,
               l.create_date + make_interval(days => (v - 1) * 6),
               CASE WHEN v < 5 OR l.date_closed IS NOT NULL
                    THEN l.create_date + make_interval(days => (v - 1) * 6 + (l.id * 7 + v * 13) %% 6) END,
               ((l.id * 7 + v * 13) %% 6)::float, ((l.id * 7 + v * 13) %% 6) * 5 / 7,
               (l.id * 7 + v * 13) %% 6 > 4,
               v = 5 AND l.date_closed IS NULL,
               CASE WHEN v < 5 THEN 'moved' WHEN l.date_closed IS NOT NULL AND NOT l.active THEN 'lost'
                    WHEN l.date_closed IS NOT NULL THEN 'moved' END,
               1, l.create_date, l.create_date
          FROM crm_lead l CROSS JOIN generate_series(1, 5) v
         WHERE l.name LIKE 'Eval lead %%'
        """,
        params,
    )
    todo = env.ref("mail.mail_activity_data_todo")
    cr.execute(
        """
        INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, user_id, activity_type_id,
                                   date_deadline, active, date_done, create_date, write_date, create_uid)
        SELECT %(model)s, 'crm.lead', l.id, l.name, l.user_id, %(type)s,
               (l.create_date + make_interval(days => 2 + l.id %% 10))::date, l.id %% 3 = 0,
               CASE WHEN l.id %% 3 <> 0 THEN (l.create_date + make_interval(days => l.id %% 14))::date END,
               l.create_date + make_interval(hours => 1 + l.id %% 72), l.create_date, 1
          FROM crm_lead l WHERE l.name LIKE 'Eval lead %%' AND l.id %% 2 = 0
        """,
        {"model": env["ir.model"]._get_id("crm.lead"), "type": todo.id},
    )
    cr.execute(
        """
        INSERT INTO rating_rating (res_model_id, res_model, res_id, rating, consumed, access_token,
                                   create_date, write_date, sales_process_source, sales_process_lead_id)
        SELECT %(model)s, 'crm.lead', l.id, 1 + (l.id %% 5), true, md5(l.id::text),
               l.date_closed, l.date_closed + interval '2 days', 'customer', l.id
          FROM crm_lead l
         WHERE l.name LIKE 'Eval lead %%' AND l.stage_id = %(won)s AND l.id %% 2 = 0
        """,
        {"model": env["ir.model"]._get_id("crm.lead"), "won": won.id},
    )
    cr.execute("ANALYZE crm_lead; ANALYZE sales_process_stage_history; ANALYZE mail_activity; ANALYZE rating_rating")
    for table, label in (
        ("crm_lead", "leads"),
        ("sales_process_stage_history", "stage visits"),
        ("mail_activity", "activities"),
        ("rating_rating", "ratings"),
    ):
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        bench.report(f"evaluation_data_{table}", f"{cr.fetchone()[0]} {label}")
    kpis = env["sales.process.kpi"].create(
        [
            {
                "code": f"B-{kind}",
                "name": f"Bench {kind}",
                "kind": kind,
                "stage_id": stages[1].id
                if kind in ("stage_conversion", "stage_time_avg", "stage_time_median")
                else False,
                "direction": "lower"
                if kind
                in (
                    "cycle_avg",
                    "cycle_median",
                    "stage_time_avg",
                    "stage_time_median",
                    "overdue_visits",
                    "first_activity_days",
                    "lost_count",
                )
                else "higher",
            }
            for kind in BUILTIN_KINDS
        ]
    )
    env.cr.commit()
    return users, teams, stages, won, kpis


def _baseline_sql(env, users, stages, kpis):
    """The actual values of every KPI, month and salesperson of the year, in hand-written SQL."""
    cr = env.cr
    base = {"company": env.company.id, "users": users.ids, "from": f"{YEAR}-01-01", "to": f"{YEAR + 1}-01-01"}
    lead = "l.company_id = %(company)s AND l.user_id = ANY(%(users)s) AND l.type = 'opportunity'"
    won = f"""FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
             WHERE {lead} AND l.active AND s.is_won AND l.date_closed >= %(from)s AND l.date_closed < %(to)s"""
    month = "date_trunc('month', {})::date"
    stage = stages[1]
    cr.execute("SELECT id FROM crm_stage WHERE (sequence, id) > (%s, %s)", (stage.sequence, stage.id))
    later = [row[0] for row in cr.fetchall()]
    visits = """FROM sales_process_stage_history h
                WHERE h.company_id = %(company)s AND h.user_id = ANY(%(users)s) AND NOT h.is_open
                  AND h.date_out >= %(from)s AND h.date_out < %(to)s"""
    queries = {
        "won_revenue": f"SELECT {month.format('l.date_closed')}, l.user_id, SUM(l.expected_revenue) {won}"
        " GROUP BY 1, 2",
        "won_count": f"SELECT {month.format('l.date_closed')}, l.user_id, COUNT(*) {won} GROUP BY 1, 2",
        "cycle_avg": f"""SELECT {month.format("l.date_closed")}, l.user_id,
                                AVG(EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400) {won} GROUP BY 1, 2""",
        "cycle_median": f"""SELECT {month.format("l.date_closed")}, l.user_id, percentile_cont(0.5) WITHIN GROUP
                                   (ORDER BY EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400)
                            {won} GROUP BY 1, 2""",
        "new_count": f"""SELECT {month.format("l.create_date")}, l.user_id, COUNT(*) FROM crm_lead l
                          WHERE {lead} AND l.create_date >= %(from)s AND l.create_date < %(to)s GROUP BY 1, 2""",
        "win_rate": f"""SELECT {month.format("l.date_closed")}, l.user_id,
                               100.0 * COUNT(*) FILTER (WHERE l.active AND s.is_won) / COUNT(*)
                          FROM crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id
                         WHERE {lead} AND l.date_closed >= %(from)s AND l.date_closed < %(to)s
                           AND ((l.active AND s.is_won) OR (NOT l.active AND l.probability = 0))
                      GROUP BY 1, 2""",
        "lost_count": f"""SELECT {month.format("l.date_closed")}, l.user_id, COUNT(*) FROM crm_lead l
                           WHERE {lead} AND NOT l.active AND l.probability = 0
                             AND l.date_closed >= %(from)s AND l.date_closed < %(to)s GROUP BY 1, 2""",
        "stage_time_avg": f"""SELECT {month.format("h.date_out")}, h.user_id, AVG(h.duration_days) {visits}
                                 AND h.stage_id = {stage.id} GROUP BY 1, 2""",
        "stage_time_median": f"""SELECT {month.format("h.date_out")}, h.user_id,
                                        percentile_cont(0.5) WITHIN GROUP (ORDER BY h.duration_days) {visits}
                                    AND h.stage_id = {stage.id} GROUP BY 1, 2""",
        "within_standard": f"""SELECT {month.format("h.date_out")}, h.user_id,
                                      100.0 * COUNT(*) FILTER (WHERE h.overdue IS NOT TRUE) / COUNT(*) {visits}
                              GROUP BY 1, 2""",
        "overdue_visits": f"SELECT {month.format('h.date_out')}, h.user_id, COUNT(*) {visits} AND h.overdue"
        " GROUP BY 1, 2",
        "stage_conversion": f"""SELECT {month.format("h.date_out")}, h.user_id,
                                       100.0 * COUNT(*) FILTER (WHERE h.exit_type = 'moved'
                                                                  AND h.next_stage_id = ANY(%(later)s)) / COUNT(*)
                                  {visits} AND h.stage_id = {stage.id} AND h.exit_type IN ('moved', 'lost')
                              GROUP BY 1, 2""",
        "first_activity_days": f"""
            WITH leads AS (
                SELECT l.id, {month.format("l.create_date")} AS m, l.user_id, l.create_date FROM crm_lead l
                 WHERE {lead} AND l.create_date >= %(from)s AND l.create_date < %(to)s
            ), act AS (
                SELECT a.res_id, MIN(a.create_date) AS first FROM mail_activity a JOIN leads ON leads.id = a.res_id
                 WHERE a.res_model = 'crm.lead' GROUP BY 1
            ), msg AS (
                SELECT mm.res_id, MIN(mm.date) AS first FROM mail_message mm JOIN leads ON leads.id = mm.res_id
                 WHERE mm.model = 'crm.lead' AND mm.mail_activity_type_id IS NOT NULL GROUP BY 1
            )
            SELECT leads.m, leads.user_id,
                   AVG(GREATEST(EXTRACT(EPOCH FROM LEAST(act.first, msg.first) - leads.create_date), 0) / 86400)
              FROM leads LEFT JOIN act ON act.res_id = leads.id LEFT JOIN msg ON msg.res_id = leads.id
             WHERE act.first IS NOT NULL OR msg.first IS NOT NULL GROUP BY 1, 2""",
        "activities_on_time": """
            SELECT date_trunc('month', a.date_deadline)::date, a.user_id,
                   100.0 * COUNT(*) FILTER (WHERE NOT a.active AND a.date_done <= a.date_deadline)
                   / NULLIF(COUNT(*) FILTER (WHERE NOT a.active AND a.date_done IS NOT NULL
                                                OR a.active AND a.date_deadline < CURRENT_DATE), 0)
              FROM mail_activity a JOIN crm_lead l ON l.id = a.res_id AND a.res_model = 'crm.lead'
             WHERE l.company_id = %(company)s AND a.user_id = ANY(%(users)s)
               AND a.date_deadline >= %(from)s AND a.date_deadline < %(to)s GROUP BY 1, 2""",
        "satisfaction_avg": f"""SELECT {month.format("r.write_date")}, l.user_id, AVG(r.rating)
                                  FROM rating_rating r JOIN crm_lead l ON l.id = r.res_id AND r.res_model = 'crm.lead'
                                 WHERE {lead} AND r.consumed AND r.rating >= 1
                                   AND r.write_date >= %(from)s AND r.write_date < %(to)s GROUP BY 1, 2""",
        "satisfaction_pct": f"""SELECT {month.format("r.write_date")}, l.user_id,
                                       100.0 * COUNT(*) FILTER (WHERE r.rating >= 4) / COUNT(*)
                                  FROM rating_rating r JOIN crm_lead l ON l.id = r.res_id AND r.res_model = 'crm.lead'
                                 WHERE {lead} AND r.consumed AND r.rating >= 1
                                   AND r.write_date >= %(from)s AND r.write_date < %(to)s GROUP BY 1, 2""",
        "open_at_end": f"""SELECT (m - interval '1 month')::date, l.user_id, COUNT(*)
                             FROM generate_series(%(from)s::timestamp + interval '1 month', %(to)s::timestamp,
                                                  interval '1 month') m
                             JOIN crm_lead l ON l.create_date < m AND (l.date_closed IS NULL OR l.date_closed >= m)
                            WHERE {lead} AND (l.active OR l.date_closed IS NOT NULL) GROUP BY 1, 2""",
        "won_avg": f"""SELECT {month.format("l.date_closed")}, l.user_id, AVG(l.expected_revenue),
                              AVG(EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400) {won} GROUP BY 1, 2""",
    }
    params = dict(base, later=later, today=date.today())
    rows = {}
    for name, query in queries.items():
        cr.execute(query, params)
        rows[name] = {(m, u): values for m, u, *values in cr.fetchall()}
    result = {}
    for kpi in kpis:
        if kpi.kind == "training_compliance":
            continue  # the matrix's own helper on both sides: no course required, no data
        if kpi.kind == "pipeline_velocity":
            for key, (amount, cycle) in rows["won_avg"].items():
                rate = rows["win_rate"].get(key)
                opened = rows["open_at_end"].get(key)
                if opened and rate and rate[0] is not None and cycle:
                    result[(kpi.code, key[0], key[1])] = round(
                        opened[0] * float(rate[0]) / 100 * float(amount) / float(cycle), 4
                    )
            continue
        for (m, u), (value,) in rows[kpi.kind].items():
            if value is not None:
                result[(kpi.code, m, u)] = round(float(value), 4)
    return result


def bench_scorecards(env, bench, users, stages, kpis):
    Evaluation = env["sales.process.evaluation"]
    months = [date(YEAR, m, 1) for m in range(1, 13)]
    holder = {}

    def create():
        holder["evaluations"] = Evaluation.create(
            [
                {
                    "name": f"Bench {m:%Y-%m}",
                    "period_type": "month",
                    "date_start": m,
                    "user_ids": [Command.set(users.ids)],
                    "kpi_ids": [Command.create({"kpi_id": kpi.id, "weight": 1}) for kpi in kpis],
                }
                for m in months
            ]
        )
        env.flush_all()

    def drop():
        env.cr.rollback()

    def measured():
        evaluations = holder["evaluations"]
        evaluations.action_compute()
        env.flush_all()
        env.cr.execute(
            """
            SELECT k.code, e.date_start, l.user_id, l.actual
              FROM sales_process_evaluation_line l
              JOIN sales_process_evaluation e ON e.id = l.evaluation_id
              JOIN sales_process_kpi k ON k.id = l.kpi_id
             WHERE l.evaluation_id = ANY(%s) AND l.has_actual AND k.kind <> 'training_compliance'
            """,
            [evaluations.ids],
        )
        return {(code, m, u): round(actual, 4) for code, m, u, actual in env.cr.fetchall()}

    def baseline():
        return _baseline_sql(env, users, stages, kpis)

    def same(base, meas):
        # lines store 2 decimals (digits=(16, 2))
        if base.keys() != meas.keys():
            print("keys differ:", len(base), len(meas), sorted(set(base) ^ set(meas))[:5])
            return False
        bad = [k for k in base if abs(base[k] - meas[k]) > 0.006]
        if bad:
            print("values differ:", [(k, base[k], meas[k]) for k in bad[:5]])
        return not bad

    bench.compare(
        f"scorecards_12_months_x_50_salespeople_x_{len(kpis)}_builtin_kpis (baseline: hand-written SQL, same actuals)",
        baseline=baseline,
        measured=measured,
        setup=create,
        teardown=drop,
        goal=1.5,
        same=same,
        repeat=3,
    )
    create()
    env.invalidate_all()
    start = env.cr.sql_log_count
    holder["evaluations"].action_compute()
    env.flush_all()
    bench.report(
        "scorecards_12_months_queries",
        f"{env.cr.sql_log_count - start} SQL queries ({len(holder['evaluations'].line_ids)} lines)",
    )
    drop()


def bench_forecast(env, bench):
    env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.forecast_months", 36)
    env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.forecast_min_sample", 10)
    env.cr.commit()
    refresh_win_rates(env, bench, "forecast_stage_win_rates_refresh (baseline: the rates' SELECT)")
    Forecast = env["sales.process.forecast"]

    def measured():
        groups = Forecast._read_group(
            [],
            ["team_id", "date_deadline:month"],
            ["odoo_weighted_revenue:sum", "process_weighted_revenue:sum", "__count"],
        )
        return sorted(
            (team.id, month, round(odoo or 0, 2), round(process or 0, 2), count)
            for team, month, odoo, process, count in groups
        )

    def baseline():
        env.cr.execute(
            """
            SELECT l.team_id, date_trunc('month', l.date_deadline)::date,
                   SUM(l.expected_revenue * l.probability / 100),
                   SUM(CASE WHEN r.sample_size >= 10 THEN l.expected_revenue * r.won_count / r.sample_size END),
                   COUNT(*)
              FROM crm_lead l
              JOIN crm_stage st ON st.id = l.stage_id
         LEFT JOIN sales_process_stage_win_rate r
                ON r.stage_id = l.stage_id AND r.company_id IS NOT DISTINCT FROM l.company_id
             WHERE l.active AND l.type = 'opportunity' AND st.is_won IS NOT TRUE
          GROUP BY 1, 2
            """
        )
        return sorted(
            (team, month, round(odoo or 0, 2), round(process or 0, 2), count)
            for team, month, odoo, process, count in env.cr.fetchall()
        )

    env.cr.execute(
        "SELECT count(*) FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id"
        " WHERE l.active AND l.type = 'opportunity' AND s.is_won IS NOT TRUE"
    )
    bench.report("forecast_open_opportunities", f"{env.cr.fetchone()[0]} open opportunities")
    bench.compare("forecast_pivot_team_x_month (baseline: SQL)", baseline=baseline, measured=measured, goal=2)


def run(env, bench):
    users, _teams, stages, _won, kpis = _setup(env, bench)
    bench_scorecards(env, bench, users, stages, kpis)
    bench_forecast(env, bench)
