import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Steps from the home screen to a menu item of CRM > Sales Process.
 *
 * @param {string} menuXmlid xml id of the menu item, e.g. "sales_process_mgmt.crm_lead_menu_sales_process"
 * @param {string} content what the last click opens, for the tour's log
 */
export function openSalesProcessMenu(menuXmlid, content) {
    return [
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
            content,
            trigger: `.dropdown-item[data-menu-xmlid="${menuXmlid}"]`,
            run: "click",
        },
    ];
}
