import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openSalesProcessMenu } from "@sales_process_mgmt/../tests/tours/utils/sales_process_tour_utils";

registry.category("web_tour.tours").add("sales_process_training_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesProcessMenu("sales_process_mgmt.sales_process_training_session_menu", "Open the training sessions"),
        {
            content: "Create a session",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the course",
            trigger: '.o_field_widget[name="course_id"] input',
            run: "edit SPM Tour Course",
        },
        {
            trigger: '.ui-menu-item a:contains("SPM Tour Course")',
            run: "click",
        },
        {
            content: "Add an attendee",
            trigger: 'div[name="attendee_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            trigger: '.modal .o_data_row td:contains("SPM Tour Trainee")',
            run: "click",
        },
        {
            trigger: 'div[name="attendee_ids"] .o_data_row td:contains("SPM Tour Trainee")',
        },
        ...stepUtils.saveForm(),
        {
            content: "Confirm the session",
            trigger: 'button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Mark it as done",
            trigger: 'button[name="action_done"]',
            run: "click",
        },
        {
            content: "Open the scores",
            trigger: '.o_notebook a.nav-link:contains("Scores")',
            run: "click",
        },
        {
            content: "Enter the trainee's score",
            trigger: 'div[name="record_ids"] .o_data_row td[name="score"]',
            run: "click",
        },
        {
            trigger: 'div[name="record_ids"] .o_data_row [name="score"] input',
            run: "edit 85",
        },
        ...stepUtils.saveForm(),
        {
            trigger: 'div[name="record_ids"] .o_data_row td[name="result"]:contains("Passed")',
        },
        {
            content: "Open the Sales Process menu again",
            trigger: '.o_menu_sections [data-menu-xmlid="sales_process_mgmt.sales_process_menu_root"]',
            run: "click",
        },
        {
            content: "Open the training matrix",
            trigger: '.dropdown-item[data-menu-xmlid="sales_process_mgmt.sales_process_training_matrix_menu"]',
            run: "click",
        },
        {
            content: "Unfold the trainee",
            trigger: '.o_group_header:contains("SPM Tour Trainee")',
            run: "click",
        },
        {
            content: "The trainee holds a valid certification",
            trigger: '.o_data_row:contains("SPM Tour Course") td[name="status"]:contains("Valid")',
        },
    ],
});
