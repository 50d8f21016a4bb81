from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessPlanChannel(models.Model):
    """The planned share of a sales channel in a plan, next to the share realised in won revenue."""

    _name = "sales.process.plan.channel"
    _description = "Sales Plan Channel Mix"
    _order = "plan_id, planned_share desc, id"

    plan_id = fields.Many2one("sales.process.plan", required=True, ondelete="cascade", index=True)
    channel_id = fields.Many2one("sales.process.sales.channel", string="Sales Channel", required=True)
    planned_share = fields.Float(string="Planned Share (%)", digits=(16, 1))
    realised_share = fields.Float(string="Realised Share (%)", compute="_compute_realised_share", digits=(16, 1))

    _sql_constraints = [
        ("channel_uniq", "UNIQUE (plan_id, channel_id)", "A channel appears once in a plan."),
    ]

    def _compute_realised_share(self):
        shares = self.plan_id._get_realised_shares()
        for line in self:
            line.realised_share = shares.get((line.plan_id.id, line.channel_id.id)) or 0.0

    @api.constrains("planned_share")
    def _check_planned_share(self):
        for line in self:
            if not 0 <= line.planned_share <= 100:
                raise ValidationError(
                    _(
                        "Sales plan %(plan)s: the planned share of %(channel)s must be between 0 and 100%%.",
                        plan=line.plan_id.name,
                        channel=line.channel_id.name,
                    )
                )
