#!/usr/bin/env bash
# Wheel check (CI, make wheel-check): build the addon's wheel with whool
# (sales_process_mgmt/pyproject.toml), install it into a fresh virtual environment next
# to Odoo, and install the addon in a throw-away database from there: the addons_path
# has Odoo's addons and that environment's site-packages/odoo/addons, not this checkout.
source "$(dirname "$0")/lib.sh"

DB="${SPM_WHEEL_DB:-spm_wheel}"
ensure_odoo
check_postgres
pg_start
write_odoo_conf "${SPM_HTTP_PORT:-8069}"
WORK="$RUN_DIR/wheel"
rm -rf "$WORK" && mkdir -p "$WORK/dist" "$RUN_DIR/logs"

say "Building the wheel of sales_process_mgmt"
isolation=()
"$PYTHON" -c 'import whool' 2>/dev/null && isolation=(--no-build-isolation)  # whool is in requirements-dev.txt
"$PYTHON" -m pip wheel -q --no-deps "${isolation[@]}" "$ROOT/sales_process_mgmt" -w "$WORK/dist" 2>&1 \
    | grep -v -e '^WARNING: ' -e '^DEPRECATION' || true
wheel="$(ls "$WORK"/dist/odoo_addon_sales_process_mgmt-*.whl 2>/dev/null)" || die "No wheel was built."
say "Built $(basename "$wheel")"

say "Installing it into a fresh virtual environment next to Odoo"
"$PYTHON" -m venv --system-site-packages "$WORK/venv"
# made from a virtual environment (the bootstrapped Odoo): see that one's packages too
"$PYTHON" - "$WORK/venv" <<'PY'
import sys, sysconfig, pathlib, subprocess
if sys.prefix != sys.base_prefix:
    target = subprocess.check_output(
        [f"{sys.argv[1]}/bin/python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    pathlib.Path(target, "spm_odoo_env.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
PY
"$WORK/venv/bin/python" -m pip install -q "$wheel" 2>&1 | grep -v -e '^WARNING: ' -e '^DEPRECATION' || true
PYTHON="$WORK/venv/bin/python"
ADDONS="$(odoo_addons_path)"
case ",$ADDONS," in *",$ROOT,"*) die "The addons_path of the wheel check has this checkout: $ADDONS" ;; esac
"$PYTHON" -c 'import odoo.addons' || die "Odoo is not importable next to the wheel."

say "Installing sales_process_mgmt from the wheel in $DB (addons_path: $ADDONS)"
drop_db "$DB"
cd "$WORK"  # not the checkout: nothing of it on sys.path
"$PYTHON" -m odoo -c "$ODOO_CONF" --addons-path="$ADDONS" -d "$DB" -i sales_process_mgmt --without-demo=all \
    --stop-after-init --log-level=info --logfile="$RUN_DIR/logs/wheel-install.log"
check_log "$RUN_DIR/logs/wheel-install.log"
"$PYTHON" -m odoo shell -c "$ODOO_CONF" --addons-path="$ADDONS" -d "$DB" --log-level=warn <<'PY' \
    || die "The addon installed from the wheel is not the installed module (see above)."
import sys
from odoo.modules.module import get_module_path
module = env["ir.module.module"].search([("name", "=", "sales_process_mgmt")])  # noqa: F821
path = get_module_path("sales_process_mgmt")
print(f"wheel check: sales_process_mgmt {module.latest_version} {module.state} from {path}")
sys.exit(0 if module.state == "installed" and "/site-packages/odoo/addons/" in path else 1)
PY
drop_db "$DB"
say "Wheel check passed"
