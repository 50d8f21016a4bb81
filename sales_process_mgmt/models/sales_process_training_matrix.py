from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .sales_process_training_course import COURSE_CATEGORIES
from .sales_process_training_record import RECORD_STATUSES

MATRIX_STATUSES = [*RECORD_STATUSES, ("missing", "Missing")]
# Statuses that count as holding the certification.
COMPLIANT_STATUSES = ("valid", "expiring")


class SalesProcessTrainingMatrix(models.Model):
    """Salespeople × required courses, with the best status each salesperson holds.

    One row per active internal user of the Sales Process / User group and per active
    course required for some stage or team (a course limited to teams only for their
    members). The status is the one of the best record (valid, expiring soon, expired,
    to grade, failed), the latest record among equals; ``missing`` without any record.
    """

    _name = "sales.process.training.matrix"
    _description = "Sales Training Matrix"
    _auto = False
    _rec_name = "course_id"
    _order = "user_id, course_id"
    _depends = {
        "sales.process.training.record": ["salesperson_id", "course_id", "status", "date", "expiry_date", "score"],
        "sales.process.training.course": ["active", "category", "company_id", "stage_ids", "team_ids"],
        "crm.team.member": ["user_id", "crm_team_id", "active"],
        "res.users": ["active", "share", "groups_id", "company_ids", "sale_team_id"],
    }

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    course_id = fields.Many2one("sales.process.training.course", string="Course", readonly=True)
    category = fields.Selection(COURSE_CATEGORIES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    record_id = fields.Many2one("sales.process.training.record", string="Training Record", readonly=True)
    date = fields.Date(readonly=True)
    expiry_date = fields.Date(string="Certificate Expiry", readonly=True)
    score = fields.Float(readonly=True, aggregator="avg")
    status = fields.Selection(MATRIX_STATUSES, readonly=True)
    compliant_count = fields.Integer(string="Certified", readonly=True, aggregator="sum")
    compliance = fields.Float(
        string="Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the required courses for which the salesperson holds a valid certification.",
    )

    @property
    def _table_query(self):
        group = self.env.ref("sales_process_mgmt.group_sales_process_user")
        return SQL(
            """
            WITH best AS (
                SELECT DISTINCT ON (r.salesperson_id, r.course_id)
                       r.salesperson_id, r.course_id, r.id AS record_id, r.status,
                       r.date, r.expiry_date, r.score
                  FROM sales_process_training_record r
              ORDER BY r.salesperson_id, r.course_id,
                       CASE r.status WHEN 'valid' THEN 0 WHEN 'expiring' THEN 1 WHEN 'expired' THEN 2
                                     WHEN 'pending' THEN 3 ELSE 4 END,
                       r.date DESC, r.id DESC
            ), required AS (
                SELECT c.id, c.category, c.company_id,
                       EXISTS (SELECT 1 FROM sales_process_training_course_crm_team_rel t
                                WHERE t.course_id = c.id) AS for_teams
                  FROM sales_process_training_course c
                 WHERE c.active
                   AND (EXISTS (SELECT 1 FROM sales_process_training_course_crm_stage_rel s
                                 WHERE s.course_id = c.id)
                        OR EXISTS (SELECT 1 FROM sales_process_training_course_crm_team_rel t
                                    WHERE t.course_id = c.id))
            )
            SELECT (u.id::bigint << 32) + c.id AS id,
                   u.id AS user_id,
                   u.sale_team_id AS team_id,
                   c.id AS course_id,
                   c.category AS category,
                   c.company_id AS company_id,
                   b.record_id AS record_id,
                   b.date AS date,
                   b.expiry_date AS expiry_date,
                   b.score AS score,
                   COALESCE(b.status, 'missing') AS status,
                   CASE WHEN b.status IN %(compliant)s THEN 1 ELSE 0 END AS compliant_count,
                   CASE WHEN b.status IN %(compliant)s THEN 100.0 ELSE 0.0 END AS compliance
              FROM res_users u
              JOIN res_groups_users_rel g ON g.uid = u.id AND g.gid = %(group)s
              JOIN required c ON (
                       c.company_id IS NULL
                       OR EXISTS (SELECT 1 FROM res_company_users_rel cu
                                   WHERE cu.user_id = u.id AND cu.cid = c.company_id))
                   AND (NOT c.for_teams
                        OR EXISTS (SELECT 1 FROM sales_process_training_course_crm_team_rel t
                                     JOIN crm_team_member m ON m.crm_team_id = t.team_id AND m.active
                                    WHERE t.course_id = c.id AND m.user_id = u.id))
         LEFT JOIN best b ON b.salesperson_id = u.id AND b.course_id = c.id
             WHERE u.active AND NOT u.share
            """,
            group=group.id,
            compliant=COMPLIANT_STATUSES,
        )

    @api.model
    def _get_statuses(self, domain=None):
        """Return {(user_id, course_id): status} of the matrix rows matching ``domain``."""
        rows = self._read_group(domain or [], ["user_id", "course_id", "status"], ["__count"], order="status")
        return {(user.id, course.id): status for user, course, status, _count in rows}

    @api.model
    def _get_compliance(self, users):
        """Return {user_id: compliance %} for ``users`` (None when no course is required of them).

        The KPI scorecards call this; access rules of the current user apply.
        """
        result = dict.fromkeys(users.ids)
        for user, count, certified in self._read_group(
            [("user_id", "in", users.ids)], ["user_id"], ["__count", "compliant_count:sum"]
        ):
            result[user.id] = 100.0 * certified / count if count else None
        return result

    @api.model
    def _get_team_compliance(self, teams):
        """Return {team_id: compliance %} over the required courses of the teams' members."""
        members = self.env["crm.team.member"]._read_group(
            [("crm_team_id", "in", teams.ids)], ["crm_team_id"], ["user_id:array_agg"]
        )
        user_ids = {uid for _team, uids in members for uid in uids}
        cells = {
            user.id: (count, certified)
            for user, count, certified in self._read_group(
                [("user_id", "in", list(user_ids))], ["user_id"], ["__count", "compliant_count:sum"]
            )
        }
        totals = defaultdict(lambda: [0, 0])
        for team, uids in members:
            for uid in set(uids):
                count, certified = cells.get(uid, (0, 0))
                totals[team.id][0] += count
                totals[team.id][1] += certified
        return {
            team.id: (100.0 * totals[team.id][1] / totals[team.id][0] if totals[team.id][0] else None) for team in teams
        }
