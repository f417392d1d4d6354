"""The verifying agencies' performance (issue 5): for each unit, what it owes now, and how fast it
answered over a period. Read-only.

Answer times run from the day a task was asked to the day it was answered, both local dates: in working
days (the calendar the due dates use) and in calendar days beside. Working days need the calendar, which
SQL does not have, so the percentiles are taken in Python over the period's answered rows, interpolated
linearly between ranks as PostgreSQL's percentile_cont does.
"""

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from lltp.accounts.models import Unit, UnitKind
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.core.text import fold
from lltp.extensions import db
from lltp.verification.models import UNRESOLVED, TaskStatus, VerificationTask

# The units that answer questions; the issuing authority asks them, the postal operator carries papers.
VERIFYING_KINDS = (
    UnitKind.PROVINCIAL_POLICE,
    UnitKind.COURT,
    UnitKind.PROCURACY,
    UnitKind.JUDGMENT_ENFORCEMENT,
    UnitKind.COMMUNE_COMMITTEE,
    UnitKind.POPULATION_REGISTER,
)


@dataclass(frozen=True)
class AnswerTimes:
    """How long the answers of a period took: median and 90th percentile, in working and calendar days."""

    median_working_days: float | None = None
    p90_working_days: float | None = None
    median_days: float | None = None
    p90_days: float | None = None

    @classmethod
    def of(cls, spans):
        """From (working days, calendar days) pairs; all None when there are none."""
        if not spans:
            return cls()
        working, calendar = sorted(span[0] for span in spans), sorted(span[1] for span in spans)
        return cls(
            percentile(working, 0.5),
            percentile(working, 0.9),
            percentile(calendar, 0.5),
            percentile(calendar, 0.9),
        )


@dataclass(frozen=True)
class UnitPerformance:
    """One row of the page: a unit (None for the total), its open and overdue tasks now, and its answers of
    the period with their times."""

    unit: Unit | None
    open: int
    overdue: int
    answered: int
    times: AnswerTimes


@dataclass(frozen=True)
class Performance:
    rows: list
    total: UnitPerformance


def percentile(ordered, fraction):
    """The `fraction` percentile of sorted values, interpolated between ranks (percentile_cont)."""
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def agency_performance(start, end, *, unit_kind=None, today=None, calendar=None):
    """Per verifying unit (of `unit_kind`, or every kind): its unresolved tasks, those past their due date,
    and the tasks it answered from `start` to `end` (local dates, both included) with their answer times.
    Every active unit has a row, and so does an inactive one that still has tasks to show."""
    today = today or clock.today()
    calendar = calendar or working_calendar()
    kinds = (UnitKind(unit_kind),) if unit_kind else VERIFYING_KINDS
    in_kinds = VerificationTask.unit_id.in_(sa.select(Unit.id).where(Unit.kind.in_(kinds)))
    owed = {
        unit_id: (count, overdue)
        for unit_id, count, overdue in db.session.execute(
            sa.select(
                VerificationTask.unit_id,
                sa.func.count(),
                sa.func.count().filter(VerificationTask.due_date < today),
            )
            .where(VerificationTask.status.in_(UNRESOLVED), in_kinds)
            .group_by(VerificationTask.unit_id)
        )
    }
    spans = {}
    for unit_id, created_at, answered_at in db.session.execute(
        sa.select(VerificationTask.unit_id, VerificationTask.created_at, VerificationTask.answered_at).where(
            VerificationTask.status == TaskStatus.ANSWERED,
            VerificationTask.answered_at >= _local_midnight(start),
            VerificationTask.answered_at < _local_midnight(end + timedelta(days=1)),
            in_kinds,
        )
    ):
        asked, answered = clock.local_date(created_at), clock.local_date(answered_at)
        spans.setdefault(unit_id, []).append(
            (calendar.working_days_between(asked, answered), (answered - asked).days)
        )
    units = db.session.scalars(sa.select(Unit).where(Unit.kind.in_(kinds))).all()
    rows = [
        UnitPerformance(
            unit,
            *owed.get(unit.id, (0, 0)),
            len(spans.get(unit.id, ())),
            AnswerTimes.of(spans.get(unit.id, ())),
        )
        for unit in sorted(units, key=lambda unit: (VERIFYING_KINDS.index(unit.kind), fold(unit.name)))
        if unit.is_active or unit.id in owed or unit.id in spans
    ]
    every_span = [span for unit_spans in spans.values() for span in unit_spans]
    total = UnitPerformance(
        None,
        sum(row.open for row in rows),
        sum(row.overdue for row in rows),
        len(every_span),
        AnswerTimes.of(every_span),
    )
    return Performance(rows, total)


def _local_midnight(day):
    return datetime.combine(day, time.min, tzinfo=clock.local_tz())
