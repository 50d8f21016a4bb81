from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase

FIELDS = ["lead_id", "name", "kind", "status", "priority", "reason"]


@tagged("post_install", "-at_install")
class TestCustomerNeedImport(SalesProcessCase):
    """Needs imported the way the web client's import does it: Model.load(fields, rows)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_a, cls.lead_b = cls._create_leads(2)
        cls.lead_a.name = "SPM Import Lead A"
        cls.lead_b.name = "SPM Import Lead B"
        cls.Need = cls.env["sales.process.customer.need"].with_user(cls.user_salesman)

    def _needs(self):
        return self.Need.search([("lead_id", "in", (self.lead_a | self.lead_b).ids)])

    def test_import_needs(self):
        rows = [
            ["SPM Import Lead A", "Real-time stock levels", "explicit", "confirmed", "2", "Stock-outs lose orders"],
            ["SPM Import Lead A", "Fewer manual counts", "Latent", "Identified", "1", ""],
            ["SPM Import Lead B", "Real-time stock levels", "Explicit", "Confirmed by Customer", "3", ""],
        ]
        result = self.Need.load(FIELDS, rows)
        self.assertFalse(result["messages"])
        self.assertEqual(len(result["ids"]), 3)
        needs = self._needs()
        self.assertEqual(
            sorted(needs.mapped(lambda n: (n.lead_id.name, n.kind, n.status))),
            [
                ("SPM Import Lead A", "explicit", "confirmed"),
                ("SPM Import Lead A", "latent", "identified"),
                ("SPM Import Lead B", "explicit", "confirmed"),
            ],
        )
        self.assertEqual(self.lead_a.needs_confirmed_count, 1)
        self.assertTrue(all(needs.filtered(lambda n: n.status == "confirmed").mapped("date_confirmed")))

    @mute_logger("odoo.sql_db")  # the row without opportunity fails in the database
    def test_bad_rows_name_the_row_and_create_nothing(self):
        rows = [
            ["SPM Import Lead A", "Good need", "explicit", "identified", "1", ""],
            ["SPM Import Lead A", "Odd kind", "obvious", "identified", "1", ""],
            ["", "No opportunity", "explicit", "identified", "1", ""],
            ["SPM No Such Lead", "Unknown opportunity", "explicit", "identified", "1", ""],
        ]
        result = self.Need.load(FIELDS, rows)
        self.assertFalse(result["ids"])
        self.assertFalse(self._needs(), "a failed import creates nothing")
        errors = {}
        for message in result["messages"]:
            errors.setdefault(message["rows"]["from"], []).append(message["message"])
        self.assertEqual(set(errors), {1, 2, 3}, "the good row 0 has no message")
        self.assertIn("obvious", " ".join(errors[1]))
        self.assertIn("Opportunity", " ".join(errors[2]))
        self.assertIn("SPM No Such Lead", " ".join(errors[3]))

    def test_duplicate_row_is_refused(self):
        rows = [
            ["SPM Import Lead A", "Real-time stock levels", "explicit", "identified", "1", ""],
            ["SPM Import Lead A", "real-time  stock levels", "explicit", "identified", "1", ""],
        ]
        result = self.Need.load(FIELDS, rows)
        self.assertFalse(result["ids"])
        self.assertFalse(self._needs())
        messages = result["messages"]
        self.assertTrue(messages)
        self.assertTrue(all("recorded twice on SPM Import Lead A" in m["message"] for m in messages))
        self.assertIn(1, [m["rows"]["from"] for m in messages])
