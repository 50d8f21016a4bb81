"""Bulk stage move into a stage with responsibilities (issue: responsibility assignment per stage).

10,000 opportunities move in one write() into a stage with 2 Responsible rows (the
salesperson, the team leader) and 2 Informed rows (two specific users): 20,000
activities, 10,000 informed notes with 20,000 inbox notifications. The baseline is
the same write into a twin stage (same objective, time limit and checklist) without
responsibility rows. Then the number of SQL queries of the move, for 1,000 and for
10,000 leads, with and without the rows.
"""

from odoo import Command
from odoo.addons.sales_process_mgmt.models.crm_lead import SKIP_STAGE_LOGIC

N = 10_000
SMALL = 1_000


def run(env, bench):
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
    Stage = env["crm.stage"]
    stage_a = Stage.create({"name": "Bench Start", "sequence": 1000})
    twins = Stage.create(
        [
            {
                "name": name,
                "sequence": sequence,
                "objective": "Confirm the customer's needs",
                "has_time_limit": True,
                "max_days": 10,
            }
            for name, sequence in (("Bench Plain", 1001), ("Bench With Duties", 1002))
        ]
    )
    plain, with_duties = twins
    env["sales.process.checklist.item"].create(
        [{"stage_id": stage.id, "name": name} for stage in twins for name in ("Interview held", "Needs confirmed")]
    )
    salesman_group = env.ref("sales_team.group_sale_salesman")
    users = env["res.users"].create(
        [
            {"name": f"Bench User {i}", "login": f"bench_user_{i}", "groups_id": [Command.set([salesman_group.id])]}
            for i in range(7)
        ]
    )
    salespeople, leader, informed = users[:4], users[4], users[5:]
    team = env["crm.team"].create({"name": "Bench Team", "user_id": leader.id})
    env["sales.process.responsibility"].create(
        [
            {"stage_id": with_duties.id, "role": "responsible", "assignee_kind": "salesperson"},
            {"stage_id": with_duties.id, "role": "responsible", "assignee_kind": "team_leader"},
        ]
        + [
            {"stage_id": with_duties.id, "role": "informed", "assignee_kind": "user", "user_id": user.id}
            for user in informed
        ]
    )
    Lead = env["crm.lead"].with_context(sales_process_skip=SKIP_STAGE_LOGIC)
    leads = Lead.browse()
    for start in range(0, N, 1000):
        leads |= Lead.create(
            [
                {
                    "name": f"Bench Lead {i}",
                    "type": "opportunity",
                    "stage_id": stage_a.id,
                    "user_id": salespeople[i % 4].id,
                    "team_id": team.id,
                }
                for i in range(start, start + 1000)
            ]
        )
    leads = leads.with_env(env)  # created without the stage hook; moved with it
    env.flush_all()
    cr = env.cr

    def move_back():
        """Untimed: every lead back in the start stage, without what the last run wrote
        (visits, checklists, activities, notes, followers), so that every run starts
        from the same state. Everything runs in one transaction that is rolled back,
        so the planner statistics are refreshed by hand."""
        leads.with_context(sales_process_skip=SKIP_STAGE_LOGIC).write({"stage_id": stage_a.id})
        env.flush_all()
        for table, condition in (
            ("sales_process_lead_checklist", "lead_id = ANY(%s)"),
            ("sales_process_stage_history", "lead_id = ANY(%s)"),
            ("mail_activity", "res_model = 'crm.lead' AND res_id = ANY(%s)"),
            ("mail_message", "model = 'crm.lead' AND res_id = ANY(%s)"),
            ("mail_followers", "res_model = 'crm.lead' AND res_id = ANY(%s)"),
        ):
            cr.execute(f"DELETE FROM {table} WHERE {condition}", [leads.ids])
        cr.execute(
            "ANALYZE crm_lead, sales_process_lead_checklist, sales_process_stage_history, mail_activity, "
            "mail_message, mail_notification, mail_message_res_partner_rel, mail_followers"
        )
        env.invalidate_all()

    def move(stage, records=leads):
        def write():
            records.write({"stage_id": stage.id})
            env.flush_all()
            return len(records.filtered(lambda lead: lead.stage_id == stage))

        return write

    bench.compare(
        f"move {N // 1000}k leads into a stage with 2R+2I",
        baseline=move(plain),
        measured=move(with_duties),
        setup=move_back,
        goal=2,
    )
    cr.execute("SELECT count(*) FROM mail_activity WHERE sales_process_stage_id = %s", [with_duties.id])
    bench.report("activities created by the last measured move", str(cr.fetchone()[0]))

    counts = {}
    for size in (SMALL, N):
        for stage in twins:
            move_back()
            start = cr.sql_log_count
            leads[:size].write({"stage_id": stage.id})
            env.flush_all()
            counts[size, stage] = cr.sql_log_count - start
    bench.report(
        "SQL queries of the move",
        ", ".join(
            f"{size} leads: {counts[size, plain]} without rows / {counts[size, with_duties]} with 2R+2I"
            for size in (SMALL, N)
        ),
    )
