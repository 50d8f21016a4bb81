# Run by scripts/test.sh through `odoo shell` (env is given): uninstall the addon
# and check that no CRM lead other than the addon's own demo leads was lost.
import sys

QUERY = """
    SELECT count(*) FROM crm_lead l
     WHERE NOT EXISTS (SELECT 1 FROM ir_model_data d
                        WHERE d.model = 'crm.lead' AND d.res_id = l.id AND d.module = 'sales_process_mgmt')
"""
env.cr.execute(QUERY)  # noqa: F821
before = env.cr.fetchone()[0]  # noqa: F821
env["ir.module.module"].search([("name", "=", "sales_process_mgmt")]).button_immediate_uninstall()  # noqa: F821
env.cr.execute(QUERY)  # noqa: F821
after = env.cr.fetchone()[0]  # noqa: F821
state = env["ir.module.module"].search([("name", "=", "sales_process_mgmt")]).state  # noqa: F821
print(f"uninstall check: module {state}, CRM leads {before} before, {after} after")
if state != "uninstalled" or after != before:
    sys.exit(1)
