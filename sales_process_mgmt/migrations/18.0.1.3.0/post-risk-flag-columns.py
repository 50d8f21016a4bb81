"""18.0.1.3.0: risk flags read their team and stage through the opportunity.

Odoo keeps the columns of fields a module no longer declares, and the indexes of fields
no longer indexed; on this table they would cost every scan a foreign-key check and index
entries per inserted flag. Their values were copies of the opportunity's: nothing is lost.
"""

from odoo.tools import SQL, sql

TABLE = "sales_process_risk_flag"


def migrate(cr, version):
    if not version or not sql.table_exists(cr, TABLE):
        return
    for column in ("team_id", "stage_id"):
        if sql.column_exists(cr, TABLE, column):
            cr.execute(SQL("ALTER TABLE %s DROP COLUMN %s", SQL.identifier(TABLE), SQL.identifier(column)))
    for column in ("is_active", "state"):
        sql.drop_index(cr, sql.make_index_name(TABLE, column), TABLE)
