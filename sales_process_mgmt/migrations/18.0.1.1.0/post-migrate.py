"""18.0.1.1.0: visits record how they ended; lost and archived leads are in no stage.

Closed visits of earlier versions all ended by a stage move. The open visits of
leads lost or archived before this version are closed as lost, at the lead's last
change (when it was lost, as far as the database knows).
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE sales_process_stage_history SET exit_type = 'moved' WHERE NOT is_open AND exit_type IS NULL")
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        """
        SELECT l.id, l.write_date
          FROM crm_lead l
          JOIN sales_process_stage_history h ON h.lead_id = l.id AND h.is_open
         WHERE NOT l.active
        """
    )
    lost = dict(cr.fetchall())
    leads = env["crm.lead"].with_context(active_test=False).browse(list(lost))
    env["sales.process.stage.history"]._close_visits(leads, exit_type="lost", dates_out=lost)
