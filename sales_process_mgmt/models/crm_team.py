from odoo import fields, models


class CrmTeam(models.Model):
    """Open risks of the team on its dashboard card."""

    _inherit = "crm.team"

    sales_process_risk_count = fields.Integer(string="Open Risks", compute="_compute_sales_process_risk_count")

    def _compute_sales_process_risk_count(self):
        groups = self.env["sales.process.risk.flag"]._read_group(
            [("team_id", "in", self.ids), ("is_active", "=", True)], ["team_id"], ["__count"]
        )
        counts = {team.id: count for team, count in groups}
        for team in self:
            team.sales_process_risk_count = counts.get(team.id, 0)

    def action_sales_process_view_team_risks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_process_mgmt.sales_process_risk_flag_action")
        action["domain"] = [("team_id", "=", self.id)]
        return action
