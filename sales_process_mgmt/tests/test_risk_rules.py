from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_risk import RiskCase


@tagged("post_install", "-at_install")
class TestRiskRules(RiskCase):
    def _assert_raises_and_closes(self, rule, lead, clear, reason_regex):
        self._scan()
        flag = self._open(rule, lead)
        self.assertEqual(len(flag), 1)
        self.assertRegex(flag.explanation, reason_regex)
        self.assertEqual(lead.sales_process_risk_level, rule.severity)
        clear()
        self._scan()
        self.assertFalse(self._open(rule, lead))
        self.assertEqual(flag.state, "closed")
        self.assertTrue(flag.auto_closed and flag.closed_on)
        self.assertFalse(lead.sales_process_risk_level)
        self.assertTrue(flag.exists(), "scans never delete flags")

    def test_overdue_and_near_limit(self):
        overdue = self._rule("risk_overdue", severity="high")
        near = self._rule("risk_near_limit", severity="low")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._set_entered(lead, 12)
        self._scan()
        self.assertRegex(self._open(overdue, lead).explanation, r"12\.0 days in the stage, beyond its time limit of 10")
        self.assertFalse(self._open(near, lead))
        self._set_entered(lead, 9)
        self._scan()
        self.assertFalse(self._open(overdue, lead))
        self.assertRegex(self._open(near, lead).explanation, "time limit is reached on")
        self.assertEqual(lead.sales_process_risk_level, "low")

    def test_idle(self):
        rule = self._rule("risk_idle", idle_days=7)
        lead = self._create_leads()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", (self.env.cr.now() - timedelta(days=20), lead.id)
        )
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE model = 'crm.lead' AND res_id = %s",
            (self.env.cr.now() - timedelta(days=20), lead.id),
        )

        def clear():
            lead.message_post(body="Called the customer", message_type="comment")

        self._assert_raises_and_closes(rule, lead, clear, "no activity done and no message for 7 days")

    def test_exit_criteria_of_the_current_stage(self):
        rule = self._rule("risk_exit_criteria")
        self._add_item(self.stage_reception, "Qualify")
        self._add_gate(self.stage_reception, "checklist")
        lead = self._create_leads()
        self._assert_raises_and_closes(rule, lead, lambda: self._tick(lead), "Qualify")

    def test_exit_criteria_explanation_in_the_readers_language(self):
        """The flag stores the gate and what it measured; each reader gets the sentence in their language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        rule = self._rule("risk_exit_criteria")
        item = self._add_item(self.stage_reception, "Qualify")
        gate = self._add_gate(self.stage_reception, "checklist", name="Qualification")
        gate.update_field_translations("name", {"zh_CN": "资格确认"})
        lead = self._create_leads()
        self._scan()
        flag = self._open(rule, lead)
        self.assertEqual(flag.explanation_values, {"gates": [[gate.id, {"items": item.ids}]]})
        self.user_salesman.lang = "zh_CN"
        self.assertEqual(
            flag.with_user(self.user_salesman).with_context(lang="zh_CN").explanation, "资格确认: 未完成：Qualify"
        )
        self.assertEqual(flag.with_context(lang="en_US").explanation, "Qualification: not done: Qualify")

    def test_close_date_passed(self):
        rule = self._rule("risk_close_date")
        today = fields.Date.context_today(self.env.user)
        lead = self._create_leads(date_deadline=today - timedelta(days=3))
        self._assert_raises_and_closes(
            rule, lead, lambda: lead.write({"date_deadline": today + timedelta(days=3)}), "has passed"
        )

    def test_pushed_back(self):
        rule = self._rule("risk_pushed_back", max_pushbacks=2)
        today = fields.Date.context_today(self.env.user)
        lead = self._create_leads(date_deadline=today)
        tracked = lead.with_env(self.env(context={}))
        self.env.cr.precommit.run()
        for days in (10, 20, 30):
            tracked.write({"date_deadline": today + timedelta(days=days)})
            self.env.cr.precommit.run()  # tracking values are written before the commit
        self._scan()
        self.assertRegex(self._open(rule, lead).explanation, "pushed back 3 times")

    def test_pushed_back_closes_when_the_condition_clears(self):
        """Fixed dates: three push-backs raise the flag; pulling the date in is no push-back; the rule
        allowing three, the condition clears and the scan closes the flag by itself, with the date."""
        rule = self._rule("risk_pushed_back", max_pushbacks=2)
        lead = self._create_leads(date_deadline=fields.Date.to_date("2026-03-31"))
        tracked = lead.with_env(self.env(context={}))
        self.env.cr.precommit.run()
        for deadline in ("2026-04-30", "2026-05-31", "2026-06-30"):
            tracked.write({"date_deadline": fields.Date.to_date(deadline)})
            self.env.cr.precommit.run()  # tracking values are written before the commit
        with freeze_time("2026-03-15 09:00:00"):
            self._scan()
            flag = self._open(rule, lead)
            self.assertEqual(len(flag), 1)
            self.assertEqual(flag.explanation_values, {"count": 3, "maximum": 2})
            self.assertEqual(lead.sales_process_risk_level, "medium")
        # pulled back in: a move to an earlier date is no push-back, the count stays 3; the
        # condition clears when the rule allows three
        tracked.write({"date_deadline": fields.Date.to_date("2026-05-15")})
        self.env.cr.precommit.run()
        with freeze_time("2026-03-20 10:30:00"):
            self._scan()
            self.assertEqual(self._open(rule, lead), flag)
            self.assertEqual(flag.explanation_values, {"count": 3, "maximum": 2})
            rule.max_pushbacks = 3
            self._scan()
            self.assertFalse(self._open(rule, lead))
            self.assertEqual(flag.state, "closed")
            self.assertTrue(flag.auto_closed)
            self.assertEqual(flag.closed_on, self.env.cr.now(), "closed at the scan's time")
            self.assertFalse(lead.sales_process_risk_level)
            self.assertTrue(flag.exists(), "scans never delete flags")

    def test_large_amount_without_accountable(self):
        rule = self._rule("risk_large_amount", amount_threshold=50000, severity="critical")
        lead = self._create_leads(expected_revenue=80000)

        def clear():
            self.env["sales.process.responsibility"].create(
                {"stage_id": self.stage_reception.id, "role": "accountable", "assignee_kind": "team_leader"}
            )
            lead.invalidate_recordset()

        self._assert_raises_and_closes(rule, lead, clear, "above 50000")

    def test_probability_out_of_line(self):
        rule = self._rule("risk_probability", probability_gap=30)
        leads = self._create_leads(3, probability=20)
        odd = self._create_leads(probability=90)
        self._assert_raises_and_closes(
            rule, odd, lambda: odd.write({"probability": 30}), r"probability 90.0% is more than 30.0 points"
        )
        self.assertFalse(self._open(rule, leads))

    def test_certification_missing(self):
        rule = self._rule("certification", stage_ids=[(6, 0, self.stage_presentation.ids)])
        self.env["sales.process.training.course"].create(
            {"name": "SPM Demo Skills", "passing_score": 50, "stage_ids": [(6, 0, self.stage_presentation.ids)]}
        )
        lead = self._create_leads(stage_id=self.stage_presentation.id)
        course = self.env["sales.process.training.course"].search([("name", "=", "SPM Demo Skills")])

        def clear():
            self.env["sales.process.training.record"].create(
                {"salesperson_id": self.user_salesman.id, "course_id": course.id, "date": "2025-01-10", "score": 80}
            )

        with freeze_time("2025-06-02 08:00"):
            self._assert_raises_and_closes(rule, lead, clear, "no valid certification for SPM Demo Skills")

    def test_certification_expiring_within_days(self):
        """Valid until 2026-01-10 (passed 2025-01-10, 12 months): flagged from 30 days before, then as missing."""
        rule = self._rule("certification", expiry_days=30, stage_ids=[(6, 0, self.stage_presentation.ids)])
        course = self.env["sales.process.training.course"].create(
            {
                "name": "SPM Expiring Skills",
                "passing_score": 50,
                "validity_months": 12,
                "stage_ids": [(6, 0, self.stage_presentation.ids)],
            }
        )
        self.env["sales.process.training.record"].create(
            {"salesperson_id": self.user_salesman.id, "course_id": course.id, "date": "2025-01-10", "score": 80}
        )
        lead = self._create_leads(stage_id=self.stage_presentation.id)
        with freeze_time("2025-12-10 12:00"):
            self._scan()
            self.assertFalse(self._open(rule, lead), "31 days before the expiry: not yet")
        with freeze_time("2025-12-11 12:00"):
            self._scan()
            flag = self._open(rule, lead)
            self.assertEqual(
                flag.explanation, "SPM Salesman's certification for SPM Expiring Skills expires on 01/10/2026"
            )
            self.assertEqual(flag.explanation_values["expiring"], [[course.id, "2026-01-10"]])
            rule.expiry_days = 0
            self._scan()
            self.assertFalse(self._open(rule, lead), "without the parameter, a valid certification is enough")
            rule.expiry_days = 30
        with freeze_time("2026-01-10 12:00"):
            self._scan()
            self.assertEqual(
                self._open(rule, lead).explanation, "SPM Salesman has no valid certification for SPM Expiring Skills"
            )
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            rule.expiry_days = -1

    def test_explanation_in_the_readers_language(self):
        """The flag stores what was measured; each reader gets the sentence in their language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        rule = self._rule("risk_overdue")
        lead = self._create_leads(stage_id=self.stage_needs.id)
        self._set_entered(lead, 12)
        self._scan()
        flag = self._open(rule, lead)
        self.assertEqual(flag.explanation_values, {"days": 12.0, "limit": 10})
        self.user_salesman.lang = "zh_CN"
        chinese = flag.with_user(self.user_salesman).with_context(lang="zh_CN").explanation
        self.assertEqual(chinese, "在本阶段已 12.0 天，超过其 10 天的时限")
        self.assertRegex(flag.with_context(lang="en_US").explanation, "12.0 days in the stage")

    def test_satisfaction(self):
        rule = self._rule("risk_satisfaction", min_rating=3)
        partner = self.env["res.partner"].create({"name": "SPM Unhappy Customer"})
        won = self._create_leads(partner_id=partner.id, stage_id=self.stage_won.id)
        lead = self._create_leads(partner_id=partner.id)
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": won.id,
                    "partner_id": partner.id,
                    "rating": 2,
                    "consumed": True,
                }
            )
        )
        self._assert_raises_and_closes(
            rule, lead, lambda: rating.write({"rating": 5}), r"average rating 2.0 is below 3"
        )

    def test_custom_domain(self):
        rule = self._rule("risk_match_domain", domain="[('priority', '=', '3')]")
        lead = self._create_leads(priority="3")
        self._assert_raises_and_closes(
            rule, lead, lambda: lead.write({"priority": "1"}), "matches the rule's condition"
        )

    def test_percentile_against_hand_computed_values_and_fallback(self):
        rule = self._rule("risk_percentile", percentile=80, history_months=6, min_sample=5)
        durations = [2, 4, 6, 8, 10]
        now = self.env.cr.now()
        won = self._create_leads(len(durations), stage_id=self.stage_needs.id)
        won.write({"stage_id": self.stage_won.id})
        self.env.flush_all()
        for lead, days in zip(won, durations, strict=True):
            self.env.cr.execute(
                """UPDATE sales_process_stage_history SET duration_days = %s, date_out = %s
                    WHERE lead_id = %s AND stage_id = %s""",
                (days, now - timedelta(days=10), lead.id, self.stage_needs.id),
            )
        # percentile_cont(0.8) over 2, 4, 6, 8, 10: 8 + 0.2 × (10 - 8) = 8.4
        slow, fast = self._create_leads(2, stage_id=self.stage_needs.id)
        self._set_entered(slow, 9)
        self._set_entered(fast, 8)
        self._scan()
        self.assertRegex(
            self._open(rule, slow).explanation,
            r"9.0 days in the stage, beyond 8.4 days: the 80th percentile of 5 visits",
        )
        self.assertFalse(self._open(rule, fast))
        # below the minimum sample: the stage's time standard (10 days) applies
        rule.min_sample = 6
        self._scan()
        self.assertFalse(self._open(rule, slow))
        self._set_entered(slow, 11)
        self._scan()
        self.assertRegex(self._open(rule, slow).explanation, "only 5 won visits, fewer than 6")

    def test_scope_teams_stages_and_won_leads(self):
        rule = self._rule("risk_match_domain", domain="[]", stage_ids=[(6, 0, self.stage_reception.ids)])
        inside = self._create_leads()
        other_team = self._create_leads(team_id=self.team_2.id)
        other_stage = self._create_leads(stage_id=self.stage_needs.id)
        self._scan()
        self.assertEqual(self._open(rule).lead_id, inside)
        inside.write({"stage_id": self.stage_won.id})
        self.assertFalse(self._open(rule), "a won lead is out of scope: its flag closes in the move")
        self.assertFalse(self._open(rule, other_team | other_stage))

    def test_bad_input(self):
        cases = [
            ({"criterion": "risk_idle", "idle_days": 0}, "must be positive"),
            ({"criterion": "risk_large_amount", "amount_threshold": -5}, "must be positive"),
            ({"criterion": "risk_percentile", "percentile": 100}, "between 1 and 99"),
            ({"criterion": "risk_percentile", "percentile": 0}, "between 1 and 99"),
            ({"criterion": "risk_percentile", "min_sample": 0}, "must be positive"),
            ({"criterion": "risk_match_domain", "domain": "[('nope', '=', 1)]"}, "is invalid"),
            ({"criterion": "risk_satisfaction", "min_rating": 7}, "between|above 1"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaisesMessage(ValidationError, message):
                self._rule(values.pop("criterion"), **values)
        team_c2 = self.env["crm.team"].create({"name": "SPM Team C2", "company_id": self.company_2.id})
        with self.assertRaisesMessage(ValidationError, "teams of another company"):
            self._rule("risk_overdue", team_ids=[(6, 0, team_c2.ids)], company_id=self.company.id)
        self.assertFalse(self.Rule.search([("name", "=like", "SPM risk_%")]))
        # the same error, translated for an administrator working in Chinese, names the rule
        self.env["res.lang"]._activate_lang("zh_CN")
        with self.assertRaisesMessage(
            ValidationError, "风险规则 SPM risk_percentile：百分位数必须在 1 到 99 之间（当前为 100）。"
        ):
            self.Rule.with_context(lang="zh_CN").create(
                {"name": "SPM risk_percentile", "criterion": "risk_percentile", "percentile": 100}
            )
        self.assertFalse(self.Rule.search([("name", "=like", "SPM risk_%")]))
