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

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Under ``sales_process_readers_only``, only partners whose user can read a lead follow it.

        Set by the responsibilities for the followers they add (roles, and the
        assignees mail.activity subscribes): being Accountable or Responsible of a
        stage gives no access to a lead the person's record rules hide.
        """
        if not self.env.context.get("sales_process_readers_only") or not partner_ids:
            return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
        for partners, leads in self._sales_process_group_by_readers(partner_ids).items():
            super(CrmLead, leads).message_subscribe(partner_ids=sorted(partners), subtype_ids=subtype_ids)
        return True

    # ------------------------------------------------------------------
    # Responsibilities
    # ------------------------------------------------------------------

    def _sales_process_is_bulk(self):
        """Whether a move or reassignment of ``self`` takes the set-based bulk path.

        Up to ``sales_process_mgmt.bulk_threshold`` leads (default 20), the work of
        the stages goes through mail's API: activities created in one batch with
        Odoo's "assigned to you" notifications, notes posted to their recipients'
        inbox or email, followers subscribed. Above it, a few queries write the
        same records (see test_bulk_and_interactive_paths_leave_the_same_records),
        without "assigned to you" notifications.
        """
        threshold = self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.bulk_threshold", "20")
        return len(self) > int(threshold)

    @api.model
    def _sales_process_mail_context(self):
        """Context of the mail API calls: queue the emails instead of sending them in the request.

        The mail queue cron is triggered so that they leave right after the commit
        (what Odoo's event module does for its registration mails).
        """
        return {"mail_notify_force_send": False, "sales_process_readers_only": True}

    @api.model
    def _sales_process_trigger_mail_queue(self, users):
        """Wake the mail queue if one of ``users`` gets its notifications by email."""
        if any(user.notification_type == "email" for user in users.sudo()):
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

    def _sales_process_group_by_readers(self, partner_ids):
        """{frozenset(partner ids): leads of ``self``}: who of ``partner_ids`` can read which lead.

        A partner of internal users counts for the leads one of its users can read
        (record rules included); a partner without user is kept, as mail does. One
        access query per user, not per lead.
        """
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", list(partner_ids))])
        )
        readable = {partner_id: set(self._ids) for partner_id in partner_ids}
        for partner_id in set(users.partner_id.ids):
            readable[partner_id] = set()
        for user in users:
            readable[user.partner_id.id].update(self.with_user(user)._filtered_access("read")._ids)
        groups = {}
        for lead in self:
            partners = frozenset(partner_id for partner_id, ids in readable.items() if lead.id in ids)
            if partners:
                groups.setdefault(partners, []).append(lead.id)
        return {partners: self.browse(ids) for partners, ids in groups.items()}

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
            stale._sales_process_close_on_stage_exit(bulk=self._sales_process_is_bulk())
        duplicates.unlink()

    def _sales_process_apply_responsibilities(self):
        """Hand the work of the new stage to its people; called on every stage entry.

        Closes the open auto-activities of the stage left, schedules one activity per
        Responsible user (unless one is still open for that user in this stage),
        makes the Accountable and Consulted people followers and informs the Informed
        ones. Set-based on both paths (see _sales_process_is_bulk): the number of
        queries does not depend on the number of leads.
        """
        if not self:
            return
        bulk = self._sales_process_is_bulk()
        self.fetch(["stage_id", "team_id", "company_id", "user_id", "active", "name", "stage_deadline"])
        open_activities = self._sales_process_open_activities()
        stage_of = {lead.id: lead.stage_id.id for lead in self}
        left = open_activities.filtered(lambda act: act.sales_process_stage_id.id != stage_of.get(act.res_id))
        if left:
            left._sales_process_close_on_stage_exit(bulk=bulk)
        entering = self.filtered("active")
        resolution = self.env["sales.process.responsibility"]._resolve(entering)
        if not resolution:
            return
        existing = {(act.res_id, act.user_id.id) for act in open_activities - left}
        vals_list = entering._sales_process_prepare_activities(resolution, existing)
        entering._sales_process_create_activities(vals_list, bulk)
        entering._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"), bulk)
        entering._sales_process_inform(resolution, bulk)
        entering._sales_process_log_problems(resolution, bulk=bulk)
        entering.invalidate_recordset(["activity_ids", "message_ids"])

    def _sales_process_prepare_activities(self, resolution, existing):
        """Values of the activities to create: one per (lead, Responsible user) not in ``existing``.

        Summary, note and checklist are written in the assignee's language, the
        deadline counted from the assignee's today in their time zone. What depends
        only on the stage, the row and the language (type, summary, a note without
        placeholders) or on the row, stage deadline and time zone (the deadline) is
        worked out once.
        """
        model_id = self.env["ir.model"]._get_id(self._name)
        users = (
            self.env["res.users"]
            .sudo()
            .browse(sorted({uid for holders in resolution.values() for uid in holders["responsible"]}))
        )
        users.fetch(["lang", "tz"])
        user_lang = {user.id: user.lang or self.env.lang for user in users}
        user_tz = {user.id: user.tz or self.env.context.get("tz") for user in users}
        per_row, notes, deadlines, today = {}, {}, {}, {}
        vals_list = []
        for lead in self:
            holders = resolution.get(lead.id)
            if not holders or not holders["responsible"]:
                continue
            for user_id, row in holders["responsible"].items():
                if (lead.id, user_id) in existing:
                    continue
                existing.add((lead.id, user_id))
                lang, tz = user_lang[user_id], user_tz[user_id]
                key = (lead.stage_id.id, row.id, lang)
                if key not in per_row:
                    translated = self.with_context(lang=lang)
                    stage = lead.stage_id.with_env(translated.env)
                    per_row[key] = (
                        row._get_activity_type().id,
                        (stage.objective or stage.name or "").strip(),
                        translated._sales_process_checklist_note(stage),
                        row._has_note_placeholders(),
                    )
                activity_type_id, summary, checklist, personal = per_row[key]
                note_key = (key, lead.id if personal else 0)
                if note_key not in notes:
                    translated = self.with_context(lang=lang)
                    notes[note_key] = row.with_env(translated.env)._render_note(
                        lead.with_env(translated.env), checklist
                    )
                if tz not in today:
                    today[tz] = fields.Date.context_today(self.with_context(tz=tz))
                deadline_key = (row.id, lead.stage_deadline, tz)
                if deadline_key not in deadlines:
                    deadlines[deadline_key] = row.with_context(tz=tz)._get_deadline(lead, today[tz])
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
                        "sales_process_stage_id": lead.stage_id.id,
                    }
                )
        return vals_list

    def _sales_process_create_activities(self, vals_list, bulk):
        """Create the auto-activities of ``vals_list``: through mail's API, or in one query (bulk).

        mail.activity.create() in one batch subscribes the assignees and tells their
        activity menu; each assignee other than the mover gets mail's "assigned to
        you" notification (in their language, by inbox or email) from the mail job
        queued here, after the commit. It runs as the system for the mover (who
        stays the author): the mover may no longer read a lead they gave away.
        """
        if not vals_list:
            return
        if bulk:
            self._sales_process_insert_activities(vals_list)
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(**self._sales_process_mail_context(), mail_activity_quick_update=True)
            .create(vals_list)
        )
        notified = activities.filtered(lambda activity: activity.user_id != self.env.user)
        if notified:
            self.env["sales.process.mail.job"]._queue_activity_notifications(notified)

    def _sales_process_insert_activities(self, vals_list):
        """Insert the auto-activities of ``vals_list`` in one query (bulk moves).

        Through the ORM, mail.activity.create() costs about a millisecond per
        activity (note sanitizing, computed fields, per-user subscriptions), 20 s
        for a bulk move of 10,000 leads with two Responsible rows; this query keeps
        the move within twice its cost without responsibilities (bench). The notes
        are sanitized as the ORM would (once per distinct note), and the caller
        already wrote the leads. What create() does besides is done by the caller
        in batch: the assignees follow the leads (_sales_process_subscribe_roles),
        and they get the same bus notification; no "assigned to you" notifications
        on this path.
        """
        if not vals_list:
            return
        Activity = self.env["mail.activity"]
        Activity.flush_model()
        note_field = Activity._fields["note"]
        # notes and summaries are mostly shared: sanitized and sent once, referenced by position
        texts, sanitized = {}, {}

        def text(value, html=False):
            if html:
                if value not in sanitized:
                    sanitized[value] = note_field.convert_to_cache(value, Activity)
                value = sanitized[value]
            return texts.setdefault(str(value), len(texts) + 1)

        columns = {
            "res_id": ("int", [vals["res_id"] for vals in vals_list]),
            "user_id": ("int", [vals["user_id"] for vals in vals_list]),
            "activity_type_id": ("int", [vals["activity_type_id"] for vals in vals_list]),
            "summary": ("int", [text(vals["summary"]) for vals in vals_list]),
            "note": ("int", [text(vals["note"], html=True) for vals in vals_list]),
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
                """,
                texts=list(texts),
                model_id=vals_list[0]["res_model_id"],
                model=self._name,
                uid=self.env.uid,
                now=self.env.cr.now(),
                unnest=unnest,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
            )
        )
        today = fields.Date.context_today(self)
        due = {vals["user_id"] for vals in vals_list if vals["date_deadline"] <= today}
        self.env["res.users"].browse(sorted(due))._bus_send("mail.activity/updated", {"activity_created": True})

    def _sales_process_post_notes(self, bodies, partner_ids=(), bulk=False):
        """Log ``bodies`` ({lead_id: body}) as internal notes; ``partner_ids`` are notified.

        Interactive: notes without recipients through _message_log_batch(); notes
        with recipients queued (sales.process.mail.job) for the cron, which posts
        them with message_post() after the move's commit, notifying each one by
        inbox or email as they chose. Bulk: _sales_process_insert_messages().
        """
        if not bodies:
            return
        leads = self.browse(list(bodies)).sudo()
        if bulk:
            leads._sales_process_insert_messages(
                [(lead_id, body, None) for lead_id, body in bodies.items()], partner_ids
            )
        elif not partner_ids:
            leads._message_log_batch(bodies)
        else:
            self.env["sales.process.mail.job"]._queue_notes(bodies, partner_ids)
        self.browse(list(bodies)).invalidate_recordset(["message_ids"])

    def _sales_process_insert_messages(self, rows, partner_ids=(), subtype_xmlid="mail.mt_note"):
        """Insert the internal notes ``rows`` ([(lead_id, body, activity_type_id)]) in a few queries.

        The same messages as _message_log_batch() (or, with ``partner_ids``, as
        message_post() for partners notified in their inbox), which create them
        through the ORM (about 0.6 ms each); the bodies are sanitized as the ORM
        would, once per distinct body. ``partner_ids`` are listed on the notes and
        get an inbox notification (bulk moves: the Informed who chose email
        notifications get an inbox one, not thousands of emails).
        """
        if not rows:
            return
        Message = self.env["mail.message"]
        Message.flush_model()
        body_field = Message._fields["body"]
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        texts, sanitized = {}, {}
        positions = []
        for __, body, __ in rows:
            if body not in sanitized:
                sanitized[body] = str(body_field.convert_to_cache(body, Message) or "")
            positions.append(texts.setdefault(sanitized[body], len(texts) + 1))
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO mail_message
                       (model, res_id, body, message_type, subtype_id, mail_activity_type_id, author_id, email_from,
                        reply_to, message_id, is_internal, email_add_signature, date,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(model)s, t.res_id, (%(bodies)s::text[])[t.position], 'notification', %(subtype)s,
                       t.activity_type_id, %(author)s, %(email_from)s, %(reply_to)s, %(message_id)s,
                       %(internal)s, false,
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(positions)s::int[], %(types)s::int[])
                       AS t(res_id, position, activity_type_id)
                RETURNING id
                """,
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid),
                # internal as _message_log_batch() logs them; message_post() leaves it unset
                internal=not partner_ids and subtype_xmlid == "mail.mt_note",
                author=author_id,
                email_from=email_from,
                reply_to=reply_to,
                message_id=generate_tracking_message_id("message-notify"),
                now=cr.now(),
                uid=self.env.uid,
                ids=[row[0] for row in rows],
                positions=positions,
                types=[row[2] for row in rows],
                bodies=list(texts),
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
        self.browse(sorted({row[0] for row in rows})).invalidate_recordset(["message_ids"])

    @api.model
    def _sales_process_checklist_note(self, stage):
        """The stage's checklist as HTML, in the language of ``self``'s environment."""
        items = stage.with_env(self.env).checklist_item_ids
        if not items:
            return Markup()
        lines = Markup().join(
            Markup("<li>%s</li>") % (self.env._("%(item)s (required)", item=item.name) if item.required else item.name)
            for item in items
        )
        return Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (self.env._("Checklist"), lines)

    def _sales_process_subscribe_roles(self, resolution, roles=("accountable", "consulted"), bulk=False):
        """Make the holders of ``roles`` followers (those who can read the lead), per set of partners.

        Interactive: queued for the mail job (message_subscribe() after the commit);
        bulk: _sales_process_add_followers().
        """
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
        if not bulk:
            # after the commit, as the system for the mover (who may have given the lead away)
            if by_partners:
                self.env["sales.process.mail.job"]._queue_subscriptions(
                    [(sorted(partner_ids), lead_ids) for partner_ids, lead_ids in by_partners.items()]
                )
            return
        for partner_ids, lead_ids in by_partners.items():
            self.browse(lead_ids).sudo()._sales_process_add_followers(sorted(partner_ids))

    def _sales_process_add_followers(self, partner_ids):
        """Make ``partner_ids`` (of internal users) follow the leads of ``self`` they can read.

        What message_subscribe() does, in one query per set of readers instead of
        an ORM create per 100 followers; existing followers keep their subscription.
        """
        if not self or not partner_ids:
            return
        subtypes = self.env["mail.message.subtype"].default_subtypes(self._name)[0]
        self.env["mail.followers"].flush_model()
        for readers, leads in self._sales_process_group_by_readers(partner_ids).items():
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
                    ids=leads.ids,
                    partners=sorted(readers),
                    subtypes=subtypes.ids,
                )
            )
        self.env["mail.followers"].invalidate_model()
        self.invalidate_recordset(["message_follower_ids", "message_partner_ids"])

    def _sales_process_inform(self, resolution, bulk=False):
        """One chatter note per lead for its Informed people, delivered as each of them chose."""
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
            self._sales_process_post_notes(dict.fromkeys(lead_ids, body), partners.ids, bulk=bulk)

    def _sales_process_log_problems(self, resolution, roles=None, bulk=False):
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
        self._sales_process_post_notes(bodies, bulk=bulk)

    def _sales_process_reassign_responsibilities(self):
        """Move the open auto-activities of the current stage to the people resolved now.

        Called after the salesperson or team of the leads changed. An activity whose
        user is no longer Responsible goes to a newly resolved user (the one of the
        same responsibility row first); left-over activities are cancelled and
        newly resolved users without one get one. Leads without open auto-activities
        in their current stage are left alone. Interactive reassignments write the
        activities through mail (the new assignee is notified and follows the lead).
        """
        if not self:
            return
        bulk = self._sales_process_is_bulk()
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
        context = {"mail_activity_quick_update": True} if bulk else self._sales_process_mail_context()
        for (user_id, row), activity_ids in moves.items():
            current.browse(activity_ids).with_context(**context).write(
                {"user_id": user_id, "sales_process_responsibility_id": row.id}
            )
        if moves and not bulk:
            self._sales_process_trigger_mail_queue(self.env["res.users"].browse({user for user, __ in moves}))
        if cancelled:
            cancelled.unlink()
        leads._sales_process_create_activities(leads._sales_process_prepare_activities(resolution, keep), bulk)
        leads._sales_process_subscribe_roles(resolution, ("responsible", "accountable", "consulted"), bulk)
        leads.invalidate_recordset(["activity_ids"])
        leads._sales_process_log_problems(resolution, roles=("responsible",), bulk=bulk)
