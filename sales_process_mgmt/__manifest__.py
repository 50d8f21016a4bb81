{
    "name": "Sales Process Management",
    "summary": "Run Odoo CRM as a managed sales process: stage standards, gates, "
    "responsibilities, training and customer insight",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "sales_process_mgmt authors",
    "website": "https://example.com/sales_process_mgmt",
    "depends": ["crm"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/sales_process_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "views/res_config_settings_views.xml",
        "views/crm_stage_views.xml",
        "views/crm_lead_views.xml",
        "views/sales_process_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/crm_team_demo.xml",
        "demo/crm_stage_demo.xml",
        "demo/crm_lead_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["sales_process_mgmt/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
