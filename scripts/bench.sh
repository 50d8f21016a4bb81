#!/usr/bin/env bash
# Benchmarks: a throw-away database without demo data, then bench/run.py.
# Usage: scripts/bench.sh [name ...]   (names of bench/bench_<name>.py; default all)
#        scripts/bench.sh http         (kanban moves over HTTP: bench/http_move.py, two demo databases)
source "$(dirname "$0")/lib.sh"

DB="${SPM_BENCH_DB:-spm_bench}"
ensure_odoo
check_postgres
pg_start
write_odoo_conf "${SPM_HTTP_PORT:-8069}"
if [ "${1:-}" = http ]; then
    for db in "${DB}_crm" "${DB}_spm"; do drop_db "$db"; done
    say "Installing crm in ${DB}_crm and sales_process_mgmt in ${DB}_spm (demo data)"
    odoo -c "$ODOO_CONF" -d "${DB}_crm" -i crm --stop-after-init --log-level=warn
    odoo -c "$ODOO_CONF" -d "${DB}_spm" -i sales_process_mgmt --stop-after-init --log-level=warn
    "$PYTHON" "$ROOT/bench/http_move.py" -c "$ODOO_CONF" --crm-db "${DB}_crm" --spm-db "${DB}_spm" \
        --port "${SPM_HTTP_PORT:-8069}" "${@:2}"
    for db in "${DB}_crm" "${DB}_spm"; do drop_db "$db"; done
    exit 0
fi
drop_db "$DB"
say "Installing sales_process_mgmt in $DB (no demo data)"
odoo -c "$ODOO_CONF" -d "$DB" -i sales_process_mgmt --without-demo=all --stop-after-init --log-level=warn
"$PYTHON" "$ROOT/bench/run.py" -c "$ODOO_CONF" -d "$DB" "$@"
drop_db "$DB"
