import { registry } from "@web/core/registry";

// A salesperson opens the suggested needs of an opportunity and records one as a latent need;
// the test builds the won deals the suggestion is learned from and opens the lead's form.
registry.category("web_tour.tours").add("sales_process_need_suggestion_tour", {
    steps: () => [
        {
            content: "Open the Customer Insight tab",
            trigger: '.o_notebook a.nav-link[name="sales_process_insight"]',
            run: "click",
        },
        {
            content: "Ask for the suggested needs",
            trigger: 'button[name="action_suggest_needs"]',
            run: "click",
        },
        {
            content: "The suggestion says why, with its figures",
            trigger: '.modal .o_data_row:contains("SPM Tour Training"):contains("3 of 3 won deals in this segment")',
        },
        {
            content: "Record it as a latent need",
            trigger: '.modal .o_data_row:contains("SPM Tour Training") button[name="action_record"]',
            run: "click",
        },
        {
            content: "The suggestion is recorded",
            trigger: '.modal .o_data_row:contains("SPM Tour Training"):not(:has(button[name="action_record"]))',
        },
        {
            content: "Close the suggestions",
            trigger: '.modal .modal-footer button.btn-primary',
            run: "click",
        },
        {
            content: "The opportunity lists the new latent need",
            trigger: 'div[name="customer_need_ids"] .o_data_row:contains("SPM Tour Training"):contains("Latent")',
        },
    ],
});
