"""Excel export of 200,000 stage visits to one sheet: ours against Odoo's list export.

Measured: the export wizard's workbook with its *Stage Visits* sheet only
(``report.sales_process_mgmt.export_xlsx``: ids read in batches on the ORM's query,
written in xlsxwriter's constant-memory mode, formatted). Baseline: what the web
client's *Export > xlsx* runs for the same rows and columns (web's
``ExportFormat.base``: ``search``, ``export_data``, then ``ExcelExport.from_data``).
Both run as a sales manager (record rules applied). Time: best of the runs; memory:
peak growth of Python's allocations (tracemalloc) during one more call of each.
The issue's goals: ≤ 0.5× the time of Odoo's export, < 50 MB peak growth for ours.
"""

import gc
import io
import os
import tracemalloc
from types import SimpleNamespace

import openpyxl

from odoo.addons.web.controllers.export import ExcelExport
from odoo.http import _request_stack

# BENCH_EXPORT_LEADS: a smaller run while iterating
LEADS = int(os.environ.get("BENCH_EXPORT_LEADS", 40000))
VISITS_PER_LEAD = 5
FIELDS = [
    "lead_id",
    "stage_id",
    "next_stage_id",
    "user_id",
    "team_id",
    "date_in",
    "date_out",
    "duration_days",
    "duration_working_days",
    "overdue",
    "exit_type",
]
OPTIONS = {"date_from": "2020-01-01", "date_to": "2030-12-31", "sheets": ["visits"]}


def _generate(env, bench):
    """40,000 leads of 20 salespeople in 10 teams, 5 closed visits each (200,000), by SQL."""
    users = bench.create_users("bench_export", 20)
    teams = env["crm.team"].create([{"name": f"Bench Export Team {i}"} for i in range(10)])
    stages = env["crm.stage"].create([{"name": f"Bench Export Stage {i}", "sequence": 500 + i} for i in range(5)])
    env.flush_all()
    params = {
        "users": users.ids,
        "teams": teams.ids,
        "stages": stages.ids,
        "company": env.company.id,
        "leads": LEADS,
        "visits": VISITS_PER_LEAD,
    }
    env.cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id, probability,
                              create_date, write_date, date_last_stage_update)
        SELECT 'Export lead ' || i, 'opportunity', true, (%(stages)s::int[])[5],
               (%(teams)s::int[])[1 + i %% 10], (%(users)s::int[])[1 + i %% 20], %(company)s, 50,
               '2025-01-01'::timestamp + make_interval(hours => i), now() at time zone 'utc',
               now() at time zone 'utc'
          FROM generate_series(1, %(leads)s) i
        """,
        params,
    )
    env.cr.execute(
        """
        INSERT INTO sales_process_stage_history
               (lead_id, stage_id, next_stage_id, user_id, team_id, company_id, date_in, date_out,
                duration_days, duration_working_days, overdue, is_open, exit_type, visit_count,
                create_date, write_date)
        SELECT l.id, (%(stages)s::int[])[v], (%(stages)s::int[])[v %% 5 + 1], l.user_id, l.team_id, l.company_id,
               l.create_date + make_interval(days => (v - 1) * 6),
               l.create_date + make_interval(days => (v - 1) * 6 + (l.id + v) %% 6, hours => v),
               ((l.id + v) %% 6) + v / 24.0, ((l.id + v) %% 6) * 5 / 7, (l.id + v) %% 6 > 4, false,
               CASE WHEN v = 5 THEN 'lost' ELSE 'moved' END, 1, l.create_date, l.create_date
          FROM crm_lead l CROSS JOIN generate_series(1, %(visits)s) v
         WHERE l.name LIKE 'Export lead %%'
        """,
        params,
    )
    env.cr.commit()
    env.cr.execute("ANALYZE sales_process_stage_history")
    manager = bench.create_users("bench_export_manager", 1, group="sales_team.group_sale_manager")
    manager.groups_id = [(4, env.ref("base.group_allow_export").id)]  # Odoo's export asks for it
    env.cr.commit()
    return manager


def _odoo_export(env):
    """The web client's xlsx export of the visits (web/controllers/export.py, ``ExportFormat.base``)."""
    History = env["sales.process.stage.history"]
    fields_ = [
        {"name": fname, "label": History._fields[fname]._description_string(env), "type": History._fields[fname].type}
        for fname in FIELDS
    ]
    # ExcelExport reads request.env (currency digits, messages): the request it runs in
    _request_stack.push(SimpleNamespace(env=env))
    try:
        records = History.search([], offset=0, limit=False, order=False)
        rows = records.export_data(FIELDS).get("datas", [])
        return ExcelExport().from_data(fields_, [field["label"] for field in fields_], rows)
    finally:
        _request_stack.pop()


def _our_export(env):
    content, __ = env["ir.actions.report"]._render_xlsx("sales_process_mgmt.export_xlsx", None, {"options": OPTIONS})
    return content


def _rows(content, first_row):
    """(lead, stage, next stage, salesperson, team, days, working days, exit) of every row, sorted."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(min_row=first_row, values_only=True):
        lead, stage, next_stage, user, team, __, __, days, working, __, exit_type = values[:11]
        rows.append((lead, stage, next_stage, user, team, round(days or 0, 2), working or 0, exit_type))
    workbook.close()
    return sorted(rows)


def _peak_growth(fn):
    """Peak growth of Python's allocations (MB) during ``fn()``."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - before) / 1024 / 1024


def run(env, bench):
    if os.environ.get("BENCH_EXPORT_MEMORY_ONLY"):
        return _memory_only(env, bench)
    manager = _generate(env, bench)
    user_env = env(user=manager.id, context=dict(env.context, lang="en_US", tz="UTC"))
    count = user_env["sales.process.stage.history"].search_count([])
    results = {}

    def baseline():
        results["odoo"] = _odoo_export(user_env)

    def measured():
        results["ours"] = _our_export(user_env)

    ratio = bench.compare(
        f"xlsx export of {count:,} stage visits x {len(FIELDS)} columns (baseline: Odoo's list export)",
        baseline,
        measured,
        repeat=2,
        goal=0.5,
    )
    # Odoo's sheet: header on row 1; ours: title, subtitle, blank, header on row 4
    odoo_rows, our_rows = _rows(results["odoo"], 2), _rows(results["ours"], 5)
    if len(odoo_rows) != count or odoo_rows != our_rows:
        raise AssertionError(f"the two exports differ: {len(odoo_rows)} vs {len(our_rows)} rows of {count}")
    user_env.invalidate_all()
    odoo_mb = _peak_growth(lambda: _odoo_export(user_env))
    user_env.invalidate_all()
    our_mb = _peak_growth(lambda: _our_export(user_env))
    bench.report(
        "xlsx export peak memory growth (tracemalloc)",
        f"Odoo's export {odoo_mb:.1f} MB, ours {our_mb:.1f} MB  goal < 50 MB: {'met' if our_mb < 50 else 'NOT met'}",
    )
    bench.report(
        "xlsx export file sizes",
        f"Odoo's {len(results['odoo']) / 1e6:.1f} MB, ours {len(results['ours']) / 1e6:.1f} MB; ratio {ratio:.2f}x",
    )


def _memory_only(env, bench):
    """BENCH_EXPORT_MEMORY_ONLY=1: only the peak memory growth of our export (a quick check)."""
    manager = _generate(env, bench)
    user_env = env(user=manager.id, context=dict(env.context, lang="en_US", tz="UTC"))
    our_mb = _peak_growth(lambda: _our_export(user_env))
    bench.report("xlsx export peak memory growth, ours only (tracemalloc)", f"{our_mb:.1f} MB")
