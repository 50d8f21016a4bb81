from odoo import _, fields, models
from odoo.exceptions import UserError

BASES = [
    ("segment", "Same customer segment"),
    ("industry", "Same industry"),
    ("all", "All won opportunities"),
]


class SalesProcessNeedSuggestion(models.TransientModel):
    """The latent needs suggested for an opportunity, with the figures behind them."""

    _name = "sales.process.need.suggestion"
    _description = "Suggested Needs"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, ondelete="cascade")
    basis = fields.Selection(BASES, string="Compared With", readonly=True)
    sample = fields.Integer(string="Won Deals Compared", readonly=True)
    message = fields.Char(readonly=True)
    line_ids = fields.One2many("sales.process.need.suggestion.line", "suggestion_id", string="Suggestions")

    def _compute_lines(self):
        """Fill the suggestion from the opportunity's figures (see ``crm.lead._get_need_suggestions``)."""
        for wizard in self:
            figures = wizard.lead_id._get_need_suggestions()
            wizard.write(
                {
                    "basis": figures["basis"],
                    "sample": figures["sample"],
                    "message": figures["message"],
                    "line_ids": [fields.Command.clear()] + [fields.Command.create(line) for line in figures["lines"]],
                }
            )

    def _get_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Suggested Needs"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class SalesProcessNeedSuggestionLine(models.TransientModel):
    _name = "sales.process.need.suggestion.line"
    _description = "Suggested Need"
    _order = "confidence desc, support desc, id"

    suggestion_id = fields.Many2one("sales.process.need.suggestion", required=True, ondelete="cascade")
    category_id = fields.Many2one("sales.process.need.category", string="Need Category", required=True, readonly=True)
    known_category_id = fields.Many2one(
        "sales.process.need.category",
        string="Goes With",
        readonly=True,
        help="The opportunity's category it goes with.",
    )
    support = fields.Integer(readonly=True, help="Won deals with both categories.")
    base = fields.Integer(
        string="Out Of", readonly=True, help="Won deals with the opportunity's category (or all compared deals)."
    )
    confidence = fields.Float(string="Confidence (%)", readonly=True, digits=(5, 1))
    reason = fields.Char(string="Why", readonly=True)
    recorded = fields.Boolean(readonly=True)

    def _prepare_need_vals(self):
        self.ensure_one()
        return {
            "lead_id": self.suggestion_id.lead_id.id,
            "name": self.category_id.name,
            "category_id": self.category_id.id,
            "kind": "latent",
            "status": "identified",
            "reason": self.reason,
        }

    def action_record(self):
        """Record the suggestion as a latent need of the opportunity (with the user's rights)."""
        self.ensure_one()
        lead = self.suggestion_id.lead_id
        if self.category_id in lead.customer_need_ids.category_id:
            raise UserError(
                _(
                    "%(category)s is already recorded as a need of %(lead)s.",
                    category=self.category_id.name,
                    lead=lead.display_name,
                )
            )
        self.env["sales.process.customer.need"].create(self._prepare_need_vals())
        self.recorded = True
        return self.suggestion_id._get_action()
