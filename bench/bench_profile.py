"""Customer profile and latent-need suggestions at scale (issue #15).

Data (plain SQL inserts): 20 salespeople, 8 customer segments, 40 need categories (4 of them
subcategories of the first), 20,000 customer companies, 200,000 opportunities over the last
12 months (40 % won, 20 % lost, 40 % open), 1,000,000 needs (5 per opportunity, categories drawn so that some
go together), 100,000 decision contacts, a note on every third opportunity.

1. The suggestions of one open opportunity with two categorised needs, as its salesperson
   (``crm.lead._get_need_suggestions``: the opportunity, its needs, the two aggregates, the
   categories), next to hand-written SQL of the same co-occurrence figures; asserted equal.
   Its query count is put next to the one of reading the opportunity's form fields.
2. The Customer Profiles list of 80 customers as the web client reads it
   (``web_search_read`` of the list view's fields: name, segment, industry, won / lost /
   open counts and amounts, win rate, sales cycle, last activity), as a sales manager and
   as a salesperson (their own and unassigned leads), next to hand-written SQL of the same
   rows; asserted equal. Medians of 21 alternating runs. Then Odoo's own part: the same list
   without the profile columns against the same SQL, and the profile compute alone.
"""

import os

from odoo.addons.sales_process_mgmt.models.crm_lead_need_suggestion import get_suggestion_params

LEADS = int(os.environ.get("SPM_BENCH_PROFILE_LEADS", 200000))
CUSTOMERS = LEADS // 10
CATEGORIES = 40


def _setup(env, bench):
    cr = env.cr
    company = env.company
    users = bench.create_users("bench_profile", 20)
    manager = bench.create_users("bench_profile_manager", 1, group="sales_team.group_sale_manager")
    segments = env["sales.process.customer.segment"].create([{"name": f"Bench Segment {i}"} for i in range(8)])
    categories = env["sales.process.need.category"].create([{"name": f"Bench Category {i}"} for i in range(CATEGORIES)])
    # a small hierarchy: the last four are subcategories of the first (whose figures include theirs)
    categories[-4:].write({"parent_id": categories[0].id})
    stage = env["crm.stage"].create({"name": "Bench P Open", "sequence": 1001})
    won = env["crm.stage"].create({"name": "Bench P Won", "sequence": 1010, "is_won": True})
    params = {
        "users": users.ids,
        "segments": segments.ids,
        "categories": categories.ids,
        "company": company.id,
        "stage": stage.id,
        "won": won.id,
        "customers": CUSTOMERS,
        "leads": LEADS,
    }
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, is_company, active, type, customer_segment_id,
                                 create_date, write_date)
        SELECT 'Bench Customer ' || i, 'Bench Customer ' || i, true, true, 'contact',
               (%(segments)s::int[])[1 + i %% 8], now(), now()
          FROM generate_series(1, %(customers)s) i
        """,
        params,
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench Customer %'")
    cr.execute("SELECT array_agg(id ORDER BY id) FROM res_partner WHERE name LIKE 'Bench Customer %'")
    params["partners"] = cr.fetchone()[0]
    # kind of lead by i % 10: 0-3 won, 4-5 lost, 6-9 open
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, user_id, company_id, probability, expected_revenue,
                              partner_id, customer_segment_id, create_date, write_date, date_open, date_closed,
                              day_close, date_last_stage_update)
        SELECT 'Profile lead ' || i, 'opportunity', i %% 10 NOT IN (4, 5),
               CASE WHEN i %% 10 < 4 THEN %(won)s ELSE %(stage)s END,
               (%(users)s::int[])[1 + i %% 20], %(company)s,
               CASE WHEN i %% 10 < 4 THEN 100 WHEN i %% 10 < 6 THEN 0 ELSE 10 + i %% 80 END,
               1000 + i %% 5000, p.id, p.customer_segment_id, c, c, c,
               CASE WHEN i %% 10 < 6 THEN c + make_interval(days => 5 + i %% 60) END,
               CASE WHEN i %% 10 < 6 THEN 5 + i %% 60 END, c
          FROM generate_series(1, %(leads)s) i
          JOIN res_partner p ON p.id = (%(partners)s::int[])[1 + i %% %(customers)s],
               LATERAL (SELECT (now() at time zone 'utc') - make_interval(days => 70 + i %% 290) AS c) d
        """,
        params,
    )
    # 5 needs per lead; categories in families of 4 so that they co-occur: lead i takes
    # family f = (id / 10) % 10 (independent of the won/lost/open kind) and picks within it and elsewhere
    cr.execute(
        """
        INSERT INTO sales_process_customer_need (lead_id, company_id, user_id, partner_id, segment_id, sequence,
                                                 name, name_key, kind, priority, status, category_id,
                                                 date_confirmed, create_date, write_date)
        SELECT l.id, l.company_id, l.user_id, l.partner_id, l.customer_segment_id, j,
               'Need ' || j, 'need ' || j, CASE WHEN j = 5 THEN 'latent' ELSE 'explicit' END, '1',
               CASE WHEN (l.id + j) %% 7 = 0 THEN 'identified' WHEN j %% 2 = 0 THEN 'addressed' ELSE 'confirmed' END,
               CASE WHEN (l.id + j) %% 11 = 0 THEN NULL
                    ELSE (%(categories)s::int[])[1 + CASE WHEN j <= 3 THEN ((l.id / 10) %% 10) * 4 + (l.id * j) %% 4
                                                          ELSE (l.id * 7 + j * 13) %% 40 END] END,
               l.create_date::date, l.create_date, l.create_date
          FROM crm_lead l CROSS JOIN generate_series(1, 5) j
         WHERE l.name LIKE 'Profile lead %%'
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, parent_id, commercial_partner_id, active, type,
                                 create_date, write_date)
        SELECT 'Bench Contact ' || p.id, 'Bench Contact ' || p.id, p.id, p.id, true, 'contact', now(), now()
          FROM res_partner p WHERE p.name LIKE 'Bench Customer %'
        """
    )
    cr.execute(
        """
        INSERT INTO sales_process_decision_contact (lead_id, company_id, partner_id, role, attitude, sequence,
                                                    create_date, write_date)
        SELECT l.id, l.company_id, c.id, 'decision_maker', 'neutral', 10, now(), now()
          FROM crm_lead l JOIN res_partner c ON c.parent_id = l.partner_id AND c.name LIKE 'Bench Contact %'
         WHERE l.name LIKE 'Profile lead %' AND l.id % 2 = 0
        """
    )
    # a note on every third opportunity: the profile's last activity
    cr.execute(
        """
        INSERT INTO mail_message (model, res_id, message_type, body, date, create_date, write_date)
        SELECT 'crm.lead', l.id, 'comment', '<p>Called</p>', l.create_date + interval '3 days', now(), now()
          FROM crm_lead l WHERE l.name LIKE 'Profile lead %' AND l.id % 3 = 0
        """
    )
    cr.execute(
        "ANALYZE crm_lead, sales_process_customer_need, res_partner, sales_process_decision_contact, mail_message"
    )
    env.invalidate_all()
    return users, manager


def bench_suggestions(env, bench, users):
    cr = env.cr
    cr.execute(
        """
        SELECT l.id FROM crm_lead l
         WHERE l.name LIKE 'Profile lead %' AND l.active AND l.probability < 100
           AND (SELECT count(DISTINCT category_id) FROM sales_process_customer_need n WHERE n.lead_id = l.id) >= 3
         ORDER BY l.id LIMIT 1
        """
    )
    lead = env["crm.lead"].browse(cr.fetchone()[0])
    # two categorised needs: keep the first two categories, drop the others' category
    needs = lead.customer_need_ids.filtered("category_id")
    keep = needs.category_id[:2]
    needs.filtered(lambda need: need.category_id not in keep).write({"category_id": False})
    env.flush_all()
    user = env["res.users"].browse(lead.user_id.id)
    lead_as_user = lead.with_user(user)
    params = get_suggestion_params(env)
    bench.report(
        "suggestion_data",
        f"{LEADS} opportunities, {LEADS * 5} needs, {CATEGORIES} categories; opportunity {lead.id} "
        f"with categories {keep.ids}, thresholds {params}",
    )

    def measured():
        for model in ("crm.lead", "sales.process.customer.need", "sales.process.need.category"):
            env[model].invalidate_model()
        result = lead_as_user._get_need_suggestions()
        return result["basis"], sorted((line["category_id"], line["support"], line["base"]) for line in result["lines"])

    known = sorted({int(part) for category in keep for part in category.parent_path.split("/") if part})

    def baseline():
        args = {
            "lead": lead.id,
            "company": lead.company_id.id,
            "segment": lead.customer_segment_id.id,
            "known": known,
            "months": params["months"],
        }
        # a need counts for its category and the category's parents (parent_path "1/5/")
        won = """
            SELECT DISTINCT n.lead_id, a.category_id
              FROM sales_process_customer_need n JOIN crm_lead l ON l.id = n.lead_id
              JOIN sales_process_need_category c ON c.id = n.category_id,
                   unnest(string_to_array(rtrim(c.parent_path, '/'), '/')::int[]) a(category_id)
             WHERE l.company_id = %(company)s AND l.active AND l.probability = 100 AND l.id != %(lead)s
               AND l.date_closed >= (now() at time zone 'utc') - make_interval(months => %(months)s)
               AND n.status IN ('confirmed', 'addressed') AND n.category_id IS NOT NULL
        """
        # the won deals of the segment (the bench's customers have no industry), else all
        cr.execute(f"SELECT count(DISTINCT lead_id) FROM ({won} AND l.customer_segment_id = %(segment)s) w", args)
        basis = "segment" if cr.fetchone()[0] >= params["min_support"] else "all"
        scope = won + (" AND l.customer_segment_id = %(segment)s" if basis == "segment" else "")
        cr.execute(
            f"""
            WITH won AS ({scope}),
                 known AS (SELECT * FROM won WHERE category_id = ANY(%(known)s)),
                 base AS (SELECT category_id, count(*) AS total FROM known GROUP BY 1)
            SELECT w.category_id, k.category_id, count(*), base.total
              FROM known k
              JOIN won w ON w.lead_id = k.lead_id AND w.category_id != ALL(%(known)s)
              JOIN base ON base.category_id = k.category_id
             GROUP BY 1, 2, 4
            """,
            args,
        )
        best = {}
        for category_id, _known_id, support, base in cr.fetchall():
            confidence = 100.0 * support / base
            if support >= params["min_support"] and confidence >= params["min_confidence"]:
                if category_id not in best or (confidence, support) > best[category_id][:2]:
                    best[category_id] = (confidence, support, base)
        return basis, sorted((category_id, support, base) for category_id, (_c, support, base) in best.items())

    def same(base, meas):
        return base[1] == meas[1] and (not base[1] or base[0] == meas[0])

    bench.compare(
        "suggestions_one_opportunity (baseline: SQL)", baseline=baseline, measured=measured, goal=1.5, same=same
    )
    _basis, lines = measured()
    bench.report("suggestions_found", f"{len(lines)} categories suggested")
    # queries: the suggestions vs reading the opportunity's form fields as the salesperson
    views = lead_as_user.get_views([(False, "form")])
    form_fields = list(views["models"]["crm.lead"]["fields"])
    counts = {}
    for name, fn in (
        ("form_read", lambda: lead_as_user.read(form_fields)),
        ("suggestions", lambda: lead_as_user._get_need_suggestions()),
    ):
        fn()
        env.invalidate_all()
        start = cr.sql_log_count
        fn()
        counts[name] = cr.sql_log_count - start
    bench.report(
        "suggestion_queries",
        f"{counts['suggestions']} queries vs {counts['form_read']} to read the form's fields "
        f"(goal <= form + 2: {'met' if counts['suggestions'] <= counts['form_read'] + 2 else 'NOT met'})",
    )


# what the Customer Profiles list (res_partner_view_list_profile) asks for, as the web client does
LIST_SPEC = {
    "profile_currency_id": {"fields": {}},
    "name": {},
    "customer_segment_id": {"fields": {"display_name": {}}},
    "industry_id": {"fields": {"display_name": {}}},
    "profile_won_count": {},
    "profile_won_amount": {},
    "profile_lost_count": {},
    "profile_open_count": {},
    "profile_open_amount": {},
    "profile_win_rate": {},
    "profile_sales_cycle": {},
    "profile_last_activity": {},
}


def _list_rows(records):
    """The list's rows as comparable tuples (many2one: (id, display name) or False)."""

    def many2one(value):
        return (value["id"], value["display_name"]) if value else False

    return [
        (
            row["id"],
            row["name"],
            many2one(row["customer_segment_id"]),
            many2one(row["industry_id"]),
            row["profile_won_count"],
            round(row["profile_won_amount"], 2),
            row["profile_lost_count"],
            row["profile_open_count"],
            round(row["profile_open_amount"], 2),
            row["profile_win_rate"],
            row["profile_sales_cycle"],
            row["profile_last_activity"] or False,
        )
        for row in records
    ]


# the same list by hand: the partners, their segment and industry, and one pass over the leads of
# their commercial entity's contacts (driven by the listed partners: with "contact's company IN
# (...)" the planner scans all of a salesperson's leads instead); {rule}: the user's lead rule
# (a salesperson: own and unassigned leads)
LIST_SQL = """
    WITH figures AS (
        SELECT c.id AS customer,
               count(*) FILTER (WHERE l.active AND l.probability = 100) AS won,
               count(*) FILTER (WHERE NOT l.active AND coalesce(l.probability, 0) = 0) AS lost,
               count(*) FILTER (WHERE l.active AND coalesce(l.probability, 0) < 100) AS open,
               coalesce(sum(l.expected_revenue) FILTER (WHERE l.active AND l.probability = 100), 0)::float
                   AS won_amount,
               coalesce(sum(l.expected_revenue) FILTER (WHERE l.active AND coalesce(l.probability, 0) < 100), 0)::float
                   AS open_amount,
               coalesce(sum(l.day_close) FILTER (WHERE l.active AND l.probability = 100), 0)::float AS cycle,
               max(m.last) AS last
          FROM res_partner c
          JOIN res_partner p ON p.commercial_partner_id = c.commercial_partner_id
          JOIN crm_lead l ON l.partner_id = p.id
          LEFT JOIN LATERAL (SELECT max(mm.date) AS last FROM mail_message mm
                              WHERE mm.model = 'crm.lead' AND mm.res_id = l.id
                                AND mm.message_type IN ('comment', 'email')) m ON TRUE
         WHERE l.type = 'opportunity' AND c.id = ANY(%(ids)s) AND {rule}
         GROUP BY 1
    )
    SELECT c.id, c.name, s.id, s.name->>'en_US', i.id, i.name->>'en_US',
           coalesce(f.won, 0), coalesce(f.won_amount, 0), coalesce(f.lost, 0), coalesce(f.open, 0),
           coalesce(f.open_amount, 0), f.cycle, f.last
      FROM res_partner c
      LEFT JOIN sales_process_customer_segment s ON s.id = c.customer_segment_id
      LEFT JOIN res_partner_industry i ON i.id = c.industry_id
      LEFT JOIN figures f ON f.customer = c.id
     WHERE c.id = ANY(%(ids)s)
     ORDER BY c.complete_name, c.id DESC
"""


def bench_profiles(env, bench, manager, salesperson):
    """The Customer Profiles list of 80 companies, as the web client reads it, vs. its SQL."""
    cr = env.cr
    cr.execute("SELECT id FROM res_partner WHERE name LIKE 'Bench Customer %' ORDER BY id LIMIT 80")
    ids = [row[0] for row in cr.fetchall()]
    for user, rule, label in (
        (manager, "TRUE", "sales manager"),
        (salesperson, "(l.user_id = %(user)s OR l.user_id IS NULL)", "salesperson, own leads"),
    ):
        Partner = env["res.partner"].with_user(user)

        def measured(Partner=Partner):
            result = Partner.web_search_read([("id", "in", ids)], LIST_SPEC, limit=80)
            return _list_rows(result["records"])

        def baseline(rule=rule, user=user):
            cr.execute(LIST_SQL.format(rule=rule), {"ids": ids, "user": user.id})
            return [
                (
                    cid,
                    name,
                    (sid, sname) if sid else False,
                    (iid, iname) if iid else False,
                    won,
                    round(won_amount, 2),
                    lost,
                    opened,
                    round(open_amount, 2),
                    round(100.0 * won / (won + lost), 1) if won + lost else 0.0,
                    round(cycle / won, 1) if won else 0.0,
                    last or False,
                )
                for cid, name, sid, sname, iid, iname, won, won_amount, lost, opened, open_amount, cycle, last in (
                    cr.fetchall()
                )
            ]

        who = "manager" if user == manager else "salesperson"
        repeat = int(os.environ.get("SPM_BENCH_PROFILE_REPEAT", 21))
        bench.compare(
            f"profiles_list_80_customers_{who} ({label}; baseline: SQL)",
            baseline=baseline,
            measured=measured,
            goal=1.5,
            repeat=repeat,
            median=True,
        )
        # Odoo's own part: the same list without the profile columns, against the same SQL
        # (asserted equal on the columns it reads: id, name, segment, industry)
        plain = {name: spec for name, spec in LIST_SPEC.items() if not name.startswith("profile_")}

        def odoo_list(Partner=Partner, plain=plain):
            result = Partner.web_search_read([("id", "in", ids)], plain, limit=80)
            return [
                (
                    row["id"],
                    row["name"],
                    *(
                        (row[name]["id"], row[name]["display_name"]) if row[name] else False
                        for name in ("customer_segment_id", "industry_id")
                    ),
                )
                for row in result["records"]
            ]

        bench.compare(
            f"profiles_list_80_customers_{who}_without_profile_columns (Odoo's list read alone; baseline: same SQL)",
            baseline=lambda baseline=baseline: [row[:4] for row in baseline()],
            measured=odoo_list,
            repeat=repeat,
            median=True,
        )
        rows = measured()
        bench.report(
            f"profile_list_{who}",
            f"{sum(row[4] + row[6] + row[7] for row in rows)} opportunities counted, "
            f"{sum(1 for row in rows if row[11])} customers with a last activity",
        )
        counts = []
        for fn in (measured, odoo_list):
            fn()
            env.invalidate_all()
            start = cr.sql_log_count
            fn()
            counts.append(cr.sql_log_count - start)
        bench.report(
            f"profile_list_queries_{who}",
            f"{counts[0]} queries for the 80 profiles of the list, {counts[1]} without its profile columns",
        )
        _report_breakdown(bench, Partner, ids, who, repeat)


def _report_breakdown(bench, Partner, ids, label, repeat):
    """Our part of the list's time: the profile compute of the 80 and its one query (medians)."""
    parts = {
        "profile compute of the 80 (one query, values to the cache)": lambda: Partner.browse(ids).mapped(
            "profile_won_count"
        ),
        "its query alone (_get_profile_figures: the rule-filtered lead query and the SQL)": lambda: (
            Partner._get_profile_figures(ids)
        ),
    }
    figures = []
    for name, fn in parts.items():
        times = sorted(bench.timed(fn)[0] for _ in range(repeat))
        figures.append(f"{name} {times[len(times) // 2] * 1000:.1f} ms (best {times[0] * 1000:.1f} ms)")
    bench.report(f"profile_list_breakdown_{label}", "; ".join(figures))


def run(env, bench):
    users, manager = _setup(env, bench)
    bench_suggestions(env, bench, users)
    bench_profiles(env, bench, manager, users[0])
