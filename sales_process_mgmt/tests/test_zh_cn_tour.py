from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestZhCnTour(HttpCase):
    """The demo salesperson zhang.wei works in Chinese: he takes a demo opportunity from 客户接待
    through 需求确认, 产品介绍, 价格谈判 and 合同签订 to 赢得 in the browser, meeting each stage's
    demo standard (checklist with its note and file, confirmed need, decision maker, budget,
    probability), so that no exit criterion blocks or warns.

    Needs zh_CN in the database (scripts/test.sh adds it after the install) and the demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def ref(xmlid):
            return cls.env.ref(f"sales_process_mgmt.{xmlid}")

        cls.zhang = ref("user_salesperson_zhang_demo")
        cls.zhang.lang = "zh_CN"
        cls.stages = [
            ref(f"stage_{name}_demo")
            for name in ("reception", "needs_confirmation", "presentation", "negotiation", "contract")
        ]
        cls.stage_won = cls.env.ref("crm.stage_lead4")
        cls.lead = ref("crm_lead_06_demo")  # Wuxi Lianfeng Machinery, zhang.wei's, in Reception
        # the customer's plant manager, whom he will name as decision maker: a contact he records
        # himself (the opportunity has no customer contact yet, so any contact is accepted)
        cls.manager = cls.env["res.partner"].with_user(cls.zhang).create({"name": "王建国", "function": "设备部经理"})

    def test_zh_cn_salesperson_takes_a_lead_through_the_five_stages(self):
        self.assertEqual(self.lead.user_id, self.zhang)
        self.assertEqual(self.lead.stage_id, self.stages[0])
        visits_before = len(self.lead.stage_history_ids)

        self.start_tour(
            "/odoo/action-sales_process_mgmt.crm_lead_action_sales_process",
            "sales_process_zh_cn_tour",
            login="zhang.wei",
        )

        lead = self.lead
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertEqual(lead.probability, 100)
        visits = lead.stage_history_ids.sorted("id")[visits_before - 1 :]
        self.assertEqual(visits.mapped("stage_id"), self.env["crm.stage"].concat(*self.stages, self.stage_won))
        self.assertEqual(set(visits[1:].mapped("moved_by_id")), {self.zhang})
        # every required checklist item of the five stages done, by him, with its evidence
        lines = self.env["sales.process.lead.checklist"].search(
            [("history_id", "in", visits[:5].ids), ("required", "=", True)]
        )
        self.assertEqual(len(lines), 8)  # 1 + 2 + 1 + 2 + 2
        self.assertTrue(all(lines.mapped("done")))
        self.assertEqual(lines.done_by_id, self.zhang)
        interview = lines.filtered(
            lambda line: line.item_id == self.env.ref("sales_process_mgmt.checklist_item_needs_confirmation_1_demo")
        )
        self.assertIn("年度维护", interview.note)
        signed = lines.filtered(
            lambda line: line.item_id == self.env.ref("sales_process_mgmt.checklist_item_contract_2_demo")
        )
        self.assertEqual(signed.attachment_ids.mapped("name"), ["contract_signed.pdf"])
        self.assertRecordValues(lead.customer_need_ids, [{"name": "数控机床年度维护", "status": "confirmed"}])
        self.assertEqual(lead.decision_contact_ids.partner_id, self.manager)
        self.assertTrue(lead.has_decision_maker)
        self.assertTrue(lead.budget_known)
        # the standard was met: no move went through with unmet (warn) exit criteria
        warned = lead.message_ids.filtered(lambda m: "未满足" in (m.body or "") or "unmet" in (m.body or ""))
        self.assertFalse(warned, warned.mapped("body"))
