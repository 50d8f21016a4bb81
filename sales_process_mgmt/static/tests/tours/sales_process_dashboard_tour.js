import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

/**
 * The funnel pivot spills from A2: its column header and measure rows come first, so the
 * count of the first stage is cell B4 (rows 1-3 above it: 40 + 23 + 23 px, column A: 240 px).
 * Its clickable overlay appears once the pivot has loaded: wait for it.
 */
async function clickFirstStageCount() {
    const distance = (cell) => Math.abs(parseFloat(cell.style.left) - 240) + Math.abs(parseFloat(cell.style.top) - 86);
    for (let attempt = 0; attempt < 100; attempt++) {
        const target = [...document.querySelectorAll(".o-dashboard-clickable-cell")].find((cell) => distance(cell) < 4);
        if (target) {
            target.click();
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("The count of the funnel's first stage is not clickable");
}

registry.category("web_tour.tours").add("sales_process_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.spreadsheet_dashboard_sales_process_menu", "Open the dashboard"),
        {
            content: "Drill into the number of opportunities of the first stage",
            trigger: ".o_spreadsheet_dashboard_action .o-dashboard-clickable-cell",
            run: clickFirstStageCount,
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
