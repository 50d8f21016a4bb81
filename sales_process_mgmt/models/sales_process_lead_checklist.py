from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

#: what a user fills in on a checklist line; the rest is the system's record
USER_FIELDS = frozenset({"done", "note", "attachment_ids"})


class SalesProcessLeadChecklist(models.Model):
    """A checklist item of the lead's stage, for one visit of the lead in that stage."""

    _name = "sales.process.lead.checklist"
    _description = "Lead Checklist Line"
    _order = "lead_id, sequence, id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    item_id = fields.Many2one("sales.process.checklist.item", required=True, ondelete="cascade")
    history_id = fields.Many2one(
        "sales.process.stage.history", string="Stage Visit", required=True, ondelete="cascade", index=True
    )
    # Derived, not stored: a line has the stage of its visit and the company of its lead
    # (tens of thousands of lines are inserted by a bulk move; see bench/bench_stage.py).
    stage_id = fields.Many2one(related="history_id.stage_id", string="Stage")
    company_id = fields.Many2one(related="lead_id.company_id")
    user_id = fields.Many2one(related="lead_id.user_id", string="Salesperson")
    name = fields.Char(related="item_id.name")
    description = fields.Text(related="item_id.description")
    sequence = fields.Integer(readonly=True)
    required = fields.Boolean(readonly=True, help="Whether the item was required in this visit.")
    evidence = fields.Selection(related="item_id.evidence")
    is_current = fields.Boolean(
        related="history_id.is_open", string="Current", help="The line belongs to the lead's current stage visit."
    )
    done = fields.Boolean()
    done_by_id = fields.Many2one("res.users", string="Done By", readonly=True)
    done_date = fields.Datetime(readonly=True)
    note = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence Files")

    @api.constrains("item_id", "history_id")
    def _check_item_of_stage(self):
        for line in self.filtered(lambda line: line.item_id.stage_id != line.stage_id):
            raise ValidationError(
                _(
                    "Checklist item %(item)s belongs to stage %(item_stage)s, not to stage %(stage)s of lead %(lead)s.",
                    item=line.item_id.name,
                    item_stage=line.item_id.stage_id.name,
                    stage=line.stage_id.name,
                    lead=line.lead_id.name,
                )
            )

    @api.constrains("done", "note", "attachment_ids")
    def _check_evidence(self):
        for line in self.filtered("done"):
            if line.evidence == "note" and not (line.note or "").strip():
                raise ValidationError(
                    _(
                        "Checklist item %(item)s of %(lead)s needs a note to be done.",
                        item=line.name,
                        lead=line.lead_id.name,
                    )
                )
            if line.evidence == "attachment" and not line.attachment_ids:
                raise ValidationError(
                    _(
                        "Checklist item %(item)s of %(lead)s needs an attachment to be done.",
                        item=line.name,
                        lead=line.lead_id.name,
                    )
                )

    def write(self, vals):
        """Users tick, annotate and attach evidence on their current lines; who and when are recorded here."""
        if not self.env.su:
            forbidden = set(vals) - USER_FIELDS
            if forbidden:
                raise AccessError(
                    _(
                        "Checklist lines record who did what and when: %(fields)s cannot be written.",
                        fields=", ".join(
                            sorted(self._fields[name].string for name in forbidden if name in self._fields)
                        ),
                    )
                )
            closed = self.filtered(lambda line: not line.is_current)
            if closed:
                line = closed[0]
                raise UserError(
                    _(
                        "Checklist item %(item)s of %(lead)s belongs to a closed visit of stage %(stage)s: "
                        "it is history and cannot change.",
                        item=line.name,
                        lead=line.lead_id.name,
                        stage=line.stage_id.name,
                    )
                )
        if "done" in vals:
            vals = dict(
                vals, done_by_id=vals["done"] and self.env.uid, done_date=vals["done"] and fields.Datetime.now()
            )
        return super().write(vals)
