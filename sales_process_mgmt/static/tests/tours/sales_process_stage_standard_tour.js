import { registry } from "@web/core/registry";

// An administrator gives a stage a required checklist item and a blocking exit criterion.
registry.category("web_tour.tours").add("sales_process_stage_standard_config_tour", {
    steps: () => [
        {
            content: "Open the stage to configure",
            trigger: ".o_data_row td:contains('SPM Tour A')",
            run: "click",
        },
        {
            content: "Open the checklist tab",
            trigger: ".o_notebook .nav-link:contains('Checklist')",
            run: "click",
        },
        {
            content: "Add a checklist item",
            trigger: "div[name='checklist_item_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name it",
            trigger: "div[name='checklist_item_ids'] .o_data_row [name='name'] input",
            run: "edit Customer contact recorded",
        },
        {
            content: "Open the exit criteria tab",
            trigger: ".o_notebook .nav-link:contains('Exit Criteria')",
            run: "click",
        },
        {
            content: "Add an exit criterion",
            trigger: "div[name='gate_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Required checklist items done, blocking (the defaults): save the criterion",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The criterion is listed",
            trigger: "div[name='gate_ids'] .o_data_row:contains('Required checklist items done')",
        },
        {
            content: "Save the stage",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_status_indicator_buttons.invisible:not(:visible)",
        },
    ],
});

// A salesperson is blocked by the criterion, completes the checklist and moves the lead on.
registry.category("web_tour.tours").add("sales_process_stage_gate_tour", {
    steps: () => [
        {
            content: "Try to move the lead to the next stage",
            trigger: ".o_statusbar_status button:contains('SPM Tour B')",
            run: "click",
        },
        {
            content: "The exit criteria block the move",
            trigger: ".modal:contains('exit criteria are not met'):contains('Customer contact recorded')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Discard the refused move",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Open the process tab",
            trigger: ".o_notebook .nav-link:contains('Process')",
            run: "click",
        },
        {
            content: "Tick the checklist item",
            trigger: "div[name='checklist_ids'] .o_data_row:contains('Customer contact recorded') .o_boolean_toggle input",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_status_indicator_buttons.invisible:not(:visible)",
        },
        {
            content: "Move the lead to the next stage",
            trigger: ".o_statusbar_status button:contains('SPM Tour B')",
            run: "click",
        },
        {
            content: "The lead is in the next stage",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('SPM Tour B')",
        },
        {
            content: "Back to the pipeline",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The pipeline is shown",
            trigger: ".o_kanban_view",
        },
    ],
});
