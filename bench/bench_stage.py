"""Stage standards at scale (issue: stage standards, gates and stage history).

1. One write() moving 10,000 leads to the next stage with passing gates, next to
   the same write with the addon's stage logic switched off (sales_process_skip=SKIP_STAGE_LOGIC);
   once with three checklist items per stage, once without checklist items, to
   show what the checklist lines cost apart from the stage visits.
   The leads and their open visits are committed before each move, as in real
   use: a row written earlier in the same transaction makes PostgreSQL recheck
   every foreign key of that row when it is updated, a cost no real move pays.
2. 200,000 leads with 1,000,000 stage visits: the pivot's read_group "average time
   in stage per stage x team", next to a hand-written SQL query (same numbers).
"""

from collections import Counter
from contextlib import closing

import odoo
from odoo import Command
from odoo.addons.sales_process_mgmt.models.crm_lead import SKIP_STAGE_LOGIC
from odoo.tools import SQL


def _insert_leads(env, count, stage, team, user):
    env.cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id, probability,
                              email_from, expected_revenue, date_last_stage_update, create_date, write_date)
        SELECT 'Bench lead ' || i, 'opportunity', true, %s, %s, %s, %s, 50,
               'bench' || i || '@example.com', 1000 + i, now() at time zone 'utc',
               now() at time zone 'utc', now() at time zone 'utc'
          FROM generate_series(1, %s) i
        RETURNING id
        """,
        (stage.id, team.id, user.id, env.company.id, count),
    )
    return env["crm.lead"].browse([row[0] for row in env.cr.fetchall()])


def _vacuum(env, *tables):
    """VACUUM ANALYZE ``tables`` (outside any transaction), so that each measured move starts
    from the same table state instead of the dead rows of the moves before it."""
    with closing(odoo.sql_db.db_connect(env.cr.dbname).cursor()) as cr:
        cr._cnx.autocommit = True
        for table in tables:
            cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))


def bench_bulk_move(env, bench):
    Stage = env["crm.stage"]
    stage_a = Stage.create({"name": "Bench A", "sequence": 1001, "has_time_limit": True, "max_days": 5})
    stage_b = Stage.create(
        {"name": "Bench B", "sequence": 1002, "has_time_limit": True, "max_days": 10, "time_basis": "working"}
    )
    items = env["sales.process.checklist.item"].create(
        [
            {"stage_id": stage.id, "name": f"Item {i}", "required": False}
            for stage in (stage_a, stage_b)
            for i in range(3)
        ]
    )
    email = env["ir.model.fields"]._get("crm.lead", "email_from")
    env["sales.process.stage.gate"].create(
        [
            {"stage_id": stage_a.id, "criterion": "required_fields", "field_ids": [Command.set(email.ids)]},
            {"stage_id": stage_a.id, "criterion": "min_probability", "min_probability": 10},
            {"stage_id": stage_a.id, "criterion": "domain", "domain": "[('expected_revenue', '>', 0)]"},
            {"stage_id": stage_a.id, "criterion": "checklist"},
        ]
    )
    team = env["crm.team"].create({"name": "Bench team"})
    leads = _insert_leads(env, 10_000, stage_a, team, env.user)
    env.cr.commit()

    def back_to_a():
        leads.write({"stage_id": stage_a.id})
        env.flush_all()
        env.cr.commit()
        _vacuum(env, "crm_lead", "sales_process_stage_history", "sales_process_lead_checklist")

    def move(context):
        def run():
            leads.with_context(**context).write({"stage_id": stage_b.id})
            env.flush_all()
            return Counter(leads.mapped("stage_id").ids)

        return run

    try:
        bench.compare(
            "stage_move_10k_leads_with_gates_3_checklist_items (baseline: stage logic off)",
            baseline=move({"sales_process_skip": SKIP_STAGE_LOGIC}),
            measured=move({}),
            setup=back_to_a,
            repeat=5,
            goal=2.0,
        )
        items.action_archive()
        bench.compare(
            "stage_move_10k_leads_with_gates_no_checklist (baseline: stage logic off)",
            baseline=move({"sales_process_skip": SKIP_STAGE_LOGIC}),
            measured=move({}),
            setup=back_to_a,
            repeat=5,
        )
        items.action_unarchive()
        back_to_a()
        for count in (1_000, 10_000):
            subset = leads[:count]
            subset.write({"stage_id": stage_a.id})
            env.flush_all()
            env.invalidate_all()
            start = env.cr.sql_log_count
            subset.write({"stage_id": stage_b.id})
            env.flush_all()
            bench.report(f"stage_move_queries_{count}_leads", f"{env.cr.sql_log_count - start} SQL queries")
    finally:
        env.cr.rollback()
        leads.with_context(sales_process_skip=SKIP_STAGE_LOGIC).unlink()
        (stage_a | stage_b).unlink()
        team.unlink()
        env.cr.commit()


def bench_history_pivot(env, bench):
    Stage = env["crm.stage"]
    stages = Stage.create([{"name": f"Bench H{i}", "sequence": 1100 + i} for i in range(5)])
    teams = env["crm.team"].create([{"name": f"Bench team {i}"} for i in range(8)])
    env.cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, user_id, company_id,
                              create_date, write_date)
        SELECT 'History lead ' || i, 'opportunity', true, %(stage)s, (%(teams)s::int[])[1 + i %% 8], %(uid)s,
               %(company)s, now() at time zone 'utc', now() at time zone 'utc'
          FROM generate_series(1, 200000) i
        """,
        {"stage": stages[-1].id, "teams": teams.ids, "uid": env.uid, "company": env.company.id},
    )
    env.cr.execute(
        """
        INSERT INTO sales_process_stage_history
               (lead_id, stage_id, next_stage_id, user_id, team_id, company_id, date_in, date_out,
                duration_days, duration_working_days, overdue, is_open, visit_count, create_date, write_date)
        SELECT l.id, (%(stages)s::int[])[v], (%(stages)s::int[])[v + 1], l.user_id, l.team_id, l.company_id,
               now() at time zone 'utc' - make_interval(days => 60 - v * 10),
               CASE WHEN v < 5 THEN now() at time zone 'utc' - make_interval(days => 50 - v * 10) END,
               CASE WHEN v < 5 THEN ((l.id * 7 + v * 13) %% 200) / 10.0 ELSE 0 END,
               CASE WHEN v < 5 THEN ((l.id * 7 + v * 13) %% 200) / 14 ELSE 0 END,
               (l.id + v) %% 9 = 0, v = 5, 1, now() at time zone 'utc', now() at time zone 'utc'
          FROM crm_lead l CROSS JOIN generate_series(1, 5) v
         WHERE l.name LIKE 'History lead %%'
        """,
        {"stages": stages.ids + [None]},
    )
    env.cr.execute("ANALYZE sales_process_stage_history")
    env.cr.execute("SELECT count(*) FROM sales_process_stage_history")
    bench.report("history_rows", f"{env.cr.fetchone()[0]} stage visits over 200000 leads")
    History = env["sales.process.stage.history"]

    def pivot():
        groups = History.read_group(
            [("is_open", "=", False)], ["duration_days:avg"], ["stage_id", "team_id"], lazy=False
        )
        return sorted((g["stage_id"][0], g["team_id"][0], round(g["duration_days"], 6), g["__count"]) for g in groups)

    def sql():
        env.cr.execute(
            """
            SELECT stage_id, team_id, avg(duration_days), count(*)
              FROM sales_process_stage_history
             WHERE NOT is_open
             GROUP BY stage_id, team_id
            """
        )
        return sorted((s, t, round(a, 6), c) for s, t, a, c in env.cr.fetchall())

    bench.compare("history_pivot_avg_time_stage_x_team_1M_rows (baseline: SQL)", baseline=sql, measured=pivot, goal=2)


def run(env, bench):
    bench_bulk_move(env, bench)
    bench_history_pivot(env, bench)
