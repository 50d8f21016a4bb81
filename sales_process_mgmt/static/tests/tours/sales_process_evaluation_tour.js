import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

registry.category("web_tour.tours").add("sales_process_evaluation_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.sales_process_evaluation_menu", "Open the scorecards"),
        {
            content: "Open the tour's scorecard",
            trigger: '.o_data_row td[name="name"]:contains("SPM Tour Scorecard")',
            run: "click",
        },
        {
            content: "Compute it",
            trigger: 'button[name="action_compute"]:contains("Compute")',
            run: "click",
        },
        {
            content: "Mark it as done",
            trigger: 'button[name="action_done"]',
            run: "click",
        },
        {
            content: "Confirm: a done scorecard is frozen",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Done")',
        },
        {
            content: "Open the lines",
            trigger: '.o_notebook a.nav-link:contains("Lines")',
            run: "click",
        },
        {
            content: "Drill into the won revenue of the salesperson",
            trigger:
                'div[name="line_ids"] .o_data_row:contains("SPM Tour Seller"):contains("SPM Tour Revenue") button[name="action_open_details"]',
            run: "click",
        },
        {
            content: "The won opportunity behind the figure",
            trigger: '.o_list_view .o_data_row td[name="name"]:contains("SPM Tour Won Deal")',
        },
    ],
});
