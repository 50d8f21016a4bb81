from odoo.tools import SQL


def post_init_hook(env):
    """Start the stage history of the leads already in the CRM.

    Every active lead gets an open visit of its current stage (with the stage's checklist),
    entered at its last stage change; who moved it there is not known. Leads created
    during the installation (demo data) already have theirs. Then the forecast's stage
    win rates are computed.
    """
    env["sales.process.stage.history"]._open_visits(
        SQL(
            "l.active AND NOT EXISTS (SELECT 1 FROM sales_process_stage_history h WHERE h.lead_id = l.id AND h.is_open)"
        )
    )
    # the forecast's win rates (of the demo's history when there is one)
    env["sales.process.stage.win.rate"]._refresh_rates()


def uninstall_hook(env):
    """Leave to the CRM the pipeline stages that leads still use.

    Stages created by this module (the demo's seed stages) would otherwise be
    deleted on uninstall, which the leads in them forbid.
    """
    stage_data = env["ir.model.data"].search([("module", "=", "sales_process_mgmt"), ("model", "=", "crm.stage")])
    used = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("stage_id", "in", stage_data.mapped("res_id"))])
        .stage_id
    )
    stage_data.filtered(lambda data: data.res_id in used.ids).unlink()
