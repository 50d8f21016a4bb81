from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval


class SalesProcessStageGate(models.Model):
    """An exit criterion of a stage, checked when leads leave the stage forward.

    Each criterion kind has a set-based evaluator ``_evaluate_<criterion>(leads)``
    returning ``{lead_id: reason}`` for the leads that fail it; other modules and
    issues add kinds with ``selection_add`` and their own evaluator.
    """

    _name = "sales.process.stage.gate"
    _description = "Stage Exit Criterion"
    _order = "stage_id, sequence, id"

    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    criterion = fields.Selection(
        [
            ("required_fields", "Required fields"),
            ("checklist", "Required checklist items done"),
            ("min_probability", "Minimum probability"),
            ("domain", "Custom condition"),
        ],
        required=True,
        default="checklist",
    )
    mode = fields.Selection(
        [("block", "Block"), ("warn", "Warn")],
        required=True,
        default="block",
        help="Block: the lead cannot leave the stage. Warn: it can, and the unmet criterion is noted in the chatter.",
    )
    name = fields.Char(compute="_compute_name", store=True, readonly=False, translate=True)
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Required Fields",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True)]",
        ondelete="cascade",
    )
    min_probability = fields.Float(string="Minimum Probability (%)")
    domain = fields.Char(string="Condition", default="[]", help="Domain the lead must match to leave the stage.")
    active = fields.Boolean(default=True)

    @api.depends("criterion")
    def _compute_name(self):
        labels = dict(self._fields["criterion"]._description_selection(self.env))
        for gate in self:
            # follow the criterion until the name is changed by hand
            if not gate.name or gate.name in labels.values():
                gate.name = labels.get(gate.criterion)

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

    @api.constrains("criterion", "field_ids", "min_probability", "domain")
    def _check_parameters(self):
        for gate in self:
            if gate.criterion == "required_fields":
                if not gate.field_ids:
                    raise ValidationError(
                        _("Exit criterion %(gate)s: choose at least one required field.", gate=gate.display_name)
                    )
                wrong = gate.field_ids.filtered(lambda f: f.model != "crm.lead" or not f.store)
                if wrong:
                    raise ValidationError(
                        _(
                            "Exit criterion %(gate)s: %(fields)s are not stored fields of the lead.",
                            gate=gate.display_name,
                            fields=", ".join(wrong.mapped("name")),
                        )
                    )
            elif gate.criterion == "min_probability" and not 0 < gate.min_probability <= 100:
                raise ValidationError(
                    _(
                        "Exit criterion %(gate)s: the minimum probability must be between 0 and 100 (got %(value)s).",
                        gate=gate.display_name,
                        value=gate.min_probability,
                    )
                )
            elif gate.criterion == "domain":
                gate._get_domain()

    def _get_domain(self):
        """The condition as a domain; a ValidationError names the gate if it is invalid."""
        self.ensure_one()
        try:
            domain = safe_eval(self.domain or "[]")
            domain = expression.normalize_domain(domain)
            self.env["crm.lead"].with_context(active_test=False).search_count(
                expression.AND([domain, [("id", "=", 0)]])
            )
        except Exception as error:
            raise ValidationError(
                _(
                    "Exit criterion %(gate)s: the condition %(domain)s is invalid: %(error)s",
                    gate=self.display_name,
                    domain=self.domain,
                    error=error,
                )
            ) from error
        return domain

    # ------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------

    def _evaluate(self, leads):
        """{lead_id: [(gate, reason), ...]} of the leads failing any gate of ``self``."""
        failures = {}
        for gate in self:
            for lead_id, reason in getattr(gate, f"_evaluate_{gate.criterion}")(leads).items():
                failures.setdefault(lead_id, []).append((gate, reason))
        return failures

    def _evaluate_required_fields(self, leads):
        self.ensure_one()
        # field metadata, not lead data: movers need no access to ir.model.fields
        required = self.sudo().field_ids
        names = required.mapped("name")
        labels = {f.name: f.field_description for f in required}
        result = {}
        for lead in leads:
            missing = [labels[name] for name in names if not lead[name]]
            if missing:
                result[lead.id] = _("missing %(fields)s", fields=", ".join(missing))
        return result

    def _evaluate_checklist(self, leads):
        """Required items of the stage not ticked in the lead's current visit.

        A lead that skips the stage has no ticked line, so it fails as well.
        """
        self.ensure_one()
        required = self.stage_id.checklist_item_ids.filtered("required")
        if not required:
            return {}
        groups = self.env["sales.process.lead.checklist"]._read_group(
            [
                ("lead_id", "in", leads.ids),
                ("item_id", "in", required.ids),
                ("is_current", "=", True),
                ("done", "=", True),
            ],
            ["lead_id"],
            ["item_id:array_agg"],
        )
        done = {lead.id: set(item_ids) for lead, item_ids in groups}
        names = dict(zip(required.ids, required.mapped("name"), strict=True))
        result = {}
        for lead in leads:
            missing = [names[item_id] for item_id in required.ids if item_id not in done.get(lead.id, ())]
            if missing:
                result[lead.id] = _("not done: %(items)s", items=", ".join(missing))
        return result

    def _evaluate_min_probability(self, leads):
        self.ensure_one()
        return {
            lead.id: _(
                "probability %(value)s%% is below %(minimum)s%%",
                value=round(lead.probability, 2),
                minimum=self.min_probability,
            )
            for lead in leads
            if lead.probability < self.min_probability
        }

    def _evaluate_domain(self, leads):
        self.ensure_one()
        matching = leads.with_context(active_test=False).search(
            expression.AND([[("id", "in", leads.ids)], self._get_domain()])
        )
        return {lead.id: _("condition not met") for lead in leads - matching}
