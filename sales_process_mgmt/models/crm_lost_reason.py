from odoo import fields, models
from odoo.tools import format_list


class CrmLostReason(models.Model):
    """Improvement actions in one click from the lost-reason analysis (持续改进)."""

    _inherit = "crm.lost.reason"

    def action_sales_process_propose_improvement(self):
        """Open a new improvement action about the opportunities lost for this reason lately.

        The problem statement counts the losses of the last 90 days per sales team, as
        the user reads them (their record rules apply); the team losing most is proposed.
        """
        self.ensure_one()
        since = fields.Datetime.subtract(fields.Datetime.now(), days=90)
        groups = self.env["crm.lead"]._read_group(
            [
                ("lost_reason_id", "=", self.id),
                ("active", "=", False),
                ("probability", "=", 0),
                ("date_closed", ">=", since),
            ],
            ["team_id"],
            ["__count"],
            order="__count desc",
        )
        total = sum(count for __, count in groups)
        if groups:
            per_team = [
                self.env._("%(team)s: %(count)s", team=team.name or self.env._("No Sales Team"), count=count)
                for team, count in groups
            ]
            problem = self.env._(
                "%(count)s opportunities lost for the reason %(reason)s in the last 90 days (%(teams)s).",
                count=total,
                reason=self.name,
                teams=format_list(self.env, per_team),
            )
        else:
            problem = self.env._(
                "%(count)s opportunities lost for the reason %(reason)s in the last 90 days.",
                count=total,
                reason=self.name,
            )
        return self.env["sales.process.improvement.action"]._action_new(
            {
                "name": self.env._("Lost reason: %(reason)s", reason=self.name),
                "source": "lost_reason",
                "lost_reason_id": self.id,
                "team_id": groups[0][0].id if groups else False,
                "problem": problem,
            }
        )
