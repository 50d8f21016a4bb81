from datetime import date, datetime

from odoo import Command
from odoo.addons.sales_process_mgmt.models.sales_process_kpi import KpiScope

from .common import SalesProcessCase

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
FEBRUARY = (date(2026, 2, 1), date(2026, 2, 28))


class EvaluationCase(SalesProcessCase):
    """A small fixed dataset in March 2026 (and February, the previous period).

    Salesperson A (``user_salesman``), team ``team``:
      L1 won  1000, created 02-20, closed 03-10 (cycle 18 days), rated 5
      L2 won  3000, created 03-01, closed 03-05 (cycle 4 days), rated 2
      L3 lost, reason "Too expensive", created 02-01, closed 03-15
      L5 won   500, created 01-31, closed 02-10 (previous period, cycle 10 days)
      L6 open, created 03-03, first activity on 03-05 (2 days)
    Salesperson B (``user_salesman_2``), team ``team``:
      L4 lost, created 03-10, closed 03-20
    Company 2 (another currency): C2 won 7000 closed 03-12 by ``user_salesman_c2``.
    Visits of the Needs stage (A): 3 days (moved forward), 10 days (overdue, moved back),
    5 days (lost) in March; B: 2 days in February.
    Activities of A due in March: one done on time, one done late, one open past its deadline.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.member_ids = [Command.link(cls.user_salesman.id), Command.link(cls.user_salesman_2.id)]
        cls.reason = cls.env["crm.lost.reason"].create({"name": "Too expensive"})
        cls.currency_2 = cls.env.ref("base.EUR")
        cls.currency_2.active = True
        if cls.company.currency_id == cls.currency_2:
            cls.currency_2 = cls.env.ref("base.CNY")
            cls.currency_2.active = True
        cls.company_2.currency_id = cls.currency_2
        cls.team_c2 = cls.env["crm.team"].create(
            {
                "name": "SPM Team C2",
                "company_id": cls.company_2.id,
                "member_ids": [Command.link(cls.user_salesman_c2.id)],
            }
        )
        cls.l1, cls.l2, cls.l3, cls.l5, cls.l6 = cls._create_leads(5, expected_revenue=0)
        (cls.l4,) = cls._create_leads(1, user_id=cls.user_salesman_2.id, expected_revenue=0)
        cls.c2 = cls.env["crm.lead"].create(
            {
                "name": "SPM C2 lead",
                "type": "opportunity",
                "user_id": cls.user_salesman_c2.id,
                "team_id": cls.team_c2.id,
                "company_id": cls.company_2.id,
                "stage_id": cls.stage_reception.id,
                "expected_revenue": 7000,
            }
        )
        cls.l1.expected_revenue, cls.l2.expected_revenue, cls.l5.expected_revenue = 1000, 3000, 500
        (cls.l1 | cls.l2 | cls.l5 | cls.c2).write({"stage_id": cls.stage_won.id})
        cls.l3.lost_reason_id = cls.reason
        (cls.l3 | cls.l4).action_set_lost()
        cls.env.flush_all()
        cr = cls.env.cr
        for lead, created, closed in [
            (cls.l1, "2026-02-20", "2026-03-10"),
            (cls.l2, "2026-03-01", "2026-03-05"),
            (cls.l3, "2026-02-01", "2026-03-15"),
            (cls.l4, "2026-03-10", "2026-03-20"),
            (cls.l5, "2026-01-31", "2026-02-10"),
            (cls.l6, "2026-03-03", None),
            (cls.c2, "2026-03-01", "2026-03-12"),
        ]:
            cr.execute(
                "UPDATE crm_lead SET create_date = %s, date_closed = %s WHERE id = %s", (created, closed, lead.id)
            )
        History = cls.env["sales.process.stage.history"].sudo()
        needs = cls.stage_needs
        for lead, user, date_in, date_out, days, overdue, exit_type, next_stage in [
            (cls.l1, cls.user_salesman, "2026-03-01", "2026-03-04", 3, False, "moved", cls.stage_presentation),
            (cls.l2, cls.user_salesman, "2026-03-02", "2026-03-12", 10, True, "moved", cls.stage_reception),
            (cls.l3, cls.user_salesman, "2026-03-15", "2026-03-20", 5, False, "lost", None),
            (cls.l4, cls.user_salesman_2, "2026-02-20", "2026-02-22", 2, False, "moved", cls.stage_presentation),
        ]:
            History.create(
                {
                    "lead_id": lead.id,
                    "stage_id": needs.id,
                    "user_id": user.id,
                    "team_id": cls.team.id,
                    "company_id": cls.company.id,
                    "date_in": date_in,
                    "date_out": date_out,
                    "duration_days": days,
                    "overdue": overdue,
                    "is_open": False,
                    "exit_type": exit_type,
                    "next_stage_id": next_stage.id if next_stage else False,
                }
            )
        Rating = cls.env["rating.rating"].sudo()
        model_id = cls.env["ir.model"]._get_id("crm.lead")
        for lead, value in [(cls.l1, 5), (cls.l2, 2)]:
            rating = Rating.create({"res_model_id": model_id, "res_id": lead.id, "rating": value, "consumed": True})
            cls.env.flush_all()
            cr.execute("UPDATE rating_rating SET write_date = '2026-03-20' WHERE id = %s", (rating.id,))
        todo = cls.env.ref("mail.mail_activity_data_todo")
        activities = cls.env["mail.activity"]
        for deadline in ("2026-03-10", "2026-03-12", "2026-03-20"):
            activities |= activities.create(
                {
                    "res_model_id": model_id,
                    "res_id": cls.l6.id,
                    "activity_type_id": todo.id,
                    "user_id": cls.user_salesman.id,
                    "date_deadline": deadline,
                    "summary": f"SPM activity {deadline}",
                }
            )
        cls.env.flush_all()
        for activity, active, done, created in zip(
            activities,
            (False, False, True),
            ("2026-03-08", "2026-03-15", None),
            ("2026-03-05", "2026-03-06", "2026-03-07"),
            strict=True,
        ):
            cr.execute(
                "UPDATE mail_activity SET active = %s, date_done = %s, create_date = %s WHERE id = %s",
                (active, done, created, activity.id),
            )
        cls.env.invalidate_all()

    @classmethod
    def _kpi(cls, kind, **values):
        cls._kpi_count = getattr(cls, "_kpi_count", 0) + 1
        vals = {"code": f"T-{kind}-{cls._kpi_count}", "name": f"SPM {kind}", "kind": kind}
        vals.update(values)
        return cls.env["sales.process.kpi"].create(vals)

    def _values(self, kpi, period=MARCH, users=None, company=None):
        users = users or (self.user_salesman | self.user_salesman_2)
        scope = KpiScope("user_id", users.ids, (company or self.company).id)
        return kpi._compute_values(*period, scope)

    @staticmethod
    def _dt(value):
        return datetime.fromisoformat(value)
