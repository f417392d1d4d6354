"""Reads for the issuing authority's board and case page: plain functions returning rows and values."""

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lltp.cases import deadlines
from lltp.cases.models import CLOSED_STAGES, OPEN_STAGES, Case, CaseEvent, CaseStage, Channel
from lltp.core import clock
from lltp.core.text import fold
from lltp.extensions import db

# The board's stage tabs besides one per stage: every open case (the default) and every case.
OPEN_TAB = ""
ALL_TAB = "all"

SORT_KEYS = {
    "due": Case.due_date,
    "received": Case.received_at,
    "code": Case.code,
    "name": Case.applicant_name_folded,
}
NULLABLE_SORT_KEYS = frozenset({"due", "received"})


def due_today_clause(*, calendar, now=None):
    """SQL for open cases whose appointment date is today."""
    today = clock.local_date(now or clock.now())
    return sa.and_(Case.stage.in_(OPEN_STAGES), Case.due_date == today)


DUE_FILTERS = {
    "overdue": deadlines.overdue_clause,
    "at_risk": deadlines.at_risk_clause,
    "due_today": due_today_clause,
}


@dataclass(frozen=True)
class BoardFilters:
    stage: str = OPEN_TAB  # OPEN_TAB, ALL_TAB or a CaseStage value
    channel: Channel | None = None
    due: str | None = None  # a key of DUE_FILTERS
    certificate_type: int | None = None
    q: str = ""
    sort: str = "due"  # a key of SORT_KEYS
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class BoardPage:
    cases: list[Case]
    counts: dict  # tab (OPEN_TAB, ALL_TAB or a CaseStage value) -> cases under the other filters
    total: int
    page: int
    pages: int


def search_clause(q):
    """A case code starting with `q` (any case), or an applicant name with a word starting with `q`,
    diacritics ignored."""
    by_code = Case.code.startswith(q.upper(), autoescape=True)
    folded = fold(q)
    if not folded:
        return by_code
    return sa.or_(
        by_code,
        Case.applicant_name_folded.startswith(folded, autoescape=True),
        Case.applicant_name_folded.contains(" " + folded, autoescape=True),
    )


def stage_clause(stage):
    if stage == OPEN_TAB:
        return Case.stage.in_(OPEN_STAGES)
    if stage == ALL_TAB:
        return sa.true()
    return Case.stage == CaseStage(stage)


def filter_clauses(filters, *, calendar, now):
    """Every filter but the stage, which the tabs count across."""
    clauses = []
    if filters.channel is not None:
        clauses.append(Case.channel == filters.channel)
    if filters.certificate_type is not None:
        clauses.append(Case.certificate_type == filters.certificate_type)
    if filters.due is not None:
        clauses.append(DUE_FILTERS[filters.due](calendar=calendar, now=now))
    if filters.q:
        clauses.append(search_clause(filters.q))
    return clauses


def tab_counts(clauses):
    """Cases per tab under `clauses`, from one GROUP BY on the stage."""
    statement = sa.select(Case.stage, sa.func.count()).where(*clauses).group_by(Case.stage)
    per_stage = dict(db.session.execute(statement).all())
    counts = {stage.value: per_stage.get(stage, 0) for stage in CaseStage}
    counts[OPEN_TAB] = sum(n for stage, n in per_stage.items() if stage not in CLOSED_STAGES)
    counts[ALL_TAB] = sum(per_stage.values())
    return counts


def board_order(sort, descending, *, has_nulls=True):
    """The ORDER BY for a sort key. Cases without a date go last, but only when the filters let any
    through: an explicit NULLS LAST stops SQLite from reading rows in index order."""
    column = SORT_KEYS[sort]
    order = column.desc() if descending else column.asc()
    if sort in NULLABLE_SORT_KEYS and has_nulls:
        order = order.nulls_last()
    # The id breaks ties, so a case never shows on two pages.
    return order, Case.id.desc() if descending else Case.id.asc()


def board_page(filters, *, calendar, now, page_size):
    """One page of the board under `filters`, with the tab counts and the page count."""
    clauses = filter_clauses(filters, calendar=calendar, now=now)
    counts = tab_counts(clauses)
    total = counts[filters.stage]
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    statement = (
        sa.select(Case)
        .where(*clauses, stage_clause(filters.stage))
        .order_by(*board_order(filters.sort, filters.descending, has_nulls=filters.due is None))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return BoardPage(list(db.session.scalars(statement)), counts, total, page, pages)


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    # Set when the event moved the appointment date; `clock_stopped` when it stopped the legal count.
    new_due_date: date | None
    clock_stopped: bool


def case_timeline(case):
    """The case's events in order, with the appointment date each one set."""
    entries = []
    for event in case.events:
        data = event.data or {}
        moved = "due_date" in data
        new_due = date.fromisoformat(data["due_date"]) if moved and data["due_date"] else None
        entries.append(TimelineEntry(event, new_due, moved and new_due is None))
    return entries
