from odoo import fields, models
from odoo.tools import format_date


class SalesProcessCondition(models.AbstractModel):
    """The "certification" condition: the lead's salesperson is certified for the stage."""

    _inherit = "sales.process.condition"

    criterion = fields.Selection(
        selection_add=[("certification", "Salesperson holds a valid certification")],
        ondelete={"certification": "cascade"},
    )

    def _evaluate_certification(self, leads, stage):
        """Leads whose salesperson lacks a valid certification of a course the stage requires.

        A course limited to teams only applies to the leads of those teams. One query
        for all the salespeople of ``leads``; validity is checked against today's date,
        not the status refreshed by the daily cron.
        """
        self.ensure_one()
        courses = self.env["sales.process.training.course"].sudo().search([("stage_ids", "in", stage.ids)])
        if not courses:
            return {}
        today = fields.Date.context_today(self)
        certified = {
            user.id: set(course_ids)
            for user, course_ids in self.env["sales.process.training.record"]
            .sudo()
            ._read_group(
                [
                    ("salesperson_id", "in", leads.user_id.ids),
                    ("course_id", "in", courses.ids),
                    ("result", "=", "passed"),
                    "|",
                    ("expiry_date", "=", False),
                    ("expiry_date", ">", today),
                ],
                ["salesperson_id"],
                ["course_id:array_agg"],
            )
        }
        result = {}
        for lead in leads:
            required = courses.filtered(
                lambda c, lead=lead: (
                    (not c.team_ids or lead.team_id in c.team_ids)
                    and (not c.company_id or c.company_id == lead.company_id)
                )
            )
            if not required:
                continue
            if not lead.user_id:
                result[lead.id] = {"user": None, "missing": required.ids}
                continue
            missing = required.filtered(lambda c, lead=lead: c.id not in certified.get(lead.user_id.id, ()))
            if missing:
                result[lead.id] = {"user": lead.user_id.id, "missing": missing.ids}
        return result

    def _format_reason_certification(self, values):
        """``values``: the salesperson ("user", None: none), the courses "missing" and, for the risk
        rules, those "expiring" ([course id, date], ...)."""
        courses = self.env["sales.process.training.course"].sudo().with_context(active_test=False)
        missing = courses.browse(values.get("missing") or [])
        expiring = values.get("expiring") or []
        user = self.env["res.users"].sudo().browse(values.get("user") or [])
        if not user:
            names = ", ".join((missing | courses.browse(c for c, __ in expiring)).mapped("name"))
            return self.env._("no salesperson to hold %(courses)s", courses=names)
        parts = []
        if missing:
            parts.append(
                self.env._(
                    "%(user)s has no valid certification for %(courses)s",
                    user=user.name,
                    courses=", ".join(missing.mapped("name")),
                )
            )
        for course_id, date in expiring:
            parts.append(
                self.env._(
                    "%(user)s's certification for %(course)s expires on %(date)s",
                    user=user.name,
                    course=courses.browse(course_id).name,
                    date=format_date(self.env, date) if date else "",
                )
            )
        return "; ".join(parts)
