from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessStageGate(models.Model):
    """An exit criterion of a stage, checked when leads leave the stage forward.

    A condition (``sales.process.condition``: kind, parameters, set-based
    evaluator) attached to a stage, in Block or Warn mode.
    """

    _name = "sales.process.stage.gate"
    _inherit = ["sales.process.condition"]
    _description = "Stage Exit Criterion"
    _order = "stage_id, sequence, id"

    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    mode = fields.Selection(
        [("block", "Block"), ("warn", "Warn")],
        required=True,
        default="block",
        help="Block: the lead cannot leave the stage. Warn: it can, and the unmet criterion is noted in the chatter.",
    )
    name = fields.Char(compute="_compute_name", store=True, readonly=False, translate=True)
    active = fields.Boolean(default=True)
    training_course_ids = fields.Many2many(
        "sales.process.training.course",
        string="Required Courses",
        compute="_compute_training_course_ids",
        help="The active courses required for this stage (set on the courses).",
    )

    @api.depends("criterion")
    def _compute_name(self):
        labels = dict(self._fields["criterion"]._description_selection(self.env))
        for gate in self:
            # follow the criterion until the name is changed by hand
            if not gate.name or gate.name in labels.values():
                gate.name = labels.get(gate.criterion)

    @api.depends("stage_id")
    def _compute_training_course_ids(self):
        courses = self.env["sales.process.training.course"].search([("stage_ids", "in", self.stage_id.ids)])
        for gate in self:
            gate.training_course_ids = courses.filtered(lambda c, s=gate.stage_id: s in c.stage_ids)

    @api.depends("name", "stage_id.name")
    def _compute_display_name(self):
        """The criterion with its stage: errors and overrides say which stage it guards."""
        for gate in self:
            gate.display_name = f"{gate.name} ({gate.stage_id.name})" if gate.stage_id else gate.name

    @api.constrains("stage_id")
    def _check_stage_not_won(self):
        for gate in self.filtered(lambda g: g.stage_id.is_won):
            raise ValidationError(
                _(
                    "Stage %(stage)s is a won stage: leads never leave it forward, it cannot have exit criteria.",
                    stage=gate.stage_id.name,
                )
            )

    def _describe(self):
        self.ensure_one()
        return _("Exit criterion %(gate)s", gate=self.display_name)

    def _get_condition_stage(self):
        return self.stage_id
