"""Every figure leadership reads (issue 8, domain §12), from one function: the dashboard, the CSV, the
XLSX and the PDF all call `figures()`, so they cannot disagree.

What the figures mean:
- Receipt figures count the cases received in the period (the first time their legal count started);
  return figures count the cases returned in it (the `record_return` event, which closes the case).
- Early or on time, late, and days late compare the return date with the legal due date, in working days
  (a weekend after a missed due date is already one day late, as on the boards). A long case's extended
  date is its legal date. An apology's new date is not: such a case counts as late, and whether the new
  date itself was kept is reported apart.
- Times from receipt to return are working days, with calendar days beside: median and p90, interpolated
  between ranks as PostgreSQL's percentile_cont.
- Refused and withdrawn cases are counted apart, by the day they were closed.
- Open and overdue cases are as of now, among the cases submitted up to the period's end.
- Fees: what was paid in the period, and, for the requests received in it, what was owed and what the
  local budget paid, by fee category; exempt requests pay nothing.
- With a unit, only the cases that unit was asked to verify count.

Each group of figures is one SQL aggregate; Python only folds its rows (days, histograms). Receipts and
returns are counted per day (`daily_rows`): from the worker's daily summary for the whole past days it
holds, from the cases for the others, with the same definitions (the summary is filled by `live_rows`).
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from lltp.accounts.models import Unit
from lltp.cases.deadlines import overdue_clause
from lltp.cases.models import OPEN_STAGES, Case, CaseStage, Channel
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.extensions import db
from lltp.intake.models import Declaration, FeeCategory, OneStopPaper, PaperKind, Payment
from lltp.issuance.models import Certificate, CertificateDecision, DecisionKind
from lltp.reports import summary
from lltp.reports.days import (
    calendar_table,
    day_number,
    local_day_number,
    local_midnight,
    number_of,
)
from lltp.verification.models import UNRESOLVED, VerificationTask

CERTIFICATE_TYPES = (1, 2)


@dataclass(frozen=True)
class Times:
    """Receipt to return for one group of returned cases."""

    count: int
    median_working_days: float | None
    p90_working_days: float | None
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class FeeRow:
    category: FeeCategory
    requests: int  # received in the period
    owed: int  # what those requests owe, after any subsidy (đồng)
    subsidised: int  # what the local budget paid for them (đồng)
    paid: int  # payments made in the period (đồng)


@dataclass(frozen=True)
class Trend:
    """One week or month: its first day, its label, and what happened in it."""

    start: date
    label: str
    received: int
    returned: int
    late: int


@dataclass(frozen=True)
class Figures:
    period_from: date
    period_to: date
    unit: Unit | None
    received: int
    received_by_channel: dict  # Channel -> count, every channel
    received_by_type: dict  # 1 | 2 -> count
    returned: int
    returned_by_type: dict
    on_time: int  # returned early or on time
    late: int
    late_by_days: dict  # working days late -> returned cases, ascending
    refused: int
    withdrawn: int
    apologies: int  # apologies issued in the period
    apology_returns: int  # returned in the period after an apology
    apology_date_kept: int  # ... by the apology's new date
    times_by_type: dict  # 1 | 2 -> Times
    times_by_channel: dict  # Channel -> Times, only channels with returns
    times_total: Times
    certificates_issued: dict  # 1 | 2 -> certificates issued in the period (not replacements)
    certificates_reissued: int  # replacements issued after a supplement or correction
    decisions: dict  # DecisionKind -> decisions taken in the period
    open_by_stage: dict  # CaseStage -> count, now
    overdue_by_stage: dict  # CaseStage -> count, now
    overdue_by_unit: list  # [(Unit, overdue cases with a question still unanswered there)]
    fees: list = field(default_factory=list)  # FeeRow per category
    weekly: list = field(default_factory=list)  # Trend
    monthly: list = field(default_factory=list)

    @property
    def vneid(self):
        return self.received_by_channel.get(Channel.VNEID, 0)

    @property
    def open(self):
        return sum(self.open_by_stage.values())

    @property
    def overdue(self):
        return sum(self.overdue_by_stage.values())


# --- formatting: Vietnamese numbers -------------------------------------------------------------------


# --- the query function --------------------------------------------------------------------------------


def figures(period_from, period_to, *, unit=None, now=None, calendar=None):
    """Every figure for the local days `period_from` to `period_to` (both included), for the cases `unit`
    verified when given. Open and overdue are as of `now`."""
    now = now or clock.now()
    calendar = calendar or working_calendar()
    start, end = local_midnight(period_from), local_midnight(period_to + timedelta(days=1))
    scope = _unit_scope(unit)

    received_rows, return_rows, span_rows = daily_rows(period_from, period_to, unit=unit, calendar=calendar)
    # From the apologies (few), not through the returns subquery: the day numbers are all it needs.
    apology_returns, apology_kept = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(
                local_day_number(Case.closed_at) <= day_number(OneStopPaper.content["new_date"].as_string())
            ),
        )
        .select_from(OneStopPaper)
        .join(Case, Case.id == OneStopPaper.case_id)
        .where(OneStopPaper.kind == PaperKind.APOLOGY, *_returned_in(start, end, scope))
    ).one()

    closed = dict(
        db.session.execute(
            sa.select(Case.stage, sa.func.count())
            .where(
                Case.stage.in_((CaseStage.REFUSED, CaseStage.WITHDRAWN)),
                Case.closed_at >= start,
                Case.closed_at < end,
                *scope,
            )
            .group_by(Case.stage)
        ).all()
    )
    apologies = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OneStopPaper)
        .join(Case, Case.id == OneStopPaper.case_id)
        .where(
            OneStopPaper.kind == PaperKind.APOLOGY,
            OneStopPaper.issued_at >= start,
            OneStopPaper.issued_at < end,
            *scope,
        )
    )

    received_by_day, received_by_channel, received_by_type = Counter(), Counter(), Counter()
    for day, channel, certificate_type, count in received_rows:
        received_by_day[day] += count
        received_by_channel[Channel(channel)] += count
        received_by_type[certificate_type] += count
    returned_by_day, late_by_day, returned_by_type, late_by_days = Counter(), Counter(), Counter(), Counter()
    by_type, by_channel, total = defaultdict(list), defaultdict(list), []
    for day, certificate_type, days_late, count in return_rows:
        returned_by_day[day] += count
        returned_by_type[certificate_type] += count
        if days_late:
            late_by_day[day] += count
            late_by_days[days_late] += count
    for certificate_type, channel, working, days, count in span_rows:
        span = (working, days, count)
        by_type[certificate_type].append(span)
        by_channel[Channel(channel)].append(span)
        total.append(span)
    returned = sum(returned_by_day.values())
    late = sum(late_by_days.values())

    open_by_stage, overdue_by_stage, overdue_by_unit = _open_cases(end, scope, now=now, calendar=calendar)
    return Figures(
        period_from=period_from,
        period_to=period_to,
        unit=unit,
        received=sum(received_by_day.values()),
        received_by_channel={channel: received_by_channel[channel] for channel in Channel},
        received_by_type={t: received_by_type[t] for t in CERTIFICATE_TYPES},
        returned=returned,
        returned_by_type={t: returned_by_type[t] for t in CERTIFICATE_TYPES},
        on_time=returned - late,
        late=late,
        late_by_days=dict(sorted(late_by_days.items())),
        refused=closed.get(CaseStage.REFUSED, 0),
        withdrawn=closed.get(CaseStage.WITHDRAWN, 0),
        apologies=apologies,
        apology_returns=apology_returns,
        apology_date_kept=apology_kept,
        times_by_type={t: _times(by_type[t]) for t in CERTIFICATE_TYPES},
        times_by_channel={channel: _times(by_channel[channel]) for channel in Channel if by_channel[channel]},
        times_total=_times(total),
        **_certificates(start, end, scope),
        open_by_stage=open_by_stage,
        overdue_by_stage=overdue_by_stage,
        overdue_by_unit=overdue_by_unit,
        fees=_fees(period_from, period_to, start, end, scope),
        weekly=_trends(period_from, period_to, received_by_day, returned_by_day, late_by_day, weekly=True),
        monthly=_trends(period_from, period_to, received_by_day, returned_by_day, late_by_day, weekly=False),
    )


def daily_rows(period_from, period_to, *, unit=None, calendar=None):
    """The receipts and returns of the period, as three lists of counted groups: receipts by (day number,
    channel, type), returns by (day number, type, working days late), and returns by (type, channel,
    working days from receipt, calendar days). Every figure about receipts and returns folds these.
    Days the worker's summary holds are read from it (only without a unit: the summary does not split
    by unit); the others are counted from the cases."""
    calendar = calendar or working_calendar()
    received, by_day, spans = [], Counter(), Counter()
    for first, last, from_summary in summary.split_period(
        period_from, period_to, unit=unit, calendar=calendar
    ):
        if from_summary:
            part_received, part_by_day, part_spans = summary.rows(first, last)
        else:
            part_received, returned = live_rows(first, last, unit=unit, calendar=calendar)
            part_by_day, part_spans = Counter(), Counter()
            for day, certificate_type, channel, days_late, working, days, count in returned:
                part_by_day[(day, certificate_type, days_late)] += count
                part_spans[(certificate_type, channel, working, days)] += count
            part_by_day, part_spans = part_by_day.items(), part_spans.items()
        received += part_received
        for key, count in part_by_day:
            by_day[key] += count
        for key, count in part_spans:
            spans[key] += count
    return (
        received,
        [(*key, count) for key, count in by_day.items()],
        [(*key, count) for key, count in spans.items()],
    )


def live_rows(first, last, *, unit=None, calendar):
    """The receipts of the days `first` to `last` by (day number, channel, type), and their returns by every
    key the figures group them by: (day number, type, channel, working days late, working days, calendar
    days). Counted from the cases, in two grouped scans; the worker's summary keeps these rows."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    scope = _unit_scope(unit)
    received_day = local_day_number(Case.received_at)
    received = db.session.execute(
        sa.select(received_day, Case.channel, Case.certificate_type, sa.func.count())
        .where(Case.received_at >= start, Case.received_at < end, *scope)
        .group_by(received_day, Case.channel, Case.certificate_type)
    ).all()
    returns = _returns(start, end, scope, calendar)
    keys = (
        returns.c.n,
        returns.c.certificate_type,
        returns.c.channel,
        returns.c.days_late,
        returns.c.working,
        returns.c.days,
    )
    returned = db.session.execute(sa.select(*keys, sa.func.count()).group_by(*keys)).all()
    return [tuple(row) for row in received], [tuple(row) for row in returned]


def _unit_scope(unit):
    if unit is None:
        return ()
    return (Case.id.in_(sa.select(VerificationTask.case_id).where(VerificationTask.unit_id == unit.id)),)


def _returned_in(start, end, scope):
    return (Case.stage == CaseStage.RETURNED, Case.closed_at >= start, Case.closed_at < end, *scope)


def _returns(start, end, scope, calendar):
    """The cases returned in [start, end) as a subquery, one row each: its return day number `n`, type,
    channel, working days late (0 when on time), and working and calendar days from receipt to return.

    The calendar table must reach back to the earliest receipt and due date among them. The earliest and
    latest of all cases are two lookups on the indexes of received_at and due_date, where the same bounds
    among just these cases would be a scan of them: a table of every day the service has run is small."""
    returned = _returned_in(start, end, scope)
    # One aggregate a query: SQLite reads a min() or max() off an index only when it is alone.
    earliest_received = db.session.scalar(sa.select(sa.func.min(Case.received_at)))
    earliest_due = db.session.scalar(sa.select(sa.func.min(Case.due_date)))
    latest_due = db.session.scalar(sa.select(sa.func.max(Case.due_date)))
    earliest = [
        clock.local_date(start),
        earliest_due,
        earliest_received and clock.local_date(earliest_received),
    ]
    # A day before the first, so that the first day's running total of working days has a base.
    first = min(day for day in earliest if day is not None) - timedelta(days=1)
    last = max(day for day in (clock.local_date(end), latest_due) if day is not None)
    days = calendar_table(calendar, first, last)
    on_return, on_due, on_receipt = days.alias("on_return"), days.alias("on_due"), days.alias("on_receipt")
    behind = on_return.c.w - on_due.c.w
    is_late = sa.or_(
        on_return.c.n > on_due.c.n, sa.and_(Case.due_at.is_not(None), Case.closed_at > Case.due_at)
    )
    days_late = sa.case((is_late, sa.case((behind < 1, 1), else_=behind)), else_=0)
    return (
        sa.select(
            Case.id,
            on_return.c.n,
            Case.certificate_type,
            Case.channel,
            days_late.label("days_late"),
            (on_return.c.w - on_receipt.c.w).label("working"),
            (on_return.c.n - on_receipt.c.n).label("days"),
        )
        .join(on_return, on_return.c.n == local_day_number(Case.closed_at))
        .join(on_due, on_due.c.n == day_number(Case.due_date))
        .join(on_receipt, on_receipt.c.n == local_day_number(Case.received_at))
        .where(*returned)
        .subquery("returns")
    )


def percentile_of(counts, fraction):
    """The `fraction` percentile of values given as (value, how many) pairs, interpolated between ranks
    (percentile_cont); None when there are none."""
    ordered = sorted(counts)
    size = sum(count for _value, count in ordered)
    if not size:
        return None
    position = (size - 1) * fraction
    low, high = math.floor(position), math.ceil(position)

    def at(rank):
        seen = 0
        for value, count in ordered:
            seen += count
            if rank < seen:
                return value
        raise IndexError(rank)

    low_value, high_value = at(low), at(high)
    return low_value + (high_value - low_value) * (position - low)


def _times(spans):
    working = Counter()
    days = Counter()
    for span_working, span_days, count in spans:
        working[span_working] += count
        days[span_days] += count
    return Times(
        count=sum(working.values()),
        median_working_days=percentile_of(working.items(), 0.5),
        p90_working_days=percentile_of(working.items(), 0.9),
        median_days=percentile_of(days.items(), 0.5),
        p90_days=percentile_of(days.items(), 0.9),
    )


def _certificates(start, end, scope):
    issued = dict(
        db.session.execute(
            sa.select(Certificate.certificate_type, sa.func.count())
            .join(Case, Case.id == Certificate.case_id)
            .where(
                Certificate.issued_at >= start, Certificate.issued_at < end, Certificate.replaces_id.is_(None)
            )
            .where(*scope)
            .group_by(Certificate.certificate_type)
        ).all()
    )
    reissued = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certificate)
        .join(Case, Case.id == Certificate.case_id)
        .where(
            Certificate.issued_at >= start, Certificate.issued_at < end, Certificate.replaces_id.is_not(None)
        )
        .where(*scope)
    )
    decided = dict(
        db.session.execute(
            sa.select(CertificateDecision.kind, sa.func.count())
            .join(Certificate, Certificate.id == CertificateDecision.certificate_id)
            .join(Case, Case.id == Certificate.case_id)
            .where(
                CertificateDecision.decided_on >= clock.local_date(start),
                CertificateDecision.decided_on < clock.local_date(end),
                *scope,
            )
            .group_by(CertificateDecision.kind)
        ).all()
    )
    return {
        "certificates_issued": {t: issued.get(t, 0) for t in CERTIFICATE_TYPES},
        "certificates_reissued": reissued,
        "decisions": {kind: decided.get(kind, 0) for kind in DecisionKind},
    }


def _open_cases(end, scope, *, now, calendar):
    """Open and overdue cases now, by stage, among those submitted before `end`; overdue ones also by the
    verifying unit that still owes them an answer."""
    open_stages = [stage for stage in CaseStage if stage in OPEN_STAGES]
    still_open = (Case.stage.in_(open_stages), Case.submitted_at < end, *scope)
    overdue = overdue_clause(calendar=calendar, now=now)
    counts = {
        stage: (count, late)
        for stage, count, late in db.session.execute(
            sa.select(Case.stage, sa.func.count(), sa.func.count().filter(overdue))
            .where(*still_open)
            .group_by(Case.stage)
        )
    }
    by_unit = db.session.execute(
        sa.select(Unit, sa.func.count(sa.distinct(Case.id)))
        .join(VerificationTask, VerificationTask.unit_id == Unit.id)
        .join(Case, Case.id == VerificationTask.case_id)
        .where(VerificationTask.status.in_(UNRESOLVED), overdue, *still_open)
        .group_by(Unit.id)
        .order_by(sa.func.count(sa.distinct(Case.id)).desc(), Unit.name)
    ).all()
    return (
        {stage: counts.get(stage, (0, 0))[0] for stage in open_stages},
        {stage: counts.get(stage, (0, 0))[1] for stage in open_stages},
        [(unit, count) for unit, count in by_unit],
    )


def _fees(period_from, period_to, start, end, scope):
    requests = {
        category: (count, owed or 0, subsidised or 0)
        for category, count, owed, subsidised in db.session.execute(
            sa.select(
                Declaration.fee_category,
                sa.func.count(),
                sa.func.sum(Declaration.fee_amount),
                sa.func.sum(Declaration.fee_breakdown["subsidy_amount"].as_integer()),
            )
            .join(Case, Case.id == Declaration.case_id)
            .where(Case.received_at >= start, Case.received_at < end, *scope)
            .group_by(Declaration.fee_category)
        )
    }
    paid = dict(
        db.session.execute(
            sa.select(Declaration.fee_category, sa.func.sum(Payment.amount))
            .join(Declaration, Declaration.case_id == Payment.case_id)
            .join(Case, Case.id == Payment.case_id)
            .where(Payment.paid_on >= period_from, Payment.paid_on <= period_to, *scope)
            .group_by(Declaration.fee_category)
        ).all()
    )
    return [
        FeeRow(category, *requests.get(category, (0, 0, 0)), paid.get(category) or 0)
        for category in FeeCategory
    ]


def _trends(period_from, period_to, received, returned, late, *, weekly):
    """Received, returned and late per week (Monday to Sunday) or calendar month, clipped to the period."""
    buckets = {}
    day = period_from
    while day <= period_to:
        if weekly:
            first = max(period_from, day - timedelta(days=day.weekday()))
            label = f"{first:%d/%m}"
        else:
            first = max(period_from, day.replace(day=1))
            label = f"{first:%m/%Y}"
        number = number_of(day)
        bucket = buckets.setdefault(first, [label, 0, 0, 0])
        bucket[1] += received.get(number, 0)
        bucket[2] += returned.get(number, 0)
        bucket[3] += late.get(number, 0)
        day += timedelta(days=1)
    return [Trend(first, *values) for first, values in buckets.items()]


def case_list(period_from, period_to, *, unit=None, calendar=None):
    """The cases the figures count, one row each: those received, returned or closed in the period. With
    each case, its local received and return day numbers and its working days late, worked out by the
    same subquery as the figures."""
    calendar = calendar or working_calendar()
    start, end = local_midnight(period_from), local_midnight(period_to + timedelta(days=1))
    scope = _unit_scope(unit)
    returns = _returns(start, end, scope, calendar)
    in_period = sa.or_(
        sa.and_(Case.received_at >= start, Case.received_at < end),
        sa.and_(Case.closed_at >= start, Case.closed_at < end),
    )
    return (
        sa.select(
            Case,
            local_day_number(Case.received_at).label("received_day"),
            returns.c.n.label("returned_day"),
            returns.c.days_late,
            returns.c.working,
            returns.c.days,
        )
        .outerjoin(returns, returns.c.id == Case.id)
        .where(in_period, *scope)
        .order_by(Case.received_at, Case.id)
    )
