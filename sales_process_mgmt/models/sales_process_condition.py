from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval


class SalesProcessCondition(models.AbstractModel):
    """A condition on opportunities: a kind, its parameters and a set-based evaluator.

    Stage exit criteria (``sales.process.stage.gate``) are conditions; so are the
    risk rules of the risk layer. Each kind ``k`` has an evaluator
    ``_evaluate_k(leads, stage)`` returning ``{lead_id: values}`` for the leads of
    ``stage`` that fail it (a dict of what was measured: counts, record ids) and
    ``_format_reason_k(values)`` writing the reason from them in the environment's
    language, so that a stored failure reads in each reader's language; modules add
    kinds with ``selection_add``, an evaluator and a formatter (an evaluator may
    also return the reason's text).
    The conditions are evaluated as the system on leads the caller may already act
    on: a condition decides, it never widens what the user reads or writes.
    """

    _name = "sales.process.condition"
    _description = "Sales Process Condition"

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
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Required Fields",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True)]",
        ondelete="cascade",
    )
    min_probability = fields.Float(string="Minimum Probability (%)")
    domain = fields.Char(string="Condition", default="[]", help="Domain the lead must match.")

    @api.constrains("criterion", "field_ids", "min_probability", "domain")
    def _check_parameters(self):
        for condition in self:
            if condition.criterion == "required_fields":
                required = condition.sudo().field_ids
                if not required:
                    raise ValidationError(
                        _("%(condition)s: choose at least one required field.", condition=condition._describe())
                    )
                wrong = required.filtered(lambda f: f.model != "crm.lead" or not f.store)
                if wrong:
                    raise ValidationError(
                        _(
                            "%(condition)s: %(fields)s are not stored fields of the lead.",
                            condition=condition._describe(),
                            fields=", ".join(wrong.mapped("name")),
                        )
                    )
            elif condition.criterion == "min_probability" and not 0 < condition.min_probability <= 100:
                raise ValidationError(
                    _(
                        "%(condition)s: the minimum probability must be between 0 and 100 (got %(value)s).",
                        condition=condition._describe(),
                        value=condition.min_probability,
                    )
                )
            elif condition.criterion == "domain":
                condition._get_domain()

    def _describe(self):
        """How errors name the condition, e.g. "Exit criterion Minimum probability (Reception)"."""
        self.ensure_one()
        return self.display_name

    def _get_condition_stage(self):
        """The stage the condition is about; empty: the current stage of each lead."""
        return self.env["crm.stage"]

    def _get_domain(self):
        """The condition as a domain; a ValidationError names the condition if it is invalid."""
        self.ensure_one()
        try:
            domain = expression.normalize_domain(safe_eval(self.domain or "[]"))
            self.env["crm.lead"].with_context(active_test=False).search_count(
                expression.AND([domain, [("id", "=", 0)]])
            )
        except Exception as error:
            raise ValidationError(
                _(
                    "%(condition)s: the condition %(domain)s is invalid: %(error)s",
                    condition=self._describe(),
                    domain=self.domain,
                    error=error,
                )
            ) from error
        return domain

    # ------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------

    def _evaluate(self, leads):
        """{lead_id: [(condition, reason), ...]} of the leads failing any condition of ``self``.

        The reasons are written in the environment's language (``_evaluate_values``
        gives what they are written from).
        """
        return {
            lead_id: [(condition, condition._format_reason(values)) for condition, values in items]
            for lead_id, items in self._evaluate_values(leads).items()
        }

    def _evaluate_values(self, leads):
        """{lead_id: [(condition, values), ...]} of the leads failing any condition of ``self``.

        Evaluated as the system: the caller has authorised the operation on ``leads``
        (e.g. the move has been written with the user's rights); the results only
        decide and explain, they are not records handed to the user.
        """
        failures = {}
        leads = leads.sudo()
        for condition in self.sudo():
            stage = condition._get_condition_stage()
            groups = {stage: leads} if stage else leads.grouped("stage_id")
            evaluator = getattr(condition, f"_evaluate_{condition.criterion}")
            for group_stage, group in groups.items():
                for lead_id, values in evaluator(group, group_stage).items():
                    failures.setdefault(lead_id, []).append((condition.with_env(self.env), values))
        return failures

    def _format_reason(self, values):
        """The reason of a failure of this condition from its values, in the environment's language."""
        self.ensure_one()
        if isinstance(values, str):
            return values
        formatter = getattr(self, f"_format_reason_{self.criterion}", None)
        return formatter(values or {}) if formatter else ""

    def _evaluate_required_fields(self, leads, stage):
        self.ensure_one()
        required = self.field_ids
        result = {}
        for lead in leads:
            missing = [field.id for field in required if not lead[field.name]]
            if missing:
                result[lead.id] = {"fields": missing}
        return result

    def _format_reason_required_fields(self, values):
        labels = self.env["ir.model.fields"].sudo().browse(values.get("fields") or []).mapped("field_description")
        return self.env._("missing %(fields)s", fields=", ".join(labels))

    def _evaluate_checklist(self, leads, stage):
        """Required (active) items of ``stage`` not ticked in the lead's current visit.

        A lead that skips the stage has no ticked line, so it fails as well.
        """
        self.ensure_one()
        required = stage.checklist_item_ids.filtered("required")
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
        result = {}
        for lead in leads:
            missing = [item_id for item_id in required.ids if item_id not in done.get(lead.id, ())]
            if missing:
                result[lead.id] = {"items": missing}
        return result

    def _format_reason_checklist(self, values):
        items = self.env["sales.process.checklist.item"].sudo().with_context(active_test=False)
        names = items.browse(values.get("items") or []).mapped("name")
        return self.env._("not done: %(items)s", items=", ".join(names))

    def _evaluate_min_probability(self, leads, stage):
        self.ensure_one()
        return {
            lead.id: {"value": round(lead.probability, 2), "minimum": self.min_probability}
            for lead in leads
            if lead.probability < self.min_probability
        }

    def _format_reason_min_probability(self, values):
        return self.env._(
            "probability %(value)s%% is below %(minimum)s%%", value=values.get("value"), minimum=values.get("minimum")
        )

    def _evaluate_domain(self, leads, stage):
        self.ensure_one()
        matching = leads.with_context(active_test=False).search(
            expression.AND([[("id", "in", leads.ids)], self._get_domain()])
        )
        return {lead.id: {} for lead in leads - matching}

    def _format_reason_domain(self, values):
        return self.env._("condition not met")
