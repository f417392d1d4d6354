"""What the reports keep to answer fast: the index they read returns by, and the daily summary.

The reports area only reads the other areas' tables. It writes only its own summary, which the worker
fills from the same queries that count the cases (lltp.reports.tasks), so that a year's figures over a
million cases sum a few thousand rows instead of scanning half a million.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lltp.cases.models import Case, Channel
from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db

# The return figures filter returned cases by the moment they were closed.
returned_cases_index = sa.Index(
    "ix_cases_stage_closed_at", Case.__table__.c.stage, Case.__table__.c.closed_at
)


class DailyFigure(db.Model):
    """How many cases were received, or returned, on one local day, in one group of the figures."""

    __tablename__ = "report_daily_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    # "received" or "returned"
    measure: Mapped[str] = mapped_column(sa.String(16))
    certificate_type: Mapped[int] = mapped_column(sa.SmallInteger)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    # Returns only (0 for receipts): working days late, and from receipt in working and calendar days.
    days_late: Mapped[int] = mapped_column(default=0)
    working_days: Mapped[int] = mapped_column(default=0)
    calendar_days: Mapped[int] = mapped_column(default=0)
    cases: Mapped[int] = mapped_column()

    __table_args__ = (sa.Index("ix_report_daily_figures_measure_day", "measure", "day"),)


class SummaryCoverage(db.Model):
    """The days the daily figures hold (one row), and the working calendar they were counted with: when
    an administrator changes the calendar, the summary no longer counts until the worker rebuilds it."""

    __tablename__ = "report_summary_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)
    calendar_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
