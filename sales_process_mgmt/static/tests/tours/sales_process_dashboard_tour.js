import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

/**
 * The o-spreadsheet model of the open dashboard: the env of the dashboard's grid
 * component (its cells are drawn on a canvas, their text is not in the DOM).
 */
function dashboardModel() {
    const nodes = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (nodes.length) {
        const node = nodes.pop();
        const model = node.component.env && node.component.env.model;
        if (model && model.getters && model.getters.getActiveSheetId) {
            return model;
        }
        nodes.push(...Object.values(node.children));
    }
    return null;
}

/**
 * The visible cell showing ``text`` ({col, row}); with ``above``, the nearest such cell in
 * the rows above that cell (the measure header of a pivot row).
 */
function findCell(getters, text, { above } = {}) {
    const sheetId = getters.getActiveSheetId();
    let found = null;
    for (const col of getters.getSheetViewVisibleCols()) {
        for (const row of getters.getSheetViewVisibleRows()) {
            if (above && row >= above.row) {
                continue;
            }
            if (getters.getEvaluatedCell({ sheetId, col, row }).formattedValue === text) {
                if (!found || (above && row > found.row)) {
                    found = { col, row };
                }
            }
        }
    }
    return found;
}

/**
 * Click the figure of the row labelled ``rowLabel`` under the measure header ``measure``:
 * the cells are found by their text in the spreadsheet model, then the clickable overlay
 * laid over that cell. Waits for the pivot to load.
 */
async function clickPivotValue(rowLabel, measure) {
    for (let attempt = 0; attempt < 100; attempt++) {
        const model = dashboardModel();
        const getters = model && model.getters;
        const label = getters && findCell(getters, rowLabel);
        const header = label && findCell(getters, measure, { above: label });
        if (header) {
            const sheetId = getters.getActiveSheetId();
            const zone = { left: header.col, right: header.col, top: label.row, bottom: label.row };
            const rect = getters.getVisibleRect(getters.expandZone(sheetId, zone));
            const target = [...document.querySelectorAll(".o-dashboard-clickable-cell")].find(
                (cell) =>
                    Math.abs(parseFloat(cell.style.left) - rect.x) < 1 &&
                    Math.abs(parseFloat(cell.style.top) - rect.y) < 1
            );
            if (target) {
                target.click();
                return;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`No clickable "${measure}" figure in the row "${rowLabel}" of the dashboard`);
}

registry.category("web_tour.tours").add("sales_process_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.spreadsheet_dashboard_sales_process_menu", "Open the dashboard"),
        {
            content: "Drill into the number of opportunities of the test's stage (funnel: Count)",
            trigger: ".o_spreadsheet_dashboard_action .o-dashboard-clickable-cell",
            run: () => clickPivotValue("SPM Dashboard Stage", "Count"),
        },
        {
            content: "The opportunities behind the figure are listed",
            trigger: '.o_list_view .o_data_row:contains("SPM Dashboard Deal A")',
        },
        {
            content: "Only those of the stage",
            trigger: '.o_list_view:not(:has(.o_data_row:not(:contains("SPM Dashboard Deal"))))',
        },
    ],
});
