from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestNeedSuggestionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="spm_suggestion_tour", groups="sales_team.group_sale_salesman", lang="en_US"
        )
        other = new_test_user(cls.env, login="spm_suggestion_tour_2", groups="sales_team.group_sale_salesman")
        Category = cls.env["sales.process.need.category"]
        integration, training = Category.create([{"name": "SPM Tour Integration"}, {"name": "SPM Tour Training"}])
        segment = cls.env["sales.process.customer.segment"].create({"name": "SPM Tour Segment"})
        Stage = cls.env["crm.stage"]
        stage = Stage.create({"name": "SPM Tour Qualification", "sequence": 901})
        won_stage = Stage.create({"name": "SPM Tour Won", "sequence": 990, "is_won": True})
        Lead = cls.env["crm.lead"]
        Need = cls.env["sales.process.customer.need"]
        for i in range(3):
            won = Lead.create(
                {
                    "name": f"SPM Tour Won {i}",
                    "type": "opportunity",
                    "user_id": other.id,
                    "stage_id": stage.id,
                    "customer_segment_id": segment.id,
                }
            )
            Need.create(
                [
                    {"lead_id": won.id, "name": "ERP link", "category_id": integration.id, "status": "addressed"},
                    {"lead_id": won.id, "name": "Train users", "category_id": training.id, "status": "confirmed"},
                ]
            )
            won.stage_id = won_stage
        cls.lead = Lead.create(
            {
                "name": "SPM Tour Suggestion Opportunity",
                "type": "opportunity",
                "user_id": cls.user_salesman.id,
                "stage_id": stage.id,
                "customer_segment_id": segment.id,
            }
        )
        Need.create({"lead_id": cls.lead.id, "name": "Link to the ERP", "category_id": integration.id})
        cls.training = training

    def test_need_suggestion_tour(self):
        self.start_tour(
            f"/odoo/action-sales_process_mgmt.crm_lead_action_sales_process/{self.lead.id}",
            "sales_process_need_suggestion_tour",
            login="spm_suggestion_tour",
        )
        need = self.lead.customer_need_ids.filtered(lambda need: need.category_id == self.training)
        self.assertEqual((need.kind, need.status), ("latent", "identified"))
        self.assertIn("3 of 3 won deals in this segment", need.reason)
