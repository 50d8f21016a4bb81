from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from .sales_process_kpi import KpiScope
from .sales_process_kpi_target import PERIOD_MONTHS, PERIOD_TYPES, is_period_start, period_end

#: Stored line figures a scorecard preview shows (plus the ids and the improvement measure).
_PREVIEW_LINE_FIELDS = (
    "member_type",
    "actual",
    "has_actual",
    "target",
    "achievement",
    "has_achievement",
    "weight",
    "weighted_score",
    "previous_actual",
    "has_previous",
    "trend",
)

#: Achievement above which a line adds nothing more to the score (%).
ACHIEVEMENT_CAP = 200.0


class SalesProcessEvaluation(models.Model):
    """A scorecard (流程评估): KPIs × members (teams and/or salespeople) over a period.

    *Compute* writes its lines (actual, target, achievement, weighted score, previous
    period and trend) and each member's total score and band; *Done* freezes them:
    the lines are stored values that later changes to leads never alter, and a done
    scorecard cannot be computed again.
    """

    _name = "sales.process.evaluation"
    _description = "Sales Process Scorecard"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="month")
    date_start = fields.Date(string="Start", required=True, index=True)
    date_end = fields.Date(string="End", compute="_compute_date_end", store=True)
    team_ids = fields.Many2many("crm.team", string="Sales Teams", check_company=True)
    user_ids = fields.Many2many("res.users", string="Salespeople")
    kpi_ids = fields.One2many("sales.process.evaluation.kpi", "evaluation_id", string="KPIs", copy=True)
    line_ids = fields.One2many("sales.process.evaluation.line", "evaluation_id", string="Lines")
    score_ids = fields.One2many("sales.process.evaluation.score", "evaluation_id", string="Scores")
    state = fields.Selection(
        [("draft", "Draft"), ("computed", "Computed"), ("done", "Done")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    date_computed = fields.Datetime(string="Computed On", readonly=True, copy=False)
    auto_team_id = fields.Many2one(
        "crm.team",
        string="Created for Team",
        readonly=True,
        copy=False,
        index=True,
        help="The monthly cron created this scorecard for this team.",
    )
    plan_id = fields.Many2one("sales.process.plan", string="Sales Plan", compute="_compute_plan_id")
    plan_channel_ids = fields.One2many("sales.process.plan.channel", compute="_compute_plan_id", string="Channel Mix")
    plan_budget = fields.Monetary(compute="_compute_plan_id", string="Budget")
    plan_actual_spend = fields.Monetary(compute="_compute_plan_id", string="Actual Spend")
    line_count = fields.Integer(compute="_compute_line_count")

    _sql_constraints = [
        (
            "auto_team_period_uniq",
            "UNIQUE (auto_team_id, period_type, date_start)",
            "The monthly scorecard of this team and period already exists.",
        ),
    ]

    @api.depends("period_type", "date_start")
    def _compute_date_end(self):
        for evaluation in self:
            evaluation.date_end = evaluation.date_start and period_end(evaluation.period_type, evaluation.date_start)

    @api.depends("team_ids", "period_type", "date_start")
    def _compute_plan_id(self):
        Plan = self.env["sales.process.plan"]
        for evaluation in self:
            plan = Plan.browse()
            if len(evaluation.team_ids) == 1 and evaluation.date_start:
                plan = Plan.search(
                    [
                        ("team_id", "=", evaluation.team_ids.id),
                        ("period_type", "=", evaluation.period_type),
                        ("date_start", "=", evaluation.date_start),
                        ("state", "!=", "draft"),
                    ],
                    limit=1,
                )
            evaluation.plan_id = plan
            evaluation.plan_channel_ids = plan.channel_ids
            evaluation.plan_budget = plan.budget
            evaluation.plan_actual_spend = plan.actual_spend

    def _compute_line_count(self):
        counts = dict(
            self.env["sales.process.evaluation.line"]._read_group(
                [("evaluation_id", "in", self.ids)], ["evaluation_id"], ["__count"]
            )
        )
        for evaluation in self:
            evaluation.line_count = counts.get(evaluation, 0)

    @api.constrains("period_type", "date_start")
    def _check_period(self):
        for evaluation in self:
            if not is_period_start(evaluation.period_type, evaluation.date_start):
                raise ValidationError(
                    _("Scorecard %(name)s: the Start must be the first day of its period.", name=evaluation.name)
                )

    def write(self, vals):
        if set(vals) - {"state", "date_computed", "message_main_attachment_id"} and any(
            evaluation.state == "done" for evaluation in self
        ):
            frozen = self.filtered(lambda e: e.state == "done")
            raise UserError(_("Scorecard %(name)s is done: it cannot be changed.", name=frozen[0].name))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_compute(self):
        """Compute the lines and scores (refused for a done scorecard)."""
        for evaluation in self:
            if evaluation.state == "done":
                raise UserError(
                    _(
                        "Scorecard %(name)s is done: its figures are frozen and cannot be recomputed.",
                        name=evaluation.name,
                    )
                )
            if not evaluation.kpi_ids:
                raise UserError(_("Scorecard %(name)s has no KPI to compute.", name=evaluation.name))
        self._compute_scorecard()
        return True

    def action_done(self):
        for evaluation in self:
            if evaluation.state != "computed":
                raise UserError(_("Scorecard %(name)s must be computed before it is done.", name=evaluation.name))
        self.write({"state": "done"})
        return True

    def action_reset_draft(self):
        if any(evaluation.state == "done" for evaluation in self):
            raise UserError(_("A done scorecard stays as it is."))
        self.sudo().line_ids.unlink()
        self.sudo().score_ids.unlink()
        self.write({"state": "draft", "date_computed": False})
        return True

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_process_mgmt.sales_process_evaluation_line_action"
        )
        action["domain"] = [("evaluation_id", "=", self.id)]
        action["context"] = {"search_default_group_by_member": 1}
        return action

    @api.readonly
    def get_scorecard_preview(self):
        """The scorecards' figures per member, as the PDF prints them; reads only.

        A computed or done scorecard gives its stored lines (as the reader's record rules
        let them read: a salesperson their own); a draft one is computed in memory, nothing
        written, for Sales Process managers only (it reads every member's leads). Served
        on the read-only cursor (``@api.readonly``), hence from a replica when there is one.

        :return: [{"id", "name", "period", "state", "members": [{"name", "type", "score",
            "band", "lines": [{"kpi", "actual", "target", "achievement", "achievement_pct",
            "weight", "weighted_score", "previous", "trend", "measure", "actions"}]}]}]
        """
        drafts = self.filtered(lambda e: e.state == "draft")
        if drafts and not self.env.user.has_group("sales_process_mgmt.group_sales_process_manager"):
            raise AccessError(
                _("Scorecard %(name)s is not computed: only Sales Process managers preview it.", name=drafts[0].name)
            )
        line_vals = drafts._get_line_vals() if drafts else []
        score_vals = drafts._prepare_score_vals(line_vals) if drafts else []
        Line = self.env["sales.process.evaluation.line"]
        lines = Line.search([("evaluation_id", "in", (self - drafts).ids)])
        for line in lines:
            line_vals.append(
                {
                    **{name: line[name] for name in _PREVIEW_LINE_FIELDS},
                    "evaluation_id": line.evaluation_id.id,
                    "kpi_id": line.kpi_id.id,
                    "user_id": line.user_id.id,
                    "team_id": line.team_id.id,
                    "improvement_measure": line.improvement_measure,
                    "actions": [(action.name, action.state) for action in line.improvement_action_ids],
                }
            )
        scores = self.env["sales.process.evaluation.score"].search([("evaluation_id", "in", (self - drafts).ids)])
        score_vals += [
            {
                "evaluation_id": score.evaluation_id.id,
                "member_type": score.member_type,
                "user_id": score.user_id.id,
                "team_id": score.team_id.id,
                "score": score.score,
                "has_score": score.has_score,
                "band_id": score.band_id.id,
            }
            for score in scores
        ]
        return self._format_preview(line_vals, score_vals)

    def _format_preview(self, line_vals, score_vals):
        """Group the values of lines and scores per scorecard and member, figures formatted."""
        kpis = self.env["sales.process.kpi"].sudo().browse({vals["kpi_id"] for vals in line_vals})
        kpi_names = {kpi.id: kpi.name for kpi in kpis}
        bands = {
            band.id: band.name
            for band in self.env["sales.process.rating.band"]
            .sudo()
            .browse({vals["band_id"] for vals in score_vals if vals["band_id"]})
        }
        names = {
            "user": {
                u.id: u.name
                for u in self.env["res.users"].sudo().browse({v["user_id"] for v in line_vals if v["user_id"]})
            },
            "team": {
                t.id: t.name
                for t in self.env["crm.team"].sudo().browse({v["team_id"] for v in line_vals if v["team_id"]})
            },
        }
        trends = dict(self.env["sales.process.evaluation.line"]._fields["trend"]._description_selection(self.env))
        periods = dict(self._fields["period_type"]._description_selection(self.env))
        states = dict(self.env["sales.process.improvement.action"]._fields["state"]._description_selection(self.env))
        no_data = _("No data")
        members = {}
        for vals in line_vals:
            key = (
                vals["evaluation_id"],
                vals["member_type"],
                vals["user_id"] if vals["member_type"] == "user" else vals["team_id"],
            )
            member = members.setdefault(
                key,
                {"name": names[key[1]].get(key[2], ""), "type": key[1], "score": no_data, "band": "", "lines": []},
            )
            achievement = vals["achievement"] if vals["has_achievement"] else None
            member["lines"].append(
                {
                    "kpi": kpi_names[vals["kpi_id"]],
                    "actual": f"{vals['actual']:,.2f}" if vals["has_actual"] else no_data,
                    "target": f"{vals['target']:,.2f}" if vals["target"] else no_data,
                    "achievement": f"{achievement:.1f} %" if achievement is not None else no_data,
                    "achievement_pct": min(achievement or 0.0, 100.0),
                    "weight": f"{vals['weight']:.1f}",
                    "weighted_score": f"{vals['weighted_score']:.2f}",
                    "previous": f"{vals['previous_actual']:,.2f}" if vals["has_previous"] else no_data,
                    "trend": trends[vals["trend"]],
                    "measure": vals.get("improvement_measure") or "",
                    "actions": [f"{name} ({states[state]})" for name, state in vals.get("actions", [])],
                }
            )
        for vals in score_vals:
            key = (
                vals["evaluation_id"],
                vals["member_type"],
                vals["user_id"] if vals["member_type"] == "user" else vals["team_id"],
            )
            if key in members:
                members[key]["score"] = f"{vals['score']:.1f}" if vals["has_score"] else no_data
                members[key]["band"] = bands.get(vals["band_id"], "")
        return [
            {
                "id": evaluation.id,
                "name": evaluation.name,
                "period": self.env._(
                    "%(period)s from %(start)s to %(end)s",
                    period=periods[evaluation.period_type],
                    start=evaluation.date_start,
                    end=evaluation.date_end,
                ),
                "state": evaluation.state,
                "members": [member for key, member in members.items() if key[0] == evaluation.id],
            }
            for evaluation in self
        ]

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    def _get_members(self):
        """[(scope field, members)]: the teams, then the salespeople (those of the teams when none is set)."""
        self.ensure_one()
        users = self.user_ids or self.team_ids.member_ids
        return [("team_id", self.team_ids), ("user_id", users)]

    def _get_periods(self):
        """(this period, the previous one) as (first day, last day) pairs."""
        self.ensure_one()
        months = PERIOD_MONTHS[self.period_type]
        previous = self.date_start - relativedelta(months=months)
        return (self.date_start, self.date_end), (previous, self.date_start - relativedelta(days=1))

    def _compute_scorecard(self):
        """Write every line and score of the scorecards ``self`` in a bounded number of queries.

        The scorecards of a company share their computation: per KPI, one computation per
        kind of member (teams, salespeople) over every period the scorecards need (their
        own and the previous ones), whatever the number of scorecards, members and leads;
        then one search for the targets, one insert of the lines and one of the scores.
        """
        Score = self.env["sales.process.evaluation.score"].sudo()
        self.sudo().line_ids.unlink()
        self.sudo().score_ids.unlink()
        line_vals = self._get_line_vals()
        self._insert_lines(line_vals)
        Score.create(self._prepare_score_vals(line_vals))
        self.write({"state": "computed", "date_computed": fields.Datetime.now()})

    def _get_line_vals(self):
        """Values of every line of the scorecards ``self``, computed without writing anything."""
        line_vals = []
        for company, evaluations in self.grouped("company_id").items():
            periods = sorted({period for evaluation in evaluations for period in evaluation._get_periods()})
            index = {period: i for i, period in enumerate(periods)}
            members = {field: self.env[model] for field, model in (("team_id", "crm.team"), ("user_id", "res.users"))}
            for evaluation in evaluations:
                for field, records in evaluation._get_members():
                    members[field] |= records
            values = {}
            for kpi in evaluations.kpi_ids.kpi_id.sudo():
                for field, records in members.items():
                    if records:
                        scope = KpiScope(field, records.ids, company.id)
                        values[(kpi.id, field)] = kpi._compute_periods(periods, scope)
            targets = evaluations._get_targets()
            for evaluation in evaluations:
                current, previous = (index[period] for period in evaluation._get_periods())
                line_vals += evaluation._prepare_line_vals(values, targets, current, previous)
        return line_vals

    @api.model
    def _insert_lines(self, vals_list):
        """Insert the lines in one statement (a year of scorecards is thousands of lines).

        The lines are plain stored values without computed stored fields, so the ORM's
        create would only add per-record overhead.
        """
        Line = self.env["sales.process.evaluation.line"]
        if not vals_list:
            return Line
        columns = {
            "evaluation_id": "int4",
            "kpi_id": "int4",
            "member_type": "varchar",
            "user_id": "int4",
            "team_id": "int4",
            "company_id": "int4",
            "date_start": "date",
            "actual": "float8",
            "has_actual": "bool",
            "target": "float8",
            "achievement": "float8",
            "has_achievement": "bool",
            "weight": "float8",
            "weighted_score": "float8",
            "previous_actual": "float8",
            "has_previous": "bool",
            "trend": "varchar",
        }
        arrays = SQL(", ").join(
            SQL("%s::%s[]", [vals[name] or None if kind == "int4" else vals[name] for vals in vals_list], SQL(kind))
            for name, kind in columns.items()
        )
        names = SQL(", ").join(SQL.identifier(name) for name in columns)
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO sales_process_evaluation_line (%(names)s, create_uid, create_date, write_uid, write_date)
            SELECT %(names)s, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(arrays)s) AS t(%(names)s)
            RETURNING id
            """,
                names=names,
                arrays=arrays,
                uid=self.env.uid,
                now=now,
            )
        )
        lines = Line.browse(row[0] for row in self.env.cr.fetchall())
        self.invalidate_recordset(["line_ids"])
        return lines

    def _prepare_line_vals(self, values, targets, current, previous):
        """Values of the lines of scorecard ``self``.

        :param values: {(kpi_id, scope field): {(period index, member_id): value}}
        """
        self.ensure_one()
        total_weight = sum(self.kpi_ids.mapped("weight"))
        members = [(field, records) for field, records in self._get_members() if records]
        user_teams = self._get_user_teams(dict(members).get("user_id", self.env["res.users"]))
        vals_list = []
        for evaluation_kpi in self.kpi_ids:
            kpi = evaluation_kpi.kpi_id.sudo()
            weight = 100.0 * evaluation_kpi.weight / total_weight if total_weight else 0.0
            default_target = (
                kpi.default_target
                or (
                    kpi.stage_id.max_days
                    if kpi.kind in ("stage_time_avg", "stage_time_median") and kpi.stage_id.has_time_limit
                    else None
                )
                or None
            )
            for field, records in members:
                computed = values.get((kpi.id, field), {})
                for member in records:
                    actual, before = computed.get((current, member.id)), computed.get((previous, member.id))
                    target = targets.get((self.id, kpi.id, field, member.id), default_target)
                    achievement = self._achievement(kpi.direction, actual, target)
                    vals_list.append(
                        {
                            "evaluation_id": self.id,
                            "company_id": self.company_id.id,
                            "date_start": self.date_start,
                            "kpi_id": kpi.id,
                            "user_id": member.id if field == "user_id" else False,
                            "team_id": member.id if field == "team_id" else user_teams.get(member.id, False),
                            "member_type": "user" if field == "user_id" else "team",
                            "actual": actual or 0.0,
                            "has_actual": actual is not None,
                            "target": target or 0.0,
                            "achievement": achievement or 0.0,
                            "has_achievement": achievement is not None,
                            "weight": weight,
                            "weighted_score": min(achievement, ACHIEVEMENT_CAP) * weight / 100
                            if achievement is not None
                            else 0.0,
                            "previous_actual": before or 0.0,
                            "has_previous": before is not None,
                            "trend": self._trend(kpi.direction, actual, before),
                        }
                    )
        return vals_list

    def _get_targets(self):
        """{(scorecard_id, kpi_id, scope field, member_id): value} of the scorecards' periods and companies."""
        domain = [("scope", "in", ("team", "user")), ("kpi_id", "in", self.kpi_ids.kpi_id.ids)]
        domain += expression.OR(
            [
                [
                    ("period_type", "=", e.period_type),
                    ("date_start", "=", e.date_start),
                    ("company_id", "=", e.company_id.id),
                ]
                for e in self
            ]
        )
        targets = self.env["sales.process.kpi.target"].sudo().search(domain)
        result = {}
        for evaluation in self:
            for t in targets:
                if (t.period_type, t.date_start, t.company_id) == (
                    evaluation.period_type,
                    evaluation.date_start,
                    evaluation.company_id,
                ):
                    field = "user_id" if t.scope == "user" else "team_id"
                    result[(evaluation.id, t.kpi_id.id, field, (t.user_id or t.team_id).id)] = t.value
        return result

    def _get_user_teams(self, users):
        """{user_id: team}: the scorecard's team the salesperson belongs to, else their own team."""
        result = {}
        for team in self.team_ids:
            for user in team.member_ids & users:
                result.setdefault(user.id, team.id)
        for user in users:
            result.setdefault(user.id, user.sudo().sale_team_id.id)
        return result

    @staticmethod
    def _achievement(direction, actual, target):
        """Achievement % of ``actual`` against ``target``, direction aware, capped at ``ACHIEVEMENT_CAP``.

        None: no data or no target. Lower is better: target ÷ actual (an actual of 0 or less
        reaches the cap).
        """
        if actual is None or not target:
            return None
        if direction == "lower":
            return ACHIEVEMENT_CAP if actual <= 0 else min(100.0 * target / actual, ACHIEVEMENT_CAP)
        return min(100.0 * actual / target, ACHIEVEMENT_CAP)

    @staticmethod
    def _trend(direction, actual, before):
        if actual is None or before is None:
            return "none"
        if abs(actual - before) < 1e-9:
            return "stable"
        better = actual > before if direction == "higher" else actual < before
        return "improved" if better else "declined"

    def _prepare_score_vals(self, line_vals):
        """Each member's total per scorecard: the weighted average of its achievements (capped), and its band.

        :param line_vals: the values of the scorecards' lines (``_prepare_line_vals``)
        """
        totals = defaultdict(lambda: [0.0, 0.0, False])
        for vals in line_vals:
            member_id = vals["user_id"] if vals["member_type"] == "user" else vals["team_id"]
            total = totals[(vals["evaluation_id"], vals["member_type"], member_id)]
            total[2] = vals["team_id"]
            if vals["has_achievement"]:
                total[0] += vals["weighted_score"]
                total[1] += vals["weight"]
        bands = {
            company: self.env["sales.process.rating.band"].sudo()._get_bands(company) for company in self.company_id
        }
        vals_list = []
        for (evaluation_id, member_type, member_id), (score, weight, team_id) in totals.items():
            evaluation = self.browse(evaluation_id)
            total = 100.0 * score / weight if weight else None
            vals_list.append(
                {
                    "evaluation_id": evaluation.id,
                    "member_type": member_type,
                    "user_id": member_id if member_type == "user" else False,
                    "team_id": team_id,
                    "score": total or 0.0,
                    "has_score": total is not None,
                    "band_id": bands[evaluation.company_id]._band_for(total).id,
                }
            )
        return vals_list

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_create_monthly_scorecards(self):
        """Create and compute last month's scorecard of every team (setting); running twice creates nothing."""
        if not self.env["ir.config_parameter"].sudo().get_param("sales_process_mgmt.monthly_scorecards"):
            return
        today = fields.Date.context_today(self)
        date_start = today.replace(day=1) - relativedelta(months=1)
        teams = self.env["crm.team"].search([("member_ids", "!=", False)])
        existing = self.search(
            [("auto_team_id", "in", teams.ids), ("period_type", "=", "month"), ("date_start", "=", date_start)]
        ).auto_team_id
        created = self.browse()
        for team in teams - existing:
            company = team.company_id or self.env.ref("base.main_company")
            kpis = self.env["sales.process.kpi"].search(
                [("company_id", "in", (company.id, False)), ("default_weight", ">", 0)]
            )
            if not kpis:
                continue
            created |= self.create(
                {
                    "name": _("%(team)s %(month)s", team=team.name, month=date_start.strftime("%Y-%m")),
                    "company_id": company.id,
                    "period_type": "month",
                    "date_start": date_start,
                    "team_ids": [(6, 0, team.ids)],
                    "auto_team_id": team.id,
                    "kpi_ids": [(0, 0, {"kpi_id": kpi.id, "weight": kpi.default_weight}) for kpi in kpis],
                }
            )
        if created:
            created._compute_scorecard()
