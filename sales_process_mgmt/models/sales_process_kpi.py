from collections import namedtuple
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

KPI_KINDS = [
    ("won_revenue", "Won revenue"),
    ("won_count", "Won opportunities"),
    ("new_count", "New opportunities"),
    ("win_rate", "Win rate"),
    ("cycle_avg", "Average sales cycle"),
    ("cycle_median", "Median sales cycle"),
    ("stage_conversion", "Stage conversion"),
    ("stage_time_avg", "Average time in stage"),
    ("stage_time_median", "Median time in stage"),
    ("within_standard", "Visits within the standard"),
    ("overdue_visits", "Overdue visits"),
    ("first_activity_days", "Days to first activity"),
    ("activities_on_time", "Activities done on time"),
    ("training_compliance", "Training compliance"),
    ("satisfaction_avg", "Customer satisfaction (average rating)"),
    ("satisfaction_pct", "Satisfied customers"),
    ("lost_count", "Lost opportunities"),
    ("pipeline_velocity", "Pipeline velocity"),
    ("custom", "Custom"),
]
# Kinds that read the stage history and take a stage.
STAGE_KINDS = ("stage_conversion", "stage_time_avg", "stage_time_median")
# Satisfied: a rating of 4 or 5 (rating's RATING_LIMIT_SATISFIED).
SATISFIED_RATING = 4
CUSTOM_MODELS = [("crm.lead", "Opportunities"), ("sales.process.stage.history", "Stage Visits")]

#: Whom a KPI is computed for: ``field`` is ``user_id`` or ``team_id`` (on leads, visits),
#: ``ids`` the members, ``company_id`` the only company whose rows count.
KpiScope = namedtuple("KpiScope", "field ids company_id")


def period_bounds(period_start, period_end):
    """Datetimes [start, end) of the days ``period_start`` .. ``period_end`` (UTC)."""
    return datetime.combine(period_start, time.min), datetime.combine(period_end + timedelta(days=1), time.min)


class SalesProcessKpi(models.Model):
    """A key indicator of the sales process (评估指标).

    Built-in kinds read the leads, the stage history, activities, ratings and the
    training matrix; each has a method ``_compute_<kind>(period_start, period_end, scope)``
    returning ``{member_id: value}`` for every member of ``scope`` in a bounded number
    of set queries (never per lead or per member). A member without data is absent
    (or None): "no data", never 0 %. Amounts are the leads' expected revenue, in the
    currency of their company; only rows of ``scope.company_id`` count.
    """

    _name = "sales.process.kpi"
    _description = "Sales Process KPI"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    kind = fields.Selection(KPI_KINDS, string="Source", required=True, default="won_revenue")
    unit = fields.Selection(
        [("amount", "Amount"), ("count", "Count"), ("percent", "%"), ("days", "Days"), ("score", "Score")],
        required=True,
        default="count",
    )
    direction = fields.Selection(
        [("higher", "Higher is better"), ("lower", "Lower is better")], required=True, default="higher"
    )
    default_weight = fields.Float(default=1.0, help="Weight of the KPI in new scorecards.")
    default_target = fields.Float(
        help="Target used when no target is set for the member and period (0: none). "
        "Time-in-stage KPIs fall back to the stage's time limit."
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", ondelete="cascade")
    conversion_to = fields.Selection(
        [("next", "A later stage"), ("won", "Won")],
        string="Converted When",
        default="next",
        help="Stage conversion: a visit converts when the lead moves on to a later stage, or when it is won.",
    )
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", help="Empty: every reason.")
    custom_model = fields.Selection(CUSTOM_MODELS, string="Model", default="crm.lead")
    custom_domain = fields.Char(string="Domain", default="[]")
    custom_aggregate = fields.Selection(
        [("count", "Count"), ("sum", "Sum"), ("avg", "Average")], string="Aggregate", default="count"
    )
    custom_field_id = fields.Many2one(
        "ir.model.fields",
        string="Field",
        domain="[('model', '=', custom_model), ('store', '=', True),"
        " ('ttype', 'in', ('integer', 'float', 'monetary'))]",
        ondelete="cascade",
    )
    custom_date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Date Field",
        domain="[('model', '=', custom_model), ('store', '=', True), ('ttype', 'in', ('date', 'datetime'))]",
        ondelete="cascade",
        help="Places a row in a period.",
    )

    _sql_constraints = [
        ("code_company_uniq", "UNIQUE NULLS NOT DISTINCT (code, company_id)", "The KPI code must be unique."),
    ]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("default_weight")
    def _check_default_weight(self):
        for kpi in self:
            if kpi.default_weight < 0:
                raise ValidationError(
                    _(
                        "KPI %(kpi)s: the Default Weight cannot be negative (got %(weight)s).",
                        kpi=kpi.name,
                        weight=kpi.default_weight,
                    )
                )

    @api.constrains("kind", "stage_id")
    def _check_stage(self):
        for kpi in self:
            if kpi.kind in STAGE_KINDS and not kpi.stage_id:
                raise ValidationError(_("KPI %(kpi)s: the Stage is required for this source.", kpi=kpi.name))

    @api.constrains(
        "kind", "custom_model", "custom_domain", "custom_aggregate", "custom_field_id", "custom_date_field_id"
    )
    def _check_custom(self):
        for kpi in self.filtered(lambda k: k.kind == "custom"):
            if not kpi.custom_model or not kpi.custom_date_field_id:
                raise ValidationError(_("KPI %(kpi)s: a custom KPI needs a Model and a Date Field.", kpi=kpi.name))
            for field in kpi.custom_field_id | kpi.custom_date_field_id:
                if field.model != kpi.custom_model:
                    raise ValidationError(
                        _(
                            "KPI %(kpi)s: the field %(field)s is not a field of the model.",
                            kpi=kpi.name,
                            field=field.field_description,
                        )
                    )
            if kpi.custom_aggregate != "count":
                field = kpi.custom_field_id
                if not field or field.ttype not in ("integer", "float", "monetary") or not field.store:
                    raise ValidationError(
                        _(
                            "KPI %(kpi)s: the Field must be a stored numeric field to be summed or averaged.",
                            kpi=kpi.name,
                        )
                    )
            try:
                domain = expression.normalize_domain(safe_eval(kpi.custom_domain or "[]"))
                self.env[kpi.custom_model].sudo().with_context(active_test=False).search_count(
                    expression.AND([domain, [("id", "=", 0)]])
                )
            except Exception as error:
                raise ValidationError(
                    _(
                        "KPI %(kpi)s: the Domain %(domain)s is invalid: %(error)s",
                        kpi=kpi.name,
                        domain=kpi.custom_domain,
                        error=error,
                    )
                ) from error

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    def _compute_values(self, period_start, period_end, scope):
        """{member_id: value or None} of this KPI for every member of ``scope`` over one period."""
        values = self._compute_periods([(period_start, period_end)], scope)
        return {member_id: values.get((0, member_id)) for member_id in scope.ids}

    def _compute_periods(self, periods, scope):
        """{(period index, member_id): value} of this KPI over ``periods`` [(first day, last day)].

        Each kind ``k`` has ``_compute_k(periods, scope)``: a bounded number of set queries
        whatever the number of periods, members and rows (the periods are joined as a
        VALUES list), so that a year of monthly scorecards costs the queries of one.
        Missing keys (or None) mean no data.
        """
        self.ensure_one()
        if not scope.ids or not periods:
            return {}
        self.env.flush_all()
        return getattr(self, f"_compute_{self.kind}")(periods, scope)

    @staticmethod
    def _periods_values(periods):
        """``(VALUES (index, start, end), ...) AS p(idx, ps, pe)``: the periods as datetimes [ps, pe)."""
        rows = [
            SQL("(%s, %s::timestamp, %s::timestamp)", index, *period_bounds(*period))
            for index, period in enumerate(periods)
        ]
        return SQL("(VALUES %s) AS p(idx, ps, pe)", SQL(", ").join(rows))

    @classmethod
    def _periods(cls, periods, column):
        """``JOIN`` placing each row in its period by ``column``: ``p.idx`` is the period's index.

        Consecutive periods (a scorecard's previous and own period, twelve months...) cost one
        ``width_bucket`` per row over their bounds; others are joined as a VALUES list.
        """
        bounds = [period_bounds(*period) for period in periods]
        if all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1)):
            thresholds = [start for start, __ in bounds] + [bounds[-1][1]]
            return SQL(
                "JOIN LATERAL (SELECT width_bucket(%s, %s::timestamp[]) - 1 AS idx) AS p ON %s >= %s AND %s < %s",
                column,
                thresholds,
                column,
                thresholds[0],
                column,
                thresholds[-1],
            )
        return SQL("JOIN %s ON %s >= p.ps AND %s < p.pe", cls._periods_values(periods), column, column)

    def _query(self, query):
        """Rows (period, member, value) → {(period, member): value}."""
        self.env.cr.execute(query)
        return {
            (idx, member): (float(value) if value is not None else None)
            for idx, member, value in self.env.cr.fetchall()
        }

    def _ratio_query(self, query):
        """Rows (period, member, numerator, denominator) → {(period, member): 100 × num / den}.

        No denominator: no data.
        """
        self.env.cr.execute(query)
        return {(idx, member): 100.0 * num / den for idx, member, num, den in self.env.cr.fetchall() if den}

    @staticmethod
    def _members(alias, scope):
        column = SQL.identifier(alias, scope.field)
        return column, SQL(
            "%s.company_id = %s AND %s = ANY(%s)", SQL.identifier(alias), scope.company_id, column, list(scope.ids)
        )

    def _won_leads_query(self, periods, scope, select):
        member, where = self._members("l", scope)
        return SQL(
            """
            SELECT p.idx, %(member)s, %(select)s
              FROM crm_lead l
              JOIN crm_stage s ON s.id = l.stage_id
              %(periods)s
             WHERE %(where)s AND l.type = 'opportunity' AND l.active AND s.is_won
          GROUP BY 1, 2
            """,
            member=member,
            select=select,
            where=where,
            periods=self._periods(periods, SQL("l.date_closed")),
        )

    def _compute_won_revenue(self, periods, scope):
        return self._query(self._won_leads_query(periods, scope, SQL("SUM(l.expected_revenue)")))

    def _compute_won_count(self, periods, scope):
        return self._query(self._won_leads_query(periods, scope, SQL("COUNT(*)")))

    def _compute_cycle_avg(self, periods, scope):
        days = SQL("AVG(EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400)")
        return self._query(self._won_leads_query(periods, scope, days))

    def _compute_cycle_median(self, periods, scope):
        days = SQL(
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400)"
        )
        return self._query(self._won_leads_query(periods, scope, days))

    def _compute_new_count(self, periods, scope):
        member, where = self._members("l", scope)
        return self._query(
            SQL(
                """
            SELECT p.idx, %s, COUNT(*)
              FROM crm_lead l %s
             WHERE %s AND l.type = 'opportunity'
          GROUP BY 1, 2
            """,
                member,
                self._periods(periods, SQL("l.create_date")),
                where,
            )
        )

    def _compute_win_rate(self, periods, scope):
        member, where = self._members("l", scope)
        return self._ratio_query(
            SQL(
                """
            SELECT p.idx, %(member)s,
                   COUNT(*) FILTER (WHERE l.active AND s.is_won),
                   COUNT(*) FILTER (WHERE (l.active AND s.is_won) OR (NOT l.active AND l.probability = 0))
              FROM crm_lead l
         LEFT JOIN crm_stage s ON s.id = l.stage_id
              %(periods)s
             WHERE %(where)s AND l.type = 'opportunity'
          GROUP BY 1, 2
            """,
                member=member,
                where=where,
                periods=self._periods(periods, SQL("l.date_closed")),
            )
        )

    def _compute_lost_count(self, periods, scope):
        member, where = self._members("l", scope)
        reason = SQL("l.lost_reason_id = %s", self.lost_reason_id.id) if self.lost_reason_id else SQL("TRUE")
        return self._query(
            SQL(
                """
            SELECT p.idx, %s, COUNT(*)
              FROM crm_lead l %s
             WHERE %s AND l.type = 'opportunity' AND NOT l.active AND l.probability = 0 AND %s
          GROUP BY 1, 2
            """,
                member,
                self._periods(periods, SQL("l.date_closed")),
                where,
                reason,
            )
        )

    def _visits_query(self, periods, scope, select, extra=None):
        """Closed visits (of the KPI's stage, if any) that ended in each period, grouped by member."""
        member, where = self._members("h", scope)
        stage = SQL("h.stage_id = %s", self.stage_id.id) if self.stage_id else SQL("TRUE")
        return SQL(
            """
            SELECT p.idx, %(member)s, %(select)s
              FROM sales_process_stage_history h
              %(periods)s
             WHERE %(where)s AND %(stage)s AND NOT h.is_open AND %(extra)s
          GROUP BY 1, 2
            """,
            member=member,
            select=select,
            where=where,
            stage=stage,
            periods=self._periods(periods, SQL("h.date_out")),
            extra=extra or SQL("TRUE"),
        )

    def _compute_stage_time_avg(self, periods, scope):
        return self._query(self._visits_query(periods, scope, SQL("AVG(h.duration_days)")))

    def _compute_stage_time_median(self, periods, scope):
        select = SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY h.duration_days)")
        return self._query(self._visits_query(periods, scope, select))

    def _compute_within_standard(self, periods, scope):
        select = SQL("COUNT(*) FILTER (WHERE h.overdue IS NOT TRUE), COUNT(*)")
        return self._ratio_query(self._visits_query(periods, scope, select))

    def _compute_overdue_visits(self, periods, scope):
        return self._query(self._visits_query(periods, scope, SQL("COUNT(*)"), extra=SQL("h.overdue")))

    def _compute_stage_conversion(self, periods, scope):
        if self.conversion_to == "won":
            converted = SQL(
                "COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM crm_lead l JOIN crm_stage s ON s.id = l.stage_id"
                " WHERE l.id = h.lead_id AND l.active AND s.is_won))"
            )
        else:
            # forward: to a stage after this one in the pipeline's order (sequence, then id)
            converted = SQL(
                "COUNT(*) FILTER (WHERE h.exit_type = 'moved' AND h.next_stage_id = ANY(%s))",
                self._later_stages().ids,
            )
        return self._ratio_query(
            self._visits_query(
                periods,
                scope,
                SQL("%s, COUNT(*)", converted),
                extra=SQL("h.exit_type IN ('moved', 'lost')"),
            )
        )

    def _later_stages(self):
        stage = self.stage_id
        stages = self.env["crm.stage"].sudo().with_context(active_test=False).search([])
        return stages.filtered(lambda s: (s.sequence, s.id) > (stage.sequence, stage.id))

    def _compute_first_activity_days(self, periods, scope):
        member, where = self._members("l", scope)
        return self._query(
            SQL(
                """
            WITH leads AS (
                SELECT l.id, p.idx, %(member)s AS member, l.create_date
                  FROM crm_lead l %(periods)s
                 WHERE %(where)s AND l.type = 'opportunity'
            ), activities AS (
                SELECT a.res_id, MIN(a.create_date) AS first
                  FROM mail_activity a JOIN leads ON leads.id = a.res_id
                 WHERE a.res_model = 'crm.lead'
              GROUP BY 1
            ), messages AS (
                SELECT m.res_id, MIN(m.date) AS first
                  FROM mail_message m JOIN leads ON leads.id = m.res_id
                 WHERE m.model = 'crm.lead' AND m.mail_activity_type_id IS NOT NULL
              GROUP BY 1
            )
            SELECT leads.idx, leads.member,
                   AVG(GREATEST(EXTRACT(EPOCH FROM LEAST(a.first, m.first) - leads.create_date), 0) / 86400)
              FROM leads
         LEFT JOIN activities a ON a.res_id = leads.id
         LEFT JOIN messages m ON m.res_id = leads.id
             WHERE a.first IS NOT NULL OR m.first IS NOT NULL
          GROUP BY 1, 2
            """,
                member=member,
                where=where,
                periods=self._periods(periods, SQL("l.create_date")),
            )
        )

    def _compute_activities_on_time(self, periods, scope):
        # Activities due in the period: done by their deadline, or not (done late, still open
        # past it). Done activities count when their type keeps them (Odoo archives them).
        member = SQL("a.user_id") if scope.field == "user_id" else SQL("l.team_id")
        today = fields.Date.context_today(self)
        return self._ratio_query(
            SQL(
                """
            SELECT p.idx, %(member)s,
                   COUNT(*) FILTER (WHERE NOT a.active AND a.date_done <= a.date_deadline),
                   COUNT(*) FILTER (WHERE NOT a.active AND a.date_done IS NOT NULL
                                       OR a.active AND a.date_deadline < %(today)s)
              FROM mail_activity a
              JOIN crm_lead l ON l.id = a.res_id AND a.res_model = 'crm.lead'
              %(periods)s
             WHERE l.company_id = %(company)s AND %(member)s = ANY(%(ids)s)
          GROUP BY 1, 2
            """,
                member=member,
                today=today,
                company=scope.company_id,
                ids=list(scope.ids),
                periods=self._periods(periods, SQL("a.date_deadline")),
            )
        )

    def _compute_training_compliance(self, periods, scope):
        # The training matrix is the current state of the certifications, not a history:
        # every period gets today's compliance.
        matrix = self.env["sales.process.training.matrix"].sudo()
        if scope.field == "user_id":
            values = matrix._get_compliance(self.env["res.users"].browse(scope.ids))
        else:
            values = matrix._get_team_compliance(self.env["crm.team"].browse(scope.ids))
        return {(idx, member): value for idx in range(len(periods)) for member, value in values.items()}

    def _ratings_query(self, periods, scope, select):
        member, where = self._members("l", scope)
        return SQL(
            """
            SELECT p.idx, %s, %s
              FROM rating_rating r
              JOIN crm_lead l ON l.id = r.res_id AND r.res_model = 'crm.lead'
              %s
             WHERE %s AND r.consumed AND r.rating >= 1
          GROUP BY 1, 2
            """,
            member,
            select,
            self._periods(periods, SQL("r.write_date")),
            where,
        )

    def _compute_satisfaction_avg(self, periods, scope):
        return self._query(self._ratings_query(periods, scope, SQL("AVG(r.rating)")))

    def _compute_satisfaction_pct(self, periods, scope):
        select = SQL("COUNT(*) FILTER (WHERE r.rating >= %s), COUNT(*)", SATISFIED_RATING)
        return self._ratio_query(self._ratings_query(periods, scope, select))

    def _compute_pipeline_velocity(self, periods, scope):
        """Open opportunities at the period's end × win rate × average won amount ÷ average cycle days."""
        member, where = self._members("l", scope)
        open_counts = self._query(
            SQL(
                """
            SELECT p.idx, %s, COUNT(*)
              FROM crm_lead l JOIN %s ON l.create_date < p.pe AND (l.date_closed IS NULL OR l.date_closed >= p.pe)
             WHERE %s AND l.type = 'opportunity' AND (l.active OR l.date_closed IS NOT NULL)
          GROUP BY 1, 2
            """,
                member,
                self._periods_values(periods),
                where,
            )
        )
        win_rate = self._compute_win_rate(periods, scope)
        self.env.cr.execute(
            self._won_leads_query(
                periods,
                scope,
                SQL("AVG(l.expected_revenue), AVG(EXTRACT(EPOCH FROM l.date_closed - l.create_date) / 86400)"),
            )
        )
        result = {}
        for idx, member_id, amount, cycle in self.env.cr.fetchall():
            key = (idx, member_id)
            if key in open_counts and win_rate.get(key) is not None and cycle:
                result[key] = open_counts[key] * win_rate[key] / 100 * float(amount) / float(cycle)
        return result

    def _compute_custom(self, periods, scope):
        # One _read_group per period (custom domains are ORM domains).
        Model = self.env[self.custom_model].sudo().with_context(active_test=False)
        date_field = self.custom_date_field_id.name
        aggregate = (
            "__count" if self.custom_aggregate == "count" else f"{self.custom_field_id.name}:{self.custom_aggregate}"
        )
        result = {}
        for idx, (period_start, period_end) in enumerate(periods):
            if self.custom_date_field_id.ttype == "date":
                period = [(date_field, ">=", period_start), (date_field, "<=", period_end)]
            else:
                start, end = period_bounds(period_start, period_end)
                period = [(date_field, ">=", start), (date_field, "<", end)]
            domain = expression.AND(
                [
                    safe_eval(self.custom_domain or "[]"),
                    period,
                    [("company_id", "=", scope.company_id), (scope.field, "in", list(scope.ids))],
                ]
            )
            for member, value in Model._read_group(domain, [scope.field], [aggregate]):
                result[(idx, member.id)] = float(value) if value is not None else None
        return result

    # ------------------------------------------------------------------
    # Drill-down
    # ------------------------------------------------------------------

    def _get_drilldown(self, period_start, period_end, scope_field, member_id, company_id):
        """(model, domain) of the records behind the value of a member."""
        self.ensure_one()
        start, end = period_bounds(period_start, period_end)
        lead_member = [(scope_field, "=", member_id), ("company_id", "=", company_id), ("type", "=", "opportunity")]
        closed = [("date_closed", ">=", start), ("date_closed", "<", end)]
        won = [("active", "=", True), ("stage_id.is_won", "=", True)]
        lost = [("active", "=", False), ("probability", "=", 0)]
        kind = self.kind
        if kind in ("won_revenue", "won_count", "cycle_avg", "cycle_median"):
            return "crm.lead", lead_member + closed + won
        if kind == "win_rate":
            return "crm.lead", lead_member + closed + expression.OR([won, lost])
        if kind == "lost_count":
            reason = [("lost_reason_id", "=", self.lost_reason_id.id)] if self.lost_reason_id else []
            return "crm.lead", lead_member + closed + lost + reason
        if kind in ("new_count", "first_activity_days"):
            return "crm.lead", lead_member + [("create_date", ">=", start), ("create_date", "<", end)]
        if kind == "pipeline_velocity":
            return "crm.lead", lead_member + [("create_date", "<", end)] + expression.OR(
                [[("date_closed", "=", False), ("active", "=", True)], [("date_closed", ">=", end)]]
            )
        if kind in (*STAGE_KINDS, "within_standard", "overdue_visits"):
            domain = [
                (scope_field, "=", member_id),
                ("company_id", "=", company_id),
                ("is_open", "=", False),
                ("date_out", ">=", start),
                ("date_out", "<", end),
            ]
            if self.stage_id:
                domain.append(("stage_id", "=", self.stage_id.id))
            if kind == "overdue_visits":
                domain.append(("overdue", "=", True))
            if kind == "stage_conversion":
                domain.append(("exit_type", "in", ("moved", "lost")))
            return "sales.process.stage.history", domain
        if kind == "activities_on_time":
            member = (
                [("user_id", "=", member_id)]
                if scope_field == "user_id"
                else [
                    (
                        "res_id",
                        "in",
                        self.env["crm.lead"].with_context(active_test=False)._search([("team_id", "=", member_id)]),
                    )
                ]
            )
            return "mail.activity", [
                ("res_model", "=", "crm.lead"),
                ("date_deadline", ">=", period_start),
                ("date_deadline", "<=", period_end),
                *member,
            ]
        if kind in ("satisfaction_avg", "satisfaction_pct"):
            return "rating.rating", [
                ("res_model", "=", "crm.lead"),
                ("consumed", "=", True),
                ("rating", ">=", 1),
                (f"sales_process_lead_id.{scope_field}", "=", member_id),
                ("sales_process_lead_id.company_id", "=", company_id),
                ("write_date", ">=", start),
                ("write_date", "<", end),
            ]
        if kind == "training_compliance":
            if scope_field == "user_id":
                return "sales.process.training.matrix", [("user_id", "=", member_id)]
            return "sales.process.training.matrix", [("user_id.crm_team_ids", "in", member_id)]
        # custom
        date_field = self.custom_date_field_id.name
        return self.custom_model, expression.AND(
            [
                safe_eval(self.custom_domain or "[]"),
                [
                    (date_field, ">=", start),
                    (date_field, "<", end),
                    (scope_field, "=", member_id),
                    ("company_id", "=", company_id),
                ],
            ]
        )
