# Shared helpers for the project's commands (sourced, not executed).
# Private PostgreSQL 15 cluster + Odoo configuration under .run/ (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${SPM_RUN_DIR:-$ROOT/.run}"
PG_DIR="$RUN_DIR/pg"
PGDATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/socket"
PG_PORT="${SPM_PG_PORT:-55432}"
DB_USER="odoo"
ODOO_CONF="$RUN_DIR/odoo.conf"
# Odoo fetched by scripts/bootstrap.sh (git-ignored): .odoo/src (checkout), .odoo/venv.
ODOO_HOME="${SPM_ODOO_HOME:-$ROOT/.odoo}"
ODOO_VENV="$ODOO_HOME/venv"

use_odoo_venv() {
    export VIRTUAL_ENV="$ODOO_VENV" PATH="$ODOO_VENV/bin:$PATH"
    PYTHON="$ODOO_VENV/bin/python"
}

# Once bootstrapped, the project's own Odoo is used (unless PYTHON names another
# interpreter); CI keeps the Odoo it installed.
if [ -z "${PYTHON:-}" ] && [ "${CI:-}" != true ] && [ -x "$ODOO_VENV/bin/python" ]; then
    use_odoo_venv
fi
PYTHON="${PYTHON:-python3}"

say() { printf '== %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

pg_bindir() {
    local d
    # PostgreSQL 15 first; else the newest installed (Ubuntu's own, any 12+ suits Odoo 18)
    for d in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

odoo_importable() {
    "$PYTHON" -c 'import odoo.release as r; assert r.version_info[0] == 18' >/dev/null 2>&1
}

check_odoo() {
    odoo_importable || die "Odoo 18.0 is not importable by $PYTHON. Get upstream Odoo 18.0 \
(git clone -b 18.0 --depth 1 https://github.com/odoo/odoo), then run \
'pip install -r odoo/requirements.txt && pip install -e ./odoo' and retry."
    command -v odoo >/dev/null 2>&1 || die "The 'odoo' command is missing: install Odoo 18.0 with pip (pip install -e <odoo checkout>)."
}

# An importable Odoo 18 is used as it is; otherwise (not on CI) scripts/bootstrap.sh
# fetches one into .odoo/ and it is used from then on. With the project's own Odoo,
# bootstrap.sh runs every time: it only redoes what changed (requirements, packages).
ensure_odoo() {
    [ "${SPM_ODOO_READY:-}" = "$PYTHON" ] && return 0  # checked by the calling script
    if [ "$PYTHON" = "$ODOO_VENV/bin/python" ]; then
        "$ROOT/scripts/bootstrap.sh"
    elif [ "${CI:-}" != true ] && ! odoo_importable; then
        say "Odoo 18.0 is not importable by $PYTHON: setting it up in $ODOO_HOME"
        "$ROOT/scripts/bootstrap.sh"
        use_odoo_venv
    fi
    check_odoo
    export SPM_ODOO_READY="$PYTHON"
}

check_python_packages() {
    local missing
    missing=$("$PYTHON" - "$@" <<'PY'
import importlib.util, sys
print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))
PY
)
    [ -z "$missing" ] || die "Python modules missing: $missing. Run 'pip install -r requirements.txt'."
}

check_postgres() {
    pg_bindir >/dev/null || die "PostgreSQL 15 server binaries not found (looked in /usr/lib/postgresql/15/bin; set PG_BINDIR). Install them with 'apt-get install postgresql-15'."
    command -v psql >/dev/null 2>&1 || die "psql is missing: install 'postgresql-client-15'."
}

check_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1 \
        || die "Chromium is missing (needed by the browser tours): install it with 'apt-get install chromium'."
}

check_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 \
        || die "wkhtmltopdf is missing (needed for PDF reports): install it with 'apt-get install wkhtmltopdf'."
    command -v pdftotext >/dev/null 2>&1 \
        || die "pdftotext is missing (the PDF tests read the reports' text): install it with 'apt-get install poppler-utils'."
}

# Run a command as the cluster owner: postgres refuses to run as root.
as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "${SPM_PG_OWNER:-postgres}" -- "$@"
    else
        "$@"
    fi
}

# The cluster owner must be able to reach .run/ (a clone under /root is not).
open_path_to_pg_owner() {
    local dir="$RUN_DIR"
    [ "$(id -u)" = 0 ] || return 0
    while [ "$dir" != / ]; do
        runuser -u "${SPM_PG_OWNER:-postgres}" -- test -x "$dir" || chmod o+x "$dir"
        dir="$(dirname "$dir")"
    done
}

pg_start() {
    local bindir
    bindir="$(pg_bindir)"
    mkdir -p "$RUN_DIR"
    open_path_to_pg_owner
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA" "$PG_SOCKET_DIR"
        [ "$(id -u)" = 0 ] && chown -R "${SPM_PG_OWNER:-postgres}" "$PG_DIR"
        as_pg_owner "$bindir/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg_owner "$bindir/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        say "Starting PostgreSQL on $PG_SOCKET_DIR port $PG_PORT"
        as_pg_owner "$bindir/pg_ctl" -D "$PGDATA" -w -l "$PG_DIR/postgres.log" \
            -o "-k $PG_SOCKET_DIR -p $PG_PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null
    fi
    if ! psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1; then
        psql_admin -qc "CREATE ROLE $DB_USER LOGIN CREATEDB"
    fi
}

pg_stop() {
    local bindir
    bindir="$(pg_bindir)" || return 0
    [ -f "$PGDATA/PG_VERSION" ] && as_pg_owner "$bindir/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
}

psql_admin() { psql -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }

drop_db() {
    psql_admin -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    rm -rf "$RUN_DIR/data/filestore/$1"
}

db_exists() {
    psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1
}

# Odoo's own addons folders: odoo/addons inside the package, and the
# top-level addons/ folder of a source checkout when there is one; then the
# site-packages' odoo/addons where pip puts addon wheels (OCA's odoo-addon-*),
# which an editable Odoo does not look into by itself.
odoo_addons_path() {
    "$PYTHON" - <<'PY'
import os, sysconfig, odoo
pkg = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.join(pkg, "addons")]
checkout = os.path.join(os.path.dirname(pkg), "addons")
if os.path.isdir(os.path.join(checkout, "crm")):
    paths.insert(0, checkout)
for key in ("purelib", "platlib"):
    wheels = os.path.join(sysconfig.get_paths()[key], "odoo", "addons")
    if os.path.isdir(wheels) and all(not os.path.samefile(wheels, p) for p in paths):
        paths.append(wheels)
print(",".join(paths))
PY
}

write_odoo_conf() {
    local http_port="${1:-8069}"
    mkdir -p "$RUN_DIR/data"
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ROOT,$(odoo_addons_path)
data_dir = $RUN_DIR/data
db_host = $PG_SOCKET_DIR
db_port = $PG_PORT
db_user = $DB_USER
db_password = False
http_port = $http_port
http_interface = 127.0.0.1
admin_passwd = admin
list_db = True
max_cron_threads = 0
CONF
}

# Fail when an Odoo log has a WARNING, ERROR or CRITICAL line (OCA checklog habit).
check_log() {
    local log="$1" bad
    bad=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log" || true)
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -40 >&2
        die "$log has WARNING/ERROR lines (see above)."
    fi
}
