from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id


class CrmLead(models.Model):
    """Responsibilities per stage (RACI): the work of a stage handed to its people on entry."""

    _inherit = "crm.lead"

    sales_process_responsible_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_responsible_rel",
        string="Responsible",
        compute="_compute_sales_process_roles",
        help="Who does the work of the current stage (gets its activities).",
    )
    sales_process_accountable_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_accountable_rel",
        string="Accountable",
        compute="_compute_sales_process_roles",
        help="Who answers for the current stage and may override its exit criteria.",
    )
    sales_process_consulted_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_consulted_rel",
        string="Consulted",
        compute="_compute_sales_process_roles",
    )
    sales_process_informed_ids = fields.Many2many(
        "res.users",
        relation="crm_lead_sales_process_informed_rel",
        string="Informed",
        compute="_compute_sales_process_roles",
    )

    @api.depends("stage_id", "team_id", "user_id", "company_id")
    def _compute_sales_process_roles(self):
        resolution = self.env["sales.process.responsibility"]._resolve(self)
        Users = self.env["res.users"]
        for lead in self:
            holders = resolution.get(lead.id, {})
            lead.sales_process_responsible_ids = Users.browse(holders.get("responsible", ()))
            lead.sales_process_accountable_ids = Users.browse(holders.get("accountable", ()))
            lead.sales_process_consulted_ids = Users.browse(holders.get("consulted", ()))
            lead.sales_process_informed_ids = Users.browse(holders.get("informed", ()))

    # ------------------------------------------------------------------
    # Move hooks
    # ------------------------------------------------------------------

    def _sales_process_after_move(self, move):
        super()._sales_process_after_move(move)
        self._sales_process_apply_responsibilities()

    def _sales_process_after_reassign(self):
        super()._sales_process_after_reassign()
        self._sales_process_reassign_responsibilities()

    # ------------------------------------------------------------------
    # Responsibilities
    # ------------------------------------------------------------------

    def _sales_process_open_activities(self):
        """Open auto-activities of ``self``, read in one query.

        Read as the system: called once the move or reassignment of ``self`` is
        written, when the mover may no longer see the lead (e.g. given to a colleague).
        """
        return (
            self.env["mail.activity"]
            .sudo()
            .search_fetch(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), ("sales_process_stage_id", "!=", False)],
                [
                    "res_id",
                    "user_id",
                    "summary",
                    "activity_type_id",
                    "sales_process_stage_id",
                    "sales_process_responsibility_id",
                ],
            )
        )

    def _merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True, max_length=5):
        head = super()._merge_opportunity(
            user_id=user_id, team_id=team_id, auto_unlink=auto_unlink, max_length=max_length
        )
        head._sales_process_tidy_merged_activities()
        return head

    def _sales_process_tidy_merged_activities(self):
        """After a merge, the merged opportunities' auto-activities belong to ``self``.

        Those of another stage than the current one are closed as on a stage exit;
        of the rest, one per (user, responsibility row) is kept: the earliest due.
        """
        activities = self._sales_process_open_activities()
        stale = activities.filtered(lambda act: act.sales_process_stage_id != self.browse(act.res_id).stage_id)
        seen, duplicates = set(), activities.browse()
        for activity in (activities - stale).sorted(lambda act: (act.date_deadline, act.id)):
            key = (activity.res_id, activity.user_id, activity.sales_process_responsibility_id)
            if key in seen:
                duplicates |= activity
            seen.add(key)
        if stale:
            stale._sales_process_close_on_stage_exit()
        duplicates.unlink()

    def _sales_process_apply_responsibilities(self):
        """Hand the work of the new stage to its people; called on every stage entry.

        Closes the open auto-activities of the stage left, schedules one activity per
        Responsible user (unless one is still open for that user in this stage),
        makes the Accountable and Consulted people followers and informs the Informed
        ones. Set-based: the number of queries does not depend on the number of leads.
        """
        if not self:
            return
        self.fetch(["stage_id", "team_id", "company_id", "user_id", "active", "name", "stage_deadline"])
        open_activities = self._sales_process_open_activities()
        stage_of = {lead.id: lead.stage_id.id for lead in self}
        left = open_activities.filtered(lambda act: act.sales_process_stage_id.id != stage_of.get(act.res_id))
        if left:
            left._sales_process_close_on_stage_exit()
        entering = self.filtered("active")
        resolution = self.env["sales.process.responsibility"]._resolve(entering)
        if not resolution:
            return
        existing = {(act.res_id, act.user_id.id) for act in open_activities - left}
        vals_list = entering._sales_process_prepare_activities(resolution, existing)
        entering._sales_process_insert_activities(vals_list)
        entering._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"))
        entering._sales_process_inform(resolution)
        entering._sales_process_log_problems(resolution)
        entering.invalidate_recordset(["activity_ids", "message_ids"])

    def _sales_process_prepare_activities(self, resolution, existing):
        """Values of the activities to create: one per (lead, Responsible user) not in ``existing``.

        What depends only on the stage and the row (type, summary, a note without
        placeholders, the deadline of a given stage deadline) is worked out once.
        """
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        per_row, notes, deadlines = {}, {}, {}
        vals_list = []
        for lead in self:
            holders = resolution.get(lead.id)
            if not holders or not holders["responsible"]:
                continue
            stage = lead.stage_id
            for user_id, row in holders["responsible"].items():
                if (lead.id, user_id) in existing:
                    continue
                existing.add((lead.id, user_id))
                key = (stage.id, row.id)
                if key not in per_row:
                    per_row[key] = (
                        row._get_activity_type().id,
                        (stage.objective or stage.name or "").strip(),
                        self._sales_process_checklist_note(stage),
                        row._has_note_placeholders(),
                    )
                activity_type_id, summary, checklist, personal = per_row[key]
                note_key = (key, lead.id if personal else 0)
                if note_key not in notes:
                    notes[note_key] = row._render_note(lead, checklist)
                deadline_key = (row.id, lead.stage_deadline)
                if deadline_key not in deadlines:
                    deadlines[deadline_key] = row._get_deadline(lead, today)
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": lead.id,
                        "user_id": user_id,
                        "activity_type_id": activity_type_id,
                        "summary": summary,
                        "note": notes[note_key],
                        "date_deadline": deadlines[deadline_key],
                        "automated": True,
                        "sales_process_responsibility_id": row.id,
                        "sales_process_stage_id": stage.id,
                    }
                )
        return vals_list

    def _sales_process_insert_activities(self, vals_list):
        """Insert the auto-activities of ``vals_list`` in one query.

        Through the ORM, mail.activity.create() costs about a millisecond per
        activity (note sanitizing, computed fields, per-user subscriptions), 20 s
        for a bulk move of 10,000 leads with two Responsible rows; this query keeps
        the move within twice its cost without responsibilities (bench). The values
        are built here from escaped markup, and the caller already wrote the leads.
        What create() does besides is done by the caller in batch: the assignees
        follow the leads (_sales_process_subscribe_roles), and they get the same bus
        notification. The "assigned to you" notifications follow
        ``mail.activity._sales_process_notify_assignees`` (small moves only).
        """
        if not vals_list:
            return
        self.env["mail.activity"].flush_model()
        # notes and summaries are mostly shared: sent once, referenced by position
        texts = {}
        columns = {
            "res_id": ("int", [vals["res_id"] for vals in vals_list]),
            "user_id": ("int", [vals["user_id"] for vals in vals_list]),
            "activity_type_id": ("int", [vals["activity_type_id"] for vals in vals_list]),
            "summary": ("int", [texts.setdefault(vals["summary"], len(texts) + 1) for vals in vals_list]),
            "note": ("int", [texts.setdefault(vals["note"], len(texts) + 1) for vals in vals_list]),
            "date_deadline": ("date", [vals["date_deadline"] for vals in vals_list]),
            "responsibility_id": ("int", [vals["sales_process_responsibility_id"] for vals in vals_list]),
            "stage_id": ("int", [vals["sales_process_stage_id"] for vals in vals_list]),
        }
        unnest = SQL(", ").join(SQL("%s::%s[]", values, SQL(kind)) for kind, values in columns.values())
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity
                       (res_model_id, res_model, res_id, res_name, user_id, user_tz, activity_type_id, summary, note,
                        date_deadline, automated, active, sales_process_responsibility_id, sales_process_stage_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(model_id)s, %(model)s, t.res_id, l.name, t.user_id, p.tz, t.activity_type_id,
                       (%(texts)s::text[])[t.summary], (%(texts)s::text[])[t.note],
                       t.date_deadline, true, true, t.responsibility_id, t.stage_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(unnest)s) AS t(%(names)s)
                  JOIN crm_lead l ON l.id = t.res_id
                  JOIN res_users u ON u.id = t.user_id
                  JOIN res_partner p ON p.id = u.partner_id
                RETURNING id, user_id
                """,
                texts=[str(text) for text in texts],
                model_id=vals_list[0]["res_model_id"],
                model=self._name,
                uid=self.env.uid,
                now=self.env.cr.now(),
                unnest=unnest,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
            )
        )
        self.env["mail.activity"].browse(row[0] for row in self.env.cr.fetchall())._sales_process_notify_assignees()
        today = fields.Date.context_today(self)
        due = {vals["user_id"] for vals in vals_list if vals["date_deadline"] <= today}
        self.env["res.users"].browse(sorted(due))._bus_send("mail.activity/updated", {"activity_created": True})

    def _sales_process_log_notes(self, bodies, partner_ids=()):
        """Log ``bodies`` ({lead_id: body}) as internal notes, in a few queries.

        The same notes as _message_log_batch(), which creates them through the ORM
        (about 0.6 ms each). ``partner_ids`` are listed on the notes and get an
        inbox notification, as for a note mentioning them.
        """
        if not bodies:
            return
        self.env["mail.message"].flush_model()
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        lead_ids = list(bodies)
        texts = {}  # shared bodies are sent once
        positions = [texts.setdefault(bodies[lead_id], len(texts) + 1) for lead_id in lead_ids]
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO mail_message
                       (model, res_id, body, message_type, subtype_id, author_id, email_from, reply_to, message_id,
                        is_internal, email_add_signature, date, create_uid, create_date, write_uid, write_date)
                SELECT %(model)s, t.res_id, b.body, 'notification', %(subtype)s, %(author)s, %(email_from)s,
                       %(reply_to)s, %(message_id)s, true, false, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(positions)s::int[]) AS t(res_id, position)
                  JOIN LATERAL (SELECT (%(bodies)s::text[])[t.position] AS body) b ON true
                RETURNING id
                """,
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from,
                reply_to=reply_to,
                message_id=generate_tracking_message_id("message-notify"),
                now=cr.now(),
                uid=self.env.uid,
                ids=lead_ids,
                positions=positions,
                bodies=[str(body) for body in texts],
            )
        )
        message_ids = [row[0] for row in cr.fetchall()]
        if partner_ids:
            cr.execute(
                SQL(
                    """
                    INSERT INTO mail_message_res_partner_rel (mail_message_id, res_partner_id)
                    SELECT m, p FROM unnest(%(messages)s::int[]) m, unnest(%(partners)s::int[]) p
                    """,
                    messages=message_ids,
                    partners=list(partner_ids),
                )
            )
            notified = [partner_id for partner_id in partner_ids if partner_id != author_id]
            if notified:
                cr.execute(
                    SQL(
                        """
                        INSERT INTO mail_notification
                               (mail_message_id, res_partner_id, author_id, notification_type, notification_status,
                                is_read)
                        SELECT m, p, %(author)s, 'inbox', 'sent', false
                          FROM unnest(%(messages)s::int[]) m, unnest(%(partners)s::int[]) p
                        """,
                        messages=message_ids,
                        partners=notified,
                        author=author_id,
                    )
                )
        self.browse(lead_ids).invalidate_recordset(["message_ids"])

    @api.model
    def _sales_process_checklist_note(self, stage):
        items = stage.checklist_item_ids
        if not items:
            return Markup()
        lines = Markup().join(
            Markup("<li>%s</li>") % (self.env._("%(item)s (required)", item=item.name) if item.required else item.name)
            for item in items
        )
        return Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (_("Checklist"), lines)

    def _sales_process_subscribe_roles(self, resolution, roles=("accountable", "consulted")):
        """Make the holders of ``roles`` followers, one subscription per set of partners."""
        Users = self.env["res.users"].sudo()
        by_partners, cache = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            if not holders:
                continue
            if id(holders) not in cache:  # leads resolved together share their holders
                user_ids = {uid for role in roles for uid in holders[role]}
                cache[id(holders)] = frozenset(Users.browse(sorted(user_ids)).partner_id.ids)
            if cache[id(holders)]:
                by_partners.setdefault(cache[id(holders)], []).append(lead.id)
        for partner_ids, lead_ids in by_partners.items():
            self.browse(lead_ids)._sales_process_add_followers(sorted(partner_ids))

    def _sales_process_add_followers(self, partner_ids):
        """Make ``partner_ids`` (of internal users) follow ``self`` with the default subtypes.

        What _message_subscribe() does, in one query instead of an ORM create per
        100 followers; existing followers keep their subscription.
        """
        if not self or not partner_ids:
            return
        subtypes = self.env["mail.message.subtype"].default_subtypes(self._name)[0]
        self.env["mail.followers"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT %(model)s, r, p FROM unnest(%(ids)s::int[]) r, unnest(%(partners)s::int[]) p
                    ON CONFLICT (res_model, res_id, partner_id) DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, s FROM new, unnest(%(subtypes)s::int[]) s
                """,
                model=self._name,
                ids=self.ids,
                partners=list(partner_ids),
                subtypes=subtypes.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids"])

    def _sales_process_inform(self, resolution):
        """One chatter note per lead for its Informed people, delivered to their inbox."""
        Users = self.env["res.users"].sudo()
        groups, cache = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            if holders and holders["informed"]:
                if id(holders) not in cache:
                    cache[id(holders)] = Users.browse(sorted(holders["informed"])).partner_id
                groups.setdefault((lead.stage_id, cache[id(holders)]), []).append(lead.id)
        for (stage, partners), lead_ids in groups.items():
            body = Markup("<p>%s</p>") % _(
                "Entered stage %(stage)s. For the information of: %(people)s.",
                stage=stage.name,
                people=", ".join(partners.mapped("name")),
            )
            self.browse(lead_ids)._sales_process_log_notes(dict.fromkeys(lead_ids, body), partners.ids)

    def _sales_process_log_problems(self, resolution, roles=None):
        """A chatter note on the leads whose roles resolved to nobody (or to the fallback user)."""
        role_labels = dict(self.env["sales.process.responsibility"]._fields["role"]._description_selection(self.env))
        bodies, rendered = {}, {}
        for lead in self:
            holders = resolution.get(lead.id)
            problems = [p for p in (holders or {}).get("problems", []) if not roles or p[0].role in roles]
            if not problems:
                continue
            key = (id(holders), roles)
            if key not in rendered:
                lines = []
                for row, reason, fallback in problems:
                    values = {
                        "role": role_labels[row.role],
                        "stage": row.stage_id.name,
                        "assignee": row._get_assignee_label(),
                        "reason": reason,
                    }
                    if fallback:
                        lines.append(
                            _(
                                "%(role)s of stage %(stage)s (%(assignee)s): %(reason)s; "
                                "the fallback user %(user)s takes it.",
                                user=fallback.name,
                                **values,
                            )
                        )
                    else:
                        lines.append(
                            _(
                                "Nobody is %(role)s of stage %(stage)s (%(assignee)s): %(reason)s. "
                                "Set a fallback user in the Sales Process settings.",
                                **values,
                            )
                        )
                rendered[key] = Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in lines)
            bodies[lead.id] = rendered[key]
        self._sales_process_log_notes(bodies)

    def _sales_process_reassign_responsibilities(self):
        """Move the open auto-activities of the current stage to the people resolved now.

        Called after the salesperson or team of the leads changed. An activity whose
        user is no longer Responsible goes to a newly resolved user (the one of the
        same responsibility row first); left-over activities are cancelled and
        newly resolved users without one get one. Leads without open auto-activities
        in their current stage are left alone.
        """
        if not self:
            return
        self.fetch(["stage_id", "team_id", "company_id", "user_id", "active", "name", "stage_deadline"])
        stage_of = {lead.id: lead.stage_id.id for lead in self}
        current = self._sales_process_open_activities().filtered(
            lambda act: act.sales_process_stage_id.id == stage_of.get(act.res_id)
        )
        if not current:
            return
        leads = self.browse(sorted(set(current.mapped("res_id"))))
        resolution = self.env["sales.process.responsibility"]._resolve(
            leads, ["responsible", "accountable", "consulted"]
        )
        moves, cancelled, keep = {}, current.browse(), set()
        for lead_id, activities in current.grouped("res_id").items():
            responsible = (resolution.get(lead_id) or {}).get("responsible", {})
            missing = [uid for uid in responsible if uid not in activities.user_id.ids]
            for activity in activities:
                if activity.user_id.id in responsible:
                    keep.add((lead_id, activity.user_id.id))
                    continue
                if not missing:
                    cancelled |= activity
                    continue
                same_row = [uid for uid in missing if responsible[uid] == activity.sales_process_responsibility_id]
                user_id = (same_row or missing)[0]
                missing.remove(user_id)
                keep.add((lead_id, user_id))
                moves.setdefault((user_id, responsible[user_id]), []).append(activity.id)
        for (user_id, row), activity_ids in moves.items():
            current.browse(activity_ids).with_context(mail_activity_quick_update=True).write(
                {"user_id": user_id, "sales_process_responsibility_id": row.id}
            )
        current.browse([activity_id for ids in moves.values() for activity_id in ids])._sales_process_notify_assignees()
        if cancelled:
            cancelled.unlink()
        leads._sales_process_insert_activities(leads._sales_process_prepare_activities(resolution, keep))
        leads._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"))
        leads.invalidate_recordset(["activity_ids"])
        leads._sales_process_log_problems(resolution, roles=("responsible",))
