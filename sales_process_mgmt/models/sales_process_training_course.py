from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

COURSE_CATEGORIES = [
    ("product_knowledge", "Product Knowledge"),
    ("selling_skills", "Selling Skills"),
    ("customer_service", "Customer Service"),
    ("other", "Other"),
]


class SalesProcessTrainingCourse(models.Model):
    _name = "sales.process.training.course"
    _description = "Sales Training Course"
    _check_company_auto = True
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    category = fields.Selection(COURSE_CATEGORIES, required=True, default="product_knowledge", index=True)
    description = fields.Text(translate=True)
    hours = fields.Float(digits=(6, 2), help="Duration of the course in hours.")
    max_score = fields.Float(
        string="Maximum Score",
        digits=(5, 2),
        default=100.0,
        required=True,
        help="Highest score of the course's assessment (at most 100).",
    )
    passing_score = fields.Float(
        digits=(5, 2),
        default=60.0,
        required=True,
        help="A training record with at least this score is passed.",
    )
    validity_months = fields.Integer(
        string="Certification Validity (Months)",
        default=24,
        help="How long a passed course certifies the salesperson; 0 means it never expires.",
    )
    stage_ids = fields.Many2many(
        "crm.stage",
        "sales_process_training_course_crm_stage_rel",
        "course_id",
        "stage_id",
        string="Required for Stages",
        help="Salespeople need a valid certification of this course to move their opportunities "
        "out of these stages (when the stage has a certification gate).",
    )
    team_ids = fields.Many2many(
        "crm.team",
        "sales_process_training_course_crm_team_rel",
        "course_id",
        "team_id",
        string="Required for Teams",
        check_company=True,
        help="Only members of these teams need the course; empty means every salesperson.",
    )
    is_required = fields.Boolean(
        string="Required",
        compute="_compute_is_required",
        search="_search_is_required",
        help="The course is required for some stages or teams and appears in the training matrix.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    session_ids = fields.One2many("sales.process.training.session", "course_id", string="Sessions")
    record_count = fields.Integer(string="Training Records", compute="_compute_record_count")

    @api.depends("stage_ids", "team_ids")
    def _compute_is_required(self):
        for course in self:
            course.is_required = bool(course.stage_ids or course.team_ids)

    def _search_is_required(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Operation not supported"))
        required = value if operator == "=" else not value
        domain = ["|", ("stage_ids", "!=", False), ("team_ids", "!=", False)]
        return domain if required else ["!", *domain]

    def _compute_record_count(self):
        counts = dict(
            self.env["sales.process.training.record"]._read_group(
                [("course_id", "in", self.ids)], ["course_id"], ["__count"]
            )
        )
        for course in self:
            course.record_count = counts.get(course, 0)

    @api.constrains("hours", "validity_months")
    def _check_hours_validity(self):
        for course in self:
            if course.hours < 0:
                raise ValidationError(
                    _(
                        "Course %(course)s: the hours cannot be negative (%(hours)s).",
                        course=course.name,
                        hours=course.hours,
                    )
                )
            if course.validity_months < 0:
                raise ValidationError(
                    _(
                        "Course %(course)s: the certification validity cannot be negative (%(months)s months).",
                        course=course.name,
                        months=course.validity_months,
                    )
                )

    @api.constrains("max_score", "passing_score")
    def _check_scores(self):
        best_scores = dict(
            self.env["sales.process.training.record"]
            .sudo()
            ._read_group([("course_id", "in", self.ids)], ["course_id"], ["score:max"])
        )
        for course in self:
            if not 0 < course.max_score <= 100:
                raise ValidationError(
                    _(
                        "Course %(course)s: the maximum score must be above 0 and at most 100 (%(score)s).",
                        course=course.name,
                        score=course.max_score,
                    )
                )
            if not 0 <= course.passing_score <= course.max_score:
                raise ValidationError(
                    _(
                        "Course %(course)s: the passing score must be between 0 and the maximum score "
                        "%(max)s (%(score)s).",
                        course=course.name,
                        max=course.max_score,
                        score=course.passing_score,
                    )
                )
            if best_scores.get(course, 0.0) > course.max_score:
                raise ValidationError(
                    _(
                        "Course %(course)s: the maximum score %(max)s is below a recorded score (%(score)s).",
                        course=course.name,
                        max=course.max_score,
                        score=best_scores[course],
                    )
                )

    def action_view_records(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_mgmt.sales_process_training_record_action"
        )
        action["domain"] = [("course_id", "=", self.id)]
        action["context"] = {"default_course_id": self.id}
        return action
