from odoo.tests import new_test_user

from .common import SalesProcessCase


class TrainingCase(SalesProcessCase):
    """Courses required for the presentation (``course``, main company) and negotiation
    (``course_2``, every company) stages, and the teams:

    - ``team`` (led by ``user_manager``) has ``user_salesman_2``;
    - ``team_2`` (led by ``user_leader``, a plain salesperson) has ``user_salesman``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Course = cls.env["sales.process.training.course"]
        cls.Session = cls.env["sales.process.training.session"]
        cls.Record = cls.env["sales.process.training.record"]
        cls.Matrix = cls.env["sales.process.training.matrix"]
        cls.user_leader = new_test_user(
            cls.env,
            login="spm_leader",
            name="SPM Leader",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.team_2.user_id = cls.user_leader
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team_2.id, "user_id": cls.user_salesman.id},
                {"crm_team_id": cls.team.id, "user_id": cls.user_salesman_2.id},
            ]
        )
        cls.course = cls.Course.create(
            {
                "name": "SPM Product Knowledge",
                "category": "product_knowledge",
                "passing_score": 70,
                "validity_months": 12,
                "stage_ids": [cls.stage_presentation.id],
            }
        )
        cls.course_2 = cls.Course.create(
            {
                "name": "SPM Selling Skills",
                "category": "selling_skills",
                "passing_score": 60,
                "validity_months": 0,
                "stage_ids": [cls.stage_negotiation.id],
                "company_id": False,
            }
        )

    @classmethod
    def _create_record(cls, user, course=None, date="2025-01-10", score=80, **values):
        vals = {
            "salesperson_id": user.id,
            "course_id": (course or cls.course).id,
            "date": date,
            "score": score,
            "company_id": cls.company.id,
        }
        vals.update(values)
        record = cls.Record.create(vals)
        # Status depends on today: compute it now, under the test's frozen date.
        record.flush_recordset()
        return record
