from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.tools import SQL

# (parameter, default, minimum, maximum) of the latent-need suggestions
SUGGESTION_PARAMS = {
    "min_support": ("sales_process_mgmt.suggestion_min_support", 3, 1, 10000),
    "min_confidence": ("sales_process_mgmt.suggestion_min_confidence", 30, 1, 100),
    "months": ("sales_process_mgmt.suggestion_months", 24, 1, 120),
}


def won_leads_where(company, since, lead):
    """WHERE of the won opportunities of ``company`` closed since ``since``, but ``lead``."""
    return SQL(
        """
            l.company_id IS NOT DISTINCT FROM %(company)s
            AND l.active AND l.probability = 100
            AND l.date_closed >= %(since)s
            AND l.id != %(lead)s
        """,
        company=company,
        since=since,
        lead=lead,
    )


# the needs the customer confirmed (addressed ones too) that name a category
CONFIRMED_NEED = SQL("n.status IN ('confirmed', 'addressed') AND n.category_id IS NOT NULL")

# a need counts for its category and every ancestor of it: *Integration* includes *Integration / API*
# (parent_path "1/5/": the ids from the root down to the category)
NEED_CATEGORY_AND_ANCESTORS = SQL(
    """JOIN sales_process_need_category c ON c.id = n.category_id
       CROSS JOIN LATERAL unnest(string_to_array(rtrim(c.parent_path, '/'), '/')::int[]) AS a(category_id)"""
)


def with_ancestors(categories):
    """The ids of ``categories`` and of all their ancestors."""
    return sorted({int(part) for category in categories for part in (category.parent_path or "").split("/") if part})


def get_suggestion_params(env):
    """The thresholds of the suggestions, from the settings, clamped to their ranges."""
    params = env["ir.config_parameter"].sudo()
    values = {}
    for name, (key, default, minimum, maximum) in SUGGESTION_PARAMS.items():
        try:
            value = int(params.get_param(key, default))
        except (TypeError, ValueError):
            value = default
        values[name] = min(max(value, minimum), maximum)
    return values


class CrmLead(models.Model):
    """Latent-need suggestions (挖掘潜在需求): what customers like this one confirmed when they bought."""

    _inherit = "crm.lead"

    def _get_need_suggestions(self):
        """The need categories that similar won deals confirmed and this opportunity lacks.

        Similar: the same customer segment, else the same industry, else every won
        opportunity of the company (the first of these with at least the minimum
        support of won deals with categorised confirmed needs). Ranked by
        co-occurrence with the categories the opportunity already has: support = won
        deals with both the known and the suggested category, confidence = support /
        won deals with the known category (its best known category is kept). Without
        a known category, the share of the sample that confirmed it. A need counts
        for its category's parents too: a won deal with *Integration / API* has
        confirmed *Integration*, and an opportunity with it is not offered *Integration*.

        The aggregates run in SQL over the company's opportunities, whatever the
        user may read, and return counts only: no other opportunity is revealed.

        :return: dict(basis, sample, lines=[dict(category_id, known_category_id,
            support, base, confidence, reason)], message) where ``message`` says why
            there is no suggestion (too little data, nothing frequent enough)
        """
        self.ensure_one()
        params = get_suggestion_params(self.env)
        # what the opportunity already has: its categories and their parents (a need in
        # "Integration / API" also is an "Integration" need)
        known = self.env["sales.process.need.category"].browse(with_ancestors(self.customer_need_ids.category_id))
        won_where = won_leads_where(
            self.company_id.id or None,
            fields.Datetime.now() - relativedelta(months=params["months"]),
            self.id or 0,
        )
        segment, industry = self.customer_segment_id.id or None, self.industry_id.id or None
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT count(*) FILTER (WHERE l.customer_segment_id = %s),
                       count(*) FILTER (WHERE l.industry_id = %s),
                       count(*)
                  FROM crm_lead l
                 WHERE %s
                   AND EXISTS (SELECT FROM sales_process_customer_need n WHERE n.lead_id = l.id AND %s)
                """,
                segment,
                industry,
                won_where,
                CONFIRMED_NEED,
            )
        )
        samples = dict(zip(["segment", "industry", "all"], cr.fetchone(), strict=True))
        basis = next(
            (level for level in ("segment", "industry", "all") if samples[level] >= params["min_support"]),
            None,
        )
        result = {"basis": basis or "all", "sample": samples[basis or "all"], "lines": [], "message": False}
        if not basis:
            result["message"] = _(
                "Too little data to suggest needs: %(count)s won opportunities of the last %(months)s months "
                "have confirmed needs with a category, at least %(minimum)s are needed.",
                count=samples["all"],
                months=params["months"],
                minimum=params["min_support"],
            )
            return result
        level_filter = {
            "segment": SQL("AND l.customer_segment_id = %s", segment),
            "industry": SQL("AND l.industry_id = %s", industry),
            "all": SQL(),
        }[basis]
        won = SQL(
            """SELECT DISTINCT n.lead_id, a.category_id
                 FROM sales_process_customer_need n JOIN crm_lead l ON l.id = n.lead_id %s
                WHERE %s AND %s %s""",
            NEED_CATEGORY_AND_ANCESTORS,
            won_where,
            CONFIRMED_NEED,
            level_filter,
        )
        if known:
            cr.execute(
                SQL(
                    """
                    WITH won AS (%(won)s),
                         known AS (SELECT lead_id, category_id FROM won WHERE category_id = ANY(%(known)s)),
                         base AS (SELECT category_id, count(*) AS total FROM known GROUP BY category_id)
                    SELECT k.category_id, w.category_id, count(*), base.total
                      FROM known k
                      JOIN won w ON w.lead_id = k.lead_id AND w.category_id != ALL(%(known)s)
                      JOIN base ON base.category_id = k.category_id
                     GROUP BY k.category_id, w.category_id, base.total
                    """,
                    won=won,
                    known=known.ids,
                )
            )
        else:
            cr.execute(
                SQL(
                    "WITH won AS (%s) SELECT NULL, category_id, count(*), %s FROM won GROUP BY category_id",
                    won,
                    samples[basis],
                )
            )
        best = {}
        for known_id, category_id, support, base in cr.fetchall():
            confidence = 100.0 * support / base
            if support < params["min_support"] or confidence < params["min_confidence"]:
                continue
            if category_id not in best or (confidence, support) > (best[category_id][2], best[category_id][1]):
                best[category_id] = (known_id, support, confidence, base)
        # only the active categories the user may use are suggested
        Category = self.env["sales.process.need.category"]
        categories = Category.search([("id", "in", list(best)), ("active", "=", True)])
        known_names = {category.id: category.display_name for category in known}
        basis_label = {
            "segment": _("in this segment"),
            "industry": _("in this industry"),
            "all": _("in the company"),
        }[basis]
        lines = []
        for category in categories:
            known_id, support, confidence, base = best[category.id]
            if known_id:
                reason = _(
                    "%(support)s of %(base)s won deals %(basis)s with %(known)s also confirmed %(category)s: "
                    "%(confidence)s %%",
                    support=support,
                    base=base,
                    basis=basis_label,
                    known=known_names[known_id],
                    category=category.display_name,
                    confidence=round(confidence),
                )
            else:
                reason = _(
                    "%(support)s of %(base)s won deals %(basis)s confirmed %(category)s: %(confidence)s %%",
                    support=support,
                    base=base,
                    basis=basis_label,
                    category=category.display_name,
                    confidence=round(confidence),
                )
            lines.append(
                {
                    "category_id": category.id,
                    "known_category_id": known_id or False,
                    "support": support,
                    "base": base,
                    "confidence": round(confidence, 1),
                    "reason": reason,
                }
            )
        lines.sort(key=lambda line: (-line["confidence"], -line["support"]))
        result["lines"] = lines
        if not lines:
            result["message"] = _(
                "No need category is frequent enough among %(count)s won deals %(basis)s "
                "(minimum support %(support)s, minimum confidence %(confidence)s %%).",
                count=samples[basis],
                basis=basis_label,
                support=params["min_support"],
                confidence=params["min_confidence"],
            )
        return result

    def action_suggest_needs(self):
        """Open the latent-need suggestions of the opportunity."""
        self.ensure_one()
        self.check_access("write")
        wizard = self.env["sales.process.need.suggestion"].create({"lead_id": self.id})
        wizard._compute_lines()
        return wizard._get_action()
