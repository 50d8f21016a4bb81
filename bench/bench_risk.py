"""Risk control at scale (issue #12: risk rules, scans, register).

Data (plain SQL inserts; ``SPM_BENCH_RISK_LEADS`` / ``SPM_BENCH_RISK_VISITS`` scale it down):
200,000 open opportunities over 5 stages with a time standard, 2 teams; 1,000,000 closed
stage visits of won opportunities (the percentile rule's history); 50,000 messages;
20,000 ratings. Every built-in risk kind has an active rule.

1. First full scan on an empty register (``crm.lead._cron_scan_risks``: evaluation, flags
   raised, risk levels) next to hand-written SQL inserting the same (lead, rule) pairs into a
   temporary table; the pairs are asserted equal (the issue's figure).
2. The same first scan next to hand-written SQL writing the same rows into the same tables
   (the flags, the leads' risk levels): the writes' own floor; flags and levels asserted equal.
3. Steady state: 2 % of the leads changed (half moved to the next stage, half edited: amount,
   priority, expected closing date), then a full scan next to the pairs' SQL.
4. The rescan with nothing changed: rows written (flags and leads whose ctid moved).
5. Two scans at once in two committed transactions (two threads, two cursors): duplicate
   flags in force.
6. The percentile rule over the visits next to its SQL; the leads asserted equal.
"""

import os
import threading

import odoo
from odoo import fields
from odoo.tools import SQL

LEADS = int(os.environ.get("SPM_BENCH_RISK_LEADS", 200000))
VISITS = int(os.environ.get("SPM_BENCH_RISK_VISITS", 1000000))
KINDS = {
    "risk_overdue": {},
    "risk_near_limit": {},
    "risk_idle": {"idle_days": 30},
    "risk_exit_criteria": {},
    "risk_close_date": {},
    "risk_pushed_back": {"max_pushbacks": 2},
    "risk_large_amount": {"amount_threshold": 4000},
    "risk_probability": {"probability_gap": 35},
    "risk_satisfaction": {"min_rating": 2.5},
    "risk_match_domain": {"domain": "[('priority', '=', '3')]"},
    "risk_percentile": {"percentile": 80, "history_months": 12, "min_sample": 20},
    "certification": {},
}


def _setup(env):
    cr = env.cr
    company = env.company
    teams = env["crm.team"].create([{"name": f"Bench Risk Team {t}"} for t in range(2)])
    stages = env["crm.stage"].create(
        [
            {
                "name": f"Bench R{i}",
                "sequence": 1101 + i,
                "has_time_limit": True,
                "max_days": 5 + 5 * i,
                "warning_percent": 80,
            }
            for i in range(5)
        ]
    )
    won = env["crm.stage"].create({"name": "Bench R Won", "sequence": 1110, "is_won": True})
    partners = env["res.partner"].create([{"name": f"Bench Risk Customer {i}"} for i in range(1000)])
    params = {
        "teams": teams.ids,
        "stages": stages.ids,
        "won": won.id,
        "company": company.id,
        "partners": partners.ids,
        "n": LEADS,
        "visits": VISITS,
    }
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, company_id, partner_id, probability,
                              expected_revenue, priority, create_date, write_date, date_deadline,
                              date_last_stage_update, stage_deadline, stage_warning_date, days_in_stage)
        SELECT 'Risk lead ' || i, 'opportunity', true, (%(stages)s::int[])[1 + i %% 5],
               (%(teams)s::int[])[1 + i %% 2], %(company)s, (%(partners)s::int[])[1 + i %% 1000],
               10 + i %% 80, 1000 + i %% 5000, (i %% 4)::text, c, c,
               (now() + make_interval(days => i %% 90 - 20))::date,
               e, e + make_interval(days => 5 + 5 * (i %% 5)), e + make_interval(days => 4 + 4 * (i %% 5)),
               (i %% 40)
          FROM generate_series(1, %(n)s) i,
               LATERAL (SELECT now() at time zone 'utc' - make_interval(days => 40 + i %% 300) AS c,
                               now() at time zone 'utc' - make_interval(days => i %% 40, hours => i %% 24) AS e) d
        """,
        params,
    )
    # won opportunities and their closed visits: the history the percentile rule mines
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, team_id, company_id, probability, create_date, write_date)
        SELECT 'Risk won ' || i, 'opportunity', true, %(won)s, (%(teams)s::int[])[1 + i %% 2], %(company)s, 100,
               now(), now()
          FROM generate_series(1, %(visits)s / 5) i
        RETURNING id
        """,
        params,
    )
    won_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        INSERT INTO sales_process_stage_history (lead_id, stage_id, company_id, date_in, date_out, duration_days,
                                                 duration_working_days, overdue, is_open, visit_count)
        SELECT w.id, (%(stages)s::int[])[s], %(company)s, d - make_interval(days => dur::int), d, dur, dur,
               false, false, 1
          FROM unnest(%(won_ids)s::int[]) WITH ORDINALITY w(id, k), generate_series(1, 5) s,
               LATERAL (SELECT ((w.k * 7 + s * 13) %% 30 + 1)::int AS dur,
                               now() at time zone 'utc' - make_interval(days => (w.k %% 300)::int) AS d) x
        """,
        dict(params, won_ids=won_ids),
    )
    cr.execute(
        """
        INSERT INTO mail_message (model, res_id, message_type, date, body, create_date, write_date)
        SELECT 'crm.lead', l.id, 'comment', now() at time zone 'utc' - make_interval(days => l.id %% 60), 'x',
               now(), now()
          FROM crm_lead l WHERE l.name LIKE 'Risk lead %%' AND l.id %% %(every)s = 0
        """,
        {"every": 4},
    )
    model_id = env["ir.model"]._get_id("crm.lead")
    cr.execute(
        """
        INSERT INTO rating_rating (res_model_id, res_model, res_id, partner_id, rating, consumed, access_token,
                                   create_date, write_date)
        SELECT %(model)s, 'crm.lead', l.id, l.partner_id, 1 + l.id %% 5, true, md5(l.id::text), now(), now()
          FROM crm_lead l WHERE l.name LIKE 'Risk lead %%' AND l.id %% 10 = 0
        """,
        {"model": model_id},
    )
    cr.execute("ANALYZE crm_lead; ANALYZE sales_process_stage_history; ANALYZE mail_message; ANALYZE rating_rating")
    env.invalidate_all()
    env["sales.process.risk.rule"].search([]).active = False
    rules = env["sales.process.risk.rule"].create(
        [dict(params_, name=f"Bench {kind}", criterion=kind, severity="medium") for kind, params_ in KINDS.items()]
    )
    return rules, stages


def _baseline_pairs(cr, rules, stages):
    """The (lead, rule) pairs of every rule, by hand-written SQL."""
    by_kind = {rule.criterion: rule.id for rule in rules}
    scope = (
        "l.type = 'opportunity' AND l.active AND NOT coalesce(s.is_won, false)"
        " AND (l.company_id IS NULL OR l.company_id = %(company)s)"
    )
    # "today" as the rules see it: in the time zone of the user who scans
    p = {"company": rules[0].company_id.id, "today": fields.Date.context_today(rules[0])}
    queries = {
        "risk_overdue": "l.stage_deadline < now() at time zone 'utc'",
        "risk_near_limit": "l.stage_warning_date <= now() at time zone 'utc'"
        " AND l.stage_deadline >= now() at time zone 'utc'",
        "risk_idle": """l.create_date < now() at time zone 'utc' - interval '30 days' AND NOT EXISTS (
                SELECT 1 FROM mail_message m WHERE m.model = 'crm.lead' AND m.res_id = l.id
                   AND m.date >= now() at time zone 'utc' - interval '30 days'
                   AND (m.message_type IN ('comment', 'email', 'email_outgoing')
                        OR m.mail_activity_type_id IS NOT NULL))""",
        "risk_close_date": "l.date_deadline < %(today)s",
        "risk_large_amount": "l.expected_revenue > 4000",
        "risk_probability": """abs(l.probability - (SELECT ref.median FROM bench_median ref
                WHERE ref.stage_id = l.stage_id)) > 35""",
        "risk_satisfaction": """(SELECT sat.rating FROM bench_satisfaction sat
                WHERE sat.partner_id = l.partner_id) < 2.5""",
        "risk_match_domain": "l.priority = '3'",
    }
    cr.execute("CREATE TEMP TABLE IF NOT EXISTS bench_pairs (lead_id int, rule_id int); TRUNCATE bench_pairs")
    cr.execute(
        """
        DROP TABLE IF EXISTS bench_median, bench_satisfaction;
        CREATE TEMP TABLE bench_median AS
            SELECT o.stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY o.probability) AS median
              FROM crm_lead o WHERE o.active AND o.type = 'opportunity' GROUP BY o.stage_id;
        CREATE TEMP TABLE bench_satisfaction AS
            SELECT r.partner_id, avg(r.rating) AS rating FROM rating_rating r
             WHERE r.res_model = 'crm.lead' AND r.consumed AND r.rating > 0 GROUP BY r.partner_id;
        """
    )
    for kind, where in queries.items():
        cr.execute(
            f"INSERT INTO bench_pairs SELECT l.id, %(rule)s FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id "
            f"WHERE {scope} AND {where}",
            dict(p, rule=by_kind[kind]),
        )
    cr.execute(
        f"""
        INSERT INTO bench_pairs
        WITH pct AS (
            SELECT h.stage_id, percentile_cont(0.8) WITHIN GROUP (ORDER BY h.duration_days) AS v, count(*) AS n
              FROM sales_process_stage_history h JOIN crm_lead w ON w.id = h.lead_id
              JOIN crm_stage ws ON ws.id = w.stage_id
             WHERE NOT h.is_open AND ws.is_won AND w.active
               AND h.date_out >= now() at time zone 'utc' - make_interval(days => 365)
             GROUP BY h.stage_id
        )
        SELECT l.id, %(rule)s FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
          LEFT JOIN pct ON pct.stage_id = l.stage_id
         WHERE {scope} AND l.date_last_stage_update IS NOT NULL AND CASE
               WHEN coalesce(pct.n, 0) >= 20
               THEN EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update)) / 86400 > pct.v
               ELSE l.stage_deadline < now() at time zone 'utc' END
        """,
        dict(p, rule=by_kind["risk_percentile"]),
    )
    cr.execute("SELECT lead_id, rule_id FROM bench_pairs")
    return set(cr.fetchall())


def _flag_pairs(cr):
    cr.execute("SELECT lead_id, rule_id FROM sales_process_risk_flag WHERE is_active")
    return set(cr.fetchall())


def _same_pairs(baseline, measured):
    """Equal pairs; otherwise print how many of each rule differ (then the bench fails)."""
    if baseline == measured:
        return True
    for name, pairs in (("baseline only", baseline - measured), ("scan only", measured - baseline)):
        per_rule = {}
        for __, rule_id in pairs:
            per_rule[rule_id] = per_rule.get(rule_id, 0) + 1
        print(f"  {name}: {per_rule} e.g. {sorted(pairs)[:3]}", flush=True)
    return False


def _baseline_writes(cr, rules, stages):
    """The first scan's rows by hand-written SQL: the flags of the baseline's pairs, then the leads' levels.

    The same columns as the scan's flags; the explanation values are not computed (``{}``).
    """
    _baseline_pairs(cr, rules, stages)
    cr.execute(
        """
        INSERT INTO sales_process_risk_flag
               (lead_id, rule_id, severity, explanation_values, raised_on, state, is_active, flag_count,
                company_id, create_uid, create_date, write_uid, write_date)
        SELECT p.lead_id, p.rule_id, r.severity, '{}', now() at time zone 'utc', 'open', true, 1,
               l.company_id, 1, now() at time zone 'utc', 1, now() at time zone 'utc'
          FROM bench_pairs p JOIN sales_process_risk_rule r ON r.id = p.rule_id
          JOIN crm_lead l ON l.id = p.lead_id
         ORDER BY p.lead_id, p.rule_id;
        UPDATE crm_lead l SET sales_process_risk_level = v.level
          FROM (SELECT f.lead_id, (ARRAY['low', 'medium', 'high', 'critical'])[max(
                       CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)]
                       AS level
                  FROM sales_process_risk_flag f WHERE f.is_active GROUP BY f.lead_id) v
         WHERE l.id = v.lead_id;
        """
    )
    return _flags_and_levels(cr)


def _flags_and_levels(cr):
    cr.execute("SELECT id, sales_process_risk_level FROM crm_lead WHERE sales_process_risk_level IS NOT NULL")
    return _flag_pairs(cr), dict(cr.fetchall())


def _same_flags_and_levels(baseline, measured):
    return _same_pairs(baseline[0], measured[0]) and baseline[1] == measured[1]


def _change_some(env, stages, every=100):
    """A realistic change since the last scan, on 2 % of the leads: every ``every``-th lead moved to the
    next stage (its visit restarts: time flags close), as many others edited (a larger amount, top
    priority, an expected closing date in the past: flags raise). Returns the number of leads changed."""
    cr = env.cr
    cr.execute(
        """
        UPDATE crm_lead l
           SET stage_id = n.stage_id, date_last_stage_update = now() at time zone 'utc',
               stage_deadline = now() at time zone 'utc' + make_interval(days => s.max_days::int),
               stage_warning_date = now() at time zone 'utc' + make_interval(days => (s.max_days * 4 / 5)::int)
          FROM (SELECT id, (%(stages)s::int[])[1 + (array_position(%(stages)s::int[], stage_id) %% 5)] AS stage_id
                  FROM crm_lead WHERE name LIKE 'Risk lead %%' AND id %% %(every)s = 0) n
          JOIN crm_stage s ON s.id = n.stage_id
         WHERE l.id = n.id
        """,
        {"stages": stages.ids, "every": every},
    )
    moved = cr.rowcount
    cr.execute(
        """
        UPDATE crm_lead SET expected_revenue = expected_revenue + 5000, priority = '3',
                            date_deadline = (now() - interval '3 days')::date
         WHERE name LIKE 'Risk lead %%' AND id %% %(every)s = 1
        """,
        {"every": every},
    )
    env.invalidate_all()
    return moved + cr.rowcount


def _reset(env):
    """An empty register again, committed and vacuumed: every run writes into tables of the same shape
    (not into the dead rows of the runs before)."""
    env.cr.execute(
        "DELETE FROM sales_process_risk_flag; UPDATE crm_lead SET sales_process_risk_level = NULL "
        "WHERE sales_process_risk_level IS NOT NULL"
    )
    env.invalidate_all()
    _vacuum(env)


def _vacuum(env):
    env.cr.commit()
    with env.registry.cursor() as cr:
        cr.connection.autocommit = True  # VACUUM runs outside a transaction
        cr.execute("VACUUM ANALYZE crm_lead, sales_process_risk_flag")
        cr.connection.autocommit = False


def run(env, bench):
    cr = env.cr
    rules, stages = _setup(env)
    bench.report("data", f"{LEADS} open opportunities, {VISITS} closed visits of won ones, {len(rules)} rules")
    Lead = env["crm.lead"]

    def measured():
        Lead._cron_scan_risks()
        return _flag_pairs(cr)

    bench.compare(
        "risk full scan (all built-in rules, flags raised) vs SQL of the same (lead, rule) pairs",
        lambda: _baseline_pairs(cr, rules, stages),
        measured,
        repeat=int(os.environ.get("SPM_BENCH_RISK_REPEAT", 1)),
        setup=lambda: _reset(env),
        same=_same_pairs,
        goal=2,
    )
    bench.compare(
        "risk first full scan vs hand-written SQL writing the same flags and risk levels (the writes' floor)",
        lambda: _baseline_writes(cr, rules, stages),
        lambda: (Lead._cron_scan_risks(), _flags_and_levels(cr))[1],
        repeat=int(os.environ.get("SPM_BENCH_RISK_REPEAT", 1)),
        setup=lambda: _reset(env),
        same=_same_flags_and_levels,
        goal=None,
    )
    # where the first scan's time goes: the rules' pairs and values (the baseline's work), the flags
    # written, the risk levels of the leads (timed inside the scan)
    _reset(env)
    Flag = env["sales.process.risk.flag"].sudo()
    all_rules = env["sales.process.risk.rule"].sudo().search([])
    lead_class = type(Lead)
    refresh = lead_class._sales_process_refresh_risk_level
    spent = []

    def timed_refresh(self, lead_ids):
        elapsed, changed = bench.timed(lambda: refresh(self, lead_ids))
        spent.append((elapsed, len(changed)))
        return changed

    lead_class._sales_process_refresh_risk_level = timed_refresh
    try:
        t_collect, __ = bench.timed(lambda: Flag._scan_collect(all_rules))
        t_apply, __ = bench.timed(lambda: Flag._scan_apply(all_rules))
    finally:
        lead_class._sales_process_refresh_risk_level = refresh
    t_levels, leveled = spent[0]
    bench.report(
        "first full scan's phases",
        f"rules' pairs and explanation values {t_collect:.2f}s, flags closed/raised + levels {t_apply:.2f}s "
        f"(of which the levels of the {leveled} leads {t_levels:.2f}s)",
    )
    bench.report("flags raised by a full scan", str(len(_flag_pairs(cr))))

    # steady state: the register is full, a few leads changed since the last scan
    before_flags, before_levels = _flags_and_levels(cr)
    changed = _change_some(env, stages)
    _vacuum(env)
    bench.compare(
        f"risk full scan after {changed} leads moved or edited (steady state) vs SQL of the same (lead, rule) pairs",
        lambda: _baseline_pairs(cr, rules, stages),
        measured,
        repeat=1,
        same=_same_pairs,
        goal=2,
    )
    after_flags, after_levels = _flags_and_levels(cr)
    levels_moved = sum(
        1 for key in before_levels.keys() | after_levels.keys() if before_levels.get(key) != after_levels.get(key)
    )
    bench.report(
        "that steady-state scan's writes",
        f"{len(after_flags - before_flags)} flags raised, {len(before_flags - after_flags)} closed, "
        f"{levels_moved} risk levels changed",
    )

    def ctids():
        cr.execute("SELECT id, ctid FROM sales_process_risk_flag UNION ALL SELECT -id, ctid FROM crm_lead")
        return dict(cr.fetchall())

    before = ctids()
    Lead._cron_scan_risks()
    env.flush_all()
    after = ctids()
    written = sum(1 for key, ctid in after.items() if before.get(key) != ctid)
    bench.report("rescan with nothing changed", f"{written} rows written")

    # two scans at once: committed data, two cursors in two threads
    _reset(env)
    cr.commit()
    registry = env.registry
    errors = []

    def scan():
        try:
            with registry.cursor() as cr2:
                env2 = odoo.api.Environment(cr2, odoo.SUPERUSER_ID, {"tracking_disable": True})
                env2["crm.lead"]._cron_scan_risks()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cr.execute(
        "SELECT count(*) FROM (SELECT lead_id, rule_id FROM sales_process_risk_flag WHERE is_active"
        " GROUP BY 1, 2 HAVING count(*) > 1) d"
    )
    duplicates = cr.fetchone()[0]
    bench.report("two concurrent scans", f"{duplicates} duplicate flags in force, errors: {errors or 'none'}")

    percentile = rules.filtered(lambda r: r.criterion == "risk_percentile")
    leads = Lead.search(percentile._get_scope_domain())

    def percentile_sql():
        cr.execute(
            SQL(
                """
                WITH pct AS (
                    SELECT h.stage_id, percentile_cont(0.8) WITHIN GROUP (ORDER BY h.duration_days) AS v, count(*) AS n
                      FROM sales_process_stage_history h JOIN crm_lead w ON w.id = h.lead_id
                      JOIN crm_stage ws ON ws.id = w.stage_id
                     WHERE NOT h.is_open AND ws.is_won AND w.active AND h.stage_id = ANY(%(stages)s)
                       AND h.date_out >= now() at time zone 'utc' - make_interval(days => 365)
                     GROUP BY h.stage_id
                )
                SELECT l.id FROM crm_lead l JOIN pct ON pct.stage_id = l.stage_id
                 WHERE l.id = ANY(%(ids)s) AND pct.n >= 20
                   AND EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update)) / 86400 > pct.v
                """,
                stages=stages.ids,
                ids=leads.ids,
            )
        )
        return {row[0] for row in cr.fetchall()}

    bench.compare(
        f"percentile rule over {VISITS} visits vs its SQL",
        percentile_sql,
        lambda: set(percentile._evaluate_risk(leads)),
        repeat=3,
        goal=2,
    )
