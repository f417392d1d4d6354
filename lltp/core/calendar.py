"""The working-day calendar: Monday to Friday, less Vietnam's public holidays, plus swapped working days.

Public holidays and the government's swapped days come from the `holidays` package (VN). Administrators
add the ones it does not know yet in `calendar_days`; the table is read on every `working_calendar()`
call, so a change takes effect at once.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays
import sqlalchemy as sa
from holidays.countries.vietnam import VietnamStaticHolidays
from sqlalchemy.orm import Mapped, mapped_column

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class CalendarDayKind(StrEnum):
    HOLIDAY = "holiday"  # a day off on a weekday
    WORKING_DAY = "working_day"  # a weekend day worked in exchange for a day off


class CalendarDay(db.Model):
    """An administrator's override of the calendar for one date."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[CalendarDayKind] = mapped_column(str_enum(CalendarDayKind))
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


@lru_cache(maxsize=64)
def _package_holidays(year):
    return frozenset(holidays.country_holidays("VN", years=year))


@lru_cache(maxsize=1)
def _package_swapped_working_days():
    """Weekend days that the government made working days, as the package records them.

    The package lists each swap as (month, day, from_month, from_day[, from_year]): the day off, then the
    weekend day worked for it.
    """
    swapped = set()
    for year, entries in VietnamStaticHolidays.special_public_holidays.items():
        for entry in entries if isinstance(entries[0], tuple) else (entries,):
            if len(entry) >= 4:
                from_year = entry[4] if len(entry) > 4 else year
                swapped.add(date(from_year, entry[2], entry[3]))
    return frozenset(swapped)


class WorkingCalendar:
    """Answers "is this a working day" and counts working days. Build one with `working_calendar()`."""

    def __init__(self, extra_holidays=(), extra_working_days=()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_working_days = frozenset(extra_working_days)

    def is_working_day(self, day):
        if day in self.extra_working_days:
            return True
        if day in self.extra_holidays:
            return False
        if day in _package_swapped_working_days():
            return True
        return day.weekday() < 5 and day not in _package_holidays(day.year)

    def next_working_day(self, day):
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day, count):
        """The `count`-th working day after `day` (the day itself never counts)."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start, end):
        """Working days in (start, end]: how many working days after `start` up to and including `end`."""
        if end <= start:
            return 0
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(n)))

    def working_days_left(self, today, due):
        """Signed: positive while working days remain before `due`, negative working days once overdue."""
        if due >= today:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)


def working_calendar():
    """The calendar as it stands now, with every administrator override."""
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar(
        extra_holidays=[day for day, kind in rows if kind is CalendarDayKind.HOLIDAY],
        extra_working_days=[day for day, kind in rows if kind is CalendarDayKind.WORKING_DAY],
    )
