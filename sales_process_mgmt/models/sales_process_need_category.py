from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessNeedCategory(models.Model):
    """A category of customer needs (需求类别), so that needs can be compared across customers.

    A small hierarchy (e.g. *Services / Training*) kept by the process administrators;
    the latent-need suggestions count the categories confirmed on won opportunities.
    """

    _name = "sales.process.need.category"
    _description = "Need Category"
    _parent_store = True
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name", "name"]

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    description = fields.Text(translate=True)
    parent_id = fields.Many2one("sales.process.need.category", string="Parent Category", index=True, ondelete="cascade")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sales.process.need.category", "parent_id", string="Subcategories")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: shared by all companies.")
    need_count = fields.Integer(string="Needs", compute="_compute_need_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.depends_context("lang")
    @api.depends("name", "parent_id.name")
    def _compute_display_name(self):
        """The path of names in the reader's language (``complete_name``, stored for sorting
        and searching, is in the language it was computed in)."""
        for category in self:
            names = []
            current = category
            while current:
                names.append(current.name)
                current = current.parent_id
            category.display_name = " / ".join(reversed(names))

    def _compute_need_count(self):
        counts = dict(
            self.env["sales.process.customer.need"]._read_group(
                [("category_id", "in", self.ids)], ["category_id"], ["__count"]
            )
        )
        for category in self:
            category.need_count = counts.get(category, 0)

    @api.constrains("parent_id")
    def _check_parent_loop(self):
        for category in self:
            if category._has_cycle():
                category._raise_loop(category.parent_id)

    def _raise_loop(self, parent):
        raise ValidationError(
            _(
                "The need category %(category)s cannot be its own parent, directly or through %(parent)s.",
                category=self.name,
                parent=parent.name,
            )
        )

    def write(self, vals):
        # the parent store refuses a loop with a bare "Recursion Detected": name the category first
        if vals.get("parent_id"):
            parent = self.browse(vals["parent_id"])
            ancestors = {int(part) for part in (parent.parent_path or "").split("/") if part} | {parent.id}
            looping = self.filtered(lambda category: category.id in ancestors)
            if looping:
                looping[0]._raise_loop(parent)
        return super().write(vals)
