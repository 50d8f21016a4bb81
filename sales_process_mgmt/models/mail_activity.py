from markupsafe import Markup

from odoo import _, fields, models


class MailActivity(models.Model):
    """Auto-activities: scheduled by a stage's Responsible rows when a lead enters it.

    ``sales_process_stage_id`` marks them: they are closed when the lead leaves that
    stage and follow the lead when its salesperson or team changes.
    """

    _inherit = "mail.activity"

    sales_process_responsibility_id = fields.Many2one(
        "sales.process.responsibility",
        string="Responsibility",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    sales_process_stage_id = fields.Many2one(
        "crm.stage", string="Process Stage", ondelete="set null", index="btree_not_null", readonly=True
    )

    def _sales_process_close_on_stage_exit(self, bulk=False):
        """Close auto-activities whose lead left their stage, as the responsibility row says.

        "Mark as done": marked done as in the chatter, with the feedback "Done by
        stage change" (mail's "… done" message with the activity type, which crm's
        activity analysis counts; archived when their type keeps done activities).
        "Cancel": deleted, with a "Cancelled by stage change" note per lead.
        Interactive moves archive the activities at once (off the lead's card) and
        queue mail's _action_done for the cron (sales.process.mail.job); bulk moves
        write the same messages in a few queries (_sales_process_insert_done_messages).
        """
        done = self.filtered(
            lambda activity: (
                not activity.sales_process_responsibility_id
                or activity.sales_process_responsibility_id.close_mode == "done"
            )
        )
        lines = {}
        for activity in self - done:
            line = _(
                "Cancelled by stage change: %(activity)s (%(user)s)",
                activity=activity.summary or activity.activity_type_id.name,
                user=activity.user_id.name,
            )
            lines.setdefault(activity.res_id, []).append(line)
        bodies = {
            lead_id: Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in items)
            for lead_id, items in lines.items()
        }
        feedback = _("Done by stage change")
        if done and bulk:
            done._sales_process_insert_done_messages(feedback)
            kept = done.filtered("activity_type_id.keep_done")
            if kept:
                kept.action_archive()
            (done - kept).unlink()
        elif done:
            self.env["sales.process.mail.job"]._queue_activities_done(done, feedback)
        self.env["crm.lead"].browse(list(bodies))._sales_process_post_notes(bodies, bulk=bulk)
        (self - done).exists().unlink()

    def _sales_process_insert_done_messages(self, feedback):
        """The messages _action_done() posts for ``self``, inserted in a few queries (bulk moves).

        Rendered with mail's own template once per distinct (type, assignee,
        summary, note); mail's "Activities" subtype is not a default subscription,
        so nobody is notified, as when _action_done() posts them to default followers.
        """
        rendered, rows = {}, []
        for activity in self:
            key = (activity.activity_type_id, activity.user_id, activity.summary, activity.note)
            if key not in rendered:
                rendered[key] = self.env["mail.render.mixin"]._render_template_qweb_view(
                    "mail.message_activity_done",
                    activity.res_model,
                    [activity.res_id],
                    add_context={
                        "activity": activity,
                        "feedback": feedback,
                        "display_assignee": activity.user_id != self.env.user,
                    },
                )[activity.res_id]
            rows.append((activity.res_id, rendered[key], activity.activity_type_id.id))
        self.env["crm.lead"]._sales_process_insert_messages(rows, subtype_xmlid="mail.mt_activities")
