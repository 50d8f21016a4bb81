# Run by scripts/upgrade_check.sh through `odoo shell` (env is given), in two steps
# chosen by SPM_UPGRADE_STEP:
#   populate  on the last release: add records of every model of the addon the way
#             people make them (a customer and an opportunity with its insight, moves
#             through the stages with a checklist and a gate override, a stage standard,
#             a responsibility row, a training course, session and records), then commit;
#   snapshot  write the ids (or rows) of every table of the addon's models and of CRM
#             to the JSON file SPM_UPGRADE_SNAPSHOT.
# The populate step follows the last release's API (.ci/last_release): update it
# when a new release is named there.
import base64
import json
import os
import sys
from datetime import timedelta

from odoo import Command, fields

env = env  # noqa: F821 (given by odoo shell)
STEP = os.environ["SPM_UPGRADE_STEP"]
ADDON = "sales_process_mgmt"


def addon_models():
    """The models the addon creates (not those it extends), with a table of their own."""
    env.cr.execute(
        """SELECT m.model FROM ir_model m
             JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id AND d.module = %s
            ORDER BY m.model""",
        [ADDON],
    )
    names = [row[0] for row in env.cr.fetchall()]
    return [
        name
        for name in names
        if name in env and env[name]._original_module == ADDON and env[name]._auto and not env[name]._abstract
    ]


def tables():
    """Tables whose rows an upgrade must keep: the addon's models and their many2many
    tables, and every table of CRM (crm_*)."""
    found = {env[name]._table for name in addon_models() if not env[name]._transient}
    env.cr.execute(
        """SELECT f.relation_table FROM ir_model_fields f
             JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id AND d.module = %s
            WHERE f.ttype = 'many2many' AND f.relation_table IS NOT NULL AND f.store""",
        [ADDON],
    )
    found.update(row[0] for row in env.cr.fetchall())
    env.cr.execute(
        """SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name LIKE 'crm\\_%%'"""
    )
    found.update(row[0] for row in env.cr.fetchall())
    return sorted(found)


def snapshot(path):
    result = {}
    for table in tables():
        env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY column_name",
            [table],
        )
        columns = [row[0] for row in env.cr.fetchall()]
        if not columns:
            continue
        if "id" in columns:
            env.cr.execute(f'SELECT id FROM "{table}" ORDER BY id')  # names from the catalog
            result[table] = [row[0] for row in env.cr.fetchall()]
        else:  # many2many: the rows themselves
            env.cr.execute(f'SELECT {", ".join(columns)} FROM "{table}"')
            result[table] = sorted("|".join(str(v) for v in row) for row in env.cr.fetchall())
    with open(path, "w") as fh:
        json.dump(result, fh)
    print(f"upgrade check: {len(result)} tables, {sum(len(v) for v in result.values())} rows")


def ref(name):
    return env.ref(f"{ADDON}.{name}")


def populate():
    models = [name for name in addon_models() if not env[name]._transient]
    before = {name: env[name].with_context(active_test=False).search_count([]) for name in models}
    today = fields.Date.context_today(env.user)
    zhang = ref("user_salesperson_zhang_demo")
    chen = ref("user_sales_manager_chen_demo")
    team = ref("crm_team_east_demo")
    reception = ref("stage_reception_demo")
    needs_stage = ref("stage_needs_confirmation_demo")
    presentation = ref("stage_presentation_demo")

    # configuration: lists, a stage standard, a responsibility row, a training course
    segment = env["sales.process.customer.segment"].create(
        {"name": "Hospitals (upgrade check)", "description": "Public and private hospitals."}
    )
    channel = env["sales.process.sales.channel"].create({"name": "Distributor (upgrade check)"})
    competitor = env["sales.process.competitor"].create({"name": "Rival Medical (upgrade check)"})
    env["sales.process.checklist.item"].create(
        {"stage_id": reception.id, "name": "Visit report filed", "required": False, "evidence": "note"}
    )
    env["sales.process.stage.gate"].create(
        {"stage_id": needs_stage.id, "criterion": "budget_known", "mode": "warn", "sequence": 90}
    )
    env["sales.process.responsibility"].create(
        {
            "stage_id": needs_stage.id,
            "team_id": team.id,
            "role": "informed",
            "assignee_kind": "user",
            "user_id": chen.id,
        }
    )
    course = env["sales.process.training.course"].create(
        {
            "name": "Medical devices basics (upgrade check)",
            "category": "product_knowledge",
            "hours": 4,
            "passing_score": 60,
            "validity_months": 12,
            "stage_ids": [Command.link(presentation.id)],
        }
    )

    # a customer and an opportunity with its customer insight
    customer = env["res.partner"].create(
        {"name": "Huaxi Hospital (upgrade check)", "is_company": True, "customer_segment_id": segment.id}
    )
    buyer = env["res.partner"].create({"name": "Dr. Liu Yang", "parent_id": customer.id, "function": "Director"})
    lead = (
        env["crm.lead"]
        .with_user(zhang)
        .create(
            {
                "name": "Imaging equipment for Huaxi Hospital (upgrade check)",
                "type": "opportunity",
                "partner_id": customer.id,
                "team_id": team.id,
                "user_id": zhang.id,
                "stage_id": reception.id,
                "expected_revenue": 120000,
                "email_from": "liu.yang@example.com",
                "phone": "+86 28 8542 2114",
                "sales_channel_id": channel.id,
                "budget_known": True,
                "budget_amount": 150000,
                "date_decision": today + timedelta(days=45),
            }
        )
    )
    lead.write(
        {
            "customer_need_ids": [
                Command.create({"name": "Faster scans", "kind": "explicit", "priority": "2"}),
                Command.create({"name": "Less training for staff", "kind": "latent", "reason": "High turnover"}),
            ],
            "decision_contact_ids": [Command.create({"partner_id": buyer.id, "role": "decision_maker"})],
            "decision_criterion_ids": [Command.create({"name": "Image quality", "weight": 3, "score": 8})],
            "lead_competitor_ids": [Command.create({"competitor_id": competitor.id, "position": "ahead"})],
        }
    )
    lead.write(
        {
            "decision_step_ids": [
                Command.create(
                    {
                        "name": "Technical evaluation",
                        "contact_id": lead.decision_contact_ids[:1].id,
                        "date_planned": today + timedelta(days=10),
                    }
                )
            ]
        }
    )
    lead.customer_need_ids[:1].status = "confirmed"

    # the salesperson works the checklist, the administrator moves the lead on
    # (overriding the blocking criteria the checklist leaves open; in 18.0.1.0.0 a
    # manager cannot evaluate the required-fields criterion)
    for line in lead.checklist_ids.filtered("is_current"):
        line.with_user(zhang).write({"done": True, "note": "Done during the visit."})
    for stage in (needs_stage, presentation):
        wizard = (
            env["sales.process.gate.override.wizard"]
            .with_user(env.ref("base.user_admin"))
            .create({"lead_id": lead.id, "stage_id": stage.id, "reason": "Customer in a hurry (upgrade check)"})
        )
        wizard.action_confirm()
    attachment = env["ir.attachment"].create(
        {"name": "visit.txt", "raw": b"Visit report", "res_model": "crm.lead", "res_id": lead.id}
    )
    lead.checklist_ids.filtered("is_current")[:1].write({"done": True, "attachment_ids": [Command.set(attachment.ids)]})

    # training: a session done and graded, and a historical record with its certificate
    session = env["sales.process.training.session"].create(
        {
            "course_id": course.id,
            "date_start": fields.Datetime.now() - timedelta(days=3),
            "trainer_id": chen.id,
            "location": "Chengdu office",
            "attendee_ids": [Command.set([zhang.id, ref("user_salesperson_li_demo").id])],
        }
    )
    session.action_confirm()
    session.action_done()
    for score, record in zip((85, 55), session.record_ids, strict=False):
        record.score = score
    env["sales.process.training.record"].create(
        {
            "salesperson_id": ref("user_salesperson_wang_demo").id,
            "course_id": course.id,
            "date": today - timedelta(days=200),
            "score": 90,
            "certificate": base64.b64encode(b"certificate"),
            "certificate_filename": "certificate.txt",
        }
    )
    env["crm.lead"].flush_model()
    env.cr.commit()

    missing = [name for name in models if env[name].with_context(active_test=False).search_count([]) <= before[name]]
    print(f"upgrade check: records added to {len(models) - len(missing)} of {len(models)} models")
    if missing:
        print(f"upgrade check: no record added to {', '.join(missing)}: extend scripts/upgrade_data.py")
        sys.exit(1)


if STEP == "populate":
    populate()
elif STEP == "snapshot":
    snapshot(os.environ["SPM_UPGRADE_SNAPSHOT"])
else:
    sys.exit(f"unknown SPM_UPGRADE_STEP {STEP}")
