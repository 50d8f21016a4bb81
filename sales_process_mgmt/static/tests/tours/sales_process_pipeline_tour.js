import { registry } from "@web/core/registry";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

registry.category("web_tour.tours").add("sales_process_pipeline_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.crm_lead_menu_sales_process", "Open the process pipeline"),
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
