#!/usr/bin/env bash
# Benchmarks: a throw-away database without demo data, then bench/run.py.
# Usage: scripts/bench.sh [name ...]   (names of bench/bench_<name>.py; default all)
source "$(dirname "$0")/lib.sh"

DB="${SPM_BENCH_DB:-spm_bench}"
ensure_odoo
check_postgres
pg_start
write_odoo_conf "${SPM_HTTP_PORT:-8069}"
drop_db "$DB"
say "Installing sales_process_mgmt in $DB (no demo data)"
odoo -c "$ODOO_CONF" -d "$DB" -i sales_process_mgmt --without-demo=all --stop-after-init --log-level=warn
"$PYTHON" "$ROOT/bench/run.py" -c "$ODOO_CONF" -d "$DB" "$@"
drop_db "$DB"
