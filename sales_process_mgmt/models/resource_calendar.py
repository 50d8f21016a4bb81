import bisect
from datetime import timedelta

from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _get_sales_process_workdays(self):
        """Weekdays (0 = Monday) with attendance and the sorted public holidays.

        Stage time limits count whole working days: a day counts when its weekday
        has attendance in the calendar and it is not a global leave. Date based on
        purpose: it is O(1) per lead, so it scales to bulk stage moves.
        """
        self.ensure_one()
        weekdays = frozenset(int(day) for day in self.attendance_ids.mapped("dayofweek")) or frozenset(range(5))
        holidays = set()
        for leave in self.leave_ids.filtered(lambda leave: not leave.resource_id):
            day = leave.date_from.date()
            while day <= leave.date_to.date():
                holidays.add(day)
                day += timedelta(days=1)
        return weekdays, sorted(holidays)

    def _sales_process_working_days_between(self, date_from, date_to, workdays=None):
        """Working days after ``date_from`` up to and including ``date_to`` (dates)."""
        if date_to <= date_from:
            return 0
        weekdays, holidays = workdays or self._get_sales_process_workdays()
        days = (date_to - date_from).days
        full_weeks, rest = divmod(days, 7)
        count = full_weeks * len(weekdays)
        count += sum(1 for i in range(1, rest + 1) if (date_from + timedelta(days=i)).weekday() in weekdays)
        start = bisect.bisect_right(holidays, date_from)
        end = bisect.bisect_right(holidays, date_to)
        count -= sum(1 for day in holidays[start:end] if day.weekday() in weekdays)
        return count

    def _sales_process_add_working_days(self, date_from, count, workdays=None):
        """The date on which ``count`` working days after ``date_from`` are complete."""
        weekdays, holidays = workdays or self._get_sales_process_workdays()
        holiday_set = set(holidays)
        day, done = date_from, 0
        # a week holds at least one working day, so this ends; jump whole weeks first
        if len(weekdays) and count > 2 * len(weekdays):
            weeks = count // len(weekdays) - 1
            day += timedelta(weeks=weeks)
            done = self._sales_process_working_days_between(date_from, day, (weekdays, holidays))
        while done < count:
            day += timedelta(days=1)
            if day.weekday() in weekdays and day not in holiday_set:
                done += 1
        return day
