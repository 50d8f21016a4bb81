import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A salesperson fills the customer insight of an opportunity in Needs Confirmation, then moves
// it to the next stage; the test configures the stage's gates and opens the lead's form.
registry.category("web_tour.tours").add("sales_process_insight_tour", {
    steps: () => [
        {
            content: "Try to move the opportunity on before the customer insight is filled",
            trigger: '.o_statusbar_status button:contains("SPM Tour Presentation")',
            run: "click",
        },
        {
            content: "The stage's exit criteria block it",
            trigger: '.o_error_dialog:contains("needs confirmed by the customer"):contains("no decision maker identified")',
        },
        {
            content: "Close the message",
            trigger: ".o_error_dialog .o-default-button",
            run: "click",
        },
        {
            content: "Discard the refused stage change",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "The opportunity is still in Needs Confirmation",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("SPM Tour Needs")',
        },
        {
            content: "Open the Customer Insight tab",
            trigger: '.o_notebook a.nav-link[name="sales_process_insight"]',
            run: "click",
        },
        {
            content: "Add a need",
            trigger: 'div[name="customer_need_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "Describe the need",
            trigger: 'div[name="customer_need_ids"] .o_selected_row div[name="name"] input',
            run: "edit Real-time stock levels",
        },
        {
            content: "The customer confirmed it",
            trigger: 'div[name="customer_need_ids"] .o_selected_row div[name="status"] select',
            run: 'select "confirmed"',
        },
        {
            content: "Add a decision maker",
            trigger: 'div[name="decision_contact_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "Pick the customer's general manager",
            trigger: 'div[name="decision_contact_ids"] .o_selected_row div[name="partner_id"] input',
            run: "edit Tour Boss",
        },
        {
            content: "Select the contact in the autocomplete",
            trigger: '.o-autocomplete--dropdown-menu .dropdown-item:contains("Tour Boss")',
            run: "click",
        },
        {
            content: "as decision maker",
            trigger: 'div[name="decision_contact_ids"] .o_selected_row div[name="role"] select',
            run: 'select "decision_maker"',
        },
        {
            content: "The budget is known",
            trigger: 'div[name="budget_known"] input[type="checkbox"]',
            run: "click",
        },
        {
            content: "Budget amount",
            trigger: 'div[name="budget_amount"] input',
            run: "edit 50000",
        },
        ...stepUtils.saveForm(),
        {
            content: "The insight shows one confirmed need and the decision maker",
            trigger: 'div[name="needs_confirmed_count"]:contains("1")',
        },
        {
            content: "Move the opportunity to the next stage",
            trigger: '.o_statusbar_status button:contains("SPM Tour Presentation")',
            run: "click",
        },
        {
            content: "The opportunity left Needs Confirmation: the gate let it pass",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("SPM Tour Presentation")',
        },
        {
            content: "No blocking error, and the move is saved",
            trigger: "body:not(:has(.o_error_dialog)) .o_form_saved",
        },
    ],
});
