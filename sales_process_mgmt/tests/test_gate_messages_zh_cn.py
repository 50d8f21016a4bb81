import json
import re

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class GateMessagesCase(TransactionCase):
    """A lead of the demo salesperson zhang.wei (zh_CN) in the demo's Needs Confirmation stage,
    whose gates block it: required checklist items (none ticked) and one confirmed need (none).

    Needs zh_CN in the database: scripts/test.sh adds it after the install.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def ref(xmlid):
            return cls.env.ref(f"sales_process_mgmt.{xmlid}")

        cls.zhang = ref("user_salesperson_zhang_demo")
        cls.zhang.lang = "zh_CN"
        cls.stage_needs = ref("stage_needs_confirmation_demo")
        cls.stage_presentation = ref("stage_presentation_demo")
        cls.lead = (
            cls.env["crm.lead"]
            .with_user(cls.zhang)
            .create(
                {
                    "name": "华东物流仓储系统",
                    "type": "opportunity",
                    "partner_name": "华东物流",
                    "user_id": cls.zhang.id,
                    "stage_id": cls.stage_needs.id,
                }
            )
        )

    def _assert_chinese_blocked_message(self, message):
        self.assertEqual(self.lead.stage_id, self.stage_needs)
        header, *lines = message.splitlines()
        self.assertEqual(header, "以下商机不能移至 产品介绍，其所在阶段的退出标准未满足：")
        self.assertEqual(len(lines), 1, message)
        line = lines[0]
        self.assertTrue(line.startswith("- 华东物流仓储系统: "), line)
        # each unmet criterion with its stage, in Chinese
        self.assertIn("需求确认: 必需检查项已完成（未完成：已进行需求访谈, 已识别决策者）", line)
        self.assertIn("需求确认: 需求已获客户确认（客户已确认 0 项需求（至少需要 1 项））", line)
        self.assertEqual(re.findall(r"[A-Za-z]{2,}", message), [], "English words in the Chinese message")


@tagged("post_install", "-at_install")
class TestGateMessagesInChinese(GateMessagesCase):
    # The reason of the "needs confirmed" criterion is built with _() inside a comprehension in
    # models/sales_process_stage_gate_insight.py (_evaluate_needs_confirmed; the decision-maker,
    # budget and domain criteria too): outside an HTTP request (server code, cron, shell, this
    # test) Odoo finds no language in the comprehension's frame, logs "no translation language
    # detected" as a WARNING and returns English.
    # THIS TEST FAILS until those models take the language from their environment (self.env._),
    # which the refactoring of the gate criteria brings; it is the test of that fix.
    def test_blocked_move_in_server_code_is_explained_in_chinese(self):
        """The same move from server code running as the salesperson (an automated action, an
        import, a script): the error is in the salesperson's language."""
        lead = self.lead.with_user(self.zhang).with_context(lang="zh_CN")
        with self.assertNoLogs(level="WARNING"), self.assertRaises(UserError) as caught:
            lead.write({"stage_id": self.stage_presentation.id})
        self._assert_chinese_blocked_message(str(caught.exception))


@tagged("post_install", "-at_install")
class TestGateMessagesInChineseOverRpc(HttpCase, GateMessagesCase):
    """Over JSON-RPC, the web client's call: the error is Chinese, stage and criterion names
    included, and nothing is logged but the refused request."""

    def _rpc_write(self, values):
        """crm.lead.write as the web client sends it (the user's lang in the context)."""
        payload = {
            "id": 1,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "crm.lead",
                "method": "write",
                "args": [[self.lead.id], values],
                "kwargs": {"context": {"lang": "zh_CN", "tz": "Asia/Shanghai", "uid": self.zhang.id}},
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw/crm.lead/write",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        return response.json()

    @mute_logger("odoo.http")  # the server logs the UserError it returns to the client
    def test_blocked_move_over_rpc_is_explained_in_chinese(self):
        self.authenticate("zhang.wei", "zhang.wei")
        with self.assertNoLogs(level="WARNING"):
            reply = self._rpc_write({"stage_id": self.stage_presentation.id})
        self.assertIn("error", reply, "the move must be refused")
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        self._assert_chinese_blocked_message(reply["error"]["data"]["message"])
