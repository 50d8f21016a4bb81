"""18.0.1.3.0: the process forecast reads its win rates from sales.process.stage.win.rate.

The table is new: fill it from the stage history now rather than at the first run of the
daily cron, so that the forecast of an upgraded database keeps its figures.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    api.Environment(cr, SUPERUSER_ID, {})["sales.process.stage.win.rate"]._refresh_rates()
