"""The Sales Process dashboard's data at scale (issue #13).

Data (plain SQL inserts): 50 salespeople in 5 teams, 200,000 opportunities (50 % open in
five stages, 30 % won, 20 % lost), 3 stage visits each (600,000), 40,000 open risk flags,
twelve monthly scorecards of 6 KPIs × 50 salespeople (3,600 lines), two required courses
with a training record for half the salespeople.

Measured: every data request the dashboard sends when a manager opens it, read from its
JSON (data/files/sales_process_dashboard.json): per pivot the two ``read_group`` of web's
pivot model (the total and the rows, ``lazy=False``), per chart its ``read_group``, the
list's ``search_read``; as a Sales Process manager (record rules applied). Baseline: one
hand-written SQL query per pivot (``GROUP BY ROLLUP``) and per chart giving the same
figures, asserted equal (SQL views: their own query, aggregated; the forecast's reads the
stored stage win rates, refreshed once after the data are made, as the daily cron does).
"""

import json
import os

from win_rates import refresh_win_rates

from odoo import Command
from odoo.tools import SQL, file_open

DASHBOARD = "sales_process_mgmt/data/files/sales_process_dashboard.json"
LEADS = int(os.environ.get("SPM_BENCH_DASHBOARD_LEADS", 200_000))


def _setup(env, bench):
    cr = env.cr
    company = env.company
    users = bench.create_users("bench_dash", 50)
    # the manager who watches the whole process: Sales Process administrator too (the training
    # matrix shows a plain manager the members of their own teams only)
    manager = bench.create_users("bench_dash_mgr", 1, group="sales_team.group_sale_manager")
    manager.groups_id = [Command.link(env.ref("sales_process_mgmt.group_sales_process_admin").id)]
    teams = env["crm.team"].create(
        [
            {"name": f"Bench Dash Team {t}", "member_ids": [Command.set(users[t * 10 : (t + 1) * 10].ids)]}
            for t in range(5)
        ]
    )
    stages = env["crm.stage"].create(
        [{"name": f"Bench D{i}", "sequence": 1001 + i, "has_time_limit": True, "max_days": 5 + i} for i in range(5)]
    )
    won = env["crm.stage"].create({"name": "Bench D Won", "sequence": 1010, "is_won": True})
    user_team = {user.id: teams[i // 10].id for i, user in enumerate(users)}
    params = {
        "users": users.ids,
        "teams": [user_team[u] for u in users.ids],
        "stages": stages.ids,
        "won": won.id,
        "company": company.id,
        "count": LEADS,
    }
    # kind of lead by i % 10: 0-2 won, 3-4 lost, 5-9 open
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id, probability,
                              expected_revenue, create_date, write_date, date_closed, date_deadline,
                              date_last_stage_update)
        SELECT 'Dash lead ' || i, 'opportunity', i %% 10 NOT IN (3, 4),
               CASE WHEN i %% 10 < 3 THEN %(won)s ELSE (%(stages)s::int[])[1 + i %% 5] END,
               (%(teams)s::int[])[1 + i %% 50], (%(users)s::int[])[1 + i %% 50], %(company)s,
               CASE WHEN i %% 10 < 3 THEN 100 WHEN i %% 10 < 5 THEN 0 ELSE 10 + i %% 80 END,
               1000 + i %% 5000, c, c,
               CASE WHEN i %% 10 < 5 THEN c + make_interval(days => 5 + i %% 60) END,
               (c + make_interval(days => 30 + i %% 90))::date, c
          FROM generate_series(1, %(count)s) i,
               LATERAL (SELECT (now() at time zone 'utc') - make_interval(days => i %% 365) AS c) d
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO sales_process_stage_history
               (lead_id, stage_id, next_stage_id, user_id, team_id, company_id, date_in, date_out,
                duration_days, duration_working_days, overdue, is_open, exit_type, visit_count,
                create_date, write_date)
        SELECT l.id, (%(stages)s::int[])[v], (%(stages)s::int[])[v + 1], l.user_id, l.team_id, l.company_id,
               l.create_date + make_interval(days => (v - 1) * 6),
               CASE WHEN v < 3 THEN l.create_date + make_interval(days => (v - 1) * 6 + (l.id + v) %% 9) END,
               ((l.id + v) %% 9)::float, ((l.id + v) %% 9) * 5 / 7, (l.id + v) %% 9 > 6, v = 3,
               CASE WHEN v < 3 THEN 'moved' END, 1, l.create_date, l.create_date
          FROM crm_lead l CROSS JOIN generate_series(1, 3) v
         WHERE l.name LIKE 'Dash lead %%'
        """,
        params,
    )
    rule = env["sales.process.risk.rule"].create(
        {"name": "Bench Dash Rule", "criterion": "risk_overdue", "severity": "medium"}
    )
    cr.execute(
        """
        INSERT INTO sales_process_risk_flag
               (lead_id, rule_id, severity, explanation_values, raised_on, state, is_active, flag_count,
                company_id, create_date, write_date)
        SELECT l.id, %(rule)s, (ARRAY['low', 'medium', 'high', 'critical'])[1 + l.id %% 4], '{}',
               now() at time zone 'utc', 'open', true, 1, l.company_id,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM crm_lead l
         WHERE l.name LIKE 'Dash lead %%' AND l.active AND l.stage_id <> %(won)s AND l.id %% 5 < 2
        """,
        dict(params, rule=rule.id),
    )
    kpis = env["sales.process.kpi"].create(
        [
            {"code": f"BD-{kind}", "name": f"Bench Dash {kind}", "kind": kind}
            for kind in ("won_revenue", "won_count", "new_count", "win_rate", "cycle_avg", "lost_count")
        ]
    )
    evaluations = env["sales.process.evaluation"].create(
        [
            {"name": f"Bench Dash {month}", "period_type": "month", "date_start": f"2025-{month:02d}-01"}
            for month in range(1, 13)
        ]
    )
    cr.execute(
        """
        INSERT INTO sales_process_evaluation_line
               (evaluation_id, kpi_id, member_type, user_id, team_id, company_id, date_start, actual,
                has_actual, target, achievement, has_achievement, weight, weighted_score, previous_actual,
                has_previous, trend, create_date, write_date)
        SELECT e.id, k, 'user', u.uid, u.tid, %(company)s, e.date_start, (e.id * k + u.uid) %% 1000,
               true, 500, ((e.id * k + u.uid) %% 1000) / 5.0, true, 100.0 / 6, 10, 0, false, 'none',
               now() at time zone 'utc', now() at time zone 'utc'
          FROM sales_process_evaluation e CROSS JOIN unnest(%(kpis)s::int[]) k
               CROSS JOIN unnest(%(users)s::int[], %(teams)s::int[]) u(uid, tid)
         WHERE e.id = ANY(%(evaluations)s)
        """,
        dict(params, kpis=kpis.ids, evaluations=evaluations.ids),
    )
    cr.execute("UPDATE sales_process_evaluation SET state = 'computed' WHERE id = ANY(%s)", [evaluations.ids])
    courses = env["sales.process.training.course"].create(
        [
            {"name": f"Bench Dash Course {i}", "passing_score": 60, "stage_ids": [Command.link(stages[i].id)]}
            for i in range(2)
        ]
    )
    env["sales.process.training.record"].create(
        [
            {"salesperson_id": user.id, "course_id": courses[i % 2].id, "score": 80, "company_id": company.id}
            for i, user in enumerate(users[:25])
        ]
    )
    env.flush_all()
    cr.execute("ANALYZE crm_lead; ANALYZE sales_process_stage_history; ANALYZE sales_process_risk_flag")
    cr.execute("SELECT count(*) FROM crm_lead WHERE name LIKE 'Dash lead %%'")
    bench.report("dashboard_data", f"{cr.fetchone()[0]} opportunities")
    env.cr.commit()
    refresh_win_rates(env, bench, "dashboard_stage_win_rates_refresh (baseline: the rates' SELECT)")
    return manager


def _dashboard():
    with file_open(DASHBOARD) as handle:
        data = json.load(handle)
    charts = [figure["data"] for sheet in data["sheets"] for figure in sheet["figures"]]
    return list(data["pivots"].values()), charts, list(data["lists"].values())


def _key(value):
    """A read_group key as SQL gives it: the id of a many2one, None for no value."""
    return (value[0] if isinstance(value, tuple | list) else value) or None


def _measured(env, pivots, charts, lists):
    """The dashboard's requests through the ORM, as the web client sends them; figures by pivot and group."""
    figures = {}
    for pivot in pivots:
        Model = env[pivot["model"]]
        fields = [m["fieldName"] for m in pivot["measures"] if m["fieldName"] != "__count"]
        (row,) = [r["fieldName"] for r in pivot["rows"]]
        for groupby in ([], [row]):
            for group in Model.read_group(pivot["domain"], fields, groupby, lazy=False):
                key = _key(group[row]) if groupby else "__total"
                figures[(pivot["id"], key)] = tuple(round(group[m["fieldName"]] or 0.0, 2) for m in pivot["measures"])
    for index, chart in enumerate(charts):
        meta = chart["metaData"]
        (groupby,) = meta["groupBy"]
        for group in env[meta["resModel"]].read_group(chart["searchParams"]["domain"], [], [groupby], lazy=False):
            figures[(f"chart{index}", _key(group[groupby]))] = (group["__count"],)
    for sheet_list in lists:
        env[sheet_list["model"]].search_read(sheet_list["domain"], sheet_list["columns"], limit=80, order="sequence")
    return figures


def _baseline(env, pivots, charts):
    """The same figures in hand-written SQL: one ROLLUP query per pivot, one GROUP BY per chart."""
    cr = env.cr
    forecast = env["sales.process.forecast"]._table_query
    matrix = env["sales.process.training.matrix"]._table_query
    # per model: the group key, the measures' aggregates in the pivot's order, FROM and WHERE
    sources = {
        "crm.lead": (
            "l.stage_id",
            "SUM(l.expected_revenue)",
            SQL(
                "crm_lead l JOIN crm_stage s ON s.id = l.stage_id"
                " WHERE l.active AND l.type = 'opportunity' AND s.is_won IS NOT TRUE"
            ),
        ),
        "sales.process.evaluation.line": (
            "l.kpi_id",
            "AVG(l.target), AVG(l.actual), AVG(l.achievement)",
            SQL(
                "sales_process_evaluation_line l JOIN sales_process_evaluation e ON e.id = l.evaluation_id"
                " WHERE e.state IN ('computed', 'done')"
            ),
        ),
        "sales.process.stage.history": (
            "h.stage_id",
            "AVG(h.duration_days), SUM(h.visit_count)",
            SQL("sales_process_stage_history h WHERE NOT h.is_open"),
        ),
        "sales.process.forecast": (
            "f.team_id",
            "SUM(f.expected_revenue), SUM(f.odoo_weighted_revenue), SUM(f.process_weighted_revenue)",
            SQL("(%s) f", forecast),
        ),
        "sales.process.risk.flag": ("f.severity", None, SQL("sales_process_risk_flag f WHERE f.is_active")),
        "sales.process.training.matrix": (
            "m.team_id",
            "AVG(m.compliance), SUM(m.compliant_count)",
            SQL("(%s) m", matrix),
        ),
    }
    figures = {}
    for pivot in pivots:
        key, aggregates, source = sources[pivot["model"]]
        cr.execute(
            SQL(
                "SELECT GROUPING(%(key)s), %(key)s, COUNT(*) %(aggregates)s FROM %(source)s GROUP BY ROLLUP (%(key)s)",
                key=SQL(key),
                aggregates=SQL(f", {aggregates}" if aggregates else ""),
                source=source,
            )
        )
        for total, group, count, *measures in cr.fetchall():
            values = iter(measures)
            figures[(pivot["id"], "__total" if total else group)] = tuple(
                round(count if m["fieldName"] == "__count" else (next(values) or 0.0), 2) for m in pivot["measures"]
            )
    charts_sql = {
        "crm.lead": SQL(
            """SELECT l.stage_id, COUNT(*) FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
                WHERE l.active AND l.type = 'opportunity' AND s.is_won IS NOT TRUE GROUP BY 1"""
        ),
        "sales.process.risk.flag": SQL(
            "SELECT f.severity, COUNT(*) FROM sales_process_risk_flag f WHERE f.is_active GROUP BY 1"
        ),
    }
    for index, chart in enumerate(charts):
        cr.execute(charts_sql[chart["metaData"]["resModel"]])
        for key, count in cr.fetchall():
            figures[(f"chart{index}", key)] = (count,)
    cr.execute("SELECT name, max_days FROM crm_stage WHERE has_time_limit ORDER BY sequence LIMIT 80")
    cr.fetchall()
    return figures


def _same(baseline, measured):
    """Equal figures; the differing ones are printed."""
    for key in sorted(set(baseline) | set(measured), key=str):
        if baseline.get(key) != measured.get(key):
            print(f"  differ {key}: SQL {baseline.get(key)} ORM {measured.get(key)}", flush=True)
    return baseline == measured


def run(env, bench):
    manager = _setup(env, bench)
    pivots, charts, lists = _dashboard()
    manager_env = env(user=manager.id)
    bench.compare(
        "dashboard_data_200k_leads",
        lambda: _baseline(env, pivots, charts),
        lambda: _measured(manager_env, pivots, charts, lists),
        goal=1.5,
        same=_same,
    )
    # where the time goes: each block alone, best of 3
    for pivot in pivots:
        times = []
        for figures in (
            lambda pivot=pivot: _baseline(env, [pivot], []),
            lambda pivot=pivot: _measured(manager_env, [pivot], [], []),
        ):
            times.append(min(bench.timed(figures)[0] for _ in range(3)))
        bench.report(f"dashboard_pivot_{pivot['model']}", f"SQL {times[0]:.3f}s, ORM {times[1]:.3f}s")
