from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .crm_lead import TrustedContextValue


class CrmLead(models.Model):
    """Exit criteria (gates) checked when leads leave their stage forward."""

    _inherit = "crm.lead"

    gate_override_ids = fields.One2many("sales.process.gate.override", "lead_id", string="Gate Overrides")
    sales_process_can_override_gate = fields.Boolean(
        string="Can Override Gate", compute="_compute_sales_process_can_override_gate"
    )

    @api.depends("stage_id", "team_id", "user_id", "company_id")
    @api.depends_context("uid")
    def _compute_sales_process_can_override_gate(self):
        allowed = self._sales_process_get_override_allowed({lead.id: lead.stage_id for lead in self})
        for lead in self:
            lead.sales_process_can_override_gate = allowed.get(lead.id, False)

    # ------------------------------------------------------------------
    # Move hooks
    # ------------------------------------------------------------------

    def _sales_process_check_move(self, move):
        """Blocking criteria refuse the move; warn criteria are noted on the lead."""
        super()._sales_process_check_move(move)
        if not self._sales_process_gates_enforced():
            return
        failures = self._sales_process_get_failures(move.stage, move.old_stages)
        overridden = move.override.values if move.override else {}
        blocked = {}
        for lead, items in failures.items():
            unmet = [
                (gate, reason)
                for gate, reason in items
                if gate.mode == "block"
                and not (lead.id in overridden.get("lead_ids", ()) and gate.id in overridden.get("gate_ids", ()))
            ]
            if unmet:
                blocked[lead] = unmet
        if blocked:
            raise UserError(self._sales_process_blocked_message(blocked, move.stage))
        for lead, items in failures.items():
            warned = [(gate, reason) for gate, reason in items if gate.mode == "warn"]
            if warned:
                move.notes.setdefault(lead.id, []).append(
                    Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        _("Moved to %(stage)s with unmet exit criteria:", stage=move.stage.name),
                        Markup().join(
                            Markup("<li>%s: %s</li>") % (gate.stage_id.name, self._format_gate_failure(gate, reason))
                            for gate, reason in warned
                        ),
                    )
                )

    def _sales_process_on_merge(self, opportunities):
        """The merged opportunities' overrides stay on record, on ``self``."""
        super()._sales_process_on_merge(opportunities)
        # overrides are written by the system only: the merge itself is the user's right
        opportunities.sudo().gate_override_ids.write({"lead_id": self.id})

    # ------------------------------------------------------------------
    # Gates
    # ------------------------------------------------------------------

    @api.model
    def _sales_process_gates_enforced(self):
        param = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.enforce_gates")
        return param not in (False, "False", "0", "")

    @api.model
    def _sales_process_get_stage_order(self):
        """Stages in pipeline order: by sequence, then id (never by their translated name)."""
        return self.env["crm.stage"].sudo().search([], order="sequence, id")

    def _sales_process_get_failures(self, new_stage, old_stages=None):
        """Unmet exit criteria of moving ``self`` to ``new_stage``.

        :param old_stages: {lead_id: stage} the leads leave (default: their stage)
        :return: {lead: [(gate, reason), ...]}. The gates of the stage left apply
            in both modes; the stages jumped over apply their blocking gates.
            Moving backward checks nothing.
        """
        stages = self._sales_process_get_stage_order()
        position = {stage.id: index for index, stage in enumerate(stages)}
        failures = {}
        ids_by_stage = {}
        for lead in self:
            stage = old_stages[lead.id] if old_stages else lead.stage_id
            ids_by_stage.setdefault(stage, []).append(lead.id)
        for old_stage, lead_ids in ids_by_stage.items():
            leads = self.browse(lead_ids)
            if not old_stage or position.get(new_stage.id, -1) <= position.get(old_stage.id, -1):
                continue
            for lead_id, items in old_stage.gate_ids._evaluate(leads).items():
                failures.setdefault(lead_id, []).extend(items)
            start, end = position[old_stage.id], position[new_stage.id]
            for skipped in stages[start + 1 : end]:
                gates = skipped.gate_ids.filtered(lambda g: g.mode == "block")
                if not gates:
                    continue
                concerned = leads.filtered(lambda lead, s=skipped: not s.team_id or s.team_id == lead.team_id)
                for lead_id, items in gates._evaluate(concerned).items():
                    failures.setdefault(lead_id, []).extend(items)
        return {self.browse(lead_id): items for lead_id, items in failures.items()}

    @api.model
    def _format_gate_failure(self, gate, reason):
        return _("%(criterion)s (%(reason)s)", criterion=gate.name, reason=reason)

    def _sales_process_blocked_message(self, blocked, new_stage, limit=20):
        lines = [
            _(
                "These opportunities cannot move to %(stage)s, their stage's exit criteria are not met:",
                stage=new_stage.name,
            )
        ]
        for lead, items in list(blocked.items())[:limit]:
            criteria = "; ".join(
                f"{gate.stage_id.name}: {self._format_gate_failure(gate, reason)}" for gate, reason in items
            )
            lines.append(f"- {lead.name}: {criteria}")
        if len(blocked) > limit:
            lines.append(_("... and %(count)s more.", count=len(blocked) - limit))
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------

    def _sales_process_get_override_allowed(self, stages):
        """{lead_id: bool}: may the current user override the criteria of ``stages``?

        :param stages: {lead_id: stage} whose exit criteria are overridden
        With an Accountable row for the stage (and the lead's team), only the resolved
        Accountable people and Sales Process administrators may; without one, any
        Sales Process manager may.
        """
        user = self.env.user
        if user.has_group("sales_process_mgmt.group_sales_process_admin"):
            return dict.fromkeys(stages, True)
        is_manager = user.has_group("sales_process_mgmt.group_sales_process_manager")
        accountable = self._sales_process_get_accountable(stages)
        return {
            lead_id: (user.id in holders["accountable"]) if holders is not None else is_manager
            for lead_id, holders in (
                (lead_id, accountable.get((lead_id, stage.id))) for lead_id, stage in stages.items()
            )
        }

    def _sales_process_get_accountable(self, stages):
        """{(lead_id, stage_id): holders} of the stages with an Accountable row for the lead.

        :param stages: {lead_id: stage}; a lead is resolved as if it were in that stage
        """
        Responsibility = self.env["sales.process.responsibility"]
        result = {}
        groups = {}
        for lead_id, stage in stages.items():
            groups.setdefault(stage, []).append(lead_id)
        for stage, lead_ids in groups.items():
            leads = self.browse(lead_ids)
            current = leads.filtered(lambda lead, s=stage: lead.stage_id == s)
            # leads resolved in another stage: new records reading the rest from their origin
            virtual = self.concat(*(self.new({"stage_id": stage.id}, origin=lead) for lead in leads - current))
            resolution = Responsibility._resolve(current | virtual, ["accountable"])
            for lead in current | virtual:
                holders = resolution.get(lead.id)
                if holders and "accountable" in holders["configured"]:
                    result[(lead._origin.id, stage.id)] = holders
        return result

    def _sales_process_check_override_allowed(self, stages):
        """Raise unless the current user may override the criteria of every stage of ``stages``.

        :param stages: crm.stage records whose blocking criteria the override passes
        """
        self.ensure_one()
        for stage in stages:
            if self._sales_process_get_override_allowed({self.id: stage})[self.id]:
                continue
            holders = self._sales_process_get_accountable({self.id: stage}).get((self.id, stage.id))
            if holders:
                names = self.env["res.users"].sudo().browse(list(holders["accountable"])).mapped("name")
                raise AccessError(
                    _(
                        "Only the Accountable person of stage %(stage)s for %(lead)s (%(people)s) or a Sales "
                        "Process administrator can override its exit criteria.",
                        stage=stage.name,
                        lead=self.name,
                        people=", ".join(names) or _("nobody resolved"),
                    )
                )
            raise AccessError(_("Only sales process managers can override a stage gate."))

    def _sales_process_move_overriding(self, stage, gates):
        """Move ``self`` to ``stage`` past the blocking ``gates`` (the override wizard's path).

        The override travels in a context value no client can send.
        """
        override = TrustedContextValue("gate override", lead_ids=frozenset(self.ids), gate_ids=frozenset(gates.ids))
        return self.with_context(sales_process_gate_override=override).write({"stage_id": stage.id})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_gate_override(self):
        """Open the wizard that lets a manager move the lead past a blocking gate."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Stage Gate"),
            "res_model": "sales.process.gate.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }
