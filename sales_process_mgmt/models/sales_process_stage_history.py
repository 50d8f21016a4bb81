from odoo import api, fields, models
from odoo.models import parse_read_group_spec
from odoo.tools import SQL


class SalesProcessStageHistory(models.Model):
    """One visit of a lead in a stage: when it entered, when it left, how long it stayed.

    Written in batch by crm.lead when stages change; read by the analysis views,
    KPIs and risk rules with set queries.
    """

    _name = "sales.process.stage.history"
    _description = "Stage History"
    _order = "date_in desc, id desc"
    _rec_name = "stage_id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("crm.stage", required=True, ondelete="restrict", index=True)
    next_stage_id = fields.Many2one("crm.stage", string="Next Stage", ondelete="set null")
    user_id = fields.Many2one("res.users", string="Salesperson")
    team_id = fields.Many2one("crm.team", string="Sales Team")
    company_id = fields.Many2one("res.company")
    moved_by_id = fields.Many2one("res.users", string="Moved In By")
    moved_out_by_id = fields.Many2one("res.users", string="Moved Out By")
    date_in = fields.Datetime(string="Entered", required=True, index=True)
    date_out = fields.Datetime(string="Left")
    deadline = fields.Datetime(help="Time limit of the stage standard for this visit.")
    duration_days = fields.Float(string="Days in Stage", aggregator="avg", digits=(16, 2))
    median_duration_days = fields.Float(
        string="Median Days in Stage",
        aggregator="median",
        digits=(16, 2),
        help="Days in stage, aggregated by their median in analysis views.",
    )
    duration_working_days = fields.Integer(string="Working Days in Stage", aggregator="avg")
    overdue = fields.Boolean(index=True, help="The visit went past the stage's time limit.")
    is_open = fields.Boolean(string="Current Visit", default=True)
    exit_type = fields.Selection(
        [("moved", "Moved to Another Stage"), ("lost", "Lost or Archived"), ("merged", "Merged")],
        string="Exit",
        help="How the visit ended: the lead moved on, was lost or archived, or was merged into another.",
    )
    visit_count = fields.Integer(string="Visits", default=1, aggregator="sum")

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Aggregate first, then order the groups like their many2one comodels.

        The default order of ``read_group`` (the pivot's) sorts many2one groups by
        their comodel's ``_order``, which joins crm_stage, crm_team... on every
        visit before aggregating. Here the visits are aggregated alone and the few
        resulting groups are ranked in Python: same rows, same order.
        """
        default_order = order and [term.strip() for term in order.split(",")] == list(groupby)
        if not default_order or offset or limit:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        rows = super()._read_group(domain, groupby, aggregates, having)
        rank_keys = []
        for index, spec in enumerate(groupby):
            field = self._fields.get(spec)
            if field and field.type == "many2one":
                values = self.env[field.comodel_name].browse({row[index].id for row in rows if row[index]})
                ranks = {record.id: rank for rank, record in enumerate(values.with_context(active_test=False).sorted())}
                rank_keys.append(lambda row, i=index, r=ranks: (not row[i], r.get(row[i].id, 0)))
            else:
                rank_keys.append(lambda row, i=index: (row[i] is None or row[i] is False, row[i] or 0))
        return sorted(rows, key=lambda row: tuple(key(row) for key in rank_keys))

    def _read_group_select(self, aggregate_spec, query):
        # "median" is not among Odoo's aggregates; PostgreSQL computes it per group
        fname, __, func = parse_read_group_spec(aggregate_spec)
        if func == "median":
            return SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", self._field_to_sql(self._table, fname, query))
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------
    # Visits, written in set queries by the stage-move pipeline
    # ------------------------------------------------------------------

    @api.model
    def _open_visits(self, condition, moved_by_id=None):
        """Open a visit of their current stage, with its checklist lines, for the leads matching ``condition``.

        :param condition: SQL condition on the leads, table alias ``l``
        :param moved_by_id: who moved the leads in (None: not known)
        One statement: the checklist lines are inserted from the visits it returns;
        each line keeps whether its item was required when the visit opened.
        """
        self.flush_model()
        self.env["sales.process.lead.checklist"].flush_model()
        now, uid = self.env.cr.now(), self.env.uid
        self.env.cr.execute(
            SQL(
                """
                WITH visit AS (
                    INSERT INTO sales_process_stage_history
                           (lead_id, stage_id, user_id, team_id, company_id, moved_by_id, date_in, deadline,
                            duration_days, duration_working_days, overdue, is_open, visit_count,
                            create_uid, create_date, write_uid, write_date)
                    SELECT l.id, l.stage_id, l.user_id, l.team_id, l.company_id, %(moved_by)s,
                           COALESCE(l.date_last_stage_update, %(now)s), l.stage_deadline,
                           0, 0, false, true, 1, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM crm_lead l
                     WHERE l.stage_id IS NOT NULL AND %(condition)s
                 RETURNING id, lead_id, stage_id
                )
                INSERT INTO sales_process_lead_checklist
                       (lead_id, item_id, history_id, sequence, required, done,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.lead_id, i.id, v.id, i.sequence, i.required, false,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM visit v
                  JOIN sales_process_checklist_item i ON i.stage_id = v.stage_id AND i.active
                """,
                condition=condition,
                moved_by=moved_by_id,
                now=now,
                uid=uid,
            )
        )

    @api.model
    def _close_visits(self, leads, exit_type, dates_out=None):
        """Close the open visits of ``leads``: exit date and kind, durations, overdue flag, next stage.

        :param dates_out: {lead_id: datetime} when each lead left (default: now)
        Working days come from the working calendar of the lead's company, in its
        time zone (``resource.calendar._sales_process_working_days_between_datetimes``);
        the rest is computed by PostgreSQL in one update.
        """
        if not leads:
            return
        self.flush_model()
        cr, now = self.env.cr, self.env.cr.now()
        cr.execute(
            """
            SELECT h.id, h.date_in, l.company_id, h.lead_id
              FROM sales_process_stage_history h
              JOIN crm_lead l ON l.id = h.lead_id
             WHERE h.is_open AND h.lead_id = ANY(%(ids)s) AND l.id = ANY(%(ids)s)
            """,
            {"ids": leads.ids},
        )
        rows = [
            (visit_id, date_in, company_id, max(date_in, (dates_out or {}).get(lead_id) or now))
            for visit_id, date_in, company_id, lead_id in cr.fetchall()
        ]
        if not rows:
            return
        cr.execute(
            """
            UPDATE sales_process_stage_history h
               SET date_out = t.date_out,
                   is_open = false,
                   exit_type = %(exit_type)s,
                   next_stage_id = CASE WHEN %(exit_type)s = 'moved' THEN l.stage_id END,
                   moved_out_by_id = %(uid)s,
                   duration_days = EXTRACT(EPOCH FROM (t.date_out - h.date_in)) / 86400.0,
                   median_duration_days = EXTRACT(EPOCH FROM (t.date_out - h.date_in)) / 86400.0,
                   duration_working_days = t.working_days,
                   overdue = h.deadline IS NOT NULL AND t.date_out > h.deadline,
                   write_uid = %(uid)s,
                   write_date = %(now)s
              FROM unnest(%(visit_ids)s::int[], %(dates_out)s::timestamp[], %(working_days)s::int[])
                       AS t(id, date_out, working_days),
                   crm_lead l
             WHERE h.id = t.id AND l.id = h.lead_id AND l.id = ANY(%(ids)s)
            """,
            {
                "now": now,
                "uid": self.env.uid,
                "ids": leads.ids,
                "exit_type": exit_type,
                "visit_ids": [row[0] for row in rows],
                "dates_out": [row[3] for row in rows],
                "working_days": self._get_working_days(rows),
            },
        )

    @api.model
    def _get_working_days(self, rows):
        """Working days of visits ``rows`` [(id, date_in, company_id, date_out)], in row order."""
        Company = self.env["res.company"].sudo()
        main_company = self.env.ref("base.main_company", raise_if_not_found=False)
        calendars, workdays = {}, {}
        result = []
        for __, date_in, company_id, date_out in rows:
            if company_id not in calendars:
                company = Company.browse(company_id) if company_id else main_company
                calendars[company_id] = company.resource_calendar_id if company else self.env["resource.calendar"]
            calendar = calendars[company_id]
            if calendar.id not in workdays:
                workdays[calendar.id] = calendar._get_sales_process_workdays() if calendar else None
            result.append(
                calendar._sales_process_working_days_between_datetimes(date_in, date_out, workdays[calendar.id])
                if calendar
                else calendar._sales_process_working_days_between(
                    date_in.date(), date_out.date(), (frozenset(range(5)), [])
                )
            )
        return result

    @api.model
    def _reassign_visits(self, leads, target):
        """Give the visits and checklist lines of ``leads`` to ``target`` (merging opportunities)."""
        if not leads:
            return
        self.flush_model()
        self.env["sales.process.lead.checklist"].flush_model()
        self.env.cr.execute(
            """
            UPDATE sales_process_stage_history SET lead_id = %(target)s WHERE lead_id = ANY(%(ids)s);
            UPDATE sales_process_lead_checklist SET lead_id = %(target)s WHERE lead_id = ANY(%(ids)s);
            """,
            {"target": target.id, "ids": leads.ids},
        )

    @api.model
    def _invalidate_visits(self, leads):
        self.invalidate_model()
        self.env["sales.process.lead.checklist"].invalidate_model()
        leads.invalidate_recordset(["stage_history_ids", "checklist_ids", "checklist_progress"])

    @api.model
    def _refresh_overdue(self, now):
        """Flag the open visits that went past their deadline (the timing cron)."""
        self.flush_model(["overdue", "deadline", "is_open"])
        self.env.cr.execute(
            """
            UPDATE sales_process_stage_history
               SET overdue = true
             WHERE is_open AND NOT overdue AND deadline IS NOT NULL AND %(now)s > deadline
            """,
            {"now": now},
        )
        self.invalidate_model(["overdue"])

    @api.model
    def _refresh_open_deadlines(self, stages):
        """Open visits of ``stages`` take their lead's deadline (the stage's time limit changed)."""
        self.env["crm.lead"].flush_model(["stage_deadline"])
        self.flush_model()
        self.env.cr.execute(
            """
            UPDATE sales_process_stage_history h
               SET deadline = l.stage_deadline,
                   overdue = l.stage_deadline IS NOT NULL AND %(now)s > l.stage_deadline
              FROM crm_lead l
             WHERE l.id = h.lead_id AND h.is_open AND h.stage_id = ANY(%(ids)s)
               AND (h.deadline IS DISTINCT FROM l.stage_deadline)
            """,
            {"ids": stages.ids, "now": self.env.cr.now()},
        )
        self.invalidate_model(["deadline", "overdue"])

    def init(self):
        # Few indexes on purpose: visits are written in bulk on every stage move.
        # One open visit per lead at most (what the stage hook closes), and the
        # open visits with a deadline (what the timing cron scans).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS sales_process_stage_history_open_uniq
                ON sales_process_stage_history (lead_id) WHERE is_open;
            CREATE INDEX IF NOT EXISTS sales_process_stage_history_open_deadline_idx
                ON sales_process_stage_history (deadline) WHERE is_open AND NOT overdue;
            """
        )
