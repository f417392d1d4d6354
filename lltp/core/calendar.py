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
from flask_babel import gettext as _
from holidays.countries.vietnam import VietnamStaticHolidays
from sqlalchemy.orm import Mapped, mapped_column

from lltp.core import audit
from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.core.errors import NotFound, ValidationFailed
from lltp.core.text import format_date, nfc
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
        for _step in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start, end):
        """Working days in (start, end]: how many working days after `start` up to and including `end`.

        Counted arithmetically, then corrected only on the dates that differ from Monday-to-Friday
        (holidays, swapped days, overrides): the board computes this for every row it shows.
        """
        if end <= start:
            return 0
        weeks, rest = divmod((end - start).days, 7)
        first = start.weekday() + 1
        weekdays = weeks * 5 + sum(1 for n in range(first, first + rest) if n % 7 < 5)
        special = set(self.extra_holidays) | self.extra_working_days | _package_swapped_working_days()
        for year in range(start.year, end.year + 1):
            special |= _package_holidays(year)
        corrections = sum(
            self.is_working_day(day) - (day.weekday() < 5) for day in special if start < day <= end
        )
        return weekdays + corrections

    def working_days_left(self, today, due):
        """Signed: positive while working days remain before `due`, negative working days once overdue."""
        if due >= today:
            return self.working_days_between(today, due)
        # The weekend or holiday after a missed due date is already late, though no working day has passed.
        return -max(1, self.working_days_between(due, today))


def working_calendar():
    """The calendar as it stands now, with every administrator override."""
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar(
        extra_holidays=[day for day, kind in rows if kind is CalendarDayKind.HOLIDAY],
        extra_working_days=[day for day, kind in rows if kind is CalendarDayKind.WORKING_DAY],
    )


def parse_day(value):
    """A date typed as dd/mm/yyyy (or already a date); None when blank. Raises ValueError otherwise."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def package_days(year):
    """The public holidays and swapped working days that the `holidays` package knows for `year`, in order,
    as (day, kind, Vietnamese name)."""
    named = holidays.country_holidays("VN", years=year, language="vi")
    days = [(day, CalendarDayKind.HOLIDAY, name) for day, name in named.items()]
    days += [
        (day, CalendarDayKind.WORKING_DAY, _("Ngày làm việc bù"))
        for day in _package_swapped_working_days()
        if day.year == year
    ]
    return sorted(days)


def calendar_overrides(year=None):
    """The administrator's overrides, in date order; only those of `year` when given."""
    query = sa.select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    return db.session.scalars(query).all()


def add_calendar_override(day, kind, name, *, actor):
    """Add a holiday on a weekday, or a weekend day worked in exchange for one; it counts from now on."""
    errors = {}
    try:
        kind = CalendarDayKind(kind)
    except ValueError:
        errors["kind"] = _("Chọn loại ngày: ngày nghỉ hoặc ngày làm việc bù.")
        kind = None
    try:
        day = parse_day(day)
    except ValueError:
        errors["day"] = _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")
    else:
        if day is None:
            errors["day"] = _("Vui lòng nhập ngày.")
        elif kind is not None and (problem := _override_day_problem(day, kind)):
            errors["day"] = problem
    name = nfc((name or "").strip())
    if not name:
        errors["name"] = _("Vui lòng nhập tên ngày nghỉ hoặc lý do làm bù.")
    elif len(name) > 200:
        errors["name"] = _("Tên không quá 200 ký tự.")
    if errors:
        raise ValidationFailed(errors)
    override = CalendarDay(day=day, kind=kind, name=name, created_by_id=actor.user_id)
    db.session.add(override)
    db.session.flush()
    audit.record(
        "calendar.add",
        actor,
        object_type="calendar_day",
        object_id=override.id,
        details={"day": day.isoformat(), "kind": str(kind), "name": name},
    )
    return override


def _override_day_problem(day, kind):
    """Why `day` cannot take an override of `kind`, or None."""
    if db.session.scalar(sa.select(CalendarDay.id).where(CalendarDay.day == day)):
        return _("Ngày %(day)s đã có trong danh sách điều chỉnh.", day=format_date(day))
    package = WorkingCalendar()
    if kind is CalendarDayKind.WORKING_DAY:
        if day.weekday() < 5:
            return _("Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật.")
        if package.is_working_day(day):
            return _("Ngày %(day)s đã là ngày làm việc bù.", day=format_date(day))
    else:
        if day.weekday() >= 5:
            return _("Ngày nghỉ phải là ngày từ thứ Hai đến thứ Sáu.")
        if not package.is_working_day(day):
            return _("Ngày %(day)s đã là ngày nghỉ lễ.", day=format_date(day))
    return None


def remove_calendar_override(override_id, *, actor):
    """Remove one of the administrator's overrides; the day goes back to what the package says."""
    override = db.session.get(CalendarDay, override_id)
    if override is None:
        raise NotFound(_("Không tìm thấy ngày điều chỉnh này."))
    details = {"day": override.day.isoformat(), "kind": str(override.kind), "name": override.name}
    db.session.delete(override)
    db.session.flush()
    audit.record("calendar.remove", actor, object_type="calendar_day", object_id=override_id, details=details)
