import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { inputFiles } from "@web/../tests/utils";

// The demo salesperson zhang.wei, working in Chinese, takes a demo opportunity from 客户接待
// (Reception) through the seed's five stages to 赢得 (Won), meeting each stage's demo standard.
// The test gives him the lead and a contact to name as decision maker.

const LEAD = "Wuxi Lianfeng Machinery: CNC maintenance contract";
const CHECKLIST = 'div[name="checklist_ids"]';

function checklistRow(item) {
    return `${CHECKLIST} .o_data_row:contains("${item}")`;
}

function openProcessTab() {
    return {
        content: "Open the Process tab (流程)",
        trigger: '.o_notebook a.nav-link[name="sales_process"]:contains("流程")',
        run: "click",
    };
}

function tick(item) {
    return {
        content: `Tick ${item}`,
        trigger: `${checklistRow(item)} .o_boolean_toggle input`,
        run: "click",
    };
}

function ticked(item) {
    return {
        content: `${item} is ticked`,
        trigger: `${checklistRow(item)} .o_boolean_toggle input:checked`,
    };
}

function selectRow(item) {
    return {
        content: `Edit the line ${item}`,
        trigger: `${checklistRow(item)} td[name="note"]`,
        run: "click",
    };
}

function moveTo(stage) {
    return [
        ...stepUtils.saveForm(),
        {
            content: `Move the opportunity to ${stage}`,
            trigger: `.o_statusbar_status button:contains("${stage}")`,
            run: "click",
        },
        {
            content: `The opportunity is in ${stage}, the exit criteria let it pass`,
            trigger: `body:not(:has(.o_error_dialog)) .o_statusbar_status button.o_arrow_button_current:contains("${stage}")`,
        },
        {
            content: "The move is saved",
            trigger: ".o_form_saved",
        },
    ];
}

registry.category("web_tour.tours").add("sales_process_zh_cn_tour", {
    steps: () => [
        // the process pipeline, in Chinese
        ...["客户接待", "需求确认", "产品介绍", "价格谈判", "合同签订"].map((stage) => ({
            content: `The pipeline has the column ${stage}`,
            trigger: `.o_kanban_group .o_column_title:contains("${stage}")`,
        })),
        {
            content: "Open the opportunity",
            trigger: `.o_kanban_record:contains("${LEAD}")`,
            run: "click",
        },
        {
            content: "It is in 客户接待 (Reception)",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("客户接待")',
        },

        // 客户接待 Reception: customer and salesperson known (block), checklist (warn)
        openProcessTab(),
        {
            content: "The stage objective is shown in Chinese",
            trigger: 'div[name="stage_objective"]:contains("记录客户及其首次需求")',
        },
        tick("已记录联系方式"),
        ticked("已记录联系方式"),
        ...moveTo("需求确认"),

        // 需求确认 Needs Confirmation: checklist (block), one confirmed need (block),
        // decision maker and budget (warn)
        openProcessTab(),
        selectRow("已进行需求访谈"),
        {
            content: "The interview needs a note",
            trigger: `${CHECKLIST} .o_selected_row div[name="note"] textarea`,
            run: "edit 已与设备部经理面谈，记录了年度维护需求",
        },
        tick("已进行需求访谈"),
        ticked("已进行需求访谈"),
        tick("已识别决策者"),
        ticked("已识别决策者"),
        {
            content: "Open the Customer Insight tab (客户洞察)",
            trigger: '.o_notebook a.nav-link[name="sales_process_insight"]:contains("客户洞察")',
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
            run: "edit 数控机床年度维护",
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
            content: "Pick the customer's plant manager",
            trigger: 'div[name="decision_contact_ids"] .o_selected_row div[name="partner_id"] input',
            run: "edit 王建国",
        },
        {
            content: "Select the contact in the autocomplete",
            trigger: '.o-autocomplete--dropdown-menu .dropdown-item:contains("王建国")',
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
            run: "edit 20000",
        },
        ...moveTo("产品介绍"),

        // 产品介绍 Product Presentation: probability of 30 % at least (warn), valid certification
        // (warn); the required checklist item
        openProcessTab(),
        tick("已针对确认的需求准备产品介绍"),
        ticked("已针对确认的需求准备产品介绍"),
        {
            content: "The presentation went well: raise the probability",
            trigger: 'div[name="probability"] input',
            run: "edit 50",
        },
        ...moveTo("价格谈判"),

        // 价格谈判 Price Negotiation: checklist (block)
        openProcessTab(),
        tick("已发送报价"),
        ticked("已发送报价"),
        tick("折扣在审批范围内"),
        ticked("折扣在审批范围内"),
        ...moveTo("合同签订"),

        // 合同签订 Contract Signing: expected revenue set (block); the signed contract is a file
        openProcessTab(),
        tick("合同已审核"),
        ticked("合同已审核"),
        selectRow("合同已由双方签署"),
        {
            content: "Attach the signed contract",
            trigger: `${CHECKLIST} .o_selected_row div[name="attachment_ids"] input.o_input_file:not(:visible)`,
            async run() {
                const contract = new File(["%PDF-1.4 signed contract"], "contract_signed.pdf", {
                    type: "application/pdf",
                });
                await inputFiles(`${CHECKLIST} .o_selected_row div[name="attachment_ids"] input.o_input_file`, [
                    contract,
                ]);
            },
        },
        {
            content: "The file is attached",
            trigger: `${CHECKLIST} .o_selected_row div[name="attachment_ids"]:contains("contract_signed.pdf")`,
        },
        tick("合同已由双方签署"),
        ticked("合同已由双方签署"),
        ...stepUtils.saveForm(),
        {
            content: "Mark the opportunity won (赢得)",
            trigger: 'button[name="action_set_won_rainbowman"]',
            run: "click",
        },
        {
            content: "The opportunity is won",
            trigger: 'body:not(:has(.o_error_dialog)) .o_statusbar_status button.o_arrow_button_current:contains("赢得")',
        },
    ],
});
