from itertools import pairwise

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesProcessRatingBand(models.Model):
    """A band of total scorecard scores (e.g. A: 90 to 200), from Minimum (included) to Maximum (excluded).

    The bands of a company cover one range without overlap or gap; the highest band also
    takes the scores above it.
    """

    _name = "sales.process.rating.band"
    _description = "Scorecard Rating Band"
    _order = "min_score desc, id"

    name = fields.Char(required=True, translate=True)
    min_score = fields.Float(string="Minimum Score", required=True)
    max_score = fields.Float(string="Maximum Score", required=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    @api.constrains("min_score", "max_score", "company_id")
    def _check_bands(self):
        for band in self:
            if band.min_score >= band.max_score:
                raise ValidationError(
                    _("Band %(band)s: the Minimum Score must be lower than the Maximum Score.", band=band.name)
                )
        for company_id in {band.company_id.id for band in self}:
            bands = self.search([("company_id", "=", company_id)], order="min_score, id")
            for lower, upper in pairwise(bands):
                if upper.min_score < lower.max_score:
                    raise ValidationError(
                        _("Bands %(lower)s and %(upper)s overlap.", lower=lower.name, upper=upper.name)
                    )
                if upper.min_score > lower.max_score:
                    raise ValidationError(
                        _(
                            "Bands %(lower)s and %(upper)s leave a gap between %(min)s and %(max)s.",
                            lower=lower.name,
                            upper=upper.name,
                            min=lower.max_score,
                            max=upper.min_score,
                        )
                    )

    @api.model
    def _get_bands(self, company):
        """The bands of ``company`` (its own, else those without company), lowest first."""
        bands = self.search([("company_id", "=", company.id)], order="min_score")
        return bands or self.search([("company_id", "=", False)], order="min_score")

    def _band_for(self, score):
        """The band of ``self`` (lowest first) holding ``score`` (None: no band)."""
        if score is None or not self:
            return self.browse()
        for band in self:
            if band.min_score <= score < band.max_score:
                return band
        return self[-1] if score >= self[-1].max_score else self.browse()
