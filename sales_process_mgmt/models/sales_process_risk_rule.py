import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_date

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
RISK_KINDS = [
    ("risk_overdue", "Over the stage time standard"),
    ("risk_near_limit", "Near the stage time limit"),
    ("risk_idle", "Idle (no activity done, no message)"),
    ("risk_exit_criteria", "Exit criteria of the current stage not met"),
    ("risk_close_date", "Expected closing date passed"),
    ("risk_pushed_back", "Expected closing date pushed back"),
    ("risk_large_amount", "Large amount without an Accountable person"),
    ("risk_probability", "Probability out of line with the stage"),
    ("risk_satisfaction", "Customer satisfaction below a threshold"),
    ("risk_match_domain", "Matches a custom domain"),
    ("risk_percentile", "Time in stage beyond the winning visits' percentile"),
]
#: Kinds cheap enough to re-evaluate on the leads of a move or reassignment, in its transaction.
CHEAP_KINDS = (
    "risk_overdue",
    "risk_near_limit",
    "risk_exit_criteria",
    "risk_close_date",
    "risk_large_amount",
    "risk_match_domain",
    "certification",
    "required_fields",
    "checklist",
    "min_probability",
    "domain",
)
#: Kinds whose evaluator needs the stage of the leads (evaluated per stage).
STAGE_KINDS = ("risk_exit_criteria", "certification", "checklist")


class SalesProcessRiskRule(models.Model):
    """A risk indicator (风险评估指标): a condition whose failure raises a flag on the lead.

    Reuses the shared condition mechanism (``sales.process.condition``): a kind with
    its parameters and a set-based evaluator ``_evaluate_<kind>(leads, stage)`` returning
    ``{lead_id: explanation}``. The risk kinds below read the leads, their stage history,
    messages, tracking and ratings with one SQL query per rule over all the leads scanned.
    """

    _name = "sales.process.risk.rule"
    _inherit = ["sales.process.condition"]
    _description = "Risk Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    criterion = fields.Selection(
        selection_add=RISK_KINDS,
        ondelete=dict.fromkeys((kind for kind, __ in RISK_KINDS), "cascade"),
        string="Kind",
        default="risk_overdue",
    )
    severity = fields.Selection(SEVERITIES, required=True, default="medium")
    team_ids = fields.Many2many("crm.team", string="Sales Teams", help="Empty: every team.")
    stage_ids = fields.Many2many("crm.stage", string="Stages", help="Empty: every stage.")
    warn_salesperson = fields.Boolean(string="Warn the Salesperson", default=True)
    warn_accountable = fields.Boolean(string="Warn the Accountable")
    warn_team_leader = fields.Boolean(string="Warn the Team Leader")
    create_activity = fields.Boolean(help="Schedule an activity for the warned people on the opportunity.")
    require_resolution_note = fields.Boolean(help="A flag of this rule is resolved only with a note.")
    # Parameters of the risk kinds
    idle_days = fields.Integer(default=14, help="Idle: days without an activity done or a message.")
    max_pushbacks = fields.Integer(string="Maximum Push-backs", default=2)
    amount_threshold = fields.Float(help="Large amount: expected revenue above which an Accountable is needed.")
    probability_gap = fields.Float(
        string="Probability Gap (points)",
        default=30,
        help="How far the probability may be from the median of the stage's open opportunities.",
    )
    min_rating = fields.Float(string="Minimum Average Rating", default=3, help="Ratings go from 1 to 5.")
    percentile = fields.Integer(default=80)
    history_months = fields.Integer(string="History (months)", default=12)
    min_sample = fields.Integer(string="Minimum Sample", default=20)
    expiry_days = fields.Integer(
        string="Expiring Within (days)",
        help="Certification: a certification that ends within this many days counts as well (0: only missing "
        "or expired ones).",
    )
    flag_ids = fields.One2many("sales.process.risk.flag", "rule_id", string="Flags")
    open_flag_count = fields.Integer(string="Flags in Force", compute="_compute_open_flag_count")
    is_cheap = fields.Boolean(
        string="Checked on Moves",
        compute="_compute_is_cheap",
        help="Re-evaluated on the leads of every move or reassignment.",
    )

    def _compute_open_flag_count(self):
        groups = self.env["sales.process.risk.flag"]._read_group(
            [("rule_id", "in", self.ids), ("is_active", "=", True)], ["rule_id"], ["__count"]
        )
        counts = {rule.id: count for rule, count in groups}
        for rule in self:
            rule.open_flag_count = counts.get(rule.id, 0)

    @api.depends("criterion")
    def _compute_is_cheap(self):
        for rule in self:
            rule.is_cheap = rule.criterion in CHEAP_KINDS

    @api.constrains(
        "criterion",
        "idle_days",
        "max_pushbacks",
        "amount_threshold",
        "probability_gap",
        "min_rating",
        "percentile",
        "history_months",
        "min_sample",
        "expiry_days",
    )
    def _check_risk_parameters(self):
        positive = {
            "risk_idle": ["idle_days"],
            "risk_pushed_back": ["max_pushbacks"],
            "risk_large_amount": ["amount_threshold"],
            "risk_probability": ["probability_gap"],
            "risk_percentile": ["history_months", "min_sample"],
        }
        for rule in self:
            for fname in positive.get(rule.criterion, ()):
                if rule[fname] <= 0:
                    raise ValidationError(
                        _(
                            "Risk rule %(rule)s: %(field)s must be positive (got %(value)s).",
                            rule=rule.display_name,
                            field=rule._fields[fname].get_description(self.env)["string"],
                            value=rule[fname],
                        )
                    )
            if rule.expiry_days < 0:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s: the days before expiry cannot be negative (got %(value)s).",
                        rule=rule.display_name,
                        value=rule.expiry_days,
                    )
                )
            if rule.criterion == "risk_percentile" and not 1 <= rule.percentile <= 99:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s: the percentile must be between 1 and 99 (got %(value)s).",
                        rule=rule.display_name,
                        value=rule.percentile,
                    )
                )
            if rule.criterion == "risk_satisfaction" and not 1 < rule.min_rating <= 5:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s: the minimum rating must be above 1 and at most 5 (got %(value)s).",
                        rule=rule.display_name,
                        value=rule.min_rating,
                    )
                )
            if rule.criterion == "risk_match_domain":
                rule._get_domain()

    @api.constrains("company_id", "team_ids")
    def _check_company_teams(self):
        for rule in self.filtered("company_id"):
            foreign = rule.team_ids.filtered(lambda t, rule=rule: t.company_id and t.company_id != rule.company_id)
            if foreign:
                raise ValidationError(
                    _(
                        "Risk rule %(rule)s of %(company)s cannot apply to the teams of another company: %(teams)s.",
                        rule=rule.display_name,
                        company=rule.company_id.name,
                        teams=", ".join(foreign.mapped("name")),
                    )
                )

    def unlink(self):
        # the flags go with the rule (ondelete cascade, in the database): their leads' levels are set again
        groups = (
            self.env["sales.process.risk.flag"]
            .sudo()
            ._read_group([("rule_id", "in", self.ids), ("is_active", "=", True)], ["lead_id"])
        )
        result = super().unlink()
        self.env["crm.lead"]._sales_process_refresh_risk_level([lead.id for (lead,) in groups])
        return result

    def _describe(self):
        self.ensure_one()
        return _("Risk rule %(rule)s", rule=self.display_name)

    # ------------------------------------------------------------------
    # Scope and evaluation
    # ------------------------------------------------------------------

    def _get_scope_domain(self):
        """Open opportunities the rule watches: its company, teams and stages."""
        self.ensure_one()
        domain = [("type", "=", "opportunity"), ("active", "=", True), ("stage_id.is_won", "=", False)]
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id.id, False]))
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.stage_ids:
            domain.append(("stage_id", "in", self.stage_ids.ids))
        return domain

    def _get_scope_sql(self, lead_ids=None):
        """The ids of the rule's scope (restricted to ``lead_ids``) as an SQL subquery: nothing is fetched."""
        self.ensure_one()
        domain = self._get_scope_domain()
        if lead_ids is not None:
            domain = expression.AND([domain, [("id", "in", list(lead_ids))]])
        return self.env["crm.lead"].sudo()._search(domain).subselect()

    def _get_risk_sql(self, lead_ids=None):
        """SQL selecting ``(lead_id, vals)`` of the leads of the scope at risk.

        ``vals`` (jsonb) holds the measured values, thresholds and record ids the
        explanation is written from when it is read, in the reader's language
        (``_format_explanation``). Each kind computes its pairs and values in one
        query (``_risk_sql_<kind>``); the kinds of the stage gates without one are
        evaluated by their Python evaluator and handed over as a list.
        """
        self.ensure_one()
        rule = self.sudo()
        scope = rule._get_scope_sql(lead_ids)
        method = getattr(rule, f"_risk_sql_{rule.criterion}", None)
        if method:
            return method(scope)
        return rule._risk_sql_from_evaluator(scope)

    def _risk_sql_from_evaluator(self, scope, stage_ids=None):
        """The kinds evaluated in Python (their ``_evaluate_<kind>`` per stage) handed over as SQL rows.

        :param stage_ids: only the leads of these stages can fail (the others are not read)
        """
        stage_filter = SQL("AND l.stage_id = ANY(%s)", list(stage_ids)) if stage_ids is not None else SQL()
        rows = self._fetch(SQL("SELECT l.id FROM crm_lead l WHERE l.id IN (%s) %s", scope, stage_filter))
        leads = self.env["crm.lead"].sudo().browse(row[0] for row in rows)
        failing = {}
        if leads:
            evaluator = getattr(self, f"_evaluate_{self.criterion}")
            for stage, group in leads.grouped("stage_id").items():
                failing.update(evaluator(group, stage))
        return self._risk_sql_values(failing)

    def _risk_sql_values(self, values):
        """SQL rows ``(lead_id, vals)`` of ``values`` {lead_id: reason text or values dict}."""
        return SQL(
            "SELECT v.lead_id, v.vals FROM unnest(%s::int[], %s::jsonb[]) v(lead_id, vals)",
            list(values),
            [json.dumps(v if isinstance(v, dict) else {"text": v}) for v in values.values()],
        )

    def _evaluate_risk(self, leads):
        """{lead_id: explanation values} of the leads of ``leads`` (in the rule's scope) at risk."""
        self.ensure_one()
        if not leads:
            return {}
        self.env.flush_all()
        return dict(self._fetch(self._get_risk_sql(leads.ids)))

    def _fetch(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    # ------------------------------------------------------------------
    # The kinds' queries: (lead_id, jsonb values) of the leads at risk
    # ------------------------------------------------------------------

    def _risk_sql_risk_overdue(self, scope):
        return SQL(
            """
            SELECT l.id, jsonb_build_object(
                       'days', round((EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update))
                                      / 86400)::numeric, 1),
                       'limit', s.max_days)
              FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id
             WHERE l.id IN (%s) AND l.stage_deadline < (now() at time zone 'utc')
            """,
            scope,
        )

    def _risk_sql_risk_near_limit(self, scope):
        return SQL(
            """
            SELECT l.id, jsonb_build_object('deadline', l.stage_deadline::date)
              FROM crm_lead l
             WHERE l.id IN (%s) AND l.stage_warning_date <= (now() at time zone 'utc')
               AND l.stage_deadline >= (now() at time zone 'utc')
            """,
            scope,
        )

    def _risk_sql_risk_idle(self, scope):
        """No message and no activity done (its message) on the lead for ``idle_days`` days."""
        return SQL(
            """
            SELECT l.id, jsonb_build_object('days', %(days)s)
              FROM crm_lead l
             WHERE l.id IN (%(scope)s) AND l.create_date < %(since)s
               AND NOT EXISTS (
                   SELECT 1 FROM mail_message m
                    WHERE m.model = 'crm.lead' AND m.res_id = l.id AND m.date >= %(since)s
                      AND (m.message_type IN ('comment', 'email', 'email_outgoing')
                           OR m.mail_activity_type_id IS NOT NULL))
            """,
            scope=scope,
            days=self.idle_days,
            since=self.env.cr.now() - timedelta(days=self.idle_days),
        )

    def _risk_sql_risk_exit_criteria(self, scope):
        """The leads of stages with exit criteria, evaluated by the stage's own gates."""
        gates = self.env["sales.process.stage.gate"].sudo().search([])
        return self._risk_sql_from_evaluator(scope, stage_ids=gates.stage_id.ids)

    def _evaluate_risk_exit_criteria(self, leads, stage):
        """{lead_id: {"gates": [[gate id, the gate's values], ...]}}: the gate's name and reason are
        written from them when read, in the reader's language."""
        failures = stage.gate_ids._evaluate_values(leads)
        return {
            lead_id: {"gates": [[gate.id, values] for gate, values in items]} for lead_id, items in failures.items()
        }

    def _risk_sql_risk_close_date(self, scope):
        return SQL(
            "SELECT l.id, jsonb_build_object('date', l.date_deadline) FROM crm_lead l"
            " WHERE l.id IN (%s) AND l.date_deadline < %s",
            scope,
            fields.Date.context_today(self),
        )

    def _risk_sql_risk_pushed_back(self, scope):
        """Push-backs: tracked changes of the expected closing date to a later date."""
        field = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        return SQL(
            """
            SELECT m.res_id, jsonb_build_object('count', count(*), 'maximum', %(maximum)s)
              FROM mail_tracking_value t
              JOIN mail_message m ON m.id = t.mail_message_id
             WHERE m.model = 'crm.lead' AND m.res_id IN (%(scope)s) AND t.field_id = %(field)s
               AND t.old_value_datetime IS NOT NULL AND t.new_value_datetime > t.old_value_datetime
             GROUP BY m.res_id
            HAVING count(*) > %(maximum)s
            """,
            scope=scope,
            field=field.id,
            maximum=self.max_pushbacks,
        )

    def _risk_sql_risk_large_amount(self, scope):
        """Above the threshold, and no Accountable resolved for the lead's (stage, team, company, salesperson).

        The responsibility matrix is resolved once per distinct combination of the
        large leads (one representative each), not per lead.
        """
        large = SQL(
            "SELECT l.id FROM crm_lead l WHERE l.id IN (%s) AND l.expected_revenue > %s", scope, self.amount_threshold
        )
        rows = self._fetch(
            SQL(
                """
                SELECT min(l.id) FROM crm_lead l WHERE l.id IN (%s)
                 GROUP BY l.stage_id, l.team_id, l.company_id, l.user_id
                """,
                large,
            )
        )
        representatives = self.env["crm.lead"].sudo().browse(row[0] for row in rows)
        resolution = self.env["sales.process.responsibility"]._resolve(representatives, roles=["accountable"])
        covered = [lead.id for lead in representatives if resolution.get(lead.id, {}).get("accountable")]
        return SQL(
            """
            SELECT l.id, jsonb_build_object('amount', l.expected_revenue, 'threshold', %(threshold)s)
              FROM crm_lead l
             WHERE l.id IN (%(large)s) AND NOT EXISTS (
                   SELECT 1 FROM crm_lead r
                    WHERE r.id = ANY(%(covered)s) AND r.stage_id IS NOT DISTINCT FROM l.stage_id
                      AND r.team_id IS NOT DISTINCT FROM l.team_id AND r.company_id IS NOT DISTINCT FROM l.company_id
                      AND r.user_id IS NOT DISTINCT FROM l.user_id)
            """,
            threshold=self.amount_threshold,
            large=large,
            covered=covered,
        )

    def _risk_sql_risk_probability(self, scope):
        """Probability farther than the gap from the median probability of the stage's open opportunities."""
        return SQL(
            """
            WITH scoped AS MATERIALIZED (
                SELECT l.id, l.stage_id, l.probability FROM crm_lead l WHERE l.id IN (%(scope)s)
            ), ref AS (
                SELECT o.stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY o.probability) AS median
                  FROM crm_lead o
                 WHERE o.active AND o.type = 'opportunity' AND o.stage_id IN (SELECT stage_id FROM scoped)
                 GROUP BY o.stage_id
            )
            SELECT l.id, jsonb_build_object('value', round(l.probability::numeric, 1), 'gap', %(gap)s,
                                            'median', round(ref.median::numeric, 1))
              FROM scoped l JOIN ref ON ref.stage_id = l.stage_id
             WHERE abs(l.probability - ref.median) > %(gap)s
            """,
            scope=scope,
            gap=self.probability_gap,
        )

    def _risk_sql_risk_satisfaction(self, scope):
        """Average rating given by the lead's customer (all its rated opportunities) below the minimum."""
        return SQL(
            """
            WITH scoped AS MATERIALIZED (
                SELECT l.id, l.partner_id FROM crm_lead l WHERE l.id IN (%(scope)s) AND l.partner_id IS NOT NULL
            ), customer AS (
                SELECT r.partner_id, avg(r.rating) AS value, count(*) AS n
                  FROM rating_rating r
                 WHERE r.res_model = 'crm.lead' AND r.consumed AND r.rating > 0
                   AND r.partner_id IN (SELECT partner_id FROM scoped)
                 GROUP BY r.partner_id
                HAVING avg(r.rating) < %(minimum)s
            )
            SELECT l.id, jsonb_build_object('value', round(c.value::numeric, 2), 'minimum', %(minimum)s, 'count', c.n)
              FROM scoped l JOIN customer c ON c.partner_id = l.partner_id
            """,
            scope=scope,
            minimum=self.min_rating,
        )

    def _risk_sql_risk_match_domain(self, scope):
        matching = self.env["crm.lead"].sudo().with_context(active_test=False)._search(self._get_domain())
        return SQL(
            "SELECT l.id, '{}'::jsonb FROM crm_lead l WHERE l.id IN (%s) AND l.id IN (%s)", scope, matching.subselect()
        )

    def _risk_sql_domain(self, scope):
        matching = self.env["crm.lead"].sudo().with_context(active_test=False)._search(self._get_domain())
        return SQL(
            "SELECT l.id, '{}'::jsonb FROM crm_lead l WHERE l.id IN (%s) AND l.id NOT IN (%s)",
            scope,
            matching.subselect(),
        )

    def _risk_sql_min_probability(self, scope):
        return SQL(
            """
            SELECT l.id, jsonb_build_object('value', round(l.probability::numeric, 2), 'minimum', %(minimum)s)
              FROM crm_lead l WHERE l.id IN (%(scope)s) AND coalesce(l.probability, 0) < %(minimum)s
            """,
            scope=scope,
            minimum=self.min_probability,
        )

    def _risk_sql_certification(self, scope):
        """Salesperson without a valid certification of a course the stage requires, or one expiring soon.

        As the training gate: a course limited to teams or a company applies to their
        leads only; validity is checked against today, not the status of the daily cron.
        With ``expiry_days``, a certification ending within that many days counts too.
        """
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH required AS (
                SELECT l.id AS lead_id, l.user_id, c.id AS course_id,
                       (SELECT max(coalesce(t.expiry_date, 'infinity'::date))
                          FROM sales_process_training_record t
                         WHERE t.salesperson_id = l.user_id AND t.course_id = c.id AND t.result = 'passed'
                       ) AS valid_until
                  FROM crm_lead l
                  JOIN sales_process_training_course_crm_stage_rel cs ON cs.stage_id = l.stage_id
                  JOIN sales_process_training_course c ON c.id = cs.course_id AND c.active
                 WHERE l.id IN (%(scope)s)
                   AND (c.company_id IS NULL OR c.company_id = l.company_id)
                   AND (NOT EXISTS (SELECT 1 FROM sales_process_training_course_crm_team_rel ct
                                     WHERE ct.course_id = c.id)
                        OR EXISTS (SELECT 1 FROM sales_process_training_course_crm_team_rel ct
                                    WHERE ct.course_id = c.id AND ct.team_id = l.team_id))
            )
            SELECT lead_id, jsonb_build_object(
                       'user', user_id,
                       'missing', coalesce(jsonb_agg(course_id ORDER BY course_id)
                                           FILTER (WHERE valid_until IS NULL OR valid_until <= %(today)s), '[]'),
                       'expiring', coalesce(jsonb_agg(jsonb_build_array(course_id, valid_until) ORDER BY course_id)
                                            FILTER (WHERE valid_until > %(today)s AND valid_until <= %(horizon)s),
                                            '[]'))
              FROM required
             WHERE user_id IS NULL OR valid_until IS NULL OR valid_until <= %(horizon)s
             GROUP BY lead_id, user_id
            """,
            scope=scope,
            today=today,
            horizon=today + timedelta(days=self.expiry_days),
        )

    def _risk_sql_risk_percentile(self, scope):
        """Time in the current stage beyond the P-th percentile of the stage's won visits.

        Stages with fewer won visits than ``min_sample`` fall back to their time standard.
        """
        return SQL(
            """
            WITH scoped AS MATERIALIZED (
                SELECT l.id, l.stage_id, l.date_last_stage_update, l.stage_deadline
                  FROM crm_lead l WHERE l.id IN (%(scope)s) AND l.date_last_stage_update IS NOT NULL
            ), pct AS (
                SELECT h.stage_id, percentile_cont(%(p)s) WITHIN GROUP (ORDER BY h.duration_days) AS value,
                       count(*) AS n
                  FROM sales_process_stage_history h
                  JOIN crm_lead w ON w.id = h.lead_id
                  JOIN crm_stage ws ON ws.id = w.stage_id
                 WHERE h.stage_id IN (SELECT stage_id FROM scoped)
                   AND NOT h.is_open AND h.date_out >= %(since)s AND ws.is_won AND w.active
                 GROUP BY h.stage_id
            ), cur AS (
                SELECT l.id, EXTRACT(EPOCH FROM (now() at time zone 'utc' - l.date_last_stage_update)) / 86400 AS days,
                       l.stage_deadline < (now() at time zone 'utc') AS overdue,
                       coalesce(pct.n, 0) AS n, pct.value
                  FROM scoped l LEFT JOIN pct ON pct.stage_id = l.stage_id
            )
            SELECT id, CASE WHEN n >= %(minimum)s
                       THEN jsonb_build_object('days', round(days::numeric, 1), 'value', round(value::numeric, 1),
                                               'p', %(percentile)s, 'count', n)
                       ELSE jsonb_build_object('days', round(days::numeric, 1), 'count', n, 'minimum', %(minimum)s)
                       END
              FROM cur
             WHERE CASE WHEN n >= %(minimum)s THEN days > value ELSE overdue END
            """,
            scope=scope,
            p=self.percentile / 100.0,
            percentile=self.percentile,
            minimum=self.min_sample,
            since=self.env.cr.now() - timedelta(days=round(30.44 * self.history_months)),
        )

    # ------------------------------------------------------------------
    # Explanations, written when read, in the reader's language
    # ------------------------------------------------------------------

    def _format_explanation(self, vals):
        """The explanation of a flag of this rule from its stored values, in the environment's language."""
        self.ensure_one()
        vals = vals or {}
        if "text" in vals:
            return vals["text"]
        if "gates" in vals:
            gates = self.env["sales.process.stage.gate"].sudo().with_context(active_test=False)
            return "; ".join(
                f"{gate.name}: {gate._format_reason(values)}"
                for gate, values in ((gates.browse(gate_id), values) for gate_id, values in vals["gates"])
            )
        kind = self.criterion
        if kind == "risk_overdue":
            return self.env._(
                "%(days)s days in the stage, beyond its time limit of %(limit)s days",
                days=vals.get("days"),
                limit=vals.get("limit"),
            )
        if kind == "risk_near_limit":
            return self.env._(
                "the stage's time limit is reached on %(deadline)s", deadline=self._format_date(vals.get("deadline"))
            )
        if kind == "risk_idle":
            return self.env._("no activity done and no message for %(days)s days", days=vals.get("days"))
        if kind == "risk_close_date":
            return self.env._("expected closing date %(date)s has passed", date=self._format_date(vals.get("date")))
        if kind == "risk_pushed_back":
            return self.env._(
                "expected closing date pushed back %(count)s times (more than %(maximum)s)",
                count=vals.get("count"),
                maximum=vals.get("maximum"),
            )
        if kind == "risk_large_amount":
            return self.env._(
                "expected revenue %(amount)s above %(threshold)s and no Accountable person",
                amount=vals.get("amount"),
                threshold=vals.get("threshold"),
            )
        if kind == "risk_probability":
            return self.env._(
                "probability %(value)s%% is more than %(gap)s points from the stage's median %(median)s%%",
                value=vals.get("value"),
                gap=vals.get("gap"),
                median=vals.get("median"),
            )
        if kind == "risk_satisfaction":
            return self.env._(
                "customer's average rating %(value)s is below %(minimum)s (%(count)s ratings)",
                value=vals.get("value"),
                minimum=vals.get("minimum"),
                count=vals.get("count"),
            )
        if kind == "risk_match_domain":
            return self.env._("matches the rule's condition")
        if kind == "risk_percentile":
            if "value" in vals:
                return self.env._(
                    "%(days)s days in the stage, beyond %(value)s days: the %(p)sth percentile "
                    "of %(count)s visits that ended in a win",
                    days=vals.get("days"),
                    value=vals.get("value"),
                    p=vals.get("p"),
                    count=vals.get("count"),
                )
            return self.env._(
                "%(days)s days in the stage, beyond its time standard (only %(count)s won visits, "
                "fewer than %(minimum)s)",
                days=vals.get("days"),
                count=vals.get("count"),
                minimum=vals.get("minimum"),
            )
        # the kinds of the stage gates (certification, checklist, ...): their own formatter
        return self._format_reason(vals)

    def _format_date(self, value):
        return format_date(self.env, value) if value else ""
