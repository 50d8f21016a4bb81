import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

registry.category("web_tour.tours").add("sales_process_responsibility_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.crm_lead_menu_sales_process", "Open the process pipeline"),
        {
            content: "Open the opportunity",
            trigger: '.o_kanban_record:contains("SPM Tour Opportunity")',
            run: "click",
        },
        {
            content: "Move it to the next stage",
            trigger: '.o_statusbar_status button.o_arrow_button:contains("SPM Tour Needs")',
            run: "click",
        },
        {
            content: "The stage changed",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("SPM Tour Needs")',
        },
        {
            content: "and the opportunity is saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Open the Sales Process menu again",
            trigger: '.o_menu_sections [data-menu-xmlid="sales_process_mgmt.sales_process_menu_root"]',
            run: "click",
        },
        {
            content: "Open My Responsibilities",
            trigger: '.dropdown-item[data-menu-xmlid="sales_process_mgmt.mail_activity_menu_my_responsibilities"]',
            run: "click",
        },
        {
            content: "The work of the new stage is there, for the salesperson",
            trigger: '.o_list_view .o_data_row:contains("SPM Tour Opportunity"):contains("Confirm the tour customer\'s needs")',
        },
    ],
});
