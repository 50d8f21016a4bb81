#!/usr/bin/env bash
# Upgrade check (part of make test): install the last release (.ci/last_release) with
# demo data in a throw-away database, add records of every model of the addon, upgrade
# to the working tree, then fail if a row of the addon's tables or of CRM's is gone or
# if a WARNING/ERROR was logged.
source "$(dirname "$0")/lib.sh"

DB="${SPM_UPGRADE_DB:-spm_upgrade}"
RELEASE_FILE="$ROOT/.ci/last_release"
version="$(sed -n 's/^version=//p' "$RELEASE_FILE")"
commit="$(sed -n 's/^commit=//p' "$RELEASE_FILE")"
[ -n "$version" ] && [ -n "$commit" ] || die "$RELEASE_FILE must name version= and commit=."

ensure_odoo
check_postgres
pg_start
write_odoo_conf "${SPM_HTTP_PORT:-8069}"
LOGS="$RUN_DIR/logs"
WORK="$RUN_DIR/upgrade"
mkdir -p "$LOGS"
rm -rf "$WORK" && mkdir -p "$WORK/release"

# the release's addon, from git (a shallow clone may lack the commit: fetch it)
if ! git -C "$ROOT" cat-file -e "$commit^{commit}" 2>/dev/null; then
    git -C "$ROOT" fetch -q --depth=1 origin "$commit" || die "Commit $commit of release $version is not in this clone."
fi
git -C "$ROOT" archive "$commit" sales_process_mgmt | tar -x -C "$WORK/release"
released="$("$PYTHON" -c 'import ast, sys; print(ast.literal_eval(open(sys.argv[1]).read())["version"])' \
    "$WORK/release/sales_process_mgmt/__manifest__.py")"
[ "$released" = "$version" ] || die "Commit $commit has version $released, $RELEASE_FILE says $version."
BASE_PATH="$(odoo_addons_path)"

shell() {  # shell <step> <addons root> <log>: run scripts/upgrade_data.py in odoo shell
    SPM_UPGRADE_STEP="$1" SPM_UPGRADE_SNAPSHOT="$WORK/$1-$(basename "$3" .log).json" \
        odoo shell -c "$ODOO_CONF" --addons-path="$2,$BASE_PATH" -d "$DB" --log-level=info \
        --logfile="$LOGS/$3" < "$ROOT/scripts/upgrade_data.py" || die "upgrade_data.py $1 failed (see above)."
    check_log "$LOGS/$3"
}

say "Upgrade check: installing release $version (${commit:0:7}) with demo data in $DB"
drop_db "$DB"
odoo -c "$ODOO_CONF" --addons-path="$WORK/release,$BASE_PATH" -d "$DB" -i sales_process_mgmt \
    --stop-after-init --log-level=info --logfile="$LOGS/upgrade-release-install.log"
check_log "$LOGS/upgrade-release-install.log"
shell populate "$WORK/release" upgrade-populate.log
shell snapshot "$WORK/release" upgrade-before.log

say "Upgrade check: upgrading $DB to the working tree"
odoo -c "$ODOO_CONF" --addons-path="$ROOT,$BASE_PATH" -d "$DB" -u sales_process_mgmt \
    --stop-after-init --log-level=info --logfile="$LOGS/upgrade-upgrade.log"
check_log "$LOGS/upgrade-upgrade.log"
shell snapshot "$ROOT" upgrade-after.log

"$PYTHON" - "$WORK/snapshot-upgrade-before.json" "$WORK/snapshot-upgrade-after.json" <<'PY' \
    || die "The upgrade lost rows (see above)."
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:])
lost = {}
for table, rows in before.items():
    gone = set(rows) - set(after.get(table, []))
    if gone:
        lost[table] = sorted(gone)
for table, rows in sorted(lost.items()):
    print(f"  {table}: {len(rows)} of {len(before[table])} rows lost, e.g. {rows[:5]}")
total = sum(len(rows) for rows in before.values())
print(f"upgrade check: {len(before)} tables, {total} rows before, "
      f"{sum(len(rows) for rows in after.values())} after, {sum(map(len, lost.values()))} lost")
sys.exit(1 if lost else 0)
PY
drop_db "$DB"
say "Upgrade check passed: $version -> $(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$ROOT/sales_process_mgmt/__manifest__.py")"
