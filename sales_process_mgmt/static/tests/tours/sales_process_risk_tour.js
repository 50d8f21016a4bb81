import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

registry.category("web_tour.tours").add("sales_process_risk_salesperson_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.sales_process_risk_flag_menu", "Open the risk register"),
        {
            content: "Open the flag of the tour's opportunity",
            trigger: '.o_data_row td[name="lead_id"]:contains("SPM Risk Tour Deal")',
            run: "click",
        },
        {
            content: "Acknowledge it",
            trigger: 'button[name="action_acknowledge"]',
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Acknowledged")',
        },
        {
            content: "Propose an improvement action from the flag",
            trigger: 'button[name="action_propose_improvement"]',
            run: "click",
        },
        {
            content: "State the root cause",
            trigger: 'div[name="root_cause"] textarea',
            run: "edit Nobody follows up after the demo",
        },
        {
            content: "Save the proposal",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Proposed")',
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("sales_process_risk_manager_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.sales_process_improvement_action_menu", "Open the improvement actions"),
        {
            content: "Open the salesperson's proposal",
            trigger: '.o_kanban_record:contains("SPM Risk Tour Deal")',
            run: "click",
        },
        {
            content: "Approve it",
            trigger: 'button[name="action_approve"]',
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Approved")',
        },
    ],
});
