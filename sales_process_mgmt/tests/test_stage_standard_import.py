from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestStageStandardImport(SalesProcessCase):
    """Administrators import checklists and exit criteria the way the web client does: load()."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Item = cls.env["sales.process.checklist.item"].with_user(cls.user_admin)
        cls.Gate = cls.env["sales.process.stage.gate"].with_user(cls.user_admin)
        # by database id: the demo data may hold stages of the same names
        cls.reception, cls.needs = str(cls.stage_reception.id), str(cls.stage_needs.id)

    def _errors(self, result):
        errors = {}
        for message in result["messages"]:
            errors.setdefault(message["rows"]["from"], []).append(message["message"])
        return errors

    def test_import_and_export_checklist_items(self):
        fields = ["stage_id/.id", "name", "required", "evidence"]
        rows = [
            [self.reception, "SPM contact recorded", "1", "none"],
            [self.reception, "SPM first request answered", "0", "Note"],
            [self.needs, "Needs confirmed in writing", "True", "attachment"],
        ]
        result = self.Item.load(fields, rows)
        self.assertFalse(result["messages"])
        items = self.Item.browse(result["ids"])
        self.assertEqual(
            items.mapped(lambda i: (i.stage_id, i.required, i.evidence)),
            [
                (self.stage_reception, True, "none"),
                (self.stage_reception, False, "note"),
                (self.stage_needs, True, "attachment"),
            ],
        )
        exported = self.env[items._name].browse(items.ids).export_data(["stage_id", "name", "required"])["datas"]
        self.assertEqual(exported[2], [self.stage_needs.name, "Needs confirmed in writing", True])

    @mute_logger("odoo.sql_db")  # the row of an unknown stage fails in the database
    def test_checklist_bad_rows_name_the_row_and_create_nothing(self):
        fields = ["stage_id/.id", "name", "evidence"]
        rows = [
            [self.reception, "SPM contact recorded", "none"],
            [self.reception, "Photo", "video"],
            ["999999", "Anything", "none"],
        ]
        result = self.Item.load(fields, rows)
        self.assertFalse(result["ids"])
        self.assertFalse(self.Item.search([("name", "=", "SPM contact recorded")]))
        errors = self._errors(result)
        self.assertEqual(set(errors), {1, 2})
        self.assertIn("video", " ".join(errors[1]))
        self.assertIn("999999", " ".join(errors[2]))

    def test_checklist_duplicate_row_is_refused(self):
        result = self.Item.load(
            ["stage_id/.id", "name"],
            [[self.reception, "SPM contact recorded"], [self.reception, "spm contact recorded "]],
        )
        self.assertFalse(result["ids"])
        self.assertFalse(self.Item.search([("stage_id", "=", self.stage_reception.id)]))
        self.assertIn(
            f"Stage {self.stage_reception.name} already has a checklist item named", result["messages"][0]["message"]
        )

    def test_import_gates_and_bad_parameters(self):
        fields = ["stage_id/.id", "criterion", "mode", "min_probability", "domain"]
        good = [
            [self.reception, "min_probability", "block", "20", ""],
            [self.reception, "Custom condition", "warn", "", "[('expected_revenue', '>', 0)]"],
        ]
        result = self.Gate.load(fields, good)
        self.assertFalse(result["messages"])
        self.assertEqual(len(self.stage_reception.gate_ids), 2)
        for bad, expected in (
            ([self.needs, "min_probability", "block", "150", ""], "between 0 and 100 (got 150.0)"),
            ([self.needs, "domain", "block", "", "[('no_such_field', '=', 1)]"], "is invalid"),
        ):
            with self.subTest(bad=bad):
                result = self.Gate.load(fields, [bad])
                self.assertFalse(result["ids"])
                message = result["messages"][0]["message"]
                self.assertIn(expected, message)
                self.assertIn(f"({self.stage_needs.name})", message, "the error names the stage of the criterion")
        self.assertFalse(self.stage_needs.gate_ids)
