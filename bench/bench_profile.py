"""Customer profile and latent-need suggestions at scale (issue #15).

Data (plain SQL inserts): 20 salespeople, 8 customer segments, 40 need categories,
20,000 customer companies, 200,000 opportunities over the last 12 months (40 % won,
20 % lost, 40 % open), 1,000,000 needs (5 per opportunity, categories drawn so that some
go together), 100,000 decision contacts.

1. The suggestions of one open opportunity with two categorised needs, as its salesperson
   (``crm.lead._get_need_suggestions``: the opportunity, its needs, the two aggregates, the
   categories), next to hand-written SQL of the same co-occurrence figures; asserted equal.
   Its query count is put next to the one of reading the opportunity's form fields.
2. The profiles of 80 customers in one list, as a sales manager (every profile figure
   computed), next to hand-written SQL of the same won/lost/open counts, amounts, sales
   cycle and confirmed needs by category; asserted equal.
"""

from odoo.addons.sales_process_mgmt.models.crm_lead_need_suggestion import get_suggestion_params

LEADS = 200000
CUSTOMERS = 20000
CATEGORIES = 40


def _setup(env, bench):
    cr = env.cr
    company = env.company
    users = bench.create_users("bench_profile", 20)
    manager = bench.create_users("bench_profile_manager", 1, group="sales_team.group_sale_manager")
    segments = env["sales.process.customer.segment"].create([{"name": f"Bench Segment {i}"} for i in range(8)])
    categories = env["sales.process.need.category"].create([{"name": f"Bench Category {i}"} for i in range(CATEGORIES)])
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
    cr.execute("ANALYZE crm_lead, sales_process_customer_need, res_partner, sales_process_decision_contact")
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
        f"{LEADS} opportunities, 1,000,000 needs, {CATEGORIES} categories; opportunity {lead.id} "
        f"with categories {keep.ids}, thresholds {params}",
    )

    def measured():
        for model in ("crm.lead", "sales.process.customer.need", "sales.process.need.category"):
            env[model].invalidate_model()
        result = lead_as_user._get_need_suggestions()
        return result["basis"], sorted((line["category_id"], line["support"], line["base"]) for line in result["lines"])

    def baseline():
        args = {
            "lead": lead.id,
            "company": lead.company_id.id,
            "segment": lead.customer_segment_id.id,
            "known": keep.ids,
            "months": params["months"],
        }
        won = """
            SELECT DISTINCT n.lead_id, n.category_id
              FROM sales_process_customer_need n JOIN crm_lead l ON l.id = n.lead_id
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


PROFILE_FIELDS = [
    "profile_won_count",
    "profile_lost_count",
    "profile_open_count",
    "profile_won_amount",
    "profile_open_amount",
    "profile_win_rate",
    "profile_sales_cycle",
    "profile_last_activity",
    "profile_needs_html",
    "profile_decision_contact_ids",
    "profile_rating_ids",
    "profile_rating_avg",
]


def bench_profiles(env, bench, manager):
    cr = env.cr
    cr.execute("SELECT id FROM res_partner WHERE name LIKE 'Bench Customer %' ORDER BY id LIMIT 80")
    ids = [row[0] for row in cr.fetchall()]
    Partner = env["res.partner"].with_user(manager)

    def measured():
        partners = Partner.browse(ids)
        for model in ("res.partner", "crm.lead", "sales.process.customer.need", "sales.process.decision.contact"):
            env[model].invalidate_model()
        rows = partners.read(PROFILE_FIELDS)
        figures = {}
        for row in rows:
            figures[row["id"]] = (
                row["profile_won_count"],
                row["profile_lost_count"],
                row["profile_open_count"],
                round(row["profile_won_amount"], 2),
                round(row["profile_open_amount"], 2),
                row["profile_sales_cycle"],
                row["profile_needs_html"].count("<tr>") - 1 if row["profile_needs_html"] else 0,
                len(row["profile_decision_contact_ids"]),
            )
        return figures

    def baseline():
        cr.execute(
            """
            WITH leads AS (
                SELECT p.commercial_partner_id AS customer,
                       count(*) FILTER (WHERE l.active AND l.probability = 100) AS won,
                       count(*) FILTER (WHERE NOT l.active AND l.probability = 0) AS lost,
                       count(*) FILTER (WHERE l.active AND l.probability < 100) AS open,
                       coalesce(sum(l.expected_revenue) FILTER (WHERE l.active AND l.probability = 100), 0)
                           AS won_amount,
                       coalesce(sum(l.expected_revenue) FILTER (WHERE l.active AND l.probability < 100), 0)
                           AS open_amount,
                       coalesce(sum(l.day_close) FILTER (WHERE l.active AND l.probability = 100), 0) AS cycle
                  FROM crm_lead l JOIN res_partner p ON p.id = l.partner_id
                 WHERE l.type = 'opportunity' AND p.commercial_partner_id = ANY(%(ids)s)
                 GROUP BY 1
            ), needs AS (
                SELECT partner_id AS customer, count(DISTINCT coalesce(category_id, 0)) AS categories
                  FROM sales_process_customer_need
                 WHERE partner_id = ANY(%(ids)s) AND status IN ('confirmed', 'addressed')
                 GROUP BY 1
            ), contacts AS (
                SELECT p.commercial_partner_id AS customer, count(*) AS contacts
                  FROM sales_process_decision_contact c JOIN res_partner p ON p.id = c.partner_id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                 GROUP BY 1
            )
            SELECT leads.*, coalesce(needs.categories, 0), coalesce(contacts.contacts, 0)
              FROM leads LEFT JOIN needs USING (customer) LEFT JOIN contacts USING (customer)
            """,
            {"ids": ids},
        )
        return {
            customer: (
                won,
                lost,
                opened,
                round(won_amount, 2),
                round(open_amount, 2),
                round(cycle / won, 1) if won else 0.0,
                categories,
                contacts,
            )
            for customer, won, lost, opened, won_amount, open_amount, cycle, categories, contacts in cr.fetchall()
        }

    bench.compare("profiles_80_customers (baseline: SQL)", baseline=baseline, measured=measured, goal=1.5)
    measured()
    start = cr.sql_log_count
    measured()
    bench.report("profile_queries", f"{cr.sql_log_count - start} queries for the 80 profiles")


def run(env, bench):
    users, manager = _setup(env, bench)
    bench_suggestions(env, bench, users)
    bench_profiles(env, bench, manager)
