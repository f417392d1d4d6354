"""Reads for the verification boards: one unit's tasks by status, with the counts per status, and the
poll's count of what changed since the page was drawn.

The first page of a unit's board is two statements on the tasks, both on the index
`ix_verification_tasks_unit_status_due` (unit, status, due date, id): the counts (one GROUP BY on the
status, an index-only scan) and the rows (one SELECT with the case, the unit and the claimer's name
joined, the page's ids read in index order). The poll starts from the trail's newest id, a read of its
primary key.
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.accounts.models import User
from lltp.cases.models import Case
from lltp.extensions import db
from lltp.verification.models import AWAITING_UNIT, DONE, TaskEvent, TaskKind, TaskStatus, VerificationTask

# The board's tabs besides one per status: what the unit still owes (the default), and everything.
AWAITING_TAB = ""
ALL_TAB = "all"
TAB_STATUSES = {
    AWAITING_TAB: tuple(sorted(AWAITING_UNIT)),
    **{status.value: (status,) for status in TaskStatus},
    ALL_TAB: tuple(TaskStatus),
}
DUE_FILTERS = ("overdue", "today", "within")
MAX_WITHIN_DAYS = 30
# A task due within this many working days shows in the "at risk" colour: the reminder goes out then.
RISK_WORKING_DAYS = 1


@dataclass(frozen=True)
class BoardFilters:
    status: str = AWAITING_TAB  # a key of TAB_STATUSES
    kind: TaskKind | None = None
    due: str | None = None  # one of DUE_FILTERS
    days: int = 3  # for due == "within": working days from today
    mine: bool = False  # claimed by the officer looking
    q: str = ""  # a case code, or its beginning
    unit_id: int | None = None  # the issuing authority's officers pick a unit; a unit's own see only theirs
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class BoardScope:
    """Whose tasks a board shows: one unit's (`unit_id`), or every unit's (None, the authority's view)."""

    unit_id: int | None
    user_id: int


@dataclass(frozen=True)
class BoardRow:
    task: VerificationTask
    claimer: str | None  # the full name of whoever claimed it


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    counts: dict  # tab -> tasks under the other filters
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class DueStatus:
    days_left: int | None  # working days; negative once overdue
    label: str
    tone: str  # "ok", "risk", "late" or "none": the colour that goes with the text


def due_status(task, *, calendar, today):
    """Working days left or overdue, as text and a tone; a finished task, or one back with the issuing
    authority for clarification, is not on the unit's clock."""
    if task.status in DONE:
        return DueStatus(None, _("Đã kết thúc"), "none")
    if task.status is TaskStatus.RETURNED:
        return DueStatus(None, _("Chờ cơ quan cấp Phiếu làm rõ"), "none")
    days_left = calendar.working_days_left(today, task.due_date)
    if days_left < 0:
        return DueStatus(days_left, _("Quá hạn %(n)d ngày làm việc", n=-days_left), "late")
    if days_left == 0:
        return DueStatus(0, _("Hạn hôm nay"), "risk")
    tone = "risk" if days_left <= RISK_WORKING_DAYS else "ok"
    return DueStatus(days_left, _("Còn %(n)d ngày làm việc", n=days_left), tone)


def _due_clause(filters, *, calendar, today):
    """The due dates a due filter lets through (the statuses are `tab_statuses`' business)."""
    if filters.due == "overdue":
        return VerificationTask.due_date < today
    if filters.due == "today":
        return VerificationTask.due_date == today
    last = calendar.add_working_days(today, filters.days)
    return sa.and_(VerificationTask.due_date >= today, VerificationTask.due_date <= last)


def filter_clauses(filters, scope, *, calendar, today):
    """The scope and every filter but the statuses, which the tabs count across."""
    clauses = []
    unit_id = scope.unit_id if scope.unit_id is not None else filters.unit_id
    if unit_id is not None:
        clauses.append(VerificationTask.unit_id == unit_id)
    if filters.kind is not None:
        clauses.append(VerificationTask.kind == filters.kind)
    if filters.due is not None:
        clauses.append(_due_clause(filters, calendar=calendar, today=today))
    if filters.mine:
        clauses.append(VerificationTask.claimed_by_id == scope.user_id)
    if filters.q:
        # A subquery on the case code's unique index, so neither statement joins the cases to filter.
        codes = sa.select(Case.id).where(Case.code.startswith(filters.q.upper(), autoescape=True))
        clauses.append(VerificationTask.case_id.in_(codes))
    return clauses


def tab_statuses(filters, tab):
    """The statuses a tab shows under the filters: only a task the unit still owes is due or late."""
    if filters.due is None:
        return TAB_STATUSES[tab]
    return tuple(status for status in TAB_STATUSES[tab] if status in AWAITING_UNIT)


def tab_counts(filters, clauses):
    """Tasks per tab under the filters (`clauses` from `filter_clauses`), from one GROUP BY on the status."""
    statement = (
        sa.select(VerificationTask.status, sa.func.count())
        .where(*clauses, VerificationTask.status.in_(tab_statuses(filters, ALL_TAB)))
        .group_by(VerificationTask.status)
    )
    per_status = dict(db.session.execute(statement).all())
    return {
        tab: sum(per_status.get(status, 0) for status in tab_statuses(filters, tab)) for tab in TAB_STATUSES
    }


def _ordered(columns, descending):
    return [column.desc() if descending else column.asc() for column in columns]


def _page_ids(clauses, statuses, *, descending, limit, offset):
    """The ids of one page, soonest due first: per status, the index (unit, status, due date, id) gives
    its tasks in order and stops after the page, and the statuses' lists are merged."""
    per_status = [
        sa.select(VerificationTask.id, VerificationTask.due_date)
        .where(*clauses, VerificationTask.status == status)
        .order_by(*_ordered((VerificationTask.due_date, VerificationTask.id), descending))
        .limit(offset + limit)
        .subquery()
        for status in statuses
    ]
    # Each ordered, limited list is its own subquery: SQLite allows no ORDER BY inside a UNION.
    merged = sa.union_all(*(sa.select(part.c.id, part.c.due_date) for part in per_status)).subquery()
    return (
        sa.select(merged.c.id)
        .order_by(*_ordered((merged.c.due_date, merged.c.id), descending))
        .limit(limit)
        .offset(offset)
    )


def board_page(filters, scope, *, calendar, today, page_size):
    """One page of a board under `filters`, soonest due first, with the tab counts and the page count."""
    clauses = filter_clauses(filters, scope, calendar=calendar, today=today)
    counts = tab_counts(filters, clauses)
    total = counts[filters.status]
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    if total == 0:
        return BoardPage([], counts, total, page, pages)
    ids = _page_ids(
        clauses,
        tab_statuses(filters, filters.status),
        descending=filters.descending,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    # The case and the unit come joined with the task (the relationships are eager); the claimer's name
    # is one more outer join rather than a User per row.
    statement = (
        sa.select(VerificationTask, User.full_name)
        .outerjoin(User, User.id == VerificationTask.claimed_by_id)
        .where(VerificationTask.id.in_(ids))
        .order_by(*_ordered((VerificationTask.due_date, VerificationTask.id), filters.descending))
    )
    rows = [BoardRow(task, claimer) for task, claimer in db.session.execute(statement).all()]
    return BoardPage(rows, counts, total, page, pages)


def last_event_id():
    """The newest trail entry's id: where the poll starts counting changes (read on the primary key)."""
    return db.session.scalar(sa.select(sa.func.max(TaskEvent.id))) or 0


def changed_since(filters, scope, after_event_id):
    """How many tasks in the board's scope (its unit, kind and case-code filters) someone other than the
    officer looking has changed, or that arrived, since the trail entry `after_event_id`: the poll's
    "refresh" notice. The trail only grows, so its ids say "since" on the primary key, whatever its size."""
    unit_id = scope.unit_id if scope.unit_id is not None else filters.unit_id
    stable = BoardFilters(kind=filters.kind, q=filters.q, unit_id=unit_id)
    clauses = filter_clauses(stable, BoardScope(unit_id, scope.user_id), calendar=None, today=None)
    statement = (
        sa.select(sa.func.count(sa.distinct(TaskEvent.task_id)))
        .join(VerificationTask, VerificationTask.id == TaskEvent.task_id)
        .where(
            *clauses,
            TaskEvent.id > after_event_id,
            sa.or_(TaskEvent.actor_id.is_(None), TaskEvent.actor_id != scope.user_id),
        )
    )
    return db.session.scalar(statement)


def task_by_id(task_id):
    return db.session.get(VerificationTask, task_id)


def tasks_by_ids(ids):
    """The tasks with these ids, in the order given (unknown ids left out)."""
    if not ids:
        return []
    found = {
        task.id: task
        for task in db.session.scalars(sa.select(VerificationTask).where(VerificationTask.id.in_(ids)))
    }
    return [found[task_id] for task_id in dict.fromkeys(ids) if task_id in found]
