from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestNeedCategory(SalesProcessCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Category = cls.env["sales.process.need.category"]
        cls.services = cls.Category.create({"name": "SPM Services"})
        cls.training = cls.Category.create({"name": "SPM Training", "parent_id": cls.services.id})

    def test_hierarchy_and_loops(self):
        self.assertEqual(self.training.display_name, "SPM Services / SPM Training")
        with self.assertRaisesMessage(ValidationError, "SPM Services cannot be its own parent"):
            self.services.parent_id = self.training
        with self.assertRaisesMessage(ValidationError, "SPM Training cannot be its own parent"):
            self.training.parent_id = self.training
        # as the process administrator who keeps the catalogue: refused, nothing saved
        services = self.services.with_user(self.user_admin)
        with self.assertRaisesMessage(ValidationError, "SPM Services cannot be its own parent"):
            services.write({"parent_id": self.training.id, "description": "Half-saved?"})
        self.env.invalidate_all()
        self.assertEqual((services.parent_id, services.description), (self.services.browse(), False))

    def test_administrators_keep_the_catalogue(self):
        self.Category.with_user(self.user_admin).create({"name": "SPM Financing"})
        self.assertTrue(self.training.with_user(self.user_salesman).name)
        with self.assertRaises(AccessError):
            self.Category.with_user(self.user_salesman).create({"name": "SPM Forbidden"})
        with self.assertRaises(AccessError):
            self.Category.with_user(self.user_manager).create({"name": "SPM Forbidden"})

    def test_company_categories(self):
        other = self.Category.create({"name": "SPM Other Company Category", "company_id": self.company_2.id})
        self.assertFalse(self.Category.with_user(self.user_salesman).search([("id", "=", other.id)]))

    def test_need_counts(self):
        lead = self._create_leads()
        self.env["sales.process.customer.need"].create(
            {"lead_id": lead.id, "name": "Train the users", "category_id": self.training.id}
        )
        self.assertEqual(self.training.need_count, 1)

    def test_import_needs_with_category(self):
        lead = self._create_leads()
        lead.name = "SPM Import Category Lead"
        Need = self.env["sales.process.customer.need"].with_user(self.user_salesman)
        fields = ["lead_id", "name", "category_id", "status"]
        rows = [["SPM Import Category Lead", "Users trained on site", "SPM Services / SPM Training", "confirmed"]]
        result = Need.load(fields, rows)
        self.assertFalse(result["messages"])
        self.assertEqual(Need.browse(result["ids"]).category_id, self.training)
        with mute_logger("odoo.sql_db"):
            result = Need.load(fields, [["SPM Import Category Lead", "Cheaper", "SPM No Such Category", "identified"]])
        self.assertFalse(result["ids"])
        self.assertIn("SPM No Such Category", result["messages"][0]["message"])
