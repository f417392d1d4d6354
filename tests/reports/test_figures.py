"""Every figure of the reports, checked exactly on a known quarter that crosses Tết (acceptance 1)."""

from datetime import date

import pytest

from lltp.cases.models import CaseStage, Channel
from lltp.core.text import format_decimal, format_number, format_percent
from lltp.intake.models import FeeCategory
from lltp.issuance.models import DecisionKind
from lltp.reports.figures import FeeRow, Times, figures
from tests.reports.cases import Q1_FROM, Q1_TO, build_quarter


@pytest.fixture
def quarter(db):
    return build_quarter()


@pytest.fixture
def q1(quarter):
    return figures(Q1_FROM, Q1_TO)


def test_receipts_count_cases_by_their_local_received_date(q1):
    # All but "before", "new_year_eve" (23:30 on 31/12) and "unpaid" (never received).
    assert q1.received == 11
    assert q1.received_by_channel[Channel.COUNTER] == 9
    assert q1.received_by_channel[Channel.VNEID] == 2
    assert sum(q1.received_by_channel.values()) == 11
    assert q1.received_by_type == {1: 8, 2: 3}


def test_vneid_share_is_a_vietnamese_percentage(q1):
    assert format_percent(q1.vneid, q1.received) == "18,18%"


def test_returns_count_cases_by_their_return_date(q1):
    # before, new_year, tet, late, apology, incomplete, long, corrected; not "after" (03/04).
    assert q1.returned == 8
    assert q1.returned_by_type == {1: 5, 2: 3}


def test_late_is_working_days_past_the_legal_due_date(q1):
    # "late" (2 working days) and "apology" (2: the apology's new date does not count).
    assert (q1.on_time, q1.late) == (6, 2)
    assert q1.late_by_days == {2: 2}


def test_whether_the_apology_date_was_kept_is_reported_apart(q1):
    assert (q1.apologies, q1.apology_returns, q1.apology_date_kept) == (1, 1, 1)


def test_refused_and_withdrawn_are_counted_apart(q1):
    assert (q1.refused, q1.withdrawn) == (1, 1)


def test_times_from_receipt_to_return_in_working_and_calendar_days(q1):
    # Working days [3, 3, 4, 5, 10, 12, 14, 15]; calendar days [3, 5, 7, 7, 16, 18, 21, 28].
    assert q1.times_total == Times(8, 7.5, pytest.approx(14.3), 11.5, pytest.approx(23.1))
    # Phiếu số 2: apology 12/16, long 14/18, corrected 3/3.
    assert q1.times_by_type[2] == Times(3, 12, pytest.approx(13.6), 16, pytest.approx(17.6))
    # VNeID: new_year 3/5, late 5/7.
    assert q1.times_by_channel[Channel.VNEID] == Times(2, 4, pytest.approx(4.8), 6, pytest.approx(6.8))
    assert set(q1.times_by_channel) == {Channel.COUNTER, Channel.VNEID}


def test_certificates_by_type_and_the_correction(q1):
    assert q1.certificates_issued == {1: 0, 2: 1}
    assert q1.certificates_reissued == 1
    assert q1.decisions[DecisionKind.CORRECT] == 1
    assert sum(q1.decisions.values()) == 1


def test_open_and_overdue_cases_now_by_stage_and_unit(quarter, q1):
    assert {stage: n for stage, n in q1.open_by_stage.items() if n} == {
        CaseStage.AWAITING_PAYMENT: 1,
        CaseStage.RECEIVED: 1,
        CaseStage.VERIFYING: 1,
    }
    assert {stage: n for stage, n in q1.overdue_by_stage.items() if n} == {
        CaseStage.RECEIVED: 1,
        CaseStage.VERIFYING: 1,
    }
    assert q1.overdue_by_unit == [(quarter.police, 1)]


def test_fees_paid_owed_and_subsidised_by_category(q1):
    assert q1.fees == [
        FeeRow(FeeCategory.STANDARD, requests=3, owed=400_000, subsidised=200_000, paid=400_000),
        FeeRow(FeeCategory.REDUCED, requests=0, owed=0, subsidised=0, paid=0),
        FeeRow(FeeCategory.EXEMPT, requests=1, owed=0, subsidised=0, paid=0),
    ]


def test_monthly_trends(q1):
    assert [(m.label, m.received, m.returned, m.late) for m in q1.monthly] == [
        ("01/2025", 4, 3, 0),
        ("02/2025", 3, 4, 1),
        ("03/2025", 4, 1, 1),
    ]


def test_weekly_trends_start_on_monday_within_the_period(q1):
    assert len(q1.weekly) == 14
    assert (q1.weekly[0].start, q1.weekly[1].start, q1.weekly[-1].start) == (
        date(2025, 1, 1),
        date(2025, 1, 6),
        date(2025, 3, 31),
    )
    week_of_6_january = q1.weekly[1]
    assert (week_of_6_january.received, week_of_6_january.returned) == (1, 2)
    assert sum(w.received for w in q1.weekly) == q1.received
    assert sum(w.returned for w in q1.weekly) == q1.returned


def test_a_unit_sees_only_the_cases_it_verified(quarter):
    figures_of_police = figures(Q1_FROM, Q1_TO, unit=quarter.police)
    assert (figures_of_police.received, figures_of_police.returned) == (1, 0)
    assert figures_of_police.open == 1
    assert figures_of_police.overdue_by_unit == [(quarter.police, 1)]


def test_a_period_without_cases_has_zero_figures(quarter):
    empty = figures(date(2023, 1, 1), date(2023, 1, 31))
    assert (empty.received, empty.returned, empty.late) == (0, 0, 0)
    assert empty.times_total == Times(0, None, None, None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (format_number(11_449), "11.449"),
        (format_number(22_730), "22.730"),
        (format_percent(11_449, 22_730), "50,37%"),
        (format_percent(1, 0), "—"),
        (format_decimal(2.5), "2,5"),
        (format_decimal(14.0), "14"),
        (format_decimal(1234.25, 2), "1.234,25"),
        (format_decimal(None), "—"),
    ],
)
def test_vietnamese_number_formats(text, expected):
    assert text == expected
