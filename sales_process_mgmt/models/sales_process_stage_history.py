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
