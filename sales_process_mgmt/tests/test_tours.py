from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSalesProcessTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman = new_test_user(
            cls.env, login="spm_tour_salesman", groups="sales_team.group_sale_salesman", lang="en_US"
        )

    def test_pipeline_tour(self):
        """A salesperson opens CRM > Sales Process > Process Pipeline and sees the seed's stages."""
        self.start_tour("/odoo", "sales_process_pipeline_tour", login="spm_tour_salesman")
