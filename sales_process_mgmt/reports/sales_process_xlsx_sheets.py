"""The sheets of the sales process workbooks, each over the records the user may read.

The figures are those the addon already keeps: scorecard lines (computed by the
scorecards), the stage history and its aggregates (as the *Time in Stage* and *Stage
Conversion* analyses group them), the process forecast view, risk flags, the training
matrix and improvement actions. Nothing is recomputed here.
"""

from datetime import datetime, time, timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .sales_process_xlsx import Column

SHEETS = [
    ("summary", "Summary"),
    ("stage_durations", "Stage Durations"),
    ("funnel", "Funnel"),
    ("forecast", "Forecast"),
    ("risks", "Risks"),
    ("training", "Training"),
    ("actions", "Actions"),
    ("visits", "Stage Visits"),
]
SEVERITY_ORDER = ("critical", "high", "medium", "low")


class SalesProcessXlsxSheets(models.AbstractModel):
    _inherit = "report.sales_process_mgmt.xlsx_base"

    # ------------------------------------------------------------------
    # Selection: options of the export wizard as domains
    # ------------------------------------------------------------------

    @staticmethod
    def _period_domain(fname, options, datetime_field=True):
        """Rows of ``fname`` within the period (UTC days, as the KPIs count them)."""
        date_from, date_to = options.get("date_from"), options.get("date_to")
        domain = []
        if datetime_field:
            if date_from:
                domain.append((fname, ">=", datetime.combine(date_from, time.min)))
            if date_to:
                domain.append((fname, "<", datetime.combine(date_to + timedelta(days=1), time.min)))
        else:
            if date_from:
                domain.append((fname, ">=", date_from))
            if date_to:
                domain.append((fname, "<=", date_to))
        return domain

    @staticmethod
    def _members_domain(options, team="team_id", user="user_id", stage=None):
        domain = []
        if options.get("team_ids") and team:
            domain.append((team, "in", options["team_ids"]))
        if options.get("user_ids") and user:
            domain.append((user, "in", options["user_ids"]))
        if options.get("stage_ids") and stage:
            domain.append((stage, "in", options["stage_ids"]))
        return domain

    def _period_label(self, options):
        date_from, date_to = options.get("date_from"), options.get("date_to")
        if date_from and date_to:
            return _("Period: %(start)s – %(end)s", start=date_from, end=date_to)
        if date_from:
            return _("Period: from %(start)s", start=date_from)
        if date_to:
            return _("Period: until %(end)s", end=date_to)
        return _("Period: all dates")

    # ------------------------------------------------------------------
    # Sheets
    # ------------------------------------------------------------------

    def _scorecard_columns(self):
        Line = self.env["sales.process.evaluation.line"]
        return self._prepare_columns(
            Line,
            [
                Column("date_start", kind="date", width=12),
                Column("evaluation_id", width=24),
                Column("member_type", width=12),
                Column("team_id", width=20),
                Column("user_id", width=22),
                Column("kpi_id", width=28),
                Column("actual", kind="float", present="has_actual"),
                Column("target", kind="float"),
                Column("achievement", kind="percent", scale=0.01, present="has_achievement"),
                Column("weight", kind="percent", scale=0.01, width=12),
                Column("trend", width=12),
            ],
        )

    def _sheet_scorecard_lines(self, workbook, sheet_name, title, subtitle, domain):
        """KPI vs target per member with achievement colours, the average achievement per KPI and its chart."""
        Line = self.env["sales.process.evaluation.line"]
        sheet, row = self._add_sheet(workbook, sheet_name, title, subtitle)
        columns = self._scorecard_columns()
        rows = self._iter_records(Line, domain, columns)
        first = row + 1
        row, count = self._write_table(
            workbook, sheet, row, columns, rows, no_data=_("No scorecard line for this selection.")
        )
        self._conditional_achievement(workbook, sheet, first, first + count - 1, 8)
        if not count:
            return sheet
        # average achievement per KPI, and a native column chart of it
        groups = Line._read_group(domain + [("has_achievement", "=", True)], ["kpi_id"], ["achievement:avg"])
        if not groups:
            return sheet
        row += 1
        kpi_columns = [
            Column("kpi", _("KPI"), "text", 28),
            Column("achievement", _("Average Achievement"), "percent", 16, scale=0.01),
        ]
        block_first = row + 1
        row, __ = self._write_table(
            workbook,
            sheet,
            row,
            kpi_columns,
            ([kpi.sudo().display_name, avg] for kpi, avg in groups),
            main=False,
        )
        block_last = block_first + len(groups) - 1
        self._conditional_achievement(workbook, sheet, block_first, block_last, 1)
        chart = workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": _("Average Achievement"),
                "categories": [sheet.name, block_first, 0, block_last, 0],
                "values": [sheet.name, block_first, 1, block_last, 1],
                "fill": {"color": "#875A7B"},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        chart.set_title({"name": _("Achievement by KPI")})
        chart.set_y_axis({"num_format": "0%", "min": 0})
        chart.set_legend({"none": True})
        sheet.insert_chart(block_first - 1, 3, chart, {"x_scale": 1.4, "y_scale": 1.1})
        return sheet

    def _sheet_summary(self, workbook, options):
        domain = self._period_domain("date_start", options, datetime_field=False)
        domain += self._members_domain(options)
        return self._sheet_scorecard_lines(
            workbook,
            _("Summary"),
            _("KPIs against their targets"),
            self._period_label(options),
            domain,
        )

    def _sheet_stage_durations(self, workbook, options, domain=None):
        """Time in stage per stage × team of the visits ended in the period, against the stage's standard."""
        History = self.env["sales.process.stage.history"]
        if domain is None:
            domain = [("is_open", "=", False)] + self._period_domain("date_out", options)
            domain += self._members_domain(options, stage="stage_id")
        sheet, row = self._add_sheet(
            workbook, _("Stage Durations"), _("Time in stage against the standard"), self._period_label(options)
        )
        groups = History._read_group(
            domain,
            ["stage_id", "team_id"],
            ["__count", "duration_days:avg", "duration_days:median"],
            order="stage_id, team_id",
        )
        overdue = {
            (stage, team): count
            for stage, team, count in History._read_group(
                domain + [("overdue", "=", True)], ["stage_id", "team_id"], ["__count"]
            )
        }
        columns = [
            Column("stage", _("Stage"), "text", 24),
            Column("team", _("Sales Team"), "text", 20),
            Column("visits", _("Visits"), "integer", 10),
            Column("avg", _("Average Days"), "days", 12),
            Column("median", _("Median Days"), "days", 12),
            Column("standard", _("Standard (days)"), "days", 12),
            Column("ratio", _("Average vs Standard"), "percent", 14),
            Column("overdue", _("Overdue Visits"), "integer", 12),
            Column("overdue_share", _("Overdue Share"), "percent", 12),
        ]

        # group labels are named as the superuser, as Odoo's grouped views name them
        def rows():
            for stage, team, count, avg, median in groups:
                standard = stage.max_days if stage.has_time_limit else None
                late = overdue.get((stage, team), 0)
                yield [
                    stage.sudo().display_name,
                    team.sudo().display_name if team else _("No Sales Team"),
                    count,
                    avg,
                    median,
                    standard,
                    avg / standard if standard else None,
                    late,
                    late / count if count else None,
                ]

        first = row + 1
        row, count = self._write_table(
            workbook, sheet, row, columns, rows(), no_data=_("No stage visit ended in this period.")
        )
        self._conditional_achievement(workbook, sheet, first, first + count - 1, 6, lower_is_good=True)
        return sheet

    def _sheet_funnel(self, workbook, options):
        """Per stage: visits entered and ended in the period, and where the ended ones went (as *Stage Conversion*)."""
        History = self.env["sales.process.stage.history"]
        members = self._members_domain(options, stage="stage_id")
        entered = dict(
            History._read_group(self._period_domain("date_in", options) + members, ["stage_id"], ["__count"])
        )
        ended = History._read_group(
            [("is_open", "=", False)] + self._period_domain("date_out", options) + members,
            ["stage_id", "next_stage_id", "exit_type"],
            ["__count"],
        )
        stages = self.env["crm.stage"].browse({stage.id for stage in entered} | {row[0].id for row in ended})
        stages = stages.with_context(active_test=False).sorted()
        all_stages = self.env["crm.stage"].with_context(active_test=False).search([])
        rank = {stage.id: index for index, stage in enumerate(all_stages)}
        figures = {stage.id: {"ended": 0, "forward": 0, "lost": 0} for stage in stages}
        for stage, next_stage, exit_type, count in ended:
            figure = figures[stage.id]
            figure["ended"] += count
            if exit_type == "lost":
                figure["lost"] += count
            elif next_stage and rank.get(next_stage.id, -1) > rank.get(stage.id, -1):
                figure["forward"] += count
        sheet, row = self._add_sheet(workbook, _("Funnel"), _("Process funnel"), self._period_label(options))
        columns = [
            Column("stage", _("Stage"), "text", 24),
            Column("entered", _("Visits Entered"), "integer", 14),
            Column("ended", _("Visits Ended"), "integer", 14),
            Column("forward", _("Moved to a Later Stage"), "integer", 16),
            Column("lost", _("Lost or Archived"), "integer", 14),
            Column("conversion", _("Conversion"), "percent", 12),
        ]
        rows = (
            [
                stage.display_name,
                entered.get(stage, 0),
                figures[stage.id]["ended"],
                figures[stage.id]["forward"],
                figures[stage.id]["lost"],
                figures[stage.id]["forward"] / figures[stage.id]["ended"] if figures[stage.id]["ended"] else None,
            ]
            for stage in stages
        )
        first = row + 1
        row, count = self._write_table(workbook, sheet, row, columns, rows, no_data=_("No stage visit in this period."))
        if count:
            chart = workbook.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": _("Visits Entered"),
                    "categories": [sheet.name, first, 0, first + count - 1, 0],
                    "values": [sheet.name, first, 1, first + count - 1, 1],
                    "fill": {"color": "#875A7B"},
                }
            )
            chart.set_title({"name": _("Process funnel")})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            sheet.insert_chart(row + 1, 0, chart)
        return sheet

    def _sheet_forecast(self, workbook, options):
        """Open opportunities by team and expected closing month, Odoo's and the process's weighted revenue."""
        Forecast = self.env["sales.process.forecast"]
        domain = [("company_id", "=", self.env.company.id)]
        domain += self._members_domain(options, stage="stage_id")
        groups = Forecast._read_group(
            domain,
            ["team_id", "date_deadline:month"],
            ["__count", "expected_revenue:sum", "odoo_weighted_revenue:sum", "process_weighted_revenue:sum"],
        )
        sheet, row = self._add_sheet(
            workbook,
            _("Forecast"),
            _("Process forecast"),
            _("Open opportunities of %(company)s today", company=self.env.company.name),
        )
        columns = [
            Column("team", _("Sales Team"), "text", 22),
            Column("month", _("Expected Closing"), "month", 14),
            Column("count", _("Opportunities"), "integer", 14),
            Column("expected", _("Expected Revenue"), "currency", 18),
            Column("odoo", _("Odoo Weighted Revenue"), "currency", 18),
            Column("process", _("Process Weighted Revenue"), "currency", 18),
        ]
        rows = (
            [team.sudo().display_name if team else _("No Sales Team"), month or None, *figures]
            for team, month, *figures in groups
        )
        self._write_table(workbook, sheet, row, columns, rows, no_data=_("No open opportunity in this selection."))
        return sheet

    def _risk_columns(self):
        return self._prepare_columns(
            self.env["sales.process.risk.flag"],
            [
                Column("severity", width=10),
                Column("rule_id", width=28),
                Column("lead_id", width=28),
                Column("stage_id", width=20),
                Column("user_id", width=20),
                Column("team_id", width=18),
                Column("state", width=14),
                Column("raised_on", width=16),
                Column("owner_id", width=18),
                Column("due_date", width=12),
                Column("explanation", width=60),
            ],
        )

    def _sheet_risks(self, workbook, options, domain=None):
        """Flags in force, most severe first, with the count per severity above the table."""
        Flag = self.env["sales.process.risk.flag"]
        if domain is None:
            domain = [("is_active", "=", True)] + self._members_domain(options, stage="stage_id")
        counts = dict(Flag._read_group(domain, ["severity"], ["__count"]))
        labels = dict(Flag._fields["severity"]._description_selection(self.env))
        subtitle = " · ".join(f"{labels[severity]}: {counts.get(severity, 0)}" for severity in SEVERITY_ORDER)
        sheet, row = self._add_sheet(workbook, _("Risks"), _("Risk register"), subtitle)
        rows = self._iter_records(
            Flag, domain, self._risk_columns(), order_domains=[[("severity", "=", s)] for s in SEVERITY_ORDER]
        )
        first = row + 1
        row, count = self._write_table(
            workbook, sheet, row, self._risk_columns(), rows, no_data=_("No risk flag in force for this selection.")
        )
        styles = self._styles(workbook)
        for severity, style in (("critical", "bad"), ("high", "fair")) if count else ():
            sheet.conditional_format(
                first,
                0,
                first + count - 1,
                0,
                {"type": "cell", "criteria": "==", "value": f'"{labels[severity]}"', "format": styles[style]},
            )
        return sheet

    def _sheet_training(self, workbook, options, domain=None):
        """The training matrix: salespeople × required courses and the best status they hold."""
        Matrix = self.env["sales.process.training.matrix"]
        if domain is None:
            domain = self._members_domain(options)
        columns = self._prepare_columns(
            Matrix,
            [
                Column("user_id", width=22),
                Column("team_id", width=18),
                Column("course_id", width=28),
                Column("category", width=18),
                Column("status", width=14),
                Column("date", width=12),
                Column("expiry_date", width=14),
                Column("score", kind="float", width=10),
            ],
        )
        sheet, row = self._add_sheet(workbook, _("Training"), _("Training matrix"), _("Certifications held today"))
        first = row + 1
        row, count = self._write_table(
            workbook,
            sheet,
            row,
            columns,
            self._iter_records(Matrix, domain, columns),
            no_data=_("No required course for these salespeople."),
        )
        labels = dict(Matrix._fields["status"]._description_selection(self.env))
        styles = self._styles(workbook)
        statuses = (("valid", "good"), ("expiring", "fair"), ("expired", "bad"), ("missing", "bad"))
        for status, style in statuses if count else ():
            sheet.conditional_format(
                first,
                4,
                first + count - 1,
                4,
                {"type": "cell", "criteria": "==", "value": f'"{labels[status]}"', "format": styles[style]},
            )
        return sheet

    def _sheet_actions(self, workbook, options, domain=None):
        """Improvement actions proposed or due in the period."""
        Action = self.env["sales.process.improvement.action"]
        if domain is None:
            domain = self._actions_period_domain(options) + self._members_domain(options)
        columns = self._prepare_columns(
            Action,
            [
                Column("name", width=32),
                Column("source", width=16),
                Column("state", width=12),
                Column("owner_id", width=20),
                Column("team_id", width=18),
                Column("user_id", width=20),
                Column("kpi_id", width=24),
                Column("deadline", width=12),
                Column("approved_on", width=12),
                Column("verified_on", width=12),
                Column("kpi_value_before", kind="float", present="has_kpi_before"),
                Column("kpi_value_after", kind="float", present="has_kpi_after"),
                Column("result", width=40),
            ],
        )
        sheet, row = self._add_sheet(workbook, _("Actions"), _("Improvement actions"), self._period_label(options))
        self._write_table(
            workbook,
            sheet,
            row,
            columns,
            self._iter_records(Action, domain, columns),
            no_data=_("No improvement action in this period."),
        )
        return sheet

    def _actions_period_domain(self, options):
        """Actions created or due in the period."""
        created = self._period_domain("create_date", options)
        due = self._period_domain("deadline", options, datetime_field=False)
        return expression.OR([created, due]) if created else []

    def _visit_columns(self):
        return self._prepare_columns(
            self.env["sales.process.stage.history"],
            [
                Column("lead_id", width=28),
                Column("stage_id", width=20),
                Column("next_stage_id", width=20),
                Column("user_id", width=20),
                Column("team_id", width=18),
                Column("date_in", width=16),
                Column("date_out", width=16),
                Column("duration_days", kind="days", width=10),
                Column("duration_working_days", width=10),
                Column("overdue", width=9),
                Column("exit_type", width=18),
            ],
        )

    def _sheet_visits(self, workbook, options, domain=None):
        """Every stage visit entered in the period, streamed in batches."""
        History = self.env["sales.process.stage.history"]
        if domain is None:
            domain = self._period_domain("date_in", options) + self._members_domain(options, stage="stage_id")
        sheet, row = self._add_sheet(workbook, _("Stage Visits"), _("Stage visits"), self._period_label(options))
        columns = self._visit_columns()
        self._write_table(
            workbook,
            sheet,
            row,
            columns,
            self._iter_records(History, domain, columns),
            no_data=_("No stage visit in this period."),
        )
        return sheet

    # ------------------------------------------------------------------
    # Options
    # ------------------------------------------------------------------

    def _export_filename(self, options):
        """The workbook's file name, with its period."""
        start, end = options.get("date_from"), options.get("date_to")
        if start and end:
            name = _("Sales Process %(start)s to %(end)s", start=start, end=end)
        else:
            name = _("Sales Process")
        return f"{name}.xlsx"

    def _parse_options(self, data):
        """The export wizard's options from the report's data (sent by the client: checked)."""
        options = (data or {}).get("options") or {}
        parsed = {}
        try:
            for key in ("date_from", "date_to"):
                parsed[key] = fields.Date.to_date(options.get(key)) if options.get(key) else None
            for key in ("team_ids", "user_ids", "stage_ids"):
                parsed[key] = [int(value) for value in options.get(key) or []]
            known = [key for key, __ in SHEETS]
            parsed["sheets"] = [key for key in options.get("sheets") or known if key in known]
        except (TypeError, ValueError, AttributeError) as error:
            raise UserError(
                _("Export to Excel: invalid selection %(options)s (%(error)s).", options=options, error=error)
            ) from None
        return parsed
