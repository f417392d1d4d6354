"""The worker's upkeep of the daily summary (lltp.reports.summary), and the rebuild it runs from.

Each hour the worker re-counts the last days from the cases (a return recorded late, or dated earlier,
lands in a day already counted), and works back through the history a quarter at a time until the
summary holds every day since the first receipt. A changed working calendar makes the summary stop
counting (see `summary.coverage`); the next run then starts it again.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from huey import crontab

from lltp.cases.models import Case
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.core.queue import huey
from lltp.extensions import db
from lltp.reports import summary
from lltp.reports.days import day_of
from lltp.reports.figures import live_rows
from lltp.reports.models import DailyFigure, SummaryCoverage

log = logging.getLogger(__name__)

RECOUNT_DAYS = 7
BACKFILL_DAYS = 92


def refresh_summary(first, last, *, calendar=None, today=None):
    """Count the days `first` to `last` from the cases into the summary (never today, still changing),
    and widen its coverage to them; a gap or another calendar starts it again from these days. Returns
    the number of rows written."""
    calendar = calendar or working_calendar()
    last = min(last, (today or clock.today()) - timedelta(days=1))
    if last < first:
        return 0
    fingerprint = summary.calendar_fingerprint(calendar)
    held = db.session.get(SummaryCoverage, 1)
    if held is None:
        held = SummaryCoverage(id=1, first_day=first, last_day=last, calendar_fingerprint=fingerprint)
        db.session.add(held)
    elif (
        held.calendar_fingerprint != fingerprint
        or first > held.last_day + timedelta(days=1)
        or last < held.first_day - timedelta(days=1)
    ):
        db.session.execute(sa.delete(DailyFigure))
        held.first_day, held.last_day, held.calendar_fingerprint = first, last, fingerprint
    else:
        held.first_day, held.last_day = min(held.first_day, first), max(held.last_day, last)
    db.session.execute(sa.delete(DailyFigure).where(DailyFigure.day >= first, DailyFigure.day <= last))
    received, returned = live_rows(first, last, calendar=calendar)
    values = [
        {
            "day": day_of(day),
            "measure": summary.RECEIVED,
            "channel": channel,
            "certificate_type": kind,
            "days_late": 0,
            "working_days": 0,
            "calendar_days": 0,
            "cases": n,
        }
        for day, channel, kind, n in received
    ] + [
        {
            "day": day_of(day),
            "measure": summary.RETURNED,
            "channel": channel,
            "certificate_type": kind,
            "days_late": late,
            "working_days": working,
            "calendar_days": days,
            "cases": n,
        }
        for day, kind, channel, late, working, days, n in returned
    ]
    if values:
        db.session.execute(sa.insert(DailyFigure), values)
    held.refreshed_at = clock.now()
    db.session.flush()
    return len(values)


def refresh_recent(*, today=None, calendar=None):
    """The hourly upkeep: re-count the last days, then one more quarter of the history not yet held."""
    calendar = calendar or working_calendar()
    today = today or clock.today()
    held = summary.coverage(calendar)
    recount_from = today - timedelta(days=RECOUNT_DAYS)
    if held is not None:
        recount_from = min(recount_from, held.last_day + timedelta(days=1))
    written = refresh_summary(recount_from, today, calendar=calendar, today=today)
    earliest = db.session.scalar(sa.select(sa.func.min(Case.received_at)))
    held = db.session.get(SummaryCoverage, 1)
    if earliest is not None and held is not None and held.first_day > clock.local_date(earliest):
        first = max(clock.local_date(earliest), held.first_day - timedelta(days=BACKFILL_DAYS))
        written += refresh_summary(first, held.first_day - timedelta(days=1), calendar=calendar, today=today)
    return written


@huey.periodic_task(crontab(minute="25"))
def refresh_report_summary():
    """Keep the reports' daily summary up to date."""
    written = refresh_recent()
    db.session.commit()
    log.info("report summary: %d rows", written)
    return written
