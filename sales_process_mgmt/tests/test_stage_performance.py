from odoo.tests import tagged

from .common import SalesProcessCase

# The fields crm's pipeline kanban card reads (crm.crm_case_kanban_view_leads).
KANBAN_FIELDS = [
    "stage_id",
    "probability",
    "active",
    "company_currency",
    "recurring_revenue_monthly",
    "team_id",
    "color",
    "name",
    "expected_revenue",
    "partner_id",
    "tag_ids",
    "priority",
    "activity_ids",
    "user_id",
]
PROCESS_FIELDS = ["stage_state", "days_in_stage", "checklist_progress"]


@tagged("post_install", "-at_install")
class TestStagePerformance(SalesProcessCase):
    """Query counts of the hot paths do not grow with the number of leads."""

    def _queries(self, function):
        start = self._cold_start()
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - start

    def _kanban_queries(self, leads, fields):
        spec = {name: {} for name in fields}
        spec.update(
            stage_id={"fields": {"display_name": {}}},
            user_id={"fields": {"display_name": {}}},
            team_id={"fields": {"display_name": {}}},
            partner_id={"fields": {"display_name": {}}},
            tag_ids={"fields": {"display_name": {}, "color": {}}},
        )
        return self._queries(lambda: self.env["crm.lead"].web_search_read([("id", "in", leads.ids)], spec, limit=80))

    def test_kanban_badges_cost_at_most_two_queries(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 5})
        self._add_item(self.stage_reception, "A")
        for count in (20, 80):
            leads = self._create_leads(count)
            without = self._kanban_queries(leads, KANBAN_FIELDS)
            with_badges = self._kanban_queries(leads, KANBAN_FIELDS + PROCESS_FIELDS)
            with self.subTest(leads=count):
                self.assertLessEqual(with_badges - without, 2)

    def test_stage_move_queries_do_not_grow_with_leads(self):
        self._add_item(self.stage_reception, "A")
        self._add_item(self.stage_needs, "B")
        email = self.env["ir.model.fields"]._get("crm.lead", "email_from")
        self._add_gate(self.stage_reception, "checklist")
        self._add_gate(self.stage_reception, "required_fields", field_ids=[(6, 0, email.ids)])
        self._add_gate(self.stage_reception, "domain", mode="warn", domain="[('expected_revenue', '>', 0)]")
        self.stage_needs.write({"has_time_limit": True, "max_days": 3, "time_basis": "working"})
        counts = {}
        warm_up = self._create_leads(3, email_from="a@example.com", expected_revenue=10)
        warm_up.checklist_ids.write({"done": True})
        warm_up.write({"stage_id": self.stage_needs.id})
        for count in (5, 50):
            leads = self._create_leads(count, email_from="a@example.com", expected_revenue=10)
            leads.checklist_ids.write({"done": True})
            counts[count] = self._queries(lambda leads=leads: leads.write({"stage_id": self.stage_needs.id}))
            self.assertEqual(set(leads.mapped("stage_id")), {self.stage_needs})
        self.assertEqual(counts[5], counts[50])
        leads = self._create_leads(30, email_from="a@example.com", expected_revenue=10)
        leads.checklist_ids.write({"done": True})
        self._cold_start()
        with self.assertQueryCount(__system__=counts[5]):
            leads.write({"stage_id": self.stage_needs.id})
