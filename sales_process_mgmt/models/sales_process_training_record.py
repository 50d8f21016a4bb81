from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import split_every

RECORD_STATUSES = [
    ("valid", "Valid"),
    ("expiring", "Expiring Soon"),
    ("expired", "Expired"),
    ("failed", "Failed"),
    ("pending", "To Grade"),
]
# Fields a trainer who is not a manager may change on the records of their sessions.
TRAINER_FIELDS = {"score", "graded", "notes", "certificate", "certificate_filename"}
DEFAULT_EXPIRY_WARNING_DAYS = 30


class SalesProcessTrainingRecord(models.Model):
    _name = "sales.process.training.record"
    _description = "Sales Training Record"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_names_search = ["salesperson_id.name", "course_id.name"]
    # Salespeople may discuss and complete the activities of their own (read-only) records.
    _mail_post_access = "read"

    salesperson_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", related="salesperson_id.sale_team_id", store=True, index=True
    )
    course_id = fields.Many2one(
        "sales.process.training.course",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    category = fields.Selection(related="course_id.category")
    session_id = fields.Many2one(
        "sales.process.training.session", index=True, ondelete="set null", tracking=True, check_company=True
    )
    trainer_id = fields.Many2one(related="session_id.trainer_id", string="Trainer")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    score = fields.Float(digits=(5, 2), tracking=True)
    graded = fields.Boolean(
        default=True,
        help="Whether the score has been entered; records created when a session is done wait for it.",
    )
    result = fields.Selection(
        [("passed", "Passed"), ("failed", "Failed"), ("pending", "To Grade")],
        compute="_compute_result",
        store=True,
    )
    expiry_date = fields.Date(
        string="Certificate Expiry",
        compute="_compute_expiry_date",
        store=True,
        index=True,
        help="The certification is no longer valid from this day on. Empty when it never expires.",
    )
    status = fields.Selection(
        RECORD_STATUSES,
        compute="_compute_status",
        store=True,
        index=True,
        help="Refreshed every day: valid, expiring soon (within the warning days of the settings), "
        "expired, failed, or to grade.",
    )
    certificate = fields.Binary(attachment=True, copy=False)
    certificate_filename = fields.Char()
    notes = fields.Text()
    expiry_activity_done = fields.Boolean(
        copy=False, help="The expiry reminder activities of this record have been scheduled."
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)

    _sql_constraints = [
        (
            "session_salesperson_unique",
            "UNIQUE(session_id, salesperson_id)",
            "A salesperson has one training record per session.",
        ),
    ]

    def init(self):
        # The training matrix picks the best and latest record per salesperson and course.
        tools.create_index(
            self.env.cr,
            "sales_process_training_record_matrix_idx",
            self._table,
            ["salesperson_id", "course_id", "date DESC"],
        )

    @api.depends("salesperson_id", "course_id")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.course_id.name or ''} - {record.salesperson_id.name or ''}"

    @api.depends("graded", "score", "course_id.passing_score")
    def _compute_result(self):
        for record in self:
            if not record.graded:
                record.result = "pending"
            elif record.score >= record.course_id.passing_score:
                record.result = "passed"
            else:
                record.result = "failed"

    @api.depends("result", "date", "course_id.validity_months")
    def _compute_expiry_date(self):
        for record in self:
            months = record.course_id.validity_months
            if record.result == "passed" and months > 0 and record.date:
                record.expiry_date = record.date + relativedelta(months=months)
            else:
                record.expiry_date = False

    @api.depends("result", "expiry_date")
    def _compute_status(self):
        today, warn_date = self._get_status_dates()
        for record in self:
            record.status = record._get_status(today, warn_date)

    def _get_status(self, today, warn_date):
        self.ensure_one()
        if self.result != "passed":
            return self.result or "pending"
        if not self.expiry_date or self.expiry_date > warn_date:
            return "valid"
        return "expiring" if self.expiry_date > today else "expired"

    @api.constrains("score", "course_id")
    def _check_score(self):
        for record in self:
            maximum = record.course_id.max_score or 100.0
            if not 0 <= record.score <= maximum:
                raise ValidationError(
                    _(
                        "Training record %(record)s: the score %(score)s must be between 0 and %(max)s.",
                        record=record.display_name,
                        score=record.score,
                        max=maximum,
                    )
                )

    @api.constrains("salesperson_id")
    def _check_salesperson(self):
        for record in self:
            user = record.salesperson_id
            if not user.active or user.share:
                raise ValidationError(
                    _(
                        "Training record %(record)s: %(user)s is archived or not an internal user; "
                        "training records are for active salespeople only.",
                        record=record.display_name,
                        user=user.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # one read for all the sessions of the batch (imports create thousands of records)
        sessions = self.env["sales.process.training.session"].browse(
            {vals["session_id"] for vals in vals_list if "company_id" not in vals and vals.get("session_id")}
        )
        company_by_session = {session.id: session.company_id.id for session in sessions}
        for vals in vals_list:
            if "company_id" not in vals and vals.get("session_id"):
                vals["company_id"] = company_by_session[vals["session_id"]]
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and not self.env.user.has_group("sales_process_mgmt.group_sales_process_manager"):
            forbidden = set(vals) - TRAINER_FIELDS
            if forbidden:
                raise AccessError(
                    _(
                        "Trainers can only record scores, notes and certificates on training records, not %(fields)s.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
        if "score" in vals and "graded" not in vals:
            vals = dict(vals, graded=True)
        if {"date", "course_id"} & set(vals):
            vals = dict(vals, expiry_activity_done=False)
        return super().write(vals)

    @api.model
    def _get_expiry_warning_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.training_expiry_warning_days")
        try:
            return max(int(value), 0) if value not in (None, False, "") else DEFAULT_EXPIRY_WARNING_DAYS
        except ValueError:
            return DEFAULT_EXPIRY_WARNING_DAYS

    @api.model
    def _get_status_dates(self):
        """Return (today, last day that counts as "expiring soon")."""
        today = fields.Date.context_today(self)
        return today, today + timedelta(days=self._get_expiry_warning_days())

    @api.model
    def _get_stale_status_domain(self, today, warn_date):
        """Records whose stored status no longer matches today's date."""
        return [
            ("expiry_date", "!=", False),
            "|",
            "|",
            "&",
            ("status", "=", "valid"),
            ("expiry_date", "<=", warn_date),
            "&",
            ("status", "=", "expiring"),
            "|",
            ("expiry_date", "<=", today),
            ("expiry_date", ">", warn_date),
            "&",
            ("status", "=", "expired"),
            ("expiry_date", ">", today),
        ]

    @api.model
    def _cron_refresh_status(self, batch_size=5000):
        """Recompute the status of the records that today's date changed, in batches."""
        today, warn_date = self._get_status_dates()
        records = self.with_context(active_test=False).search(self._get_stale_status_domain(today, warn_date))
        field = self._fields["status"]
        for ids in split_every(batch_size, records.ids):
            batch = self.browse(ids)
            self.env.add_to_compute(field, batch)
            batch.flush_recordset(["status"])
            batch.invalidate_recordset()
        return len(records)

    @api.model
    def _cron_schedule_expiry_activities(self):
        """Remind salespeople and their team leaders that a certification expires soon.

        Once per record (``expiry_activity_done``): a second run schedules nothing. Records
        already superseded by a later passed record of the same course get no reminder.
        """
        today, warn_date = self._get_status_dates()
        records = self.search(
            [
                ("result", "=", "passed"),
                ("expiry_activity_done", "=", False),
                ("expiry_date", ">", today),
                ("expiry_date", "<=", warn_date),
            ]
        )
        if not records:
            return 0
        latest = {
            (user.id, course.id): last_date
            for user, course, last_date in self._read_group(
                [
                    ("result", "=", "passed"),
                    ("salesperson_id", "in", records.salesperson_id.ids),
                    ("course_id", "in", records.course_id.ids),
                ],
                ["salesperson_id", "course_id"],
                ["date:max"],
            )
        }
        activity_type = self.env.ref("sales_process_mgmt.mail_activity_type_certification_renewal")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for record in records:
            if latest.get((record.salesperson_id.id, record.course_id.id), record.date) > record.date:
                continue
            leader = record.salesperson_id.sale_team_id.user_id
            for user in record.salesperson_id | leader:
                if user.active:
                    vals_list.append(record._prepare_expiry_activity_vals(user, activity_type, model_id))
        self.env["mail.activity"].create(vals_list)
        records.expiry_activity_done = True
        return len(vals_list)

    def _prepare_expiry_activity_vals(self, user, activity_type, model_id):
        self.ensure_one()
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "user_id": user.id,
            "date_deadline": self.expiry_date,
            "summary": _(
                "%(course)s certification of %(user)s expires on %(date)s",
                course=self.course_id.name,
                user=self.salesperson_id.name,
                date=self.expiry_date,
            ),
        }
