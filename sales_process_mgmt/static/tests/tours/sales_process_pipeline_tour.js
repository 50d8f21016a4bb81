import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("sales_process_pipeline_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: '.o_app[data-menu-xmlid="crm.crm_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Sales Process menu",
            trigger: '.o_menu_sections [data-menu-xmlid="sales_process_mgmt.sales_process_menu_root"]',
            run: "click",
        },
        {
            content: "Open the process pipeline",
            trigger: '.dropdown-item[data-menu-xmlid="sales_process_mgmt.crm_lead_menu_sales_process"]',
            run: "click",
        },
        {
            content: "The seed's first stage is a column of the pipeline",
            trigger: '.o_kanban_group .o_column_title:contains("Reception")',
        },
        {
            content: "and so is the last one",
            trigger: '.o_kanban_group .o_column_title:contains("Contract Signing")',
        },
    ],
});
