#!/usr/bin/env bash
# Re-export the .pot from a fresh database (with demo data, whose stage names
# are translated too) and merge it into zh_CN.po; lists what is left to translate.
source "$(dirname "$0")/lib.sh"

DB="spm_i18n"
ensure_odoo
check_postgres
pg_start
write_odoo_conf "${SPM_HTTP_PORT:-8069}"
drop_db "$DB"
odoo -c "$ODOO_CONF" -d "$DB" -i sales_process_mgmt --stop-after-init --log-level=warn
odoo -c "$ODOO_CONF" -d "$DB" --modules=sales_process_mgmt --stop-after-init --log-level=warn \
    --i18n-export="$ROOT/sales_process_mgmt/i18n/sales_process_mgmt.pot"
drop_db "$DB"
"$PYTHON" - "$ROOT/sales_process_mgmt/i18n" <<'PY'
import sys, polib
folder = sys.argv[1]
pot = polib.pofile(f"{folder}/sales_process_mgmt.pot")
po = polib.pofile(f"{folder}/zh_CN.po")
po.merge(pot)
po.metadata["Language"] = "zh_CN"
po.save()
missing = [e.msgid for e in po if not e.msgstr and not e.obsolete]
print(f"zh_CN.po: {len(po.translated_entries())} translated, {len(missing)} untranslated")
for msgid in missing:
    print("  untranslated:", msgid[:100])
PY
