from freezegun import freeze_time

from odoo.tests import tagged

from .common_training import TrainingCase


@tagged("post_install", "-at_install")
class TestTrainingMatrix(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = cls.user_salesman | cls.user_salesman_2 | cls.user_leader
        cls.course_team = cls.Course.create(
            {"name": "SPM Team Course", "category": "other", "team_ids": [cls.team_2.id], "validity_months": 0}
        )
        cls.course_optional = cls.Course.create({"name": "SPM Optional Course", "category": "other"})
        cls.courses = cls.course | cls.course_2 | cls.course_team | cls.course_optional
        # Leave the demo courses out of the compliance figures.
        cls.Course.search([("id", "not in", cls.courses.ids)]).active = False

    def _statuses(self):
        return self.Matrix._get_statuses([("user_id", "in", self.users.ids), ("course_id", "in", self.courses.ids)])

    def test_matrix_statuses(self):
        with freeze_time("2025-05-10 12:00"):
            # Best status wins over a later failure; the latest among equals.
            self._create_record(self.user_salesman, date="2024-12-01", score=90)
            self._create_record(self.user_salesman, date="2025-03-01", score=20)
            self._create_record(self.user_salesman_2, date="2024-06-01")  # expires 2025-06-01
            self._create_record(self.user_salesman_2, date="2024-01-01")  # expired
            self._create_record(self.user_leader, date="2023-01-01")  # expired
            self._create_record(self.user_leader, course=self.course_2, score=10)
            self._create_record(self.user_leader, course=self.course_optional, score=100)
        self.assertEqual(
            self._statuses(),
            {
                (self.user_salesman.id, self.course.id): "valid",
                (self.user_salesman.id, self.course_2.id): "missing",
                (self.user_salesman.id, self.course_team.id): "missing",  # member of team_2
                (self.user_salesman_2.id, self.course.id): "expiring",
                (self.user_salesman_2.id, self.course_2.id): "missing",
                (self.user_leader.id, self.course.id): "expired",
                (self.user_leader.id, self.course_2.id): "failed",
                # the leader of team_2 is not a member: the team course is not required of them
            },
        )
        row = self.Matrix.search([("user_id", "=", self.user_salesman.id), ("course_id", "=", self.course.id)])
        self.assertEqual((row.score, row.record_count, str(row.date)), (90, 2, "2025-03-01"))

    def test_compliance_per_user_and_team(self):
        with freeze_time("2025-05-10 12:00"):
            self._create_record(self.user_salesman, date="2025-01-01")
            self._create_record(self.user_salesman, course=self.course_2)
            self._create_record(self.user_salesman_2, date="2024-06-01")  # expiring still counts
            self._create_record(self.user_leader, date="2020-01-01")
        self.assertEqual(
            self.Matrix._get_compliance(self.users),
            {self.user_salesman.id: 200 / 3, self.user_salesman_2.id: 50.0, self.user_leader.id: 0.0},
        )
        no_member_team = self.env["crm.team"].create({"name": "SPM Empty Team"})
        self.assertEqual(
            self.Matrix._get_team_compliance(self.team | self.team_2 | no_member_team),
            {self.team.id: 50.0, self.team_2.id: 200 / 3, no_member_team.id: None},
        )

    def test_archived_course_and_user_leave_the_matrix(self):
        self.course_team.active = False
        self.user_salesman_2.active = False
        statuses = self._statuses()
        self.assertNotIn(self.course_team.id, {course for _user, course in statuses})
        self.assertNotIn(self.user_salesman_2.id, {user for user, _course in statuses})

    def test_matrix_views_load(self):
        for view_type in ("list", "pivot", "search"):
            self.Matrix.get_view(view_type=view_type)
        action = self.env.ref("sales_process_mgmt.sales_process_training_matrix_action")
        self.assertIn("groupby_user", action.context)

    def test_zh_cn_terms(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sales_process_mgmt"], ["zh_CN"], overwrite=True)
        menu = self.env.ref("sales_process_mgmt.sales_process_training_matrix_menu").with_context(lang="zh_CN")
        self.assertEqual(menu.name, "培训矩阵")
        course = self.env.ref("sales_process_mgmt.training_course_selling_demo", raise_if_not_found=False)
        if course:  # demo data
            self.assertEqual(course.with_context(lang="zh_CN").name, "顾问式销售与谈判")
        labels = dict(
            self.Course.with_context(lang="zh_CN")
            ._fields["category"]
            ._description_selection(self.Course.with_context(lang="zh_CN").env)
        )
        self.assertEqual(labels["selling_skills"], "销售技巧")
