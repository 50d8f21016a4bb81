"""Training compliance matrix at scale: 500 salespeople × 20 courses × 10 years of records.

Measured: the ORM read of the whole ``sales.process.training.matrix`` (as the admin user,
record rules applied). Baseline: a hand-written SQL query returning the same
(user, course, status) triples. The issue's goal: measured <= 2x baseline.
"""

USERS = 500
COURSES = 20
TEAMS = 10
YEARS = 10

BASELINE_SQL = """
    SELECT u.id, c.id,
           CASE b.rank WHEN 0 THEN 'valid' WHEN 1 THEN 'expiring' WHEN 2 THEN 'expired'
                       WHEN 3 THEN 'pending' WHEN 4 THEN 'failed' ELSE 'missing' END
      FROM res_users u
      JOIN res_groups_users_rel g ON g.uid = u.id AND g.gid = %(group)s
      JOIN sales_process_training_course c ON c.active
 LEFT JOIN (SELECT salesperson_id, course_id,
                   MIN(CASE status WHEN 'valid' THEN 0 WHEN 'expiring' THEN 1 WHEN 'expired' THEN 2
                                   WHEN 'pending' THEN 3 ELSE 4 END) AS rank
              FROM sales_process_training_record
          GROUP BY salesperson_id, course_id) b ON b.salesperson_id = u.id AND b.course_id = c.id
     WHERE u.active AND NOT u.share
       AND (c.id IN (SELECT course_id FROM sales_process_training_course_crm_stage_rel)
            OR c.id IN (SELECT course_id FROM sales_process_training_course_crm_team_rel))
       AND (c.company_id IS NULL
            OR (u.id, c.company_id) IN (SELECT user_id, cid FROM res_company_users_rel))
       AND (c.id NOT IN (SELECT course_id FROM sales_process_training_course_crm_team_rel)
            OR (u.id, c.id) IN (SELECT m.user_id, t.course_id
                                  FROM sales_process_training_course_crm_team_rel t
                                  JOIN crm_team_member m ON m.crm_team_id = t.team_id AND m.active))
  ORDER BY 1, 2
"""


def _generate(env):
    """500 salespeople in 10 teams, 20 required courses, ~100k records by SQL."""
    salesman = env.ref("sales_team.group_sale_salesman")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, mail_create_nolog=True, tracking_disable=True)
        .create(
            [
                {
                    "name": f"Bench Salesperson {i:03d}",
                    "login": f"bench_sp_{i:03d}",
                    "groups_id": [(6, 0, salesman.ids)],
                }
                for i in range(USERS)
            ]
        )
    )
    teams = env["crm.team"].create([{"name": f"Bench Team {i}"} for i in range(TEAMS)])
    env["crm.team.member"].create(
        [{"crm_team_id": teams[i % TEAMS].id, "user_id": user.id} for i, user in enumerate(users)]
    )
    stage = env["crm.stage"].create({"name": "Bench Stage"})
    categories = ["product_knowledge", "selling_skills", "customer_service", "other"]
    courses = env["sales.process.training.course"].create(
        [
            {
                "name": f"Bench Course {i:02d}",
                "category": categories[i % 4],
                "passing_score": 60,
                "validity_months": [12, 24, 36, 0][i % 4],
                # 15 courses are required for the stage, 5 only for two teams each.
                "stage_ids": [(6, 0, stage.ids)] if i < 15 else [],
                "team_ids": [(6, 0, teams[(2 * i) % TEAMS : (2 * i) % TEAMS + 2].ids)] if i >= 15 else [],
            }
            for i in range(COURSES)
        ]
    )
    env.flush_all()
    Record = env["sales.process.training.record"]
    today, warn_date = Record._get_status_dates()
    # One attempt per salesperson, course and year (some years skipped), scores 30..100;
    # result, expiry and status follow the same rules as the ORM computes.
    env.cr.execute(
        """
        INSERT INTO sales_process_training_record
               (salesperson_id, course_id, date, score, graded, result, expiry_date, status,
                company_id, expiry_activity_done, create_uid, write_uid, create_date, write_date)
        SELECT g.user_id, g.course_id, g.date, g.score, TRUE,
               CASE WHEN g.score >= g.passing_score THEN 'passed' ELSE 'failed' END,
               g.expiry_date,
               CASE WHEN g.score < g.passing_score THEN 'failed'
                    WHEN g.expiry_date IS NULL OR g.expiry_date > %(warn)s THEN 'valid'
                    WHEN g.expiry_date > %(today)s THEN 'expiring'
                    ELSE 'expired' END,
               %(company)s, FALSE, 1, 1, now(), now()
          FROM (
            SELECT u.id AS user_id, c.id AS course_id, c.passing_score,
                   d.date, s.score,
                   CASE WHEN s.score >= c.passing_score AND c.validity_months > 0
                        THEN (d.date + make_interval(months => c.validity_months))::date END AS expiry_date
              FROM unnest(%(users)s) AS u(id)
        CROSS JOIN sales_process_training_course c
        CROSS JOIN generate_series(0, %(years)s - 1) AS y(n)
        CROSS JOIN LATERAL (SELECT (%(today)s::date - make_interval(years => y.n)
                                    - ((u.id * 7 + c.id * 13 + y.n * 31) %% 365) * interval '1 day')::date) AS d(date)
        CROSS JOIN LATERAL (SELECT (30 + (u.id * 17 + c.id * 11 + y.n * 23) %% 71)::numeric) AS s(score)
             WHERE c.id IN %(courses)s
               AND (u.id + c.id + y.n) %% 23 <> 0
          ) g
        """,
        {
            "users": users.ids,
            "courses": tuple(courses.ids),
            "years": YEARS,
            "today": today,
            "warn": warn_date,
            "company": env.company.id,
        },
    )
    env.invalidate_all()
    env.cr.execute("ANALYZE sales_process_training_record")
    return users, courses


def run(env, bench):
    users, courses = _generate(env)
    env.cr.execute("SELECT count(*) FROM sales_process_training_record")
    bench.report(
        "training records", f"{env.cr.fetchone()[0]} records, {len(users)} salespeople, {len(courses)} courses"
    )
    group = env.ref("sales_process_mgmt.group_sales_process_user")
    Matrix = env["sales.process.training.matrix"].with_user(env.ref("base.user_admin"))

    def baseline():
        env.cr.execute(BASELINE_SQL, {"group": group.id})
        return [tuple(row) for row in env.cr.fetchall()]

    def measured():
        # _get_statuses() comes ordered by user, then course (the matrix id).
        return [(user_id, course_id, status) for (user_id, course_id), status in Matrix._get_statuses().items()]

    bench.compare("training compliance matrix 500x20", baseline=baseline, measured=measured, repeat=5, goal=2)

    def measured_compliance():
        return Matrix._get_compliance(users)

    def baseline_compliance():
        env.cr.execute(BASELINE_SQL, {"group": group.id})
        cells = {}
        for user_id, _course_id, status in env.cr.fetchall():
            total, certified = cells.get(user_id, (0, 0))
            cells[user_id] = (total + 1, certified + (status in ("valid", "expiring")))
        return {uid: 100.0 * cells[uid][1] / cells[uid][0] if uid in cells else None for uid in users.ids}

    bench.compare(
        "training compliance % of 500 salespeople",
        baseline=baseline_compliance,
        measured=measured_compliance,
        goal=2,
        same=lambda a, b: a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a),
    )
