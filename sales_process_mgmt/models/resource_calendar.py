import bisect
from datetime import datetime, time, timedelta

import pytz

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
            # leaves are stored in UTC: a holiday is a day of the calendar's time zone
            day, last = self._sales_process_local_date(leave.date_from), self._sales_process_local_date(leave.date_to)
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        return weekdays, sorted(holidays)

    def _sales_process_local_date(self, value):
        """The date of the UTC datetime ``value`` in the calendar's time zone."""
        return pytz.utc.localize(value).astimezone(self._sales_process_tz()).date()

    def _sales_process_tz(self):
        return pytz.timezone(self.tz or "UTC") if len(self) == 1 else pytz.utc

    def _sales_process_working_days_between_datetimes(self, dt_from, dt_to, workdays=None):
        """Working days between two UTC datetimes, counted on the calendar's local dates."""
        self.ensure_one()
        return self._sales_process_working_days_between(
            self._sales_process_local_date(dt_from), self._sales_process_local_date(dt_to), workdays
        )

    def _sales_process_add_working_days_to_datetime(self, dt_from, count, workdays=None):
        """The UTC datetime ``count`` working days after the UTC datetime ``dt_from``.

        Counted on the calendar's local dates; the local time of day is kept.
        """
        self.ensure_one()
        tz = self._sales_process_tz()
        local = pytz.utc.localize(dt_from).astimezone(tz)
        day = self._sales_process_add_working_days(local.date(), count, workdays)
        result = tz.localize(
            datetime.combine(day, time.min) + (local.replace(tzinfo=None) - datetime.combine(local.date(), time.min))
        )
        return result.astimezone(pytz.utc).replace(tzinfo=None)

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
