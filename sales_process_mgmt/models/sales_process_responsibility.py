import re

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

ROLES = [
    ("responsible", "Responsible"),
    ("accountable", "Accountable"),
    ("consulted", "Consulted"),
    ("informed", "Informed"),
]
ASSIGNEE_KINDS = [
    ("salesperson", "Lead's salesperson"),
    ("team_leader", "Team leader"),
    ("user", "Specific user"),
    ("group", "Members of a group"),
]
PLACEHOLDER = re.compile(r"\{(lead|stage|salesperson|customer|team)\}")


class SalesProcessResponsibility(models.Model):
    """Who does what in a stage (明确分工): one RACI role and how to find its holders.

    Rows of a sales team replace the company-wide rows (no team) of the same role
    for the team's leads. Responsible rows schedule one activity per person when a
    lead enters the stage; Accountable and Consulted people follow the lead;
    Informed people get a chatter note in their inbox.
    """

    _name = "sales.process.responsibility"
    _description = "Stage Responsibility"
    _check_company_auto = True
    _order = "stage_id, sequence, id"
    # The one-Accountable rule under concurrent edits; deferred, so that the clearer
    # _check_single_accountable message wins within a transaction.
    _sql_constraints = [
        (
            "one_accountable",
            "EXCLUDE USING btree (stage_id WITH =, (COALESCE(team_id, 0)) WITH =, (COALESCE(company_id, 0)) WITH =) "
            "WHERE (role = 'accountable' AND active) DEFERRABLE INITIALLY DEFERRED",
            "A stage has one Accountable per team and company.",
        )
    ]

    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        ondelete="cascade",
        index=True,
        check_company=True,
        help="Rows of a team replace the company-wide rows of the same role for the leads of that team.",
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="The row applies to the leads of this company; empty: to the leads of every company.",
    )
    role = fields.Selection(
        ROLES,
        required=True,
        default="responsible",
        help="Responsible: does the work (gets an activity). Accountable: answers for the stage, follows the "
        "lead and may override its exit criteria. Consulted: follows the lead. Informed: is told when the "
        "lead enters the stage.",
    )
    assignee_kind = fields.Selection(ASSIGNEE_KINDS, string="Assignee", required=True, default="salesperson")
    user_id = fields.Many2one("res.users", string="User", ondelete="restrict", check_company=True)
    group_id = fields.Many2one("res.groups", string="Group", ondelete="restrict")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="Type of the activity scheduled for the Responsible people; empty: Stage Work.",
    )
    deadline_rule = fields.Selection(
        [("stage_limit", "Stage time limit"), ("days", "Days after entry")],
        required=True,
        default="stage_limit",
        help="Stage time limit: the activity is due when the lead reaches the stage's time limit "
        "(on the day of entry if the stage has none).",
    )
    deadline_days = fields.Integer(string="Days", help="Days after the stage entry the activity is due.")
    close_mode = fields.Selection(
        [("done", "Mark as done"), ("cancel", "Cancel")],
        string="On Stage Exit",
        required=True,
        default="done",
        help="What happens to the still-open activity when the lead leaves the stage: marked as done by the "
        "stage change (a note is logged), or cancelled (deleted).",
    )
    note_template = fields.Text(
        translate=True,
        help="Written above the stage checklist in the activity note. "
        "Placeholders: {lead}, {stage}, {salesperson}, {customer}, {team}.",
    )
    active = fields.Boolean(default=True)

    @api.depends("stage_id", "role", "assignee_kind", "user_id", "group_id", "team_id")
    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for row in self:
            parts = [row.stage_id.name, row.team_id.name, roles.get(row.role), row._get_assignee_label()]
            row.display_name = " / ".join(part for part in parts if part)

    def _get_assignee_label(self):
        """The user, the group or the kind of assignee, for messages."""
        self.ensure_one()
        if self.assignee_kind == "user" and self.user_id:
            return self.user_id.name
        if self.assignee_kind == "group" and self.group_id:
            return self.group_id.name
        return dict(self._fields["assignee_kind"]._description_selection(self.env)).get(self.assignee_kind)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("assignee_kind", "user_id", "group_id")
    def _check_assignee(self):
        for row in self:
            if row.assignee_kind == "user" and not row.user_id:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: the assignee is a specific user, choose the user.",
                        row=row.display_name,
                    )
                )
            if row.assignee_kind == "group" and not row.group_id:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: the assignee is the members of a group, choose the group.",
                        row=row.display_name,
                    )
                )

    @api.constrains("deadline_rule", "deadline_days")
    def _check_deadline_days(self):
        for row in self.filtered(lambda r: r.deadline_rule == "days" and r.deadline_days < 0):
            raise ValidationError(
                _(
                    "Responsibility %(row)s: the number of days cannot be negative (got %(days)s).",
                    row=row.display_name,
                    days=row.deadline_days,
                )
            )

    @api.constrains("role", "stage_id", "team_id", "company_id", "active")
    def _check_single_accountable(self):
        """One Accountable per stage and team: a row without company overlaps every company."""
        rows = self.filtered(lambda r: r.role == "accountable" and r.active)
        if not rows:
            return
        siblings = self.sudo().search([("role", "=", "accountable"), ("stage_id", "in", rows.stage_id.ids)])
        for row in rows:
            others = siblings.filtered(
                lambda o, r=row: (
                    o != r
                    and o.stage_id == r.stage_id
                    and o.team_id == r.team_id
                    and (not o.company_id or not r.company_id or o.company_id == r.company_id)
                )
            )
            if others:
                raise ValidationError(
                    _(
                        "Stage %(stage)s already has an Accountable row for %(team)s (%(other)s): "
                        "a stage has one Accountable per team.",
                        stage=row.stage_id.name,
                        team=row.team_id.name or _("all teams"),
                        other=others[0].display_name,
                    )
                )

    @api.constrains("stage_id", "team_id", "company_id", "user_id")
    def _check_company_consistency(self):
        for row in self:
            stage_company = row.stage_id.team_id.company_id
            if row.company_id and stage_company and stage_company != row.company_id:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: stage %(stage)s belongs to company %(stage_company)s "
                        "(through its team), not to %(company)s.",
                        row=row.display_name,
                        stage=row.stage_id.name,
                        stage_company=stage_company.name,
                        company=row.company_id.name,
                    )
                )
            if row.team_id and row.stage_id.team_id and row.team_id != row.stage_id.team_id:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: stage %(stage)s is used by team %(stage_team)s only, not by %(team)s.",
                        row=row.display_name,
                        stage=row.stage_id.name,
                        stage_team=row.stage_id.team_id.name,
                        team=row.team_id.name,
                    )
                )
            if row.company_id and row.team_id.company_id and row.team_id.company_id != row.company_id:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: team %(team)s belongs to company %(team_company)s, "
                        "not to %(company)s.",
                        row=row.display_name,
                        team=row.team_id.name,
                        team_company=row.team_id.company_id.name,
                        company=row.company_id.name,
                    )
                )
            if row.company_id and row.user_id and row.company_id not in row.user_id.company_ids:
                raise ValidationError(
                    _(
                        "Responsibility %(row)s: user %(user)s is not allowed in company %(company)s.",
                        row=row.display_name,
                        user=row.user_id.name,
                        company=row.company_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Resolution
    # ------------------------------------------------------------------

    @api.model
    def _get_fallback_user(self):
        param = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.fallback_user_id")
        user = self.env["res.users"].sudo().browse(int(param)).exists() if param and param.isdigit() else None
        return user or self.env["res.users"]

    @api.model
    def _resolve(self, leads, roles=None):
        """Who holds each role on ``leads`` now, in their current stage.

        Leads are grouped by (stage, team, company, salesperson): rows, users and
        fallbacks are worked out once per group, so the cost depends on the number
        of distinct groups, not of leads. Rows and users are read as superuser; a
        user counts only if active, internal and allowed in the lead's company.

        :param roles: the roles to resolve (default: all four)
        :return: {lead_id: {"responsible": {user_id: row}, "accountable": {...},
            "consulted": {...}, "informed": {...}, "configured": {role, ...},
            "problems": [(row, reason, fallback_user or None)]}}
            (leads of stages without any row are left out)
        """
        roles = set(roles or dict(ROLES))
        # new records (forms) are resolved from their cached values
        leads.browse([lead_id for lead_id in leads.ids if isinstance(lead_id, int)]).fetch(
            ["stage_id", "team_id", "company_id", "user_id"]
        )
        all_rows = self.sudo().search([("stage_id", "in", leads.stage_id.ids), ("role", "in", list(roles))])
        if not all_rows:
            return {}
        rows_by_stage = all_rows.grouped("stage_id")
        keys = {}
        for lead in leads:
            if lead.stage_id in rows_by_stage:
                # a lead without company takes the rows without company (never the mover's company)
                key = (lead.stage_id, lead.team_id, lead.company_id, lead.user_id)
                keys.setdefault(key, []).append(lead.id)
        if not keys:
            return {}
        users = self._get_candidate_users(all_rows, keys)
        fallback = self._get_fallback_user()
        result = {}
        for (stage, team, company, salesperson), lead_ids in keys.items():
            resolution = self._resolve_group(rows_by_stage[stage], team, company, salesperson, users, fallback)
            for lead_id in lead_ids:
                result[lead_id] = resolution
        return result

    @api.model
    def _get_candidate_users(self, rows, keys):
        """Every user the rows may resolve to, with active/share/companies read in a few queries."""
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        ids = (
            {key[3].id for key in keys}
            | {key[1].user_id.id for key in keys}
            | set(rows.user_id.ids)
            | set(rows.group_id.users.ids)
            | set(self._get_fallback_user().ids)
        )
        candidates = Users.browse(sorted(uid for uid in ids if uid))
        candidates.fetch(["active", "share", "company_ids", "name"])
        return candidates

    @api.model
    def _resolve_group(self, rows, team, company, salesperson, users, fallback):
        """Resolution for the leads of one stage, team, company and salesperson."""

        def usable(user):
            return user and user.active and not user.share and (not company or company in user.company_ids)

        applicable = rows.filtered(lambda r: not r.company_id or r.company_id == company)
        team_rows = applicable.filtered(lambda r: team and r.team_id == team)
        generic_rows = applicable.filtered(lambda r: not r.team_id)
        resolution = {role: {} for role, __ in ROLES}
        resolution["configured"] = set()
        resolution["problems"] = []
        for role, __ in ROLES:
            role_rows = team_rows.filtered(lambda r, role=role: r.role == role) or generic_rows.filtered(
                lambda r, role=role: r.role == role
            )
            if role_rows:
                resolution["configured"].add(role)
            for row in role_rows:
                holders, reason = row._resolve_row(team, company, salesperson, usable)
                if not holders:
                    backup = fallback if usable(fallback) else None
                    resolution["problems"].append((row, reason, backup))
                    holders = backup or []
                for user in holders:
                    resolution[role].setdefault(user.id, row)
        return resolution

    def _resolve_row(self, team, company, salesperson, usable):
        """(users, reason): the usable users of this row, or why there are none."""
        self.ensure_one()
        kind = self.assignee_kind
        if kind == "salesperson":
            if not salesperson:
                return [], _("the lead has no salesperson")
            candidates = salesperson
        elif kind == "team_leader":
            if not team:
                return [], _("the lead has no sales team")
            if not team.user_id:
                return [], _("team %(team)s has no leader", team=team.name)
            candidates = team.user_id
        elif kind == "user":
            candidates = self.user_id
        else:
            holders = [user for user in self.group_id.sudo().users if usable(user)]
            if holders:
                return holders, None
            return [], _(
                "group %(group)s has no active member in company %(company)s",
                group=self.group_id.display_name,
                company=company.name,
            )
        user = candidates.sudo().with_context(active_test=False)
        if usable(user):
            return [user], None
        return [], _(
            "%(user)s is archived or not allowed in company %(company)s",
            user=user.name,
            company=company.name,
        )

    def _get_activity_type(self):
        self.ensure_one()
        return self.activity_type_id or self.env.ref(
            "sales_process_mgmt.mail_activity_type_stage_work", raise_if_not_found=False
        )

    def _get_deadline(self, lead, today):
        """Due date of the activity of this row for ``lead`` entering the stage today."""
        self.ensure_one()
        if self.deadline_rule == "days":
            return fields.Date.add(today, days=self.deadline_days)
        if lead.stage_deadline:
            return fields.Datetime.context_timestamp(self, lead.stage_deadline).date()
        return today

    def _has_note_placeholders(self):
        self.ensure_one()
        return bool(self.note_template and PLACEHOLDER.search(self.note_template))

    def _render_note(self, lead, checklist):
        """Activity note: the row's template (placeholders filled, escaped) above the stage checklist."""
        self.ensure_one()
        parts = []
        if self.note_template:
            values = {
                "lead": lambda: lead.name,
                "stage": lambda: lead.stage_id.name,
                "salesperson": lambda: lead.user_id.name,
                "customer": lambda: lead.partner_name or lead.partner_id.name,
                "team": lambda: lead.team_id.name,
            }
            text = PLACEHOLDER.sub(lambda match: values[match.group(1)]() or "", self.note_template)
            parts.append(Markup("<p>%s</p>") % Markup("<br/>").join(text.splitlines()))
        if checklist:
            parts.append(checklist)
        return Markup().join(parts)
