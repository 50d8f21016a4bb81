from odoo import api, fields, models

from .res_partner import COMPANY_SIZES


class CrmLead(models.Model):
    """Customer insight on the opportunity: who the customer is, what they need, how they decide."""

    _inherit = "crm.lead"

    # Customer insight: who the customer is
    customer_segment_id = fields.Many2one(
        "sales.process.customer.segment",
        string="Customer Segment",
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="The target customer group; taken from the customer when it has one.",
    )
    industry_id = fields.Many2one(
        "res.partner.industry",
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
    )
    company_size = fields.Selection(
        COMPANY_SIZES,
        compute="_compute_customer_profile",
        store=True,
        readonly=False,
    )
    customer_commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer Company"
    )
    sales_channel_id = fields.Many2one("sales.process.sales.channel", string="Sales Channel", index=True, tracking=True)
    # Customer insight: what the customer needs
    customer_need_ids = fields.One2many("sales.process.customer.need", "lead_id", string="Customer Needs")
    needs_confirmed_count = fields.Integer(
        string="Confirmed Needs",
        compute="_compute_needs_confirmed_count",
        store=True,
        help="Needs confirmed by the customer (and those already addressed).",
    )
    # Customer insight: how the customer decides
    decision_contact_ids = fields.One2many(
        "sales.process.decision.contact", "lead_id", string="Decision Makers and Influencers"
    )
    has_decision_maker = fields.Boolean(
        string="Decision Maker Identified", compute="_compute_has_decision_maker", store=True
    )
    decision_criterion_ids = fields.One2many("sales.process.decision.criterion", "lead_id", string="Decision Criteria")
    decision_criteria_score = fields.Float(
        string="Criteria Fit (%)",
        compute="_compute_decision_criteria_score",
        help="Our scores on the customer's decision criteria, weighted, as a percentage of the best possible.",
    )
    decision_process = fields.Text(
        help="How the customer decides, in words: who evaluates, who approves, in which order."
    )
    decision_step_ids = fields.One2many(
        "sales.process.decision.step", "lead_id", string="Decision Steps", help="The steps of the purchase decision."
    )
    date_decision = fields.Date(string="Expected Decision Date", tracking=True)
    budget_known = fields.Boolean(tracking=True, help="The customer's budget for this purchase is known.")
    budget_amount = fields.Monetary(string="Budget", currency_field="company_currency", tracking=True)
    lead_competitor_ids = fields.One2many("sales.process.lead.competitor", "lead_id", string="Competitors")
    # Customer insight: what we offer
    solution_summary = fields.Html(string="Customised Solution", help="The solution tailored to the customer's needs.")
    solution_attachment_ids = fields.Many2many(
        "ir.attachment",
        "crm_lead_solution_attachment_rel",
        "lead_id",
        "attachment_id",
        string="Solution Attachments",
    )

    @api.depends(
        "partner_id.commercial_partner_id.customer_segment_id",
        "partner_id.commercial_partner_id.industry_id",
        "partner_id.commercial_partner_id.company_size",
    )
    def _compute_customer_profile(self):
        """The customer's profile wins when it is filled; otherwise the lead keeps its own."""
        for lead in self:
            customer = lead.partner_id.commercial_partner_id
            lead.customer_segment_id = customer.customer_segment_id or lead.customer_segment_id
            lead.industry_id = customer.industry_id or lead.industry_id
            lead.company_size = customer.company_size or lead.company_size

    @api.depends("customer_need_ids.status")
    def _compute_needs_confirmed_count(self):
        for lead in self:
            lead.needs_confirmed_count = len(
                lead.customer_need_ids.filtered(lambda need: need.status in ("confirmed", "addressed"))
            )

    @api.depends("decision_contact_ids.role")
    def _compute_has_decision_maker(self):
        for lead in self:
            lead.has_decision_maker = "decision_maker" in lead.decision_contact_ids.mapped("role")

    @api.depends("decision_criterion_ids.weight", "decision_criterion_ids.score")
    def _compute_decision_criteria_score(self):
        for lead in self:
            criteria = lead.decision_criterion_ids.filtered(lambda c: c.weight > 0)
            total = sum(criteria.mapped("weight"))
            lead.decision_criteria_score = (
                100.0 * sum(c.weight * c.score for c in criteria) / (10.0 * total) if total else 0.0
            )

    @api.constrains("partner_id")
    def _check_decision_contacts_customer(self):
        """Changing the customer must not leave decision contacts of another company."""
        self.decision_contact_ids._check_partner_of_customer()

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        """The customer created from the lead inherits its profile (commercial fields)."""
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        if not parent_id:
            values.update(
                customer_segment_id=self.customer_segment_id.id,
                industry_id=self.industry_id.id,
                company_size=self.company_size,
            )
        return values

    def _sales_process_on_merge(self, opportunities):
        """Bring the merged ``opportunities``' customer insight to ``self``.

        What ``self`` already holds is kept once: the same need (text, case and spacing
        ignored), contact in the same role, criterion, step or competitor. Contacts of
        another customer than the merged one stay behind (they are deleted with their
        opportunity), and steps follow their contact to its counterpart on ``self``.
        """
        super()._sales_process_on_merge(opportunities)
        self.ensure_one()
        # the customer the merge gives ``self`` (crm writes it after this hook): the first one set
        customer = (self + opportunities).filtered("partner_id")[:1].partner_id.commercial_partner_id

        def new_lines(field, key, accept=None):
            seen = {key(line) for line in self[field]}
            lines = self[field].browse()
            for line in opportunities[field].filtered(accept) if accept else opportunities[field]:
                if key(line) not in seen:
                    seen.add(key(line))
                    lines |= line
            return lines

        def by_name(line):
            return line.name.strip().lower()

        new_lines("customer_need_ids", lambda line: line.name_key).write({"lead_id": self.id})
        new_lines("decision_criterion_ids", by_name).write({"lead_id": self.id})
        new_lines("lead_competitor_ids", lambda line: line.competitor_id).write({"lead_id": self.id})
        new_lines(
            "decision_contact_ids",
            lambda line: (line.partner_id, line.role),
            accept=lambda line: not customer or line.partner_id.commercial_partner_id == customer,
        ).write({"lead_id": self.id})
        counterpart = {(contact.partner_id, contact.role): contact.id for contact in self.decision_contact_ids}
        steps = new_lines("decision_step_ids", by_name).grouped(
            lambda step: counterpart.get((step.contact_id.partner_id, step.contact_id.role), False)
        )
        for contact_id, group in steps.items():
            group.write({"lead_id": self.id, "contact_id": contact_id})
