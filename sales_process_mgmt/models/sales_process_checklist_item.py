from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessChecklistItem(models.Model):
    _name = "sales.process.checklist.item"
    _description = "Stage Checklist Item"
    _order = "stage_id, sequence, id"

    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    required = fields.Boolean(default=True, help="Required items must be done before the lead leaves the stage.")
    evidence = fields.Selection(
        [("none", "None"), ("note", "Note"), ("attachment", "Attachment")],
        default="none",
        required=True,
        help="What the salesperson must provide to tick the item.",
    )
    active = fields.Boolean(default=True)

    @api.constrains("name", "stage_id")
    def _check_unique_name(self):
        siblings = self.with_context(active_test=False).search([("stage_id", "in", self.stage_id.ids)])
        seen = {}
        for item in siblings:
            key = (item.stage_id.id, (item.name or "").strip().lower())
            if key in seen:
                raise ValidationError(
                    _(
                        "Stage %(stage)s already has a checklist item named %(name)s.",
                        stage=item.stage_id.name,
                        name=item.name,
                    )
                )
            seen[key] = item
