import polib

from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestFoundation(SalesProcessCase):
    def test_groups_implied_chain(self):
        """Salesman ⊂ process user, sales manager ⊂ process manager ⊂ ... ⊂ admin."""
        self.assertTrue(self.user_salesman.has_group("sales_process_mgmt.group_sales_process_user"))
        self.assertFalse(self.user_salesman.has_group("sales_process_mgmt.group_sales_process_manager"))
        self.assertTrue(self.user_manager.has_group("sales_process_mgmt.group_sales_process_manager"))
        self.assertFalse(self.user_manager.has_group("sales_process_mgmt.group_sales_process_admin"))
        self.assertTrue(self.user_admin.has_group("sales_process_mgmt.group_sales_process_user"))
        self.assertFalse(self.user_employee.has_group("sales_process_mgmt.group_sales_process_user"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("sales_process_mgmt.group_sales_process_admin"))

    def test_menu_visibility_per_group(self):
        menu = self.env.ref("sales_process_mgmt.sales_process_menu_root")
        config = self.env.ref("sales_process_mgmt.sales_process_menu_config")
        visible = self.env["ir.ui.menu"].with_user(self.user_salesman)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(config.id, visible)
        visible_admin = self.env["ir.ui.menu"].with_user(self.user_admin)._visible_menu_ids()
        self.assertIn(config.id, visible_admin)
        visible_employee = self.env["ir.ui.menu"].with_user(self.user_employee)._visible_menu_ids()
        self.assertNotIn(menu.id, visible_employee)

    def test_enforce_gates_setting(self):
        """The global switch is on by default and is stored as a system parameter."""
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("sales_process_mgmt.enforce_gates"), "True")
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.sales_process_enforce_gates)
        settings.sales_process_enforce_gates = False
        settings.execute()
        self.assertFalse(params.get_param("sales_process_mgmt.enforce_gates"))

    def test_zh_cn_menu_translation(self):
        """The zh_CN translation is loaded and names the process menu in Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sales_process_mgmt"], ["zh_CN"], overwrite=True)
        menu = self.env.ref("sales_process_mgmt.sales_process_menu_root").with_context(lang="zh_CN")
        self.assertEqual(menu.name, "销售流程")

    def test_demo_seed_stages(self):
        """Demo data: the seed's five stages in order, with 30+ opportunities over 3 salespeople and 2 teams."""
        stage_xmlids = [
            "stage_reception_demo",
            "stage_needs_confirmation_demo",
            "stage_presentation_demo",
            "stage_negotiation_demo",
            "stage_contract_demo",
        ]
        stages = self.env["crm.stage"].browse(
            [self.env.ref(f"sales_process_mgmt.{xmlid}").id for xmlid in stage_xmlids]
        )
        self.assertEqual(stages.sorted("sequence"), stages)
        self.assertEqual(stages.with_context(lang="en_US").mapped("name")[0], "Reception")
        leads = self.env["crm.lead"].search([("stage_id", "in", stages.ids), ("id", "in", self._demo_lead_ids())])
        self.assertGreaterEqual(len(leads), 30)
        self.assertEqual(len(leads.user_id), 3)
        self.assertEqual(len(leads.team_id), 2)
        self.assertEqual(set(leads.stage_id.ids), set(stages.ids))
        # crm's stock stages gave way; their external ids name the seed's stages, so that
        # other modules' data referring to them (e.g. website_crm_partner_assign) still load
        self.assertEqual([self.env.ref(f"crm.stage_lead{i}") for i in (1, 2, 3)], [stages[0], stages[1], stages[3]])
        self.assertFalse(self.env["crm.stage"].search([("name", "in", ["New", "Qualified", "Proposition"])]))

    def test_demo_sales_cycles(self):
        """Demo opportunities were created before their first stage visit: won ones show a real cycle."""
        leads = self.env["crm.lead"].with_context(active_test=False).browse(self._demo_lead_ids())
        first_visits = dict(
            self.env["sales.process.stage.history"]._read_group(
                [("lead_id", "in", leads.ids)], ["lead_id"], ["date_in:min"]
            )
        )
        self.assertTrue(first_visits)
        for lead, date_in in first_visits.items():
            self.assertLessEqual(lead.create_date, date_in, lead.name)
        won = leads.filtered(lambda lead: lead.stage_id.is_won)
        self.assertTrue(won)
        self.assertTrue(all(lead.day_close >= 20 for lead in won), won.mapped("day_close"))

    def _demo_lead_ids(self):
        return (
            self.env["ir.model.data"]
            .search([("module", "=", "sales_process_mgmt"), ("model", "=", "crm.lead")])
            .mapped("res_id")
        )

    def test_every_term_of_the_module_is_translated(self):
        """What Odoo's exporter finds in the code, views and data is in zh_CN.po, translated.

        Catches a new string in the code before `make pot` has been run.
        """
        reader = TranslationModuleReader(self.env.cr, modules=["sales_process_mgmt"])
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in reader
            if module == "sales_process_mgmt"
        }
        po = polib.pofile(file_path("sales_process_mgmt/i18n/zh_CN.po"))
        translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
        self.assertGreater(len(terms), 500)
        self.assertEqual(sorted(terms - translated), [], "run `make pot`, then translate")
