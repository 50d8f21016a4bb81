from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..hooks import post_init_hook
from ..models.crm_lead import SKIP_STAGE_LOGIC
from .common import SalesProcessCase


@tagged("post_install", "-at_install")
class TestStageHistory(SalesProcessCase):
    """Stage visits, durations, time limits and checklists per visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "SPM 5 days", "company_id": cls.company.id, "tz": "UTC"}
        )
        cls.company.resource_calendar_id = cls.calendar

    def _history(self, lead):
        return self.env["sales.process.stage.history"].search([("lead_id", "=", lead.id)], order="id")

    def test_history_on_create_and_moves(self):
        lead = self._create_leads().with_user(self.user_salesman)
        visits = self._history(lead)
        self.assertEqual(len(visits), 1)
        self.assertRecordValues(
            visits,
            [
                {
                    "stage_id": self.stage_reception.id,
                    "user_id": self.user_salesman.id,
                    "team_id": self.team.id,
                    "company_id": self.company.id,
                    "moved_by_id": self.env.uid,
                    "is_open": True,
                    "date_out": False,
                }
            ],
        )
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_needs.id})
        lead.write({"stage_id": self.stage_reception.id})
        visits = self._history(lead)
        self.assertEqual(visits.mapped("stage_id"), self.stage_reception | self.stage_needs | self.stage_reception)
        self.assertEqual(visits.mapped("is_open"), [False, False, True])
        self.assertEqual(visits[0].next_stage_id, self.stage_needs)
        self.assertEqual(visits[0].moved_out_by_id, self.user_salesman)
        self.assertEqual(visits[1].moved_by_id, self.user_salesman)
        self.assertEqual(lead.stage_history_count, 3)
        # writing the same stage again is not a move
        lead.write({"stage_id": self.stage_reception.id})
        self.assertEqual(len(self._history(lead)), 3)

    def test_durations_calendar_and_working_days(self):
        """A visit that began exactly 7 days ago lasted 7 calendar days and 5 working days."""
        lead = self._create_leads().with_user(self.user_salesman)
        self._set_entered(lead, 7)
        lead.write({"stage_id": self.stage_needs.id})
        visit = self._history(lead)[0]
        self.assertAlmostEqual(visit.duration_days, 7.0, places=3)
        self.assertEqual(visit.duration_working_days, 5)
        # a public holiday on a working day of that week removes one working day
        lead2 = self._create_leads().with_user(self.user_salesman)
        date_in = self._set_entered(lead2, 7)
        holiday = next(day for day in (date_in.date() + timedelta(days=i) for i in range(1, 8)) if day.weekday() < 5)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime.combine(holiday, datetime.min.time()),
                "date_to": datetime.combine(holiday, datetime.max.time().replace(microsecond=0)),
            }
        )
        lead2.write({"stage_id": self.stage_needs.id})
        self.assertEqual(self._history(lead2)[0].duration_working_days, 4)

    def test_working_days_sql_matches_python_on_long_visits(self):
        """Closing visits counts working days as the calendar helper does, for any length."""
        self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "4").unlink()  # no Fridays
        today = self.env.cr.now().date()
        for offset in (3, 40, 200):
            self.env["resource.calendar.leaves"].create(
                {
                    "name": f"Holiday {offset}",
                    "calendar_id": self.calendar.id,
                    "date_from": datetime.combine(today - timedelta(days=offset), datetime.min.time()),
                    "date_to": datetime.combine(
                        today - timedelta(days=offset), datetime.max.time().replace(microsecond=0)
                    ),
                }
            )
        lengths = (0, 1, 6, 7, 8, 13, 45, 199, 200, 201, 400, 1000)
        leads = self._create_leads(len(lengths)).with_user(self.user_salesman)
        for lead, days in zip(leads, lengths, strict=True):
            self._set_entered(lead, days)
        leads.write({"stage_id": self.stage_needs.id})
        workdays = self.calendar._get_sales_process_workdays()
        self.assertNotIn(4, workdays[0])
        for lead, days in zip(leads, lengths, strict=True):
            visit = self._history(lead)[0]
            expected = self.calendar._sales_process_working_days_between_datetimes(
                visit.date_in, visit.date_out, workdays
            )
            self.assertEqual(visit.duration_working_days, expected, f"visit of {days} days")
        self.assertGreater(self._history(leads[-1])[0].duration_working_days, 500)

    def test_working_day_helpers_fixed_dates(self):
        friday = date(2026, 11, 27)
        self.assertEqual(friday.weekday(), 4)
        workdays = (frozenset(range(5)), [date(2026, 12, 1)])
        self.assertEqual(self.calendar._sales_process_working_days_between(friday, date(2026, 12, 4)), 5)
        self.assertEqual(self.calendar._sales_process_working_days_between(friday, date(2026, 12, 4), workdays), 4)
        self.assertEqual(self.calendar._sales_process_add_working_days(friday, 5), date(2026, 12, 4))
        self.assertEqual(self.calendar._sales_process_add_working_days(friday, 5, workdays), date(2026, 12, 7))
        self.assertEqual(self.calendar._sales_process_add_working_days(friday, 30), date(2027, 1, 8))
        self.assertEqual(self.calendar._sales_process_working_days_between(friday, friday), 0)

    def test_deadline_calendar_and_working(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 5, "warning_percent": 80})
        lead = self._create_leads().with_user(self.user_salesman)
        date_in = lead.date_last_stage_update
        self.assertEqual(lead.stage_deadline, date_in + timedelta(days=5))
        self.assertEqual(lead.stage_warning_date, date_in + timedelta(days=4))
        self.assertEqual(lead.stage_state, "on_time")
        self.stage_reception.time_basis = "working"
        expected = self.calendar._sales_process_add_working_days(date_in.date(), 5)
        self.assertEqual(lead.stage_deadline.date(), expected)
        self.assertEqual(lead.stage_deadline.time(), date_in.time())
        self.assertEqual(self._history(lead).deadline, lead.stage_deadline, "the open visit follows the new limit")
        self.stage_reception.max_days = 8
        self.assertEqual(lead.stage_deadline.date(), self.calendar._sales_process_add_working_days(date_in.date(), 8))
        self.assertEqual(self._history(lead).deadline, lead.stage_deadline)

    def test_working_days_in_the_calendar_time_zone(self):
        """Holidays and visit days are days of the calendar's time zone, not of UTC.

        In UTC+8 a holiday on 1 October is stored from 30 September 16:00 UTC: it
        must remove 1 October, not 30 September.
        """
        self.calendar.tz = "Asia/Shanghai"
        self.env["resource.calendar.leaves"].create(
            {
                "name": "National Day",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 9, 30, 16, 0),  # 1 October 00:00 in Shanghai
                "date_to": datetime(2026, 10, 1, 15, 59, 59),
            }
        )
        __, holidays = self.calendar._get_sales_process_workdays()
        self.assertEqual(holidays, [date(2026, 10, 1)])
        # Wednesday 30 September 23:00 in Shanghai (15:00 UTC) to Friday 2 October 09:00 (01:00 UTC):
        # Thursday 1 October is the holiday, Friday counts
        count = self.calendar._sales_process_working_days_between_datetimes(
            datetime(2026, 9, 30, 15, 0), datetime(2026, 10, 2, 1, 0)
        )
        self.assertEqual(count, 1)
        # a deadline of 1 working day from Wednesday 23:00 in Shanghai: Friday 23:00 there
        deadline = self.calendar._sales_process_add_working_days_to_datetime(datetime(2026, 9, 30, 15, 0), 1)
        self.assertEqual(deadline, datetime(2026, 10, 2, 15, 0))

    def test_stage_states(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 10, "warning_percent": 80})
        on_time, warning, overdue = self._create_leads(3)
        self._set_entered(warning, 9)
        self._set_entered(overdue, 11)
        self.assertEqual(on_time.stage_state, "on_time")
        self.assertEqual(warning.stage_state, "warning")
        self.assertEqual(overdue.stage_state, "overdue")
        self.assertEqual(overdue.days_in_stage, 11)
        no_limit = self._create_leads(stage_id=self.stage_needs.id).with_user(self.user_salesman)
        self.assertEqual(no_limit.stage_state, "none")
        Lead = self.env["crm.lead"]
        domain = [("id", "in", (on_time | warning | overdue | no_limit).ids)]
        self.assertEqual(Lead.search(domain + [("stage_state", "=", "overdue")]), overdue)
        self.assertEqual(Lead.search(domain + [("stage_state", "=", "warning")]), warning)
        # leaving late marks the visit overdue
        overdue.write({"stage_id": self.stage_needs.id})
        self.assertTrue(self._history(overdue)[0].overdue)
        self.assertFalse(self._history(warning).overdue)

    def test_cron_refreshes_states_and_is_idempotent(self):
        self.stage_reception.write({"has_time_limit": True, "max_days": 10, "warning_percent": 80})
        lead = self._create_leads().with_user(self.user_salesman)
        self.assertEqual(lead.stage_state, "on_time")
        # time passes: the stored state is stale until the cron runs
        self.env.cr.execute(
            "UPDATE crm_lead SET date_last_stage_update = date_last_stage_update - interval '12 days',"
            " stage_deadline = stage_deadline - interval '12 days',"
            " stage_warning_date = stage_warning_date - interval '12 days' WHERE id = %s",
            [lead.id],
        )
        self.env.cr.execute(
            "UPDATE sales_process_stage_history SET deadline = deadline - interval '12 days' WHERE lead_id = %s",
            [lead.id],
        )
        self.env.invalidate_all()
        self.assertEqual(lead.stage_state, "on_time")
        self.env["crm.lead"]._cron_refresh_stage_timing()
        self.assertEqual(lead.stage_state, "overdue")
        self.assertEqual(lead.days_in_stage, 12)
        self.assertTrue(self._history(lead).overdue)
        self.env["crm.lead"]._cron_refresh_stage_timing()
        self.assertEqual(lead.stage_state, "overdue")

    def test_checklist_lines_per_visit(self):
        item_a = self._add_item(self.stage_reception, "A")
        self._add_item(self.stage_reception, "B", required=False)
        self._add_item(self.stage_needs, "C")
        lead = self._create_leads().with_user(self.user_salesman)
        self.assertEqual(lead.checklist_ids.mapped("name"), ["A", "B"])
        self.assertEqual(lead.checklist_progress, 0)
        lead.checklist_ids.filtered(lambda line: line.item_id == item_a).done = True
        self.assertEqual(lead.checklist_progress, 50)
        line_a = lead.checklist_ids.filtered(lambda line: line.item_id == item_a)
        self.assertEqual(line_a.done_by_id, self.user_salesman)
        self.assertTrue(line_a.done_date)
        lead.write({"stage_id": self.stage_needs.id})
        self.assertEqual(lead.checklist_ids.mapped("name"), ["C"])
        self.assertEqual(lead.checklist_progress, 0)
        # back to reception: a new visit with fresh lines; the old ticks stay on the old visit
        lead.write({"stage_id": self.stage_reception.id})
        self.assertEqual(lead.checklist_ids.mapped("done"), [False, False])
        all_lines = self.env["sales.process.lead.checklist"].search([("lead_id", "=", lead.id)])
        self.assertEqual(len(all_lines), 5)
        self.assertEqual(len(all_lines.history_id), 3)
        self.assertTrue(line_a.done)
        self.assertFalse(line_a.is_current)

    def test_checklist_evidence_required(self):
        self._add_item(self.stage_reception, "Call notes", evidence="note")
        self._add_item(self.stage_reception, "Signed form", evidence="attachment")
        lead = self._create_leads().with_user(self.user_salesman)
        note_line, file_line = lead.checklist_ids
        with self.assertRaisesMessage(ValidationError, "Call notes of SPM Lead 0 needs a note"):
            note_line.done = True
        note_line.write({"done": True, "note": "Customer wants 20 scanners"})
        with self.assertRaisesMessage(ValidationError, "needs an attachment"):
            file_line.done = True
        attachment = self.env["ir.attachment"].create({"name": "form.pdf", "raw": b"%PDF-1.4"})
        file_line.write({"done": True, "attachment_ids": [Command.set(attachment.ids)]})
        self.assertEqual(lead.checklist_progress, 100)

    def test_checklist_line_of_another_stage(self):
        item = self._add_item(self.stage_needs, "C")
        lead = self._create_leads().with_user(self.user_salesman)
        with self.assertRaisesMessage(ValidationError, "belongs to stage SPM Needs, not to stage SPM Reception"):
            self.env["sales.process.lead.checklist"].create(
                {"lead_id": lead.id, "item_id": item.id, "history_id": self._history(lead).id}
            )

    def test_stage_config_change_recomputes_deadlines(self):
        leads = self._create_leads(3).with_user(self.user_salesman)
        self.assertEqual(set(leads.mapped("stage_state")), {"none"})
        self.stage_reception.write({"has_time_limit": True, "max_days": 2})
        self.assertEqual(set(leads.mapped("stage_state")), {"on_time"})
        self.assertTrue(all(leads.mapped("stage_deadline")))

    def test_average_and_median_per_stage(self):
        """The analysis reads average and median time in stage per stage x team."""
        durations = [1, 2, 9]
        leads = self._create_leads(3).with_user(self.user_salesman)
        for lead, days in zip(leads, durations, strict=True):
            self._set_entered(lead, days)
        leads.write({"stage_id": self.stage_needs.id})
        History = self.env["sales.process.stage.history"]
        groups = History._read_group(
            [("lead_id", "in", leads.ids), ("is_open", "=", False)],
            ["stage_id", "team_id"],
            ["duration_days:avg", "median_duration_days:median", "__count"],
        )
        self.assertEqual(len(groups), 1)
        stage, team, average, median, count = groups[0]
        self.assertEqual((stage, team, count), (self.stage_reception, self.team, 3))
        self.assertAlmostEqual(average, 4.0, places=3)
        self.assertAlmostEqual(median, 2.0, places=3)
        web = History.read_group(
            [("lead_id", "in", leads.ids), ("is_open", "=", False)], ["median_duration_days"], ["stage_id"]
        )
        self.assertAlmostEqual(web[0]["median_duration_days"], 2.0, places=3)

    def test_analysis_groups_keep_stage_order(self):
        """Groups come back in the stages' sequence, as with Odoo's default ordering."""
        self.env["ir.config_parameter"].sudo().set_param("sales_process_mgmt.enforce_gates", "False")
        late_id_first = self.env["crm.stage"].create({"name": "SPM Early", "sequence": 1})
        leads = self._create_leads(2, stage_id=self.stage_needs.id) | self._create_leads(
            2, stage_id=late_id_first.id, team_id=self.team_2.id
        )
        leads.write({"stage_id": self.stage_contract.id})
        History = self.env["sales.process.stage.history"]
        domain = [("lead_id", "in", leads.ids)]
        groups = History.read_group(domain, ["duration_days"], ["stage_id", "team_id"], lazy=False)
        self.assertEqual(
            [(g["stage_id"][0], g["team_id"][0]) for g in groups],
            [
                (late_id_first.id, self.team_2.id),
                (self.stage_needs.id, self.team.id),
                *((self.stage_contract.id, team.id) for team in (self.team | self.team_2).sorted()),
            ],
        )
        expected = History.search(domain).mapped("stage_id").sorted()
        lazy = History.read_group(domain, ["duration_days"], ["stage_id"])
        self.assertEqual([g["stage_id"][0] for g in lazy], expected.ids)

    def test_merge_records_the_stage_change(self):
        """Merging opportunities moves the surviving one like any other stage change."""
        self._add_item(self.stage_needs, "C")
        older = self._create_leads(stage_id=self.stage_needs.id, partner_name="Merged Co").with_user(self.user_salesman)
        newer = self._create_leads(partner_name="Merged Co").with_user(self.user_salesman)
        merged = (older | newer).merge_opportunity(auto_unlink=True)
        self.assertTrue(merged.exists())
        visits = self._history(merged)
        self.assertEqual(len(visits.filtered("is_open")), 1)
        self.assertEqual(visits.filtered("is_open").stage_id, merged.stage_id)
        self.assertEqual(merged.checklist_ids.stage_id, merged.stage_id.checklist_item_ids.stage_id)
        self.assertFalse(((older | newer) - merged).exists())

    def test_install_opens_the_visits_of_existing_leads(self):
        """Leads already in the CRM when the module is installed get an open visit of their stage."""
        self._add_item(self.stage_needs, "SPM install item")
        Lead = self.env["crm.lead"].with_context(sales_process_skip=SKIP_STAGE_LOGIC)
        existing = Lead.create(
            [
                {"name": "SPM existing", "type": "opportunity", "stage_id": self.stage_needs.id},
                {"name": "SPM existing lost", "type": "opportunity", "stage_id": self.stage_needs.id, "active": False},
            ]
        )
        followed = self._create_leads().with_user(self.user_salesman)
        self.assertFalse(self._history(existing[0]))
        self.env.flush_all()
        post_init_hook(self.env)
        self.env.invalidate_all()
        self.assertFalse(self._history(existing[1]), "a lost lead is in no stage visit")
        for lead in existing[:1]:
            visit = self._history(lead)
            self.assertRecordValues(
                visit,
                [{"stage_id": self.stage_needs.id, "is_open": True, "moved_by_id": False}],
            )
            self.assertEqual(visit.date_in, lead.date_last_stage_update)
            self.assertEqual(lead.with_context(active_test=False).checklist_ids.name, "SPM install item")
        self.assertEqual(len(self._history(followed)), 1, "a lead with an open visit gets no second one")
