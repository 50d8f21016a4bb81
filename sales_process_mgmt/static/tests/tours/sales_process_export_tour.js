import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

/** Untick the sheets the manager does not want (Summary and Risks stay). */
function untick(field) {
    return {
        content: `Leave out the ${field} sheet`,
        trigger: `.modal div[name="${field}"] input[type="checkbox"]:checked`,
        run: "click",
    };
}

registry.category("web_tour.tours").add("sales_process_export_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.sales_process_export_wizard_menu", "Open Export to Excel"),
        {
            content: "Period: from March 1st",
            trigger: '.modal div[name="date_from"] input',
            run: "edit 03/01/2026",
        },
        {
            content: "to March 31st 2026",
            trigger: '.modal div[name="date_to"] input',
            run: "edit 03/31/2026",
        },
        ...["sheet_stage_durations", "sheet_funnel", "sheet_forecast", "sheet_training", "sheet_actions"].map(untick),
        {
            content: "Summary and Risks are still ticked",
            trigger:
                '.modal div[name="sheet_summary"] input:checked, .modal div[name="sheet_risks"] input:checked',
        },
        {
            content: "Download the workbook",
            trigger: '.modal button[name="action_export"]',
            run: "click",
        },
        {
            // the form's buttons are disabled from the click until the action, download included, is done
            content: "Export is clickable again once the workbook is downloaded (the wizard stays open)",
            trigger: '.modal button[name="action_export"]:enabled',
        },
    ],
});
