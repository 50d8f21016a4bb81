from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestInsightTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="spm_insight_tour", groups="sales_team.group_sale_salesman", lang="en_US"
        )
        Stage = cls.env["crm.stage"]
        cls.stage_needs = Stage.create({"name": "SPM Tour Needs", "sequence": 902})
        cls.stage_presentation = Stage.create({"name": "SPM Tour Presentation", "sequence": 903})
        customer = cls.env["res.partner"].create({"name": "SPM Tour Customer", "is_company": True})
        cls.boss = cls.env["res.partner"].create(
            {"name": "Tour Boss", "parent_id": customer.id, "function": "General Manager"}
        )
        cls.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.enforce_gates", "True")
        cls.env["sales.process.stage.gate"].create(
            [
                {"stage_id": cls.stage_needs.id, "criterion": criterion, "mode": "block"}
                for criterion in ("needs_confirmed", "decision_maker", "budget_known")
            ]
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "SPM Tour Opportunity",
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": cls.user_salesman.id,
                "stage_id": cls.stage_needs.id,
            }
        )

    @mute_logger("odoo.http")  # the blocked move: the server logs the UserError it returns
    def test_insight_tour(self):
        """Blocked first; once a confirmed need, a decision maker and the budget are recorded
        the opportunity passes the Needs Confirmation gates."""
        self.start_tour(
            f"/odoo/action-sales_process_mgmt.crm_lead_action_sales_process/{self.lead.id}",
            "sales_process_insight_tour",
            login="spm_insight_tour",
        )
        self.assertEqual(self.lead.stage_id, self.stage_presentation)
        need = self.lead.customer_need_ids
        self.assertEqual((need.name, need.status), ("Real-time stock levels", "confirmed"))
        self.assertEqual(self.lead.decision_contact_ids.partner_id, self.boss)
        self.assertTrue(self.lead.has_decision_maker)
        self.assertTrue(self.lead.budget_known)
        self.assertEqual(self.lead.budget_amount, 50000)
