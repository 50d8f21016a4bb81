from markupsafe import Markup, escape

from odoo import api, fields, models

PROFILE_GROUP = "sales_process_mgmt.group_sales_process_user"


class ResPartner(models.Model):
    """The customer profile (客户画像): who the customer is, how they buy, what they prefer.

    The figures are computed for a whole list of customers in a fixed number of
    aggregate queries, with the user's rights: a salesperson's profile counts the
    opportunities they may read. Contacts show the profile of their company.
    """

    _inherit = "res.partner"

    # Preferences: free fields the salesperson keeps (commercial fields, kept on the company;
    # no groups: the commercial sync writes them as whoever edits the company)
    profile_preferred_channel_id = fields.Many2one("sales.process.sales.channel", string="Preferred Channel")
    profile_contact_times = fields.Char(
        string="Preferred Contact Times", help="e.g. Weekday mornings, never on Friday afternoon"
    )
    profile_preferred_language = fields.Char(string="Preferred Language")
    profile_buying_habits = fields.Text(
        string="Buying Habits and Preferences",
        help="How the customer buys: budget cycle, tenders, preferred brands, payment terms...",
    )
    # Figures over the customer's opportunities
    profile_currency_id = fields.Many2one("res.currency", compute="_compute_profile", groups=PROFILE_GROUP)
    profile_won_count = fields.Integer(string="Won", compute="_compute_profile", groups=PROFILE_GROUP)
    profile_lost_count = fields.Integer(string="Lost", compute="_compute_profile", groups=PROFILE_GROUP)
    profile_open_count = fields.Integer(string="Open", compute="_compute_profile", groups=PROFILE_GROUP)
    profile_won_amount = fields.Monetary(
        string="Won Revenue", currency_field="profile_currency_id", compute="_compute_profile", groups=PROFILE_GROUP
    )
    profile_open_amount = fields.Monetary(
        string="Open Pipeline", currency_field="profile_currency_id", compute="_compute_profile", groups=PROFILE_GROUP
    )
    profile_win_rate = fields.Float(
        string="Win Rate (%)", compute="_compute_profile", groups=PROFILE_GROUP, help="Won / (won + lost)."
    )
    profile_sales_cycle = fields.Float(
        string="Average Sales Cycle (Days)",
        compute="_compute_profile",
        groups=PROFILE_GROUP,
        help="Days from creation to closing of the won opportunities.",
    )
    profile_last_activity = fields.Datetime(
        string="Last Activity",
        compute="_compute_profile",
        groups=PROFILE_GROUP,
        help="The last message or note on the customer's opportunities.",
    )
    profile_needs_html = fields.Html(
        string="Confirmed Needs by Category", compute="_compute_profile", groups=PROFILE_GROUP, sanitize=False
    )
    profile_decision_contact_ids = fields.Many2many(
        "sales.process.decision.contact",
        string="Decision Contacts",
        compute="_compute_profile",
        groups=PROFILE_GROUP,
    )
    profile_rating_ids = fields.Many2many(
        "rating.rating", string="Ratings and Feedback", compute="_compute_profile", groups=PROFILE_GROUP
    )
    profile_rating_avg = fields.Float(string="Average Rating", compute="_compute_profile", groups=PROFILE_GROUP)

    def _compute_profile(self):
        """All figures of the customers of ``self`` in a constant number of queries."""
        # a partner being created (form onchange) has no figures yet: only saved customers count
        customers = self.commercial_partner_id._origin
        figures = self._get_profile_figures(customers) if customers else {}
        currency = self.env.company.currency_id
        empty = self._get_profile_empty()
        for partner in self:
            values = figures.get(partner.commercial_partner_id._origin.id, empty)
            partner.profile_currency_id = currency
            for name, value in values.items():
                partner[f"profile_{name}"] = value

    def _get_profile_empty(self):
        return {
            "won_count": 0,
            "lost_count": 0,
            "open_count": 0,
            "won_amount": 0.0,
            "open_amount": 0.0,
            "win_rate": 0.0,
            "sales_cycle": 0.0,
            "last_activity": False,
            "needs_html": False,
            "decision_contact_ids": self.env["sales.process.decision.contact"],
            "rating_ids": self.env["rating.rating"],
            "rating_avg": 0.0,
        }

    def _get_profile_figures(self, customers):
        """{customer id: {figure: value}} for the commercial partners ``customers``."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        base = [("type", "=", "opportunity"), ("partner_id.commercial_partner_id", "in", customers.ids)]
        states = {
            "won": [("active", "=", True), ("probability", "=", 100)],
            "lost": [("active", "=", False), ("probability", "=", 0)],
            "open": [("active", "=", True), ("probability", "<", 100)],
        }
        # per contact, then summed per company: the contacts' commercial partners are read once
        groups = {
            state: Lead._read_group(
                base + domain, ["partner_id"], ["__count", "expected_revenue:sum", "day_close:sum", "id:array_agg"]
            )
            for state, domain in states.items()
        }
        result = {customer.id: self._get_profile_empty() for customer in customers}
        lead_customer = {}
        cycle_days = {}
        for state, rows in groups.items():
            for partner, count, amount, days, lead_ids in rows:
                values = result[partner.commercial_partner_id.id]
                values[f"{state}_count"] += count
                if state in ("won", "open"):
                    values[f"{state}_amount"] += amount
                if state == "won":
                    cycle_days[partner.commercial_partner_id.id] = (
                        cycle_days.get(partner.commercial_partner_id.id, 0) + days
                    )
                lead_customer.update(dict.fromkeys(lead_ids, partner.commercial_partner_id.id))
        for customer_id, values in result.items():
            decided = values["won_count"] + values["lost_count"]
            values["win_rate"] = round(100.0 * values["won_count"] / decided, 1) if decided else 0.0
            if values["won_count"]:
                values["sales_cycle"] = round(cycle_days.get(customer_id, 0) / values["won_count"], 1)
        if lead_customer:
            # only a date, of opportunities the user reads (the ids come from the user's own query)
            for lead_id, last in (
                self.env["mail.message"]
                .sudo()
                ._read_group(
                    [
                        ("model", "=", "crm.lead"),
                        ("res_id", "in", list(lead_customer)),
                        ("message_type", "in", ["comment", "email"]),
                    ],
                    ["res_id"],
                    ["date:max"],
                )
            ):
                values = result[lead_customer[lead_id]]
                values["last_activity"] = max(filter(None, [values["last_activity"], last]))
            ratings = self.env["rating.rating"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", list(lead_customer)), ("consumed", "=", True)],
                order="write_date desc, id desc",
            )
            for rating in ratings:
                result[lead_customer[rating.res_id]]["rating_ids"] |= rating
            for values in result.values():
                if values["rating_ids"]:
                    values["rating_avg"] = round(
                        sum(values["rating_ids"].mapped("rating")) / len(values["rating_ids"]), 2
                    )
        self._add_profile_needs(customers, result)
        contacts = self.env["sales.process.decision.contact"].search(
            [("partner_id.commercial_partner_id", "in", customers.ids)]
        )
        for contact in contacts:
            result[contact.partner_id.commercial_partner_id.id]["decision_contact_ids"] |= contact
        return result

    def _add_profile_needs(self, customers, result):
        """The confirmed (and addressed) needs of each customer, counted per category."""
        rows = self.env["sales.process.customer.need"]._read_group(
            [("partner_id", "in", customers.ids), ("status", "in", ["confirmed", "addressed"])],
            ["partner_id", "category_id"],
            ["__count", "date_confirmed:min", "date_confirmed:max"],
            order="partner_id, __count desc",
        )
        by_customer = {}
        for partner, category, count, first, last in rows:
            by_customer.setdefault(partner.id, []).append((category, count, first, last))
        header = Markup(
            "<table class='table table-sm o_sales_process_profile_needs'><thead><tr>"
            "<th>%s</th><th class='text-end'>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Need Category"),
            self.env._("Needs"),
            self.env._("First Confirmed"),
            self.env._("Last Confirmed"),
        )
        for customer_id, lines in by_customer.items():
            body = Markup().join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    category.display_name if category else self.env._("Uncategorised"),
                    count,
                    escape(fields.Date.to_string(first) or ""),
                    escape(fields.Date.to_string(last) or ""),
                )
                for category, count, first, last in lines
            )
            result[customer_id]["needs_html"] = header + body + Markup("</tbody></table>")

    def action_sales_process_view_opportunities(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Opportunities of %(customer)s", customer=customer.display_name),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "domain": [("type", "=", "opportunity"), ("partner_id", "child_of", customer.id)],
            "context": {"active_test": False, "search_default_filter_won": 0},
        }

    @api.model
    def _commercial_fields(self):
        return [
            *super()._commercial_fields(),
            "profile_preferred_channel_id",
            "profile_contact_times",
            "profile_preferred_language",
            "profile_buying_habits",
        ]
