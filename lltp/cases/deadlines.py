"""Deadlines (domain §6): the dated legal profiles, the due date that follows from a case's events, and
the "at risk" and "overdue" rules. Each rule is written here once; the board's SQL filters use the same
thresholds as the per-case status.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.cases.models import CLOSED_STAGES, Case, CaseStage, DeliveryMethod, LegalProfile
from lltp.core import clock
from lltp.core.dated import in_force

# Events after which the legal count (re)starts: receipt, payment, the return of a completed dossier.
CLOCK_STARTS = frozenset({"receive", "record_payment", "complete_dossier"})
CLOCK_STOPS = frozenset({"request_completion"})

# At risk (domain §6): not yet past verification with two working days left, or not yet signed with one.
PRE_VERIFIED = frozenset({CaseStage.RECEIVED, CaseStage.IN_REVIEW, CaseStage.VERIFYING})
PRE_SIGNED = PRE_VERIFIED | {CaseStage.DRAFTING, CaseStage.AWAITING_SIGNATURE}
RISK_RULES = ((PRE_VERIFIED, 2), (PRE_SIGNED, 1))
# Open stages in which the legal count runs (awaiting payment and incomplete have no due date).
CLOCKED_STAGES = PRE_SIGNED | {CaseStage.ISSUED}


def choose_profile(profiles, day, channel):
    """The profile in force on `day` for `channel`."""
    return in_force(profiles, day, channel)


def profile_for(session, day, channel):
    return choose_profile(session.scalars(sa.select(LegalProfile)).all(), day, channel)


@dataclass(frozen=True)
class Schedule:
    """What the events say about a case's clock."""

    received_at: datetime | None
    clock_started_at: datetime | None
    is_long: bool
    due_date: date | None
    due_at: datetime | None


def limit_days(profile, *, is_long, delivery_method):
    days = profile.long_days if is_long and profile.long_days else profile.standard_days
    if delivery_method != DeliveryMethod.ELECTRONIC:
        days += profile.paper_return_extra_days
    return days


def schedule(events, *, profile, is_urgent, delivery_method, calendar):
    """Work out the clock from a case's events: when it was received, when the count last (re)started,
    whether it is long, and when it is due. The count starts the working day after it (re)starts."""
    received_at = started_at = None
    is_long = False
    for event in events:
        if event.action in CLOCK_STARTS:
            started_at = event.at
            received_at = received_at or event.at
        elif event.action in CLOCK_STOPS:
            started_at = None
        elif event.action == "mark_long":
            is_long = True
    if started_at is None or profile is None:
        return Schedule(received_at, started_at, is_long, None, None)
    if is_urgent and profile.urgent_hours:
        due_at = started_at + timedelta(hours=profile.urgent_hours)
        return Schedule(received_at, started_at, is_long, clock.local_date(due_at), due_at)
    days = limit_days(profile, is_long=is_long, delivery_method=delivery_method)
    due = calendar.add_working_days(clock.local_date(started_at), days)
    return Schedule(received_at, started_at, is_long, due, None)


@dataclass(frozen=True)
class DeadlineStatus:
    days_left: int | None  # working days; negative once overdue
    is_overdue: bool
    is_at_risk: bool
    label: str
    tone: str  # "ok", "risk", "late" or "none": the colour that goes with the text

    @property
    def days_late(self):
        return -self.days_left if self.is_overdue and self.days_left is not None else 0


def is_at_risk(stage, days_left):
    return any(stage in stages and days_left <= threshold for stages, threshold in RISK_RULES)


def deadline_status(case, *, calendar, now=None):
    """Working days left or overdue, and whether the case is at risk, as text and a tone."""
    now = now or clock.now()
    today = clock.local_date(now)
    if case.stage in CLOSED_STAGES or case.due_date is None:
        return DeadlineStatus(None, False, False, _("Không tính hạn"), "none")
    days_left = calendar.working_days_left(today, case.due_date)
    if case.due_at is not None:
        hours_left = (case.due_at - now).total_seconds() / 3600
        if hours_left < 0:
            late = int(-hours_left) + 1
            return DeadlineStatus(min(days_left, -1), True, False, _("Quá hạn %(n)d giờ", n=late), "late")
        return DeadlineStatus(days_left, False, True, _("Khẩn: còn %(n)d giờ", n=int(hours_left)), "risk")
    if days_left < 0:
        return DeadlineStatus(days_left, True, False, _("Quá hạn %(n)d ngày làm việc", n=-days_left), "late")
    at_risk = is_at_risk(case.stage, days_left)
    label = _("Hạn hôm nay") if days_left == 0 else _("Còn %(n)d ngày làm việc", n=days_left)
    return DeadlineStatus(days_left, False, at_risk, label, "risk" if at_risk else "ok")


def overdue_clause(*, calendar, now=None):
    """SQL for open cases past their due date (or due time, for urgent ones). An urgent case's due date is
    the local date of its due time, so both tests sit on the (stage, due_date) index."""
    now = now or clock.now()
    today = clock.local_date(now)
    return sa.and_(
        Case.stage.in_(CLOCKED_STAGES),
        Case.due_date <= today,
        sa.or_(Case.due_date < today, Case.due_at < now),
    )


def is_overdue(case, *, now=None):
    """What `overdue_clause` says, for one case in hand: open and past its due date (or due time)."""
    if case.stage in CLOSED_STAGES or case.due_date is None:
        return False
    now = now or clock.now()
    if case.due_at is not None:
        return case.due_at < now
    return case.due_date < clock.local_date(now)


def at_risk_clause(*, calendar, now=None):
    """SQL for the cases `is_at_risk` flags: working days left <= N means due before the (N+1)-th
    working day from today."""
    now = now or clock.now()
    today = clock.local_date(now)
    not_overdue = sa.and_(Case.due_date >= today, sa.or_(Case.due_at.is_(None), Case.due_at >= now))
    urgent = sa.and_(Case.due_at.is_not(None), Case.stage.in_(PRE_SIGNED | {CaseStage.ISSUED}))
    by_rule = [
        sa.and_(Case.stage.in_(stages), Case.due_date < calendar.add_working_days(today, threshold + 1))
        for stages, threshold in RISK_RULES
    ]
    return sa.and_(not_overdue, sa.or_(urgent, *by_rule))
