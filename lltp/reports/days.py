"""Dates as day numbers in SQL, and the working-day calendar as a table the report's queries join.

The legal counts are in working days, which SQL cannot know: the calendar lives in Python (the `holidays`
package plus the administrator's overrides). So each report query carries the calendar of the days it
needs as a small `VALUES` table of (day number, working days so far), and counts working days between two
dates as the difference of the two running totals: the aggregates stay in SQL, whatever the case count.
Day numbers (days since 1970-01-01) rather than dates, because SQLite has no date type to compare.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from lltp.core import clock

EPOCH = date(1970, 1, 1)


def number_of(day):
    return (day - EPOCH).days


def day_of(number):
    return EPOCH + timedelta(days=number)


def local_midnight(day):
    """The UTC moment a local day starts: the period's bounds, compared on the timestamp indexes."""
    return datetime.combine(day, time.min, tzinfo=clock.local_tz())


class local_day_number(FunctionElement):  # an SQL function, named as one
    """The day number of a UTC timestamp's local (Vietnam) date."""

    type = sa.Integer()
    inherit_cache = True


class day_number(FunctionElement):
    """The day number of a date, or of ISO date text (a date inside a JSON column)."""

    type = sa.Integer()
    inherit_cache = True


def _offset_seconds():
    # Vietnam keeps one offset all year; SQLite has no time zones, so the offset is applied as a number.
    return int(clock.local_tz().utcoffset(datetime(2000, 1, 1)).total_seconds())


@compiles(local_day_number, "sqlite")
def _local_day_number_sqlite(element, compiler, **kw):
    (moment,) = element.clauses
    return (
        f"((CAST(strftime('%s', {compiler.process(moment, **kw)}) AS INTEGER) + {_offset_seconds()}) / 86400)"
    )


@compiles(local_day_number, "postgresql")
def _local_day_number_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    zone = clock.local_tz().key.replace("'", "")
    return f"(CAST(timezone('{zone}', {compiler.process(moment, **kw)}) AS DATE) - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    (value,) = element.clauses
    return f"(CAST(strftime('%s', {compiler.process(value, **kw)}) AS INTEGER) / 86400)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element, compiler, **kw):
    (value,) = element.clauses
    return f"(CAST({compiler.process(value, **kw)} AS DATE) - DATE '1970-01-01')"


def calendar_table(calendar, first, last, name="report_days"):
    """A CTE of every day from `first` to `last`: its number `n` and `w`, the working days from `first`
    up to and including it. Working days in (a, b] are then w(b) - w(a), as `working_days_between`."""
    rows, worked = [], 0
    day = first
    while day <= last:
        worked += day > first and calendar.is_working_day(day)
        rows.append((number_of(day), worked))
        day += timedelta(days=1)
    columns = (sa.column("n", sa.Integer), sa.column("w", sa.Integer))
    return sa.values(*columns, name=name, literal_binds=True).data(rows).cte(name)
