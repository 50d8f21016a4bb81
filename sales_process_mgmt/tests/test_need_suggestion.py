from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.crm_lead_need_suggestion import get_suggestion_params
from .common import SalesProcessCase


class NeedCategoryCase(SalesProcessCase):
    """A catalogue of four categories and won deals whose co-occurrences are counted by hand.

    Won deals of segment S (industry I), needs confirmed or addressed:
        W1: A B   W2: A B   W3: A C   W4: A B D   W5: D   W6: (A identified only) C
    W7 (no segment, no industry): A C. Ignored: a lost deal, a deal won 30 months ago and a
    won deal of the second company, all with A and B.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["sales.process.need.category"]
        cls.cat_a, cls.cat_b, cls.cat_c, cls.cat_d = Category.create(
            [{"name": name} for name in ("SPM Integration", "SPM Training", "SPM After-Sales", "SPM Cost")]
        )
        cls.segment = cls.env["sales.process.customer.segment"].create({"name": "SPM Segment S"})
        cls.segment_2 = cls.env["sales.process.customer.segment"].create({"name": "SPM Segment S2"})
        cls.industry = cls.env["res.partner.industry"].create({"name": "SPM Industry I"})
        similar = {"customer_segment_id": cls.segment.id, "industry_id": cls.industry.id}
        A, B, C, D = cls.cat_a, cls.cat_b, cls.cat_c, cls.cat_d
        # only this dataset: the won deals of the demo data leave the comparison
        cls.env.cr.execute("UPDATE crm_lead SET active = FALSE WHERE probability = 100")
        cls.env.invalidate_all()
        cls.won = cls.env["crm.lead"]
        for categories, values in [
            ([A, B], similar),
            ([A, B], similar),
            ([A, C], similar),
            ([A, B, D], similar),
            ([D], similar),
            ([C], similar),
            ([A, C], {}),
        ]:
            cls.won |= cls._won_lead(categories, **values)
        cls._need(cls.won[5], A, status="identified")
        lost = cls._won_lead([A, B], **similar)
        lost.action_set_lost()
        old = cls._won_lead([A, B], **similar)
        cls.env.cr.execute("UPDATE crm_lead SET date_closed = now() - interval '30 months' WHERE id = %s", [old.id])
        other_company = cls.env["crm.lead"].create(
            {
                "name": "SPM Other Company Won",
                "type": "opportunity",
                "company_id": cls.company_2.id,
                "stage_id": cls.stage_reception.id,
                **similar,
            }
        )
        for category in (A, B):
            cls._need(other_company, category)
        other_company.write({"stage_id": cls.stage_won.id})
        cls.env.invalidate_all()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("sales_process_mgmt.suggestion_min_support", 1)
        params.set_param("sales_process_mgmt.suggestion_min_confidence", 1)
        params.set_param("sales_process_mgmt.suggestion_months", 24)

    @classmethod
    def _need(cls, lead, category, status="confirmed", **values):
        return cls.env["sales.process.customer.need"].create(
            {
                "lead_id": lead.id,
                "name": f"{category.name} need",
                "category_id": category.id,
                "status": status,
                **values,
            }
        )

    @classmethod
    def _won_lead(cls, categories, **values):
        lead = cls._create_leads(1, user_id=cls.user_salesman_2.id, **values)
        for category in categories:
            cls._need(lead, category)
        lead.write({"stage_id": cls.stage_won.id})
        return lead

    def _lead(self, categories=(), **values):
        lead = self._create_leads(1, **values)
        for category in categories:
            self._need(lead, category, status="identified")
        return lead

    @staticmethod
    def _figures(result):
        return [(line["category_id"], line["support"], line["base"], line["confidence"]) for line in result["lines"]]


@tagged("post_install", "-at_install")
class TestNeedSuggestion(NeedCategoryCase):
    def test_co_occurrence_in_the_segment(self):
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id, industry_id=self.industry.id)
        result = lead.with_user(self.user_salesman)._get_need_suggestions()
        self.assertEqual(result["basis"], "segment")
        self.assertEqual(result["sample"], 6)
        self.assertEqual(
            self._figures(result),
            [(self.cat_b.id, 3, 4, 75.0), (self.cat_c.id, 1, 4, 25.0), (self.cat_d.id, 1, 4, 25.0)],
        )
        self.assertEqual(
            result["lines"][0]["reason"],
            "3 of 4 won deals in this segment with SPM Integration also confirmed SPM Training: 75 %",
        )
        self.assertFalse(result["message"])

    def test_fallback_segment_industry_all(self):
        by_industry = self._lead([self.cat_a], customer_segment_id=self.segment_2.id, industry_id=self.industry.id)
        result = by_industry._get_need_suggestions()
        self.assertEqual((result["basis"], result["sample"]), ("industry", 6))
        self.assertIn("in this industry", result["lines"][0]["reason"])
        anyone = self._lead([self.cat_a])
        result = anyone._get_need_suggestions()
        self.assertEqual((result["basis"], result["sample"]), ("all", 7))
        self.assertEqual(
            self._figures(result),
            [(self.cat_b.id, 3, 5, 60.0), (self.cat_c.id, 2, 5, 40.0), (self.cat_d.id, 1, 5, 20.0)],
        )

    def test_without_known_category_the_most_frequent(self):
        lead = self._lead(customer_segment_id=self.segment.id)
        result = lead._get_need_suggestions()
        self.assertEqual(
            self._figures(result),
            [
                (self.cat_a.id, 4, 6, 66.7),
                (self.cat_b.id, 3, 6, 50.0),
                (self.cat_c.id, 2, 6, 33.3),
                (self.cat_d.id, 2, 6, 33.3),
            ],
        )
        self.assertEqual(
            result["lines"][0]["reason"], "4 of 6 won deals in this segment confirmed SPM Integration: 67 %"
        )

    def test_parent_category_counts_its_subcategories(self):
        """A won deal with *Integration / API* confirmed *Integration*; an opportunity with it has it too."""
        api = self.env["sales.process.need.category"].create({"name": "SPM API", "parent_id": self.cat_a.id})
        self._won_lead([api, self.cat_b], customer_segment_id=self.segment.id, industry_id=self.industry.id)
        # nothing known: SPM Integration now counts W1 W2 W3 W4 and the API deal
        result = self._lead(customer_segment_id=self.segment.id)._get_need_suggestions()
        self.assertEqual(result["sample"], 7)
        self.assertEqual(self._figures(result)[0], (self.cat_a.id, 5, 7, 71.4))
        self.assertIn((api.id, 1, 7, 14.3), self._figures(result))
        # known SPM Integration / SPM API: its parent is known too (not suggested, counted as known)
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.suggestion_min_support", 2)
        lead = self._lead([api], customer_segment_id=self.segment.id)
        result = lead.with_user(self.user_salesman)._get_need_suggestions()
        self.assertEqual(self._figures(result), [(self.cat_b.id, 4, 5, 80.0)])
        self.assertEqual(
            result["lines"][0]["reason"],
            "4 of 5 won deals in this segment with SPM Integration also confirmed SPM Training: 80 %",
        )
        # a known parent still lets its subcategory be suggested
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.suggestion_min_support", 1)
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id)
        self.assertIn((api.id, 1, 5, 20.0), self._figures(lead._get_need_suggestions()))
        self.assertEqual(
            next(line for line in lead._get_need_suggestions()["lines"] if line["category_id"] == api.id)["reason"],
            "1 of 5 won deals in this segment with SPM Integration also confirmed SPM Integration / SPM API: 20 %",
        )

    def test_thresholds(self):
        params = self.env["ir.config_parameter"].sudo()
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id)
        params.set_param("sales_process_mgmt.suggestion_min_support", 3)
        params.set_param("sales_process_mgmt.suggestion_min_confidence", 30)
        self.assertEqual(self._figures(lead._get_need_suggestions()), [(self.cat_b.id, 3, 4, 75.0)])
        params.set_param("sales_process_mgmt.suggestion_min_confidence", 80)
        result = lead._get_need_suggestions()
        self.assertFalse(result["lines"])
        self.assertIn("No need category is frequent enough among 6 won deals in this segment", result["message"])
        # too little data: not even the whole company has enough won deals
        params.set_param("sales_process_mgmt.suggestion_min_support", 10)
        result = lead._get_need_suggestions()
        self.assertFalse(result["lines"])
        self.assertIn("Too little data", result["message"])
        self.assertIn("7 won opportunities", result["message"])
        # the look-back: the deals were won today; closing them 3 months ago with 2 months' look-back
        params.set_param("sales_process_mgmt.suggestion_min_support", 1)
        params.set_param("sales_process_mgmt.suggestion_months", 2)
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = %s WHERE id = ANY(%s)",
            [self.env.cr.now() - timedelta(days=92), self.won.ids],
        )
        self.assertIn("Too little data", lead._get_need_suggestions()["message"])

    def test_threshold_settings_out_of_range(self):
        Settings = self.env["res.config.settings"]
        Param = self.env["ir.config_parameter"].sudo()
        before = get_suggestion_params(self.env)
        # both ends of each range (support 1-10,000, confidence 1-100 %, months 1-120)
        for field, value in [
            ("sales_process_suggestion_min_support", 0),
            ("sales_process_suggestion_min_support", 10001),
            ("sales_process_suggestion_min_confidence", 0),
            ("sales_process_suggestion_min_confidence", 101),
            ("sales_process_suggestion_months", 0),
            ("sales_process_suggestion_months", 121),
        ]:
            with self.assertRaisesMessage(ValidationError, "must be between"):
                # with a valid support of 7 next to it (unless the support is the bad value)
                Settings.create({"sales_process_suggestion_min_support": 7, field: value}).execute()
            self.assertEqual(get_suggestion_params(self.env), before, f"{field} = {value}: nothing saved")
        self.assertNotEqual(Param.get_param("sales_process_mgmt.suggestion_min_support"), "7")
        Settings.create({"sales_process_suggestion_min_support": 5}).execute()
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.suggestion_min_support"), "5"
        )

    def test_salesperson_records_a_suggestion(self):
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id)
        action = lead.with_user(self.user_salesman).action_suggest_needs()
        wizard = self.env[action["res_model"]].with_user(self.user_salesman).browse(action["res_id"])
        self.assertEqual(wizard.line_ids.category_id, self.cat_b | self.cat_c | self.cat_d)
        line = wizard.line_ids.filtered(lambda line: line.category_id == self.cat_b)
        line.action_record()
        need = lead.customer_need_ids.filtered(lambda need: need.category_id == self.cat_b)
        self.assertEqual((need.kind, need.status, need.name), ("latent", "identified", "SPM Training"))
        self.assertIn("3 of 4 won deals", need.reason)
        self.assertTrue(line.recorded)
        with self.assertRaisesMessage(UserError, "SPM Training is already recorded as a need of SPM Lead 0"):
            line.action_record()
        self.assertEqual(len(lead.customer_need_ids), 2)
        # once recorded, the category is no longer suggested
        self.assertNotIn(self.cat_b.id, [line["category_id"] for line in lead._get_need_suggestions()["lines"]])

    def test_counts_only_and_own_opportunities(self):
        """The won deals are salesman 2's: salesman sees figures, never their records."""
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id)
        with self.assertRaises(AccessError):
            self.won[:1].with_user(self.user_salesman).read(["name"])
        action = lead.with_user(self.user_salesman).action_suggest_needs()
        wizard = self.env[action["res_model"]].with_user(self.user_salesman).browse(action["res_id"])
        line = wizard.line_ids[:1]
        relational = [name for name, field in line._fields.items() if field.relational]
        self.assertEqual(
            {line._fields[name].comodel_name for name in relational if name not in ("create_uid", "write_uid")},
            {"sales.process.need.suggestion", "sales.process.need.category"},
            "a suggestion points to categories, never to another opportunity",
        )
        # someone who may not act on the opportunity gets no suggestion for it
        with self.assertRaises(AccessError):
            lead.with_user(self.user_salesman_2).action_suggest_needs()
        inactive = self.cat_d
        inactive.active = False
        self.assertNotIn(inactive.id, [line["category_id"] for line in lead._get_need_suggestions()["lines"]])

    def test_query_count(self):
        lead = self._lead([self.cat_a], customer_segment_id=self.segment.id).with_user(self.user_salesman)
        lead._get_need_suggestions()  # warm the registry caches (rules, settings)
        self._cold_start()
        # the user and their companies (caches dropped), the opportunity, its needs and their
        # categories as the user (with the user's rules), the two aggregates, the categories
        # suggested (search, read): a constant, whatever the data
        with self.assertQueryCount(16):
            lead._get_need_suggestions()
