#!/usr/bin/env bash
# The run command: a persistent demo database served at http://localhost:8069.
# SPM_FRESH=1 (make demo FRESH=1) drops and recreates the database.
source "$(dirname "$0")/lib.sh"

DB="${SPM_DEMO_DB:-spm_demo}"
PORT="${SPM_HTTP_PORT:-8069}"

ensure_odoo
check_python_packages xlsxwriter
check_postgres
check_wkhtmltopdf
pg_start
write_odoo_conf "$PORT"

[ "${SPM_FRESH:-0}" = 1 ] && { say "Dropping $DB"; drop_db "$DB"; }
if db_exists "$DB"; then
    say "Updating sales_process_mgmt in $DB"
    odoo -c "$ODOO_CONF" -d "$DB" -u sales_process_mgmt --stop-after-init --log-level=warn
else
    say "Creating $DB with demo data (en_US and zh_CN)"
    odoo -c "$ODOO_CONF" -d "$DB" -i sales_process_mgmt \
        --stop-after-init --log-level=warn
    # zh_CN after the install, as users add it (Settings > Languages > Add): at database
    # creation it would replace en_US instead; see scripts/load_language.py
    odoo shell -c "$ODOO_CONF" -d "$DB" --log-level=warn < "$ROOT/scripts/load_language.py"
    # two of the demo salespeople work in Chinese
    psql -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$DB_USER" -d "$DB" -qc "UPDATE res_partner SET lang = 'zh_CN'
        WHERE id IN (SELECT partner_id FROM res_users WHERE login IN ('zhang.wei', 'li.na'))"
fi
[ "${SPM_NO_SERVE:-0}" = 1 ] && exit 0
say "Odoo is at http://localhost:$PORT  (login admin / password admin); Ctrl-C stops it"
# one cron worker: the mail work of moves, the mail queue, risk scans and timing run after commit
exec odoo -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" --max-cron-threads=1 --log-level=warn "$@"
