from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SalesProcessCase

# values of a line of each model; `new=True` gives values that do not clash with the first line
LINE_MODELS = {
    "sales.process.customer.need": lambda case, new=False: {"name": "Another need" if new else "Access need"},
    "sales.process.decision.contact": lambda case, new=False: {
        "partner_id": case.contact.id,
        "role": "user" if new else "decision_maker",
    },
    "sales.process.decision.criterion": lambda case, new=False: {"name": "Access criterion", "weight": 1},
    "sales.process.decision.step": lambda case, new=False: {"name": "Budget approval" if new else "Evaluation"},
    "sales.process.lead.competitor": lambda case, new=False: {
        "competitor_id": (case.competitor_2 if new else case.competitor).id
    },
}


@tagged("post_install", "-at_install")
class TestCustomerInsightAccess(SalesProcessCase):
    """The insight of an opportunity is reachable exactly like the opportunity (CRM's rules)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_all_leads = new_test_user(
            cls.env,
            login="spm_all_leads",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.competitor = cls.env["sales.process.competitor"].create({"name": "SPM Access Rival"})
        cls.competitor_2 = cls.env["sales.process.competitor"].create({"name": "SPM Access Rival 2"})
        cls.contact = cls.env["res.partner"].create({"name": "SPM Access Contact"})
        cls.lead_own = cls._create_leads(name="own")
        cls.lead_other = cls._create_leads(user_id=cls.user_salesman_2.id)
        cls.lead_free = cls._create_leads(user_id=False)
        cls.lead_c2 = cls._create_leads(user_id=cls.user_salesman_c2.id, company_id=cls.company_2.id, team_id=False)
        cls.lines = {}
        for model, values in LINE_MODELS.items():
            cls.lines[model] = {
                key: cls.env[model].create(dict(values(cls), lead_id=lead.id))
                for key, lead in (
                    ("own", cls.lead_own),
                    ("other", cls.lead_other),
                    ("free", cls.lead_free),
                    ("c2", cls.lead_c2),
                )
            }

    def _visible(self, model, user):
        records = self.env[model].with_user(user).search([("id", "in", [r.id for r in self.lines[model].values()])])
        return {key for key, record in self.lines[model].items() if record in records}

    def test_salesman_reaches_own_and_unassigned_leads_insight(self):
        for model, values in LINE_MODELS.items():
            with self.subTest(model=model):
                self.assertEqual(self._visible(model, self.user_salesman), {"own", "free"})
                lines = self.lines[model]
                own = lines["own"].with_user(self.user_salesman)
                own.read()
                own.write({"sequence": 5})
                with self.assertRaises(AccessError):
                    lines["other"].with_user(self.user_salesman).read()
                with self.assertRaises(AccessError):
                    lines["other"].with_user(self.user_salesman).write({"sequence": 5})
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.user_salesman).create(
                        dict(values(self, new=True), lead_id=self.lead_other.id)
                    )
                created = (
                    self.env[model]
                    .with_user(self.user_salesman)
                    .create(dict(values(self, new=True), lead_id=self.lead_free.id))
                )
                created.unlink()
                with self.assertRaises(AccessError):
                    lines["other"].with_user(self.user_salesman).unlink()

    def test_see_all_leads_and_manager_reach_colleagues_insight(self):
        for model in LINE_MODELS:
            for user in (self.user_all_leads, self.user_manager, self.user_admin):
                with self.subTest(model=model, user=user.login):
                    self.assertEqual(self._visible(model, user), {"own", "other", "free"})
            self.lines[model]["other"].with_user(self.user_all_leads).write({"sequence": 7})

    def test_other_company_is_out_of_reach(self):
        for model in LINE_MODELS:
            with self.subTest(model=model):
                self.assertEqual(self._visible(model, self.user_salesman_c2), {"c2"})
                with self.assertRaises(AccessError):
                    self.lines[model]["c2"].with_user(self.user_manager).read()

    def test_employee_has_no_access(self):
        for model in LINE_MODELS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_employee).search([])

    def test_configuration_is_for_process_administrators(self):
        for model in ("sales.process.customer.segment", "sales.process.sales.channel", "sales.process.competitor"):
            with self.subTest(model=model):
                for user in (self.user_salesman, self.user_manager):
                    self.env[model].with_user(user).search([])
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).create({"name": "SPM config"})
                record = self.env[model].with_user(self.user_admin).create({"name": "SPM config"})
                record.write({"name": "SPM config 2"})
                record.unlink()
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.user_employee).search([])

    def test_partner_history_shows_only_reachable_needs(self):
        customer = self.env["res.partner"].create({"name": "SPM Shared Customer", "is_company": True})
        lead_mine = self._create_leads(partner_id=customer.id)
        lead_colleague = self._create_leads(partner_id=customer.id, user_id=self.user_salesman_2.id)
        Need = self.env["sales.process.customer.need"]
        Need.create({"lead_id": lead_mine.id, "name": "Mine"})
        Need.create({"lead_id": lead_colleague.id, "name": "Colleague's"})
        self.env.invalidate_all()  # as in a new request: nothing read as superuser in the cache
        needs = customer.with_user(self.user_salesman).customer_need_ids
        self.assertEqual(needs.mapped("name"), ["Mine"])
        self.assertEqual(customer.with_user(self.user_salesman).customer_need_count, 1)
        self.env.invalidate_all()
        self.assertEqual(customer.with_user(self.user_manager).customer_need_count, 2)
