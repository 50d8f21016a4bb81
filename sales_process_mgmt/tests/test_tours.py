from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSalesProcessTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="spm_tour_salesman", groups="sales_team.group_sale_salesman", lang="en_US"
        )
        cls.user_admin = new_test_user(
            cls.env,
            login="spm_tour_admin",
            groups="sales_team.group_sale_manager,sales_process_mgmt.group_sales_process_admin",
            lang="en_US",
        )

    def test_pipeline_tour(self):
        """A salesperson opens CRM > Sales Process > Process Pipeline and sees the seed's stages."""
        self.start_tour("/odoo", "sales_process_pipeline_tour", login="spm_tour_salesman")

    @mute_logger("odoo.http")  # the blocked move: the server logs the UserError it returns
    def test_stage_standard_tours(self):
        """Admin configures a standard; a salesperson is blocked, completes the checklist, moves on."""
        stage_a = self.env["crm.stage"].create({"name": "SPM Tour A", "sequence": -2})
        stage_b = self.env["crm.stage"].create({"name": "SPM Tour B", "sequence": -1})
        self.start_tour(
            "/odoo/action-sales_process_mgmt.crm_stage_action_sales_process",
            "sales_process_stage_standard_config_tour",
            login="spm_tour_admin",
        )
        self.assertEqual(stage_a.checklist_item_ids.name, "Customer contact recorded")
        self.assertRecordValues(stage_a.gate_ids, [{"criterion": "checklist", "mode": "block"}])

        lead = self.env["crm.lead"].create(
            {"name": "SPM Tour Lead", "type": "opportunity", "user_id": self.user_salesman.id, "stage_id": stage_a.id}
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "sales_process_stage_gate_tour",
            login="spm_tour_salesman",
        )
        self.assertEqual(lead.stage_id, stage_b)
        self.assertEqual(lead.stage_history_ids.mapped("stage_id"), stage_b | stage_a)
