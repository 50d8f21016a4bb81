from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


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

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._add_to_open_visits()
        return items

    def write(self, vals):
        result = super().write(vals)
        if {"active", "stage_id"}.intersection(vals):
            self._add_to_open_visits()
        if {"required", "sequence"}.intersection(vals):
            self._update_open_lines()
        return result

    def _add_to_open_visits(self):
        """Give the leads now in the items' stage a line for each active item they lack.

        Without it, a required item added while leads are in the stage could never be
        ticked by them. One query for all the items and visits.
        """
        items = self.filtered("active")
        if not items:
            return
        self.flush_model()
        Line = self.env["sales.process.lead.checklist"]
        Line.flush_model()
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sales_process_lead_checklist
                       (lead_id, item_id, history_id, sequence, required, done,
                        create_uid, create_date, write_uid, write_date)
                SELECT h.lead_id, i.id, h.id, i.sequence, i.required, false, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM sales_process_checklist_item i
                  JOIN sales_process_stage_history h ON h.stage_id = i.stage_id AND h.is_open
                 WHERE i.id = ANY(%(ids)s)
                   AND NOT EXISTS (SELECT 1 FROM sales_process_lead_checklist c
                                    WHERE c.history_id = h.id AND c.item_id = i.id)
                RETURNING lead_id
                """,
                ids=items.ids,
                uid=self.env.uid,
                now=now,
            )
        )
        self._recompute_progress({row[0] for row in self.env.cr.fetchall()})

    def _update_open_lines(self):
        """The lines of open visits follow their item; closed visits keep what they recorded."""
        self.flush_model()
        self.env["sales.process.lead.checklist"].flush_model()
        self.env.cr.execute(
            """
            UPDATE sales_process_lead_checklist c
               SET required = i.required, sequence = i.sequence
              FROM sales_process_checklist_item i, sales_process_stage_history h
             WHERE i.id = c.item_id AND h.id = c.history_id AND h.is_open AND i.id = ANY(%(ids)s)
               AND (c.required IS DISTINCT FROM i.required OR c.sequence IS DISTINCT FROM i.sequence)
            RETURNING c.lead_id
            """,
            {"ids": self.ids},
        )
        self._recompute_progress({row[0] for row in self.env.cr.fetchall()})

    def _recompute_progress(self, lead_ids):
        self.env["sales.process.lead.checklist"].invalidate_model()
        if lead_ids:
            leads = self.env["crm.lead"].browse(sorted(lead_ids))
            leads.invalidate_recordset(["checklist_ids"])
            self.env.add_to_compute(leads._fields["checklist_progress"], leads)
