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

    def _sales_process_close_on_stage_exit(self):
        """Close auto-activities whose lead left their stage, as the responsibility row says.

        "Mark as done": one "Done by stage change" note per lead, then the activities
        are deleted (archived when their type keeps done activities), like a done
        activity. "Cancel": deleted, with a note. A handful of queries for any number.
        """
        lines = {}
        done = self.browse()
        for activity in self:
            row = activity.sales_process_responsibility_id
            values = {
                "activity": activity.summary or activity.activity_type_id.name,
                "user": activity.user_id.name,
            }
            if not row or row.close_mode == "done":
                done |= activity
                line = _("Done by stage change: %(activity)s (%(user)s)", **values)
            else:
                line = _("Cancelled by stage change: %(activity)s (%(user)s)", **values)
            lines.setdefault(activity.res_id, []).append(line)
        bodies = {
            lead_id: Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in items)
            for lead_id, items in lines.items()
        }
        self.env["crm.lead"].browse(list(bodies))._sales_process_log_notes(bodies)
        kept = done.filtered("activity_type_id.keep_done")
        if kept:
            kept.action_archive()
        (self - kept).unlink()

    def _sales_process_notify_assignees(self):
        """Send the assignees Odoo's "assigned to you" notification, as create() does.

        Only for the activities of other users than the current one, and only when
        there are at most ``sales_process_mgmt.activity_notify_limit`` (default 20)
        of them: like mail queues big sendings, a bulk move or reassignment stays
        silent rather than sending thousands. Like mail.activity.create(), assignees
        whose partner the current user cannot read are notified as superuser: the
        notification only carries the activity the user just scheduled.
        """
        activities = self.filtered(lambda activity: activity.user_id and activity.user_id != self.env.user)
        limit = int(self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.activity_notify_limit", 20))
        if not activities or len(activities) > limit:
            return
        readable = activities.user_id.partner_id._filtered_access("read")
        to_sudo = activities.filtered(lambda activity: activity.user_id.partner_id not in readable)
        to_sudo.sudo().action_notify()
        (activities - to_sudo).action_notify()
