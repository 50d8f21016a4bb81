from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SalesProcessTrainingSession(models.Model):
    _name = "sales.process.training.session"
    _description = "Sales Training Session"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True, required=True, tracking=True
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
    date_start = fields.Datetime(string="Start", required=True, default=fields.Datetime.now, tracking=True, copy=False)
    date_end = fields.Datetime(
        string="End",
        required=True,
        compute="_compute_date_end",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        copy=False,
    )
    trainer_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain=lambda self: [
            ("share", "=", False),
            ("groups_id", "in", self.env.ref("sales_process_mgmt.group_sales_process_user").ids),
        ],
        help="Records the attendees' scores of this session.",
    )
    location = fields.Char(help="Room or address of the session.")
    online_url = fields.Char(string="Online Link")
    attendee_ids = fields.Many2many(
        "res.users",
        "sales_process_training_session_res_users_rel",
        "session_id",
        "user_id",
        string="Attendees",
        domain=[("share", "=", False)],
    )
    attendee_count = fields.Integer(compute="_compute_attendee_count")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        index=True,
        tracking=True,
        copy=False,
    )
    record_ids = fields.One2many("sales.process.training.record", "session_id", string="Training Records")
    record_count = fields.Integer(compute="_compute_record_count")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    notes = fields.Html()

    @api.depends("course_id", "date_start")
    def _compute_name(self):
        for session in self:
            if session.course_id and session.date_start:
                day = fields.Date.context_today(session, session.date_start)
                session.name = f"{session.course_id.name} {fields.Date.to_string(day)}"
            elif session.course_id:
                session.name = session.course_id.name

    @api.depends("date_start", "course_id.hours")
    def _compute_date_end(self):
        for session in self:
            if session.date_start and (not session.date_end or session.date_end < session.date_start):
                hours = session.course_id.hours or 1.0
                session.date_end = fields.Datetime.add(session.date_start, minutes=round(hours * 60))

    @api.depends("attendee_ids")
    def _compute_attendee_count(self):
        for session in self:
            session.attendee_count = len(session.attendee_ids)

    def _compute_record_count(self):
        counts = dict(
            self.env["sales.process.training.record"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["__count"]
            )
        )
        for session in self:
            session.record_count = counts.get(session, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for session in self:
            if session.date_end and session.date_start and session.date_end < session.date_start:
                raise ValidationError(
                    _(
                        "Training session %(session)s: the end (%(end)s) is before the start (%(start)s).",
                        session=session.name,
                        end=session.date_end,
                        start=session.date_start,
                    )
                )

    @api.constrains("attendee_ids")
    def _check_attendees(self):
        invalid = self.attendee_ids.filtered(lambda user: user.share or not user.active)
        if invalid:
            session = self.filtered(lambda s: s.attendee_ids & invalid)[:1]
            raise ValidationError(
                _(
                    "Training session %(session)s: %(users)s cannot attend, only active internal users can.",
                    session=session.name,
                    users=", ".join(invalid.mapped("name")),
                )
            )

    def action_confirm(self):
        if any(session.state != "draft" for session in self):
            raise UserError(_("Only draft training sessions can be confirmed."))
        for session in self:
            if not session.attendee_ids:
                raise UserError(_("Add attendees to training session %(session)s first.", session=session.name))
        self.state = "confirmed"

    def action_done(self):
        """Close the sessions and create the attendees' training records in one batch.

        Records are created without a score (to grade); the trainer enters the scores
        afterwards. Attendees who already have a record of the session get no second one.
        """
        if any(session.state != "confirmed" for session in self):
            raise UserError(_("Only confirmed training sessions can be marked as done."))
        existing = {
            (record.session_id.id, record.salesperson_id.id)
            for record in self.env["sales.process.training.record"].search([("session_id", "in", self.ids)])
        }
        vals_list = [
            session._prepare_record_vals(user)
            for session in self
            for user in session.attendee_ids
            if (session.id, user.id) not in existing
        ]
        self.env["sales.process.training.record"].create(vals_list)
        self.state = "done"

    def action_cancel(self):
        if any(session.state == "done" for session in self):
            raise UserError(_("A training session that is done cannot be cancelled."))
        self.state = "cancelled"

    def action_draft(self):
        if any(session.state != "cancelled" for session in self):
            raise UserError(_("Only cancelled training sessions can be reset to draft."))
        self.state = "draft"

    def action_view_records(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_mgmt.sales_process_training_record_action"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {"default_session_id": self.id, "default_course_id": self.course_id.id}
        return action

    def _prepare_record_vals(self, user):
        self.ensure_one()
        return {
            "salesperson_id": user.id,
            "course_id": self.course_id.id,
            "session_id": self.id,
            "date": fields.Date.context_today(self, self.date_end),
            "graded": False,
            # the salesperson's company when neither the session nor the course has one
            "company_id": (self.company_id or self.course_id.company_id or user.company_id).id,
        }
