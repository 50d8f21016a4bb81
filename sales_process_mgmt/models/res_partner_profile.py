from itertools import repeat

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

PROFILE_GROUP = "sales_process_mgmt.group_sales_process_user"
# the opportunity figures of the profile, in the order of _get_profile_figures' values
PROFILE_FIGURES = [
    "profile_won_count",
    "profile_lost_count",
    "profile_open_count",
    "profile_won_amount",
    "profile_open_amount",
    "profile_win_rate",
    "profile_sales_cycle",
    "profile_last_activity",
]


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
        string="Confirmed Needs by Category",
        compute="_compute_profile_needs",
        groups=PROFILE_GROUP,
        sanitize=False,
        help="Needs the customer confirmed, per category (a parent counts its subcategories) and per quarter.",
    )
    profile_decision_contact_ids = fields.Many2many(
        "sales.process.decision.contact",
        string="Decision Contacts",
        compute="_compute_profile_contacts",
        groups=PROFILE_GROUP,
    )
    profile_rating_ids = fields.Many2many(
        "rating.rating", string="Ratings and Feedback", compute="_compute_profile_ratings", groups=PROFILE_GROUP
    )
    profile_rating_avg = fields.Float(string="Average Rating", compute="_compute_profile_ratings", groups=PROFILE_GROUP)

    def _get_profile_customers(self):
        # a partner being created (form onchange) has no figures yet: only saved customers count
        return self.commercial_partner_id._origin

    def _get_profile_keys(self):
        """The saved partner of each record of ``self`` (its id, its origin's, or None), in order."""
        return [id_ if isinstance(id_, int) else id_.origin for id_ in self._ids]

    def _get_profile_lead_query(self, customers):
        """The opportunities of ``customers`` the user may read, as the ORM's rule-filtered query."""
        Lead = self.env["crm.lead"].with_context(active_test=False)
        return Lead._search([("type", "=", "opportunity"), ("partner_id.commercial_partner_id", "in", customers.ids)])

    def _join_profile_partners(self, query, alias, column, partner_ids):
        """Join the partners ``partner_ids`` to ``query`` by the commercial entity of ``alias.column``.

        Returns the SQL of the listed partner's id: rows are grouped by it, so a list gets
        its figures in one query, a contact those of its company, without reading a record.
        """
        person = query.join(alias, column, "res_partner", "id", column)
        listed = query.join(person, "commercial_partner_id", "res_partner", "commercial_partner_id", "listed")
        partner = SQL.identifier(listed, "id")
        query.add_where(SQL("%s IN %s", partner, tuple(partner_ids)))
        query.groupby = partner
        return partner

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_profile(self):
        """The opportunity figures of ``self`` (a whole list) in one SQL query.

        The opportunities are those of the ORM's rule-filtered query of the user, so a
        salesperson's profile counts only what they may read; no record is built.
        """
        keys = self._get_profile_keys()
        figures = self._get_profile_figures([key for key in keys if key])
        empty = self._get_profile_empty()
        rows = [figures.get(key, empty) for key in keys]
        # the values are plain numbers and dates, already in the cache's format: set them in
        # one go per field (the field setter's per-record checks cost more than the query)
        cache = self.env.cache
        cache.update(self, self._fields["profile_currency_id"], repeat(self.env.company.currency_id.id))
        for index, values in enumerate(zip(*rows, strict=True) if rows else ()):
            cache.update(self, self._fields[PROFILE_FIGURES[index]], values)

    def _get_profile_empty(self):
        return (0, 0, 0, 0.0, 0.0, 0.0, 0.0, None)

    def _get_profile_figures(self, partner_ids):
        """{partner id: values of PROFILE_FIGURES} for the saved partners ``partner_ids``, in one query.

        A partner has the figures of its commercial entity: the opportunities of all its
        contacts, won = active at 100 %, lost = archived at 0 %, as in CRM.
        """
        if not partner_ids:
            return {}
        self.env["crm.lead"].flush_model(["active", "probability", "expected_revenue", "day_close", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["mail.message"].flush_model(["model", "res_id", "message_type", "date"])
        # the user's rule-filtered query of opportunities, by the listed partner of their contact
        leads = self.env["crm.lead"].with_context(active_test=False)._search([("type", "=", "opportunity")])
        partner = self._join_profile_partners(leads, "crm_lead", "partner_id", partner_ids)
        leads.add_join(
            "LEFT JOIN",
            "last_message",
            SQL(
                """LATERAL (SELECT max(message.date) AS date FROM mail_message message
                             WHERE message.model = 'crm.lead' AND message.res_id = crm_lead.id
                               AND message.message_type IN ('comment', 'email'))"""
            ),
            SQL("TRUE"),
        )
        # the amounts are sums of stored monetary values, already rounded to the currency; no
        # probability counts as 0, as in the ORM's domains (a lead created without a team has none)
        self.env.cr.execute(
            leads.select(
                partner,
                SQL("count(*) FILTER (WHERE crm_lead.active AND crm_lead.probability = 100)"),
                SQL("count(*) FILTER (WHERE NOT crm_lead.active AND coalesce(crm_lead.probability, 0) = 0)"),
                SQL("count(*) FILTER (WHERE crm_lead.active AND coalesce(crm_lead.probability, 0) < 100)"),
                SQL(
                    "coalesce(sum(crm_lead.expected_revenue) FILTER"
                    " (WHERE crm_lead.active AND crm_lead.probability = 100), 0)::float"
                ),
                SQL(
                    "coalesce(sum(crm_lead.expected_revenue) FILTER"
                    " (WHERE crm_lead.active AND coalesce(crm_lead.probability, 0) < 100), 0)::float"
                ),
                SQL(
                    "coalesce(sum(crm_lead.day_close) FILTER"
                    " (WHERE crm_lead.active AND crm_lead.probability = 100), 0)::float"
                ),
                SQL('max("last_message".date)'),
            )
        )
        return {
            partner_id: (
                won,
                lost,
                opened,
                won_amount,
                open_amount,
                round(100.0 * won / (won + lost), 1) if won + lost else 0.0,
                round(days / won, 1) if won else 0.0,
                last,
            )
            for partner_id, won, lost, opened, won_amount, open_amount, days, last in self.env.cr.fetchall()
        }

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_profile_contacts(self):
        """The decision contacts of the customers' opportunities the user reads, in one query."""
        keys = self._get_profile_keys()
        Contact = self.env["sales.process.decision.contact"]
        by_partner = {}
        if partner_ids := [key for key in keys if key]:
            Contact.flush_model(["partner_id", "lead_id", "sequence"])
            self.env["crm.lead"].flush_model(["priority"])  # the order of the contacts' opportunities
            self.env["res.partner"].flush_model(["commercial_partner_id"])
            contacts = Contact._search([])
            # the model's order (joins the opportunity) before the grouping, which it would extend
            order = Contact._order_to_sql(Contact._order, contacts)
            partner = self._join_profile_partners(contacts, Contact._table, "partner_id", partner_ids)
            contact_ids = SQL("array_agg(%s ORDER BY %s)", SQL.identifier(Contact._table, "id"), order)
            self.env.cr.execute(contacts.select(partner, contact_ids))
            by_partner = dict(self.env.cr.fetchall())
        self.env.cache.update(
            self, self._fields["profile_decision_contact_ids"], [tuple(by_partner.get(key, ())) for key in keys]
        )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_profile_ratings(self):
        """The customers' consumed ratings (evaluation) on the opportunities the user reads."""
        customers = self._get_profile_customers()
        Rating = self.env["rating.rating"]
        by_customer = {}
        if customers:
            leads = self._get_profile_lead_query(customers)
            ratings = Rating.search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", leads), ("consumed", "=", True)],
                order="write_date desc, id desc",
            )
            lead_customer = {
                lead.id: lead.partner_id.commercial_partner_id.id
                for lead in self.env["crm.lead"].with_context(active_test=False).browse(set(ratings.mapped("res_id")))
            }
            for rating in ratings:
                customer_id = lead_customer[rating.res_id]
                by_customer[customer_id] = by_customer.get(customer_id, Rating) | rating
        for partner in self:
            ratings = by_customer.get(partner.commercial_partner_id._origin.id, Rating)
            partner.profile_rating_ids = ratings
            partner.profile_rating_avg = round(sum(ratings.mapped("rating")) / len(ratings), 2) if ratings else 0.0

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_profile_needs(self):
        customers = self._get_profile_customers()
        tables = self._get_profile_needs_html(customers) if customers else {}
        for partner in self:
            partner.profile_needs_html = tables.get(partner.commercial_partner_id._origin.id, False)

    def _get_profile_need_series(self, customers):
        """{customer id: {category or False: {quarter start (date) or False: count}}}.

        The confirmed (and addressed) needs the user may read, per quarter of their
        confirmation; a category also counts the needs of its subcategories.
        """
        rows = self.env["sales.process.customer.need"]._read_group(
            [("partner_id", "in", customers.ids), ("status", "in", ["confirmed", "addressed"])],
            ["partner_id", "category_id", "date_confirmed:quarter"],
            ["__count"],
        )
        Category = self.env["sales.process.need.category"]
        series = {}
        for partner, category, quarter, count in rows:
            # the category and its ancestors (parent_path "1/5/9/"); False: uncategorised
            nodes = (
                [Category.browse(int(part)) for part in category.parent_path.split("/") if part]
                if category
                else [False]
            )
            for node in nodes:
                by_quarter = series.setdefault(partner.id, {}).setdefault(node, {})
                by_quarter[quarter] = by_quarter.get(quarter, 0) + count
        return series

    def _get_profile_quarters(self, quarters=8):
        """The start dates of the last ``quarters`` quarters, the current one last."""
        today = fields.Date.context_today(self)
        current = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return [current - relativedelta(months=3 * back) for back in range(quarters - 1, -1, -1)]

    def _get_profile_needs_html(self, customers):
        """The needs table of each customer: category, total, earlier, then one column per quarter."""
        series = self._get_profile_need_series(customers)
        shown = self._get_profile_quarters()
        head = [self.env._("Need Category"), self.env._("Total"), self.env._("Earlier")]
        head += [self._get_profile_quarter_label(quarter) for quarter in shown]
        header = Markup(
            "<table class='table table-sm o_sales_process_profile_needs'><thead><tr>%s</tr></thead><tbody>"
        ) % Markup().join(
            Markup("<th%s>%s</th>") % (Markup(" class='text-end'") if index else Markup(), label)
            for index, label in enumerate(head)
        )
        tables = {}
        for customer_id, by_category in series.items():
            lines = sorted(by_category.items(), key=lambda item: (not item[0], item[0].display_name if item[0] else ""))
            body = Markup()
            for category, by_quarter in lines:
                cells = [
                    sum(by_quarter.values()),
                    sum(count for quarter, count in by_quarter.items() if quarter and quarter < shown[0]),
                    *(by_quarter.get(quarter, 0) for quarter in shown),
                ]
                body += Markup("<tr><td>%s</td>%s</tr>") % (
                    category.display_name if category else self.env._("Uncategorised"),
                    Markup().join(Markup("<td class='text-end'>%s</td>") % cell for cell in cells),
                )
            tables[customer_id] = header + body + Markup("</tbody></table>")
        return tables

    def _get_profile_quarter_label(self, quarter):
        return self.env._("Q%(quarter)s %(year)s", quarter=(quarter.month - 1) // 3 + 1, year=quarter.year)

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
