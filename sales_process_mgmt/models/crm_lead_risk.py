from odoo import api, fields, models
from odoo.tools import SQL

from .sales_process_risk_flag import SEVERITY_SQL
from .sales_process_risk_rule import CHEAP_KINDS, SEVERITIES


class CrmLead(models.Model):
    """Risk control (风险防控): flags raised by the risk rules, and the lead's risk level."""

    _inherit = "crm.lead"

    date_deadline = fields.Date(tracking=True)
    sales_process_risk_level = fields.Selection(
        SEVERITIES,
        string="Risk Level",
        readonly=True,
        index=True,
        copy=False,
        help="Highest severity of the flags in force (snoozed flags excluded), kept by the risk scans.",
    )
    sales_process_risk_flag_ids = fields.One2many("sales.process.risk.flag", "lead_id", string="Risks")
    sales_process_risk_count = fields.Integer(string="Open Risks", compute="_compute_sales_process_risk_count")

    def _compute_sales_process_risk_count(self):
        groups = self.env["sales.process.risk.flag"]._read_group(
            [("lead_id", "in", self.ids), ("is_active", "=", True)], ["lead_id"], ["__count"]
        )
        counts = {lead.id: count for lead, count in groups}
        for lead in self:
            lead.sales_process_risk_count = counts.get(lead.id, 0)

    # ------------------------------------------------------------------
    # Move hooks: cheap rules re-evaluated in the same transaction
    # ------------------------------------------------------------------

    def _sales_process_after_move(self, move):
        super()._sales_process_after_move(move)
        self._sales_process_scan_risks(cheap_only=True)

    def _sales_process_after_reassign(self):
        super()._sales_process_after_reassign()
        self._sales_process_scan_risks(cheap_only=True)

    def _sales_process_after_archive(self):
        super()._sales_process_after_archive()
        self._sales_process_scan_risks(cheap_only=True)

    # ------------------------------------------------------------------
    # Scanning
    # ------------------------------------------------------------------

    def _sales_process_scan_risks(self, cheap_only=False):
        """Evaluate the active rules on ``self``: raise new flags, close the cleared ones."""
        if not self:
            return
        Rule = self.env["sales.process.risk.rule"].sudo()
        rules = Rule.search([("criterion", "in", CHEAP_KINDS)] if cheap_only else [])
        if not rules:
            return
        self.env["sales.process.risk.flag"].sudo()._scan(rules, lead_ids=self.ids)

    @api.model
    def _cron_scan_risks(self):
        """Full scan: every active rule, one set query over the leads of its scope.

        The flags of rules deactivated since close as well (the history stays).
        """
        rules = self.env["sales.process.risk.rule"].sudo().search([])
        self.env["sales.process.risk.flag"].sudo()._scan(rules)

    @api.model
    def _sales_process_refresh_risk_level(self, lead_ids):
        """Set the risk level of ``lead_ids`` from their flags in force; only the leads whose level moves are written.

        :return: the ids of the leads written
        """
        if not lead_ids:
            return []
        self.env["sales.process.risk.flag"].flush_model()
        self.flush_model(["sales_process_risk_level"])
        self.env.cr.execute(
            SQL(
                """
                WITH ids AS (
                    SELECT DISTINCT unnest(%(ids)s::int[]) AS id
                ), level AS (
                    SELECT f.lead_id, max(%(rank)s) AS rank
                      FROM sales_process_risk_flag f JOIN ids ON ids.id = f.lead_id
                     WHERE f.is_active AND (f.snooze_until IS NULL OR f.snooze_until < %(today)s)
                     GROUP BY f.lead_id
                ), target AS (
                    SELECT ids.id, (ARRAY['low', 'medium', 'high', 'critical'])[level.rank] AS value
                      FROM ids LEFT JOIN level ON level.lead_id = ids.id
                )
                UPDATE crm_lead l SET sales_process_risk_level = target.value
                  FROM target
                 WHERE l.id = target.id AND l.sales_process_risk_level IS DISTINCT FROM target.value
                RETURNING l.id
                """,
                ids=list(lead_ids),
                rank=SQL(SEVERITY_SQL),
                today=fields.Date.context_today(self),
            )
        )
        changed = [lead_id for (lead_id,) in self.env.cr.fetchall()]
        if changed:
            self.browse(changed).invalidate_recordset(["sales_process_risk_level"])
        return changed

    def action_sales_process_view_risks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_process_mgmt.sales_process_risk_flag_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action
