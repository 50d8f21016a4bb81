import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCoreOverRpc(HttpCase):
    """Integrators' view: what a client sends, values and context alike, is untrusted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="spm_rpc_salesman", groups="sales_team.group_sale_salesman", email="rpc@example.com"
        )
        cls.manager = new_test_user(
            cls.env, login="spm_rpc_manager", groups="sales_team.group_sale_manager", email="rpcm@example.com"
        )
        Stage = cls.env["crm.stage"]
        cls.stage_a = Stage.create({"name": "SPM RPC A", "sequence": 931})
        cls.stage_b = Stage.create({"name": "SPM RPC B", "sequence": 932})
        cls.item = cls.env["sales.process.checklist.item"].create({"stage_id": cls.stage_a.id, "name": "SPM RPC item"})
        cls.env["sales.process.stage.gate"].create({"stage_id": cls.stage_a.id, "criterion": "checklist"})
        cls.lead = cls.env["crm.lead"].create(
            {"name": "SPM RPC lead", "type": "opportunity", "user_id": cls.salesman.id, "stage_id": cls.stage_a.id}
        )

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    @mute_logger("odoo.http")
    def test_jsonrpc_context_keys_do_not_skip_gates(self):
        self.authenticate(self.salesman.login, self.salesman.login)
        for context in ({"sales_process_skip": True}, {"sales_process_gate_override": True}, {}):
            with self.subTest(context=context), self.assertRaisesRegex(JsonRpcException, "UserError"):
                self._call_kw(
                    "crm.lead", "write", [[self.lead.id], {"stage_id": self.stage_b.id}], {"context": context}
                )
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, self.stage_a)
        self.assertFalse(self.lead.gate_override_ids)
        # meeting the standard, the same client moves the lead and the visit is recorded
        line = self.lead.checklist_ids
        self._call_kw("sales.process.lead.checklist", "write", [line.ids, {"done": True}])
        self._call_kw(
            "crm.lead",
            "write",
            [[self.lead.id], {"stage_id": self.stage_b.id}],
            {"context": {"sales_process_skip": True}},
        )
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.stage_id, self.stage_b)
        self.assertEqual(len(self.lead.stage_history_ids), 2)
        self.assertEqual(line.done_by_id, self.salesman)

    @mute_logger("odoo.http")
    def test_xmlrpc_forged_audit_fields_are_refused(self):
        uid = self.salesman.id
        line = self.lead.checklist_ids
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be written"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                uid,
                self.salesman.login,
                "sales.process.lead.checklist",
                "write",
                [line.ids, {"done": True, "done_by_id": self.manager.id, "done_date": "2020-01-01 00:00:00"}],
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not allowed|access"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.manager.id,
                self.manager.login,
                "sales.process.gate.override",
                "create",
                [
                    {
                        "lead_id": self.lead.id,
                        "stage_id": self.stage_a.id,
                        "criteria": "forged",
                        "reason": "forged",
                        "user_id": self.salesman.id,
                        "date": "2020-01-01 00:00:00",
                    }
                ],
            )
        line.invalidate_recordset()
        self.assertFalse(line.done)
        self.assertFalse(self.lead.gate_override_ids)
