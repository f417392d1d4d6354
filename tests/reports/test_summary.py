"""The worker's daily summary: the figures read from it equal the figures counted from the cases."""

from datetime import date, timedelta

import pytest

from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.calendar import add_calendar_override, working_calendar
from lltp.reports import summary
from lltp.reports.figures import figures
from lltp.reports.models import DailyFigure, SummaryCoverage
from lltp.reports.tasks import refresh_recent, refresh_summary
from tests.reports.cases import Q1_FROM, Q1_TO, build_quarter

TODAY = date(2025, 3, 20)  # the quarter's last days are not over yet: they stay counted from the cases


@pytest.fixture
def quarter(db):
    return build_quarter()


def test_figures_from_the_summary_equal_the_figures_from_the_cases(quarter):
    counted = figures(Q1_FROM, Q1_TO)
    assert refresh_summary(date(2024, 12, 1), Q1_TO) > 0
    assert summary.split_period(Q1_FROM, Q1_TO, unit=None, calendar=working_calendar()) == [
        (Q1_FROM, Q1_TO, True)
    ]
    assert figures(Q1_FROM, Q1_TO) == counted


def test_days_after_the_summary_are_counted_from_the_cases(quarter):
    counted = figures(Q1_FROM, Q1_TO)
    refresh_summary(date(2024, 12, 1), Q1_TO, today=TODAY)
    parts = summary.split_period(Q1_FROM, Q1_TO, unit=None, calendar=working_calendar())
    assert parts == [(Q1_FROM, date(2025, 3, 19), True), (TODAY, Q1_TO, False)]
    assert figures(Q1_FROM, Q1_TO) == counted


def test_the_summary_never_holds_today(quarter):
    refresh_summary(Q1_FROM, Q1_TO, today=TODAY)
    assert summary.coverage(working_calendar()).last_day == TODAY - timedelta(days=1)


def test_a_unit_is_always_counted_from_the_cases(quarter):
    refresh_summary(date(2024, 12, 1), Q1_TO)
    parts = summary.split_period(Q1_FROM, Q1_TO, unit=quarter.police, calendar=working_calendar())
    assert parts == [(Q1_FROM, Q1_TO, False)]
    assert figures(Q1_FROM, Q1_TO, unit=quarter.police).received == 1


def test_a_changed_calendar_stops_the_summary_counting(quarter, admin):
    refresh_summary(date(2024, 12, 1), Q1_TO)
    add_calendar_override("07/03/2025", "holiday", "Nghỉ (thử)", actor=Actor(user=admin))
    assert summary.coverage(working_calendar()) is None
    # Counted again from the cases with the new day off: the VNeID case due 06/03 and returned 10/03 is
    # one working day late, not two.
    assert figures(Q1_FROM, Q1_TO).late_by_days == {1: 1, 2: 1}


def test_hourly_upkeep_recounts_recent_days_and_works_back_through_history(quarter):
    refresh_recent(today=date(2025, 4, 10))
    held = summary.coverage(working_calendar())
    assert held.last_day == date(2025, 4, 9)
    assert held.first_day == date(2025, 4, 10) - timedelta(days=7 + 92)
    refresh_recent(today=date(2025, 4, 10))
    # The first receipt (30/12/2024) is now held; nothing is counted twice.
    assert summary.coverage(working_calendar()).first_day == date(2024, 12, 30)
    assert figures(Q1_FROM, Q1_TO) == figures_without_summary()


def figures_without_summary():
    from lltp.extensions import db

    db.session.query(DailyFigure).delete()
    db.session.query(SummaryCoverage).delete()
    return figures(Q1_FROM, Q1_TO)


def test_the_worker_job_keeps_the_summary(quarter):
    from lltp.reports.tasks import refresh_report_summary

    refresh_report_summary.call_local()
    held = summary.coverage(working_calendar())
    assert held.last_day == clock.today() - timedelta(days=1)


def test_cli_summarises_a_period(app, quarter):
    result = app.test_cli_runner().invoke(
        args=["reports", "summarise", "--from", "01/12/2024", "--to", "31/03/2025"]
    )
    assert result.exit_code == 0, result.output
    held = summary.coverage(working_calendar())
    assert (held.first_day, held.last_day) == (date(2024, 12, 1), Q1_TO)
    assert figures(Q1_FROM, Q1_TO) == figures_without_summary()
