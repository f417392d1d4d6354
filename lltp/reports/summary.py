"""Reading the daily summary: which days of a period it may answer for, and its rows for those days.

It answers only for whole days it holds (never today, which is still changing), only without a unit,
and only while the working calendar is the one it was counted with. Every other day is counted from the
cases, so the figures are the same with or without it; a test holds the two to each other.
"""

import hashlib
from datetime import timedelta

import holidays
import sqlalchemy as sa

from lltp.extensions import db
from lltp.reports.days import number_of
from lltp.reports.models import DailyFigure, SummaryCoverage

RECEIVED, RETURNED = "received", "returned"


def calendar_fingerprint(calendar):
    """What the summary's working-day counts depend on: the package's holidays and the overrides."""
    days = [f"-{day.isoformat()}" for day in sorted(calendar.extra_holidays)]
    days += [f"+{day.isoformat()}" for day in sorted(calendar.extra_working_days)]
    return hashlib.sha256(";".join([holidays.__version__, *days]).encode()).hexdigest()


def coverage(calendar):
    """The coverage row, when the summary holds days counted with this calendar; None otherwise."""
    row = db.session.get(SummaryCoverage, 1)
    if row is None or row.calendar_fingerprint != calendar_fingerprint(calendar):
        return None
    return row


def split_period(period_from, period_to, *, unit, calendar):
    """The period as [(first, last, from the summary?)]: the days the summary holds, and the rest."""
    held = coverage(calendar) if unit is None else None
    if held is None or held.last_day < period_from or held.first_day > period_to:
        return [(period_from, period_to, False)]
    first, last = max(period_from, held.first_day), min(period_to, held.last_day)
    parts = [(first, last, True)]
    if period_from < first:
        parts.insert(0, (period_from, first - timedelta(days=1), False))
    if last < period_to:
        parts.append((last + timedelta(days=1), period_to, False))
    return parts


def rows(first, last):
    """The summary's counts for the days `first` to `last`, grouped as `figures.daily_rows` gives them
    (in SQL: a year of the summary is many rows, the groups are few)."""
    in_days = (DailyFigure.day >= first, DailyFigure.day <= last)
    cases = sa.func.sum(DailyFigure.cases)

    def grouped(measure, *keys):
        return db.session.execute(
            sa.select(*keys, cases).where(DailyFigure.measure == measure, *in_days).group_by(*keys)
        ).all()

    received = grouped(RECEIVED, DailyFigure.day, DailyFigure.channel, DailyFigure.certificate_type)
    by_day = grouped(RETURNED, DailyFigure.day, DailyFigure.certificate_type, DailyFigure.days_late)
    spans = grouped(
        RETURNED,
        DailyFigure.certificate_type,
        DailyFigure.channel,
        DailyFigure.working_days,
        DailyFigure.calendar_days,
    )
    return (
        [(number_of(day), *rest) for day, *rest in received],
        [((number_of(day), *rest), count) for day, *rest, count in by_day],
        [(tuple(rest), count) for *rest, count in spans],
    )
