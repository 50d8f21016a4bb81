from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTrainingTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        manager = new_test_user(cls.env, login="spm_tour_manager", groups="sales_team.group_sale_manager", lang="en_US")
        trainee = new_test_user(
            cls.env, login="spm_tour_trainee", name="SPM Tour Trainee", groups="sales_team.group_sale_salesman"
        )
        # the manager trains their own team, whose records and matrix rows they see
        cls.env["crm.team"].create({"name": "SPM Tour Team", "user_id": manager.id, "member_ids": [trainee.id]})
        stage = cls.env["crm.stage"].create({"name": "SPM Tour Stage", "sequence": 950})
        cls.env["sales.process.training.course"].create(
            {"name": "SPM Tour Course", "passing_score": 70, "validity_months": 24, "stage_ids": [stage.id]}
        )

    def test_training_tour(self):
        """A manager records a session, scores the attendee and sees the certification in the matrix."""
        self.start_tour("/odoo", "sales_process_training_tour", login="spm_tour_manager")
        record = self.env["sales.process.training.record"].search([("salesperson_id.login", "=", "spm_tour_trainee")])
        self.assertEqual((record.score, record.status), (85, "valid"))
