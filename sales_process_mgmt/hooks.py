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
