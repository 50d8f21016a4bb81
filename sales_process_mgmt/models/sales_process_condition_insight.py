from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessCondition(models.AbstractModel):
    """Conditions on the customer insight of the opportunity.

    A ``selection_add`` and an ``_evaluate_<criterion>`` per kind; the evaluators
    read the stored insight fields of ``crm.lead`` over the whole set of leads.
    """

    _inherit = "sales.process.condition"

    criterion = fields.Selection(
        selection_add=[
            ("needs_confirmed", "Needs confirmed by the customer"),
            ("decision_maker", "Decision maker identified"),
            ("budget_known", "Budget known"),
            ("needs_addressed", "Every confirmed need addressed"),
        ],
        ondelete={
            "needs_confirmed": "cascade",
            "decision_maker": "cascade",
            "budget_known": "cascade",
            "needs_addressed": "cascade",
        },
    )
    min_needs_confirmed = fields.Integer(
        string="Minimum Confirmed Needs",
        default=1,
        help="How many of the lead's needs the customer must have confirmed (addressed needs count too).",
    )

    @api.constrains("criterion", "min_needs_confirmed")
    def _check_min_needs_confirmed(self):
        for gate in self.filtered(lambda g: g.criterion == "needs_confirmed"):
            if gate.min_needs_confirmed < 1:
                raise ValidationError(
                    _(
                        "%(condition)s: the minimum number of confirmed needs must be at least 1 (got %(value)s).",
                        condition=gate._describe(),
                        value=gate.min_needs_confirmed,
                    )
                )

    def _evaluate_needs_confirmed(self, leads, stage):
        self.ensure_one()
        minimum = self.min_needs_confirmed
        return {
            lead.id: {"count": lead.needs_confirmed_count, "minimum": minimum}
            for lead in leads
            if lead.needs_confirmed_count < minimum
        }

    def _format_reason_needs_confirmed(self, values):
        return self.env._(
            "%(count)s of %(minimum)s needs confirmed by the customer",
            count=values.get("count"),
            minimum=values.get("minimum"),
        )

    def _evaluate_decision_maker(self, leads, stage):
        self.ensure_one()
        return {lead.id: {} for lead in leads if not lead.has_decision_maker}

    def _format_reason_decision_maker(self, values):
        return self.env._("no decision maker identified")

    def _evaluate_budget_known(self, leads, stage):
        self.ensure_one()
        return {lead.id: {} for lead in leads if not lead.budget_known}

    def _format_reason_budget_known(self, values):
        return self.env._("budget unknown")

    def _evaluate_needs_addressed(self, leads, stage):
        """Needs the customer confirmed that the solution does not address yet (定制化服务)."""
        self.ensure_one()
        groups = self.env["sales.process.customer.need"]._read_group(
            [("lead_id", "in", leads.ids), ("status", "=", "confirmed")], ["lead_id"], ["name:array_agg"]
        )
        return {lead.id: {"needs": sorted(names)} for lead, names in groups}

    def _format_reason_needs_addressed(self, values):
        return self.env._("confirmed needs not addressed: %(needs)s", needs=", ".join(values.get("needs") or []))
