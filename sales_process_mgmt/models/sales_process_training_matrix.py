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
    members). The status is the best one of the salesperson's records for the course
    (valid, expiring soon, expired, to grade, failed); ``missing`` without any record.
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
    date = fields.Date(string="Last Training", readonly=True)
    expiry_date = fields.Date(string="Certificate Expiry", readonly=True, help="Latest expiry of the certifications.")
    score = fields.Float(string="Best Score", readonly=True, aggregator="avg")
    record_count = fields.Integer(string="Attempts", readonly=True, aggregator="sum")
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
                -- One hash aggregate over the records: the best status is the lowest rank.
                SELECT r.salesperson_id, r.course_id,
                       MIN(CASE r.status WHEN 'valid' THEN 0 WHEN 'expiring' THEN 1 WHEN 'expired' THEN 2
                                         WHEN 'pending' THEN 3 ELSE 4 END) AS rank,
                       MAX(r.date) AS date,
                       MAX(r.expiry_date) AS expiry_date,
                       MAX(r.score) AS score,
                       COUNT(*) AS record_count
                  FROM sales_process_training_record r
              GROUP BY r.salesperson_id, r.course_id
            ), team_courses AS (
                SELECT DISTINCT course_id FROM sales_process_training_course_crm_team_rel
            ), required AS (
                -- Active courses required for some stage or team.
                SELECT c.id, c.category, c.company_id, tc.course_id IS NOT NULL AS for_teams
                  FROM sales_process_training_course c
             LEFT JOIN team_courses tc ON tc.course_id = c.id
                 WHERE c.active
                   AND (tc.course_id IS NOT NULL
                        OR c.id IN (SELECT course_id FROM sales_process_training_course_crm_stage_rel))
            ), team_members AS (
                -- (user, course) of the courses limited to teams: their members only.
                SELECT DISTINCT m.user_id, t.course_id
                  FROM sales_process_training_course_crm_team_rel t
                  JOIN crm_team_member m ON m.crm_team_id = t.team_id AND m.active
            )
            SELECT (u.id::bigint << 32) + c.id AS id,
                   u.id AS user_id,
                   u.sale_team_id AS team_id,
                   c.id AS course_id,
                   c.category AS category,
                   -- a shared course's row belongs to the salesperson's company
                   COALESCE(c.company_id, u.company_id) AS company_id,
                   b.date AS date,
                   b.expiry_date AS expiry_date,
                   b.score AS score,
                   COALESCE(b.record_count, 0) AS record_count,
                   CASE b.rank WHEN 0 THEN 'valid' WHEN 1 THEN 'expiring' WHEN 2 THEN 'expired'
                               WHEN 3 THEN 'pending' WHEN 4 THEN 'failed' ELSE 'missing' END AS status,
                   CASE WHEN b.rank <= 1 THEN 1 ELSE 0 END AS compliant_count,
                   CASE WHEN b.rank <= 1 THEN 100.0 ELSE 0.0 END AS compliance
              FROM res_users u
              JOIN res_groups_users_rel g ON g.uid = u.id AND g.gid = %(group)s
        CROSS JOIN required c
         LEFT JOIN team_members tm ON tm.user_id = u.id AND tm.course_id = c.id
         LEFT JOIN res_company_users_rel cu ON cu.user_id = u.id AND cu.cid = c.company_id
         LEFT JOIN best b ON b.salesperson_id = u.id AND b.course_id = c.id
             WHERE u.active AND NOT u.share
               AND (NOT c.for_teams OR tm.user_id IS NOT NULL)
               AND (c.company_id IS NULL OR cu.cid IS NOT NULL)
            """,
            group=group.id,
        )

    @api.model
    def _get_statuses(self, domain=None):
        """Return {(user_id, course_id): status} of the matrix rows matching ``domain``.

        The whole matrix can be 10k+ rows: select the three columns from the ORM's
        query (record rules applied) instead of building records. Ordered by id, that is
        by user then course.
        """
        query = self._search(domain or [], order="id")
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(self._table, "user_id"),
                SQL.identifier(self._table, "course_id"),
                SQL.identifier(self._table, "status"),
            )
        )
        return {(user_id, course_id): status for user_id, course_id, status in rows}

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
