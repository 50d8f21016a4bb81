from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

NEED_STATUSES = [
    ("identified", "Identified"),
    ("confirmed", "Confirmed by Customer"),
    ("addressed", "Addressed"),
]
# Order of the lifecycle: a move to a lower rank is a move backwards.
STATUS_RANK = {status: rank for rank, (status, _label) in enumerate(NEED_STATUSES)}


def normalize_need(text):
    """The form of a need's text used to detect duplicates: case and spacing ignored."""
    return " ".join((text or "").split()).casefold()


class SalesProcessCustomerNeed(models.Model):
    """A need of the customer on an opportunity (挖掘客户需求).

    Lifecycle: identified → confirmed by the customer → addressed by our offer.
    Moving a need backwards requires a note, which is also logged on the
    opportunity's chatter.
    """

    _name = "sales.process.customer.need"
    _description = "Customer Need"
    _order = "lead_id, sequence, id"

    sequence = fields.Integer(default=10)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    user_id = fields.Many2one(related="lead_id.user_id", string="Salesperson", store=True, index=True)
    team_id = fields.Many2one(related="lead_id.team_id", string="Sales Team", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="lead_id.partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    segment_id = fields.Many2one(
        related="lead_id.customer_segment_id", string="Customer Segment", store=True, index=True
    )
    name = fields.Char(string="Need", required=True)
    category_id = fields.Many2one(
        "sales.process.need.category",
        string="Need Category",
        index=True,
        ondelete="set null",
        help="Optional: the category lets needs be compared across customers (latent-need suggestions, profiles).",
    )
    name_key = fields.Char(
        compute="_compute_name_key",
        store=True,
        help="The need's text, case and spacing ignored: unique per opportunity.",
    )
    kind = fields.Selection(
        [("explicit", "Explicit"), ("latent", "Latent")],
        required=True,
        default="explicit",
        help="Explicit: stated by the customer. Latent: not stated, inferred from the customer's "
        "situation, behaviour or data.",
    )
    reason = fields.Text(string="Reason / Expectation", help="Why the customer has this need and what they expect.")
    priority = fields.Selection(
        [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")],
        default="1",
        required=True,
    )
    status = fields.Selection(NEED_STATUSES, required=True, default="identified", index=True)
    status_note = fields.Text(help="Why the status changed; required when the need moves back in its lifecycle.")
    date_confirmed = fields.Date(
        string="Confirmed On",
        compute="_compute_date_confirmed",
        store=True,
        readonly=False,
        help="When the customer confirmed the need.",
    )
    solution_note = fields.Text(
        string="Addressed By",
        help="The part of the customised solution (product, service or customisation) that answers the need.",
    )

    _sql_constraints = [
        (
            "lead_name_key_unique",
            "unique(lead_id, name_key)",
            "A need is recorded once per opportunity (case and spacing ignored).",
        ),
    ]

    @api.depends("name")
    def _compute_name_key(self):
        for need in self:
            need.name_key = normalize_need(need.name)

    @api.depends("status")
    def _compute_date_confirmed(self):
        for need in self:
            if need.status == "identified":
                need.date_confirmed = False
            elif not need.date_confirmed:
                need.date_confirmed = fields.Date.context_today(need)

    @api.constrains("name", "lead_id")
    def _check_duplicate_need(self):
        """The same need (case and spacing ignored) is recorded once per opportunity.

        Names the need and the opportunity; the unique index on ``name_key`` is the
        backstop for concurrent transactions.
        """
        siblings = self.search([("lead_id", "in", self.lead_id.ids)])
        seen = {}
        for need in siblings:
            key = (need.lead_id.id, normalize_need(need.name))
            if key in seen:
                raise ValidationError(
                    _(
                        "The need %(need)s is recorded twice on %(lead)s.",
                        need=need.name,
                        lead=need.lead_id.display_name,
                    )
                )
            seen[key] = need

    def write(self, vals):
        if "status" in vals:
            backwards = self.filtered(lambda need: STATUS_RANK[need.status] > STATUS_RANK[vals["status"]])
            if backwards:
                self._log_backward_moves(backwards, vals)
        return super().write(vals)

    def _log_backward_moves(self, needs, vals):
        """Require a note for needs moving back in their lifecycle; log it on their opportunity."""
        labels = dict(self._fields["status"]._description_selection(self.env))
        note = (vals.get("status_note") or "").strip()
        if not note:
            need = needs[0]
            raise ValidationError(
                _(
                    "The need %(need)s on %(lead)s moves back from %(old)s to %(new)s: write in its Status Note why.",
                    need=need.name,
                    lead=need.lead_id.display_name,
                    old=labels[need.status],
                    new=labels[vals["status"]],
                )
            )
        lines_by_lead = {}
        for need in needs:
            lines_by_lead.setdefault(need.lead_id.id, []).append(
                _(
                    "Need %(need)s moved back from %(old)s to %(new)s: %(note)s",
                    need=need.name,
                    old=labels[need.status],
                    new=labels[vals["status"]],
                    note=note,
                )
            )
        # the user is writing these leads' needs, so logging on them widens nothing
        needs.lead_id._message_log_batch(
            {lead_id: Markup("<br/>").join(lines) for lead_id, lines in lines_by_lead.items()}
        )
