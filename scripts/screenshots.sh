#!/usr/bin/env bash
# Refresh the README screenshots from the demo database (made by make demo if missing).
# Usage: scripts/screenshots.sh [name ...]   (only docs/screenshots/<name>.png; default all)
source "$(dirname "$0")/lib.sh"
WANTED=" $* "

DB="${SPM_DEMO_DB:-spm_demo}"
PORT="${SPM_SCREENSHOT_PORT:-8070}"
OUT="$ROOT/docs/screenshots"
URL="http://127.0.0.1:$PORT"
check_chromium
SPM_NO_SERVE=1 "$ROOT/scripts/demo.sh"
mkdir -p "$OUT"
odoo -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf "$URL/web/login" >/dev/null && break; sleep 1; done

xmlid() {
    psql -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$DB_USER" -d "$DB" -tAc \
        "SELECT res_id FROM ir_model_data WHERE module = 'sales_process_mgmt' AND name = '$1'"
}
# wanted <file>: whether the screenshot <file> is to be refreshed in this run
wanted() { [ "$WANTED" = "  " ] || [[ "$WANTED" == *" $(basename "$1" .png) "* ]]; }
shot() { wanted "$2" || return 0; "$PYTHON" "$ROOT/scripts/screenshot.py" "$URL" "$@" --db "$DB"; }

shot "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process" "$OUT/pipeline.png" --wait-for ".o_kanban_record"
shot "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process" "$OUT/pipeline_zh_CN.png" \
    --login zhang.wei --password zhang.wei --wait-for ".o_kanban_record"
shot "/odoo/action-sales_process_mgmt.crm_stage_action_sales_process/$(xmlid stage_needs_confirmation_demo)" \
    "$OUT/stage_standard.png" --wait-for ".o_form_view" --click "a[name='sales_process_gates']"
shot "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process/$(xmlid crm_lead_02_demo)" \
    "$OUT/lead_process_tab.png" --wait-for ".o_form_view" --click "a[name='sales_process']"
shot "/odoo/action-sales_process_mgmt.sales_process_stage_history_action" "$OUT/time_in_stage.png" \
    --wait-for ".o_pivot"
shot "/odoo/action-sales_process_mgmt.sales_process_training_matrix_action" "$OUT/training_matrix.png" \
    --wait-for ".o_view_controller"
shot "/odoo/action-sales_process_mgmt.mail_activity_action_sales_process_workload" "$OUT/workload.png" \
    --wait-for ".o_view_controller"
shot "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process/$(xmlid crm_lead_07_demo)" \
    "$OUT/lead_customer_insight.png" --wait-for ".o_form_view" --click "a[name='sales_process_insight']"
shot "/odoo/action-sales_process_mgmt.sales_process_evaluation_action/$(xmlid evaluation_this_month_demo)" \
    "$OUT/scorecard.png" --wait-for ".o_form_view" --click "a[name='lines']"
shot "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process/$(xmlid crm_lead_02_demo)" \
    "$OUT/lead_suggested_needs.png" --wait-for ".o_form_view" --click "a[name='sales_process_insight']" \
    --click "button[name='action_suggest_needs']"
shot "/odoo/action-base.action_partner_form/$(xmlid partner_haixing_demo)" "$OUT/customer_profile.png" \
    --wait-for ".o_form_view" --click "a[name='sales_process_profile']" --size 1400x1650
shot "/odoo/action-sales_process_mgmt.sales_process_risk_flag_action" "$OUT/risk_register.png" \
    --wait-for ".o_list_renderer .o_data_row"
shot "/odoo/action-sales_process_mgmt.spreadsheet_dashboard_sales_process_action" "$OUT/dashboard.png" \
    --wait-for ".o-dashboard-clickable-cell" --size 1400x1000
wanted scorecard_pdf_zh_CN && "$PYTHON" "$ROOT/scripts/pdf_page.py" "$URL" \
    "/report/pdf/sales_process_mgmt.sales_process_evaluation_document/$(xmlid evaluation_this_month_demo)" \
    "$OUT/scorecard_pdf_zh_CN.png" --db "$DB" --lang zh_CN
if wanted excel_export; then
    # the Excel export: its Summary sheet drawn from the workbook (scripts/xlsx_screenshot.py)
    SPM_XLSX_OUT="$RUN_DIR/excel_export.html" odoo shell -c "$ODOO_CONF" -d "$DB" --log-level=warn \
        < "$ROOT/scripts/xlsx_screenshot.py"
    chromium="$(command -v chromium || command -v chromium-browser || command -v google-chrome)"
    "$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$RUN_DIR/xlsx-profile" \
        --window-size=1500,1270 --screenshot="$OUT/excel_export.png" "file://$RUN_DIR/excel_export.html" 2>/dev/null
fi
say "Screenshots written to $OUT"
