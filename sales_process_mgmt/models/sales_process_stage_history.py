from odoo import fields, models


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
    next_stage_id = fields.Many2one("crm.stage", string="Next Stage", ondelete="set null", index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    company_id = fields.Many2one("res.company", index=True)
    moved_by_id = fields.Many2one("res.users", string="Moved In By")
    moved_out_by_id = fields.Many2one("res.users", string="Moved Out By")
    date_in = fields.Datetime(string="Entered", required=True, index=True)
    date_out = fields.Datetime(string="Left", index=True)
    deadline = fields.Datetime(help="Time limit of the stage standard for this visit.")
    duration_days = fields.Float(string="Days in Stage", aggregator="avg", digits=(16, 2))
    duration_working_days = fields.Integer(string="Working Days in Stage", aggregator="avg")
    overdue = fields.Boolean(index=True, help="The visit went past the stage's time limit.")
    is_open = fields.Boolean(string="Current Visit", index=True, default=True)
    visit_count = fields.Integer(string="Visits", default=1, aggregator="sum")

    def init(self):
        # one open visit per lead at most; also the index the stage hook scans
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS sales_process_stage_history_open_uniq
            ON sales_process_stage_history (lead_id) WHERE is_open
            """
        )
