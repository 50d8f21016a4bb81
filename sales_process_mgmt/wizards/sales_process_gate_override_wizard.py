from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SalesProcessGateOverrideWizard(models.TransientModel):
    _name = "sales.process.gate.override.wizard"
    _description = "Override a Stage Gate"

    lead_id = fields.Many2one("crm.lead", required=True, readonly=True)
    current_stage_id = fields.Many2one(related="lead_id.stage_id", string="Current Stage")
    stage_id = fields.Many2one("crm.stage", string="Move To", required=True)
    criteria = fields.Text(string="Unmet Blocking Criteria", compute="_compute_criteria")
    reason = fields.Text()

    @api.depends("lead_id", "stage_id")
    def _compute_criteria(self):
        for wizard in self:
            blocked = wizard._get_blocking_failures()
            wizard.criteria = "\n".join(
                f"{gate.stage_id.name}: {self.env['crm.lead']._format_gate_failure(gate, reason)}"
                for gate, reason in blocked
            )

    def _get_blocking_failures(self):
        self.ensure_one()
        if not self.lead_id or not self.stage_id:
            return []
        failures = self.lead_id._sales_process_get_failures(self.stage_id)
        return [(gate, reason) for gate, reason in failures.get(self.lead_id, []) if gate.mode == "block"]

    def action_confirm(self):
        """Move the lead past its blocking criteria and keep the override on record."""
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(_("Overriding the exit criteria of %(lead)s needs a reason.", lead=self.lead_id.name))
        blocked = self._get_blocking_failures()
        gates = self.env["sales.process.stage.gate"].browse([gate.id for gate, __ in blocked])
        # the Accountable of every stage whose criteria are passed: the one left and those jumped over
        self.lead_id._sales_process_check_override_allowed(gates.stage_id or self.lead_id.stage_id)
        if blocked:
            # overrides are the server's record: nobody creates them but this wizard, after the check above
            self.env["sales.process.gate.override"].sudo().create(
                {
                    "lead_id": self.lead_id.id,
                    "stage_id": self.lead_id.stage_id.id,
                    "target_stage_id": self.stage_id.id,
                    "gate_ids": [fields.Command.set(gates.ids)],
                    "user_id": self.env.uid,
                    "date": fields.Datetime.now(),
                    "criteria": self.criteria,
                    "reason": self.reason,
                }
            )
            self.lead_id.message_post(
                body=_(
                    "Stage gate overridden by %(user)s: %(criteria)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    criteria=self.criteria,
                    reason=self.reason,
                ),
            )
        self.lead_id._sales_process_move_overriding(self.stage_id, gates)
        return {"type": "ir.actions.act_window_close"}
