from odoo.tests import tagged

from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class RiskCase(SalesProcessCase):
    """Risk rules on the test team only (the demo rules watch the demo teams)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.process.risk.rule"]
        cls.Flag = cls.env["sales.process.risk.flag"]
        cls.stage_needs.write({"has_time_limit": True, "max_days": 10, "warning_percent": 80})

    @classmethod
    def _rule(cls, criterion="risk_overdue", **values):
        vals = {
            "name": f"SPM {criterion}",
            "criterion": criterion,
            "severity": "medium",
            "team_ids": [(6, 0, cls.team.ids)],
            "warn_salesperson": False,
        }
        vals.update(values)
        return cls.Rule.create(vals)

    def _scan(self):
        self.env["crm.lead"]._cron_scan_risks()
        self.env.invalidate_all()

    def _open(self, rule, leads=None):
        domain = [("rule_id", "=", rule.id), ("is_active", "=", True)]
        if leads is not None:
            domain.append(("lead_id", "in", leads.ids))
        return self.Flag.search(domain)
