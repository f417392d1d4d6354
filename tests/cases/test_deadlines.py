"""Deadlines on known dates (domain §6): each seeded legal profile, the calendar's holidays and swapped days,
the restart after completion, long and urgent cases, and the board's "overdue" and "at risk" rules."""

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lltp.cases import deadlines, services
from lltp.cases.models import Case, CaseEvent, CaseStage, Channel, DeliveryMethod, LegalProfile
from lltp.core.audit import Actor
from lltp.core.calendar import WorkingCalendar, working_calendar
from tests.factories import create_case, local_datetime, officer

D = date
AT = local_datetime
PAPER = DeliveryMethod.POST
ELECTRONIC = DeliveryMethod.ELECTRONIC


@pytest.fixture
def actor(db):
    return Actor(user=officer(), ip="127.0.0.1")


def load_profile(db, code):
    return db.session.scalar(sa.select(LegalProfile).where(LegalProfile.code == code))


# --- the pure rule: deadlines.schedule() with each seeded profile ------------------------------------------

# (profile, received (local), long?, return, due date). Each profile is applied to every scenario, even out of
# its dates, so that each one is seen crossing Tết and the swapped days.
SCHEDULES = [
    # Tết 2026: 16–20/02 off. 13/02 is the last working day before it, 23/02 the first after.
    ("law_2009", AT(2026, 2, 13, 10, 0), False, ELECTRONIC, D(2026, 3, 6)),
    ("law_2009", AT(2026, 2, 13, 10, 0), True, ELECTRONIC, D(2026, 3, 13)),
    ("law_2009", AT(2026, 2, 23, 8, 0), False, ELECTRONIC, D(2026, 3, 9)),
    ("law_2009", AT(2026, 2, 23, 8, 0), True, ELECTRONIC, D(2026, 3, 16)),
    ("vneid_pilot_2024", AT(2026, 2, 13, 10, 0), False, ELECTRONIC, D(2026, 2, 25)),
    ("vneid_pilot_2024", AT(2026, 2, 13, 10, 0), True, ELECTRONIC, D(2026, 3, 5)),
    ("vneid_pilot_2024", AT(2026, 2, 13, 10, 0), False, PAPER, D(2026, 2, 26)),
    ("vneid_pilot_2024", AT(2026, 2, 23, 8, 0), False, ELECTRONIC, D(2026, 2, 26)),
    ("vneid_pilot_2024", AT(2026, 2, 23, 8, 0), True, ELECTRONIC, D(2026, 3, 6)),
    ("vneid_pilot_2024", AT(2026, 2, 23, 8, 0), False, PAPER, D(2026, 2, 27)),
    ("law_2026", AT(2026, 2, 13, 10, 0), False, ELECTRONIC, D(2026, 2, 27)),
    ("law_2026", AT(2026, 2, 13, 10, 0), True, ELECTRONIC, D(2026, 2, 27)),  # long limit unconfirmed
    ("law_2026", AT(2026, 2, 23, 8, 0), False, ELECTRONIC, D(2026, 3, 2)),
    ("law_2026", AT(2026, 2, 23, 8, 0), True, PAPER, D(2026, 3, 2)),
    # Tết 2025: 27–31/01 off. 24/01 is the last working day before it, 03/02 the first after.
    ("law_2009", AT(2025, 1, 24, 10, 0), False, ELECTRONIC, D(2025, 2, 14)),
    ("law_2009", AT(2025, 1, 24, 10, 0), True, ELECTRONIC, D(2025, 2, 21)),
    ("law_2009", AT(2025, 2, 3, 9, 0), False, ELECTRONIC, D(2025, 2, 17)),
    ("law_2009", AT(2025, 2, 3, 9, 0), True, ELECTRONIC, D(2025, 2, 24)),
    ("vneid_pilot_2024", AT(2025, 1, 24, 10, 0), False, ELECTRONIC, D(2025, 2, 5)),
    ("vneid_pilot_2024", AT(2025, 1, 24, 10, 0), True, ELECTRONIC, D(2025, 2, 13)),
    ("vneid_pilot_2024", AT(2025, 1, 24, 10, 0), False, PAPER, D(2025, 2, 6)),
    ("vneid_pilot_2024", AT(2025, 1, 24, 10, 0), True, PAPER, D(2025, 2, 14)),
    ("vneid_pilot_2024", AT(2025, 2, 3, 9, 0), False, ELECTRONIC, D(2025, 2, 6)),
    ("vneid_pilot_2024", AT(2025, 2, 3, 9, 0), True, ELECTRONIC, D(2025, 2, 14)),
    ("vneid_pilot_2024", AT(2025, 2, 3, 9, 0), False, PAPER, D(2025, 2, 7)),
    ("law_2026", AT(2025, 1, 24, 10, 0), False, ELECTRONIC, D(2025, 2, 7)),
    ("law_2026", AT(2025, 2, 3, 9, 0), False, ELECTRONIC, D(2025, 2, 10)),
    # Saturday 26/04/2025 was worked for Friday 02/05/2025; 30/04 and 01/05 are holidays.
    ("law_2009", AT(2025, 4, 24, 9, 0), False, ELECTRONIC, D(2025, 5, 12)),
    ("vneid_pilot_2024", AT(2025, 4, 25, 9, 0), False, ELECTRONIC, D(2025, 4, 29)),
    ("vneid_pilot_2024", AT(2025, 4, 25, 9, 0), False, PAPER, D(2025, 5, 5)),
    ("law_2026", AT(2025, 4, 25, 9, 0), False, ELECTRONIC, D(2025, 5, 6)),
    # Saturday 22/08/2026 was worked for Monday 31/08/2026; 01–02/09 are National Day.
    ("law_2009", AT(2026, 8, 21, 9, 0), False, ELECTRONIC, D(2026, 9, 8)),
    ("vneid_pilot_2024", AT(2026, 8, 21, 9, 0), False, ELECTRONIC, D(2026, 8, 25)),
    ("law_2026", AT(2026, 8, 21, 9, 0), False, ELECTRONIC, D(2026, 8, 27)),
    ("law_2026", AT(2026, 8, 27, 9, 0), False, ELECTRONIC, D(2026, 9, 8)),
    # The contract's example: 24/11 is a holiday from 2026.
    ("law_2026", AT(2026, 11, 20, 9, 15), False, ELECTRONIC, D(2026, 11, 30)),
]


def events(*pairs):
    """Unsaved events, as `schedule` reads them: (action, at) pairs."""
    return [CaseEvent(action=action, at=at) for action, at in pairs]


@pytest.mark.parametrize(("code", "received", "is_long", "delivery", "due"), SCHEDULES)
def test_schedule_counts_working_days_from_the_day_after_receipt(db, code, received, is_long, delivery, due):
    history = events(("receive", received), *([("mark_long", received)] if is_long else []))

    result = deadlines.schedule(
        history,
        profile=load_profile(db, code),
        is_urgent=False,
        delivery_method=delivery,
        calendar=WorkingCalendar(),
    )

    assert result.due_date == due
    assert (result.received_at, result.clock_started_at, result.is_long, result.due_at) == (
        received,
        received,
        is_long,
        None,
    )


@pytest.mark.parametrize(
    ("code", "due"),
    [("law_2009", D(2026, 3, 18)), ("vneid_pilot_2024", D(2026, 3, 9)), ("law_2026", D(2026, 3, 11))],
)
def test_schedule_restarts_the_count_when_the_completed_dossier_comes_in(db, code, due):
    history = events(
        ("receive", AT(2026, 2, 13, 10, 0)),
        ("request_completion", AT(2026, 2, 23, 9, 0)),
        ("complete_dossier", AT(2026, 3, 4, 15, 0)),
    )

    result = deadlines.schedule(
        history,
        profile=load_profile(db, code),
        is_urgent=False,
        delivery_method=ELECTRONIC,
        calendar=WorkingCalendar(),
    )

    assert (result.received_at, result.clock_started_at) == (AT(2026, 2, 13, 10, 0), AT(2026, 3, 4, 15, 0))
    assert result.due_date == due


@pytest.mark.parametrize("code", ["law_2009", "vneid_pilot_2024", "law_2026"])
def test_schedule_has_no_due_date_while_the_dossier_is_incomplete(db, code):
    history = events(("receive", AT(2026, 2, 13, 10, 0)), ("request_completion", AT(2026, 2, 23, 9, 0)))

    result = deadlines.schedule(
        history,
        profile=load_profile(db, code),
        is_urgent=True,
        delivery_method=ELECTRONIC,
        calendar=WorkingCalendar(),
    )

    assert (result.clock_started_at, result.due_date, result.due_at) == (None, None, None)


@pytest.mark.parametrize(
    ("code", "due_at", "due"),
    [
        ("law_2009", AT(2026, 3, 7, 15, 30), D(2026, 3, 7)),
        ("law_2026", AT(2026, 3, 7, 15, 30), D(2026, 3, 7)),
        # The pilot has no urgent limit: an urgent request keeps its working days.
        ("vneid_pilot_2024", None, D(2026, 3, 11)),
    ],
)
def test_schedule_gives_an_urgent_request_a_due_time(db, code, due_at, due):
    result = deadlines.schedule(
        events(("receive", AT(2026, 3, 6, 15, 30))),
        profile=load_profile(db, code),
        is_urgent=True,
        delivery_method=ELECTRONIC,
        calendar=WorkingCalendar(),
    )

    assert (result.due_at, result.due_date) == (due_at, due)


def test_schedule_waits_for_payment_before_the_count_starts(db):
    result = deadlines.schedule(
        events(("submit", AT(2026, 11, 16, 9, 0)), ("record_payment", AT(2026, 11, 20, 9, 15))),
        profile=load_profile(db, "law_2026"),
        is_urgent=False,
        delivery_method=ELECTRONIC,
        calendar=WorkingCalendar(),
    )

    assert (result.received_at, result.due_date) == (AT(2026, 11, 20, 9, 15), D(2026, 11, 30))


# --- cases driven through the services ----------------------------------------------------------------------

DRIVEN = [
    pytest.param(
        Channel.COUNTER, AT(2026, 2, 13, 10, 0), {}, "law_2009", D(2026, 3, 6), id="tet-2026-before"
    ),
    pytest.param(Channel.COUNTER, AT(2026, 2, 23, 8, 30), {}, "law_2009", D(2026, 3, 9), id="tet-2026-after"),
    pytest.param(Channel.VNEID, AT(2026, 2, 13, 16, 45), {}, "law_2009", D(2026, 3, 6), id="tet-2026-vneid"),
    pytest.param(
        Channel.VNEID, AT(2025, 1, 24, 10, 0), {}, "vneid_pilot_2024", D(2025, 2, 5), id="tet-2025-before"
    ),
    pytest.param(
        Channel.VNEID, AT(2025, 2, 3, 9, 0), {}, "vneid_pilot_2024", D(2025, 2, 6), id="tet-2025-after"
    ),
    pytest.param(
        Channel.VNEID,
        AT(2025, 1, 24, 10, 0),
        {"delivery_method": PAPER},
        "vneid_pilot_2024",
        D(2025, 2, 6),
        id="tet-2025-before-paper",
    ),
    pytest.param(
        Channel.VNEID,
        AT(2025, 2, 3, 9, 0),
        {"delivery_method": DeliveryMethod.COUNTER},
        "vneid_pilot_2024",
        D(2025, 2, 7),
        id="tet-2025-after-paper",
    ),
    pytest.param(
        Channel.COUNTER, AT(2025, 1, 24, 10, 0), {}, "law_2009", D(2025, 2, 14), id="tet-2025-counter"
    ),
    pytest.param(
        Channel.VNEID, AT(2025, 4, 25, 9, 0), {}, "vneid_pilot_2024", D(2025, 4, 29), id="swap-26-04-2025"
    ),
    pytest.param(
        Channel.COUNTER, AT(2025, 4, 24, 9, 0), {}, "law_2009", D(2025, 5, 12), id="swap-2025-counter"
    ),
    pytest.param(
        Channel.COUNTER, AT(2026, 8, 21, 9, 0), {}, "law_2026", D(2026, 8, 27), id="swap-22-08-2026"
    ),
    pytest.param(Channel.POST, AT(2026, 8, 27, 9, 0), {}, "law_2026", D(2026, 9, 8), id="national-day-2026"),
    pytest.param(
        Channel.VNEID, AT(2026, 11, 20, 9, 15), {}, "law_2026", D(2026, 11, 30), id="contract-example"
    ),
]


@pytest.mark.parametrize(("channel", "received", "fields", "code", "due"), DRIVEN)
def test_a_received_case_is_due_by_the_profile_in_force_for_its_day_and_channel(
    db, actor, channel, received, fields, code, due
):
    case = create_case(CaseStage.RECEIVED, channel=channel, at=received, actor=actor, **fields)

    assert case.legal_profile.code == code
    assert (case.received_at, case.clock_started_on, case.due_date) == (received, received.date(), due)
    assert case.events[-1].data == {"due_date": due.isoformat()}


RESTARTS = [
    pytest.param(
        Channel.COUNTER,
        AT(2026, 11, 2, 9, 0),
        AT(2026, 11, 5, 14, 0),
        D(2026, 11, 9),
        D(2026, 11, 12),
        id="law_2026",
    ),
    pytest.param(
        Channel.COUNTER,
        AT(2025, 3, 3, 9, 0),
        AT(2025, 3, 12, 14, 0),
        D(2025, 3, 17),
        D(2025, 3, 26),
        id="law_2009",
    ),
    pytest.param(
        Channel.VNEID,
        AT(2025, 3, 3, 9, 0),
        AT(2025, 3, 12, 14, 0),
        D(2025, 3, 6),
        D(2025, 3, 17),
        id="vneid_pilot",
    ),
]


@pytest.mark.parametrize(("channel", "received", "completed", "first_due", "due"), RESTARTS)
def test_the_count_restarts_from_the_day_the_completed_dossier_comes_in(
    db, actor, channel, received, completed, first_due, due
):
    case = create_case(CaseStage.RECEIVED, channel=channel, at=received, actor=actor)
    assert case.due_date == first_due

    services.transition(
        case,
        "request_completion",
        actor=actor,
        note="Thiếu quá trình cư trú",
        at=received + timedelta(days=1),
    )
    assert (case.stage, case.due_date, case.clock_started_on) == (CaseStage.INCOMPLETE, None, None)

    event = services.transition(case, "complete_dossier", actor=actor, at=completed)
    assert (case.stage, case.received_at, case.clock_started_on) == (
        CaseStage.RECEIVED,
        received,
        completed.date(),
    )
    assert case.due_date == due
    assert event.data == {"due_date": due.isoformat()}


LONG_CASES = [
    pytest.param(Channel.COUNTER, AT(2025, 3, 3, 9, 0), D(2025, 3, 17), D(2025, 3, 24), id="law_2009"),
    pytest.param(Channel.VNEID, AT(2025, 3, 3, 9, 0), D(2025, 3, 6), D(2025, 3, 14), id="vneid_pilot"),
]


@pytest.mark.parametrize(("channel", "received", "first_due", "due"), LONG_CASES)
def test_a_case_that_becomes_long_gets_the_longer_limit_and_a_new_appointment_date(
    db, actor, channel, received, first_due, due
):
    case = create_case(CaseStage.IN_REVIEW, channel=channel, at=received, actor=actor)
    assert case.due_date == first_due

    event = services.transition(
        case, "mark_long", actor=actor, note="Đã cư trú ở nhiều tỉnh", at=received + timedelta(days=2)
    )

    assert (case.is_long, case.due_date, case.stage) == (True, due, CaseStage.IN_REVIEW)
    assert event.data == {"due_date": due.isoformat()}


def test_a_long_case_keeps_the_standard_limit_while_the_2026_long_limit_is_unconfirmed(db, actor):
    case = create_case(CaseStage.IN_REVIEW, at=AT(2026, 11, 2, 9, 0), actor=actor)

    event = services.transition(case, "mark_long", actor=actor, note="Cần xác minh", at=AT(2026, 11, 3, 9, 0))

    assert (case.legal_profile.code, case.is_long, case.due_date) == ("law_2026", True, D(2026, 11, 9))
    assert event.data is None


@pytest.mark.parametrize(
    ("received", "code"),
    [
        pytest.param(AT(2026, 3, 6, 15, 30), "law_2009", id="law_2009-friday-afternoon"),
        pytest.param(AT(2026, 11, 13, 16, 0), "law_2026", id="law_2026-friday-afternoon"),
        # 06:30 in Hà Nội is still Thursday in UTC: the due date is the local one.
        pytest.param(AT(2026, 11, 13, 6, 30), "law_2026", id="law_2026-friday-early"),
    ],
)
def test_an_urgent_request_is_due_24_clock_hours_after_receipt(db, actor, received, code):
    case = create_case(CaseStage.RECEIVED, channel=Channel.AGENCY, at=received, actor=actor, is_urgent=True)

    assert case.legal_profile.code == code
    assert case.due_at == received + timedelta(hours=24)
    assert case.due_date == received.date() + timedelta(days=1)
    assert case.due_date.weekday() == 5  # a Saturday: clock hours, not working days


# --- which profile a case takes ----------------------------------------------------------------------------

PICKS = [
    (D(2010, 6, 30), Channel.COUNTER, None),
    (D(2010, 7, 1), Channel.COUNTER, "law_2009"),
    (D(2024, 9, 30), Channel.VNEID, "law_2009"),
    (D(2024, 10, 1), Channel.VNEID, "vneid_pilot_2024"),
    (D(2024, 10, 1), Channel.COUNTER, "law_2009"),
    (D(2025, 1, 15), Channel.VNEID, "vneid_pilot_2024"),
    (D(2025, 1, 15), Channel.COUNTER, "law_2009"),
    (D(2025, 1, 15), Channel.NATIONAL_PORTAL, "law_2009"),
    (D(2025, 1, 15), Channel.POST, "law_2009"),
    (D(2025, 6, 30), Channel.VNEID, "vneid_pilot_2024"),
    (D(2025, 7, 1), Channel.VNEID, "law_2009"),
    (D(2026, 6, 30), Channel.VNEID, "law_2009"),
    (D(2026, 6, 30), Channel.COUNTER, "law_2009"),
    *((D(2026, 7, 1), channel, "law_2026") for channel in Channel),
    (D(2027, 3, 1), Channel.VNEID, "law_2026"),
]


@pytest.mark.parametrize(("day", "channel", "code"), PICKS, ids=lambda v: str(v))
def test_profile_for_picks_the_profile_in_force_on_the_day_for_the_channel(db, day, channel, code):
    chosen = deadlines.profile_for(db.session, day, channel)

    assert (chosen and chosen.code) == code


def test_choose_profile_prefers_a_channel_profile_then_the_latest_start(db):
    seeded = db.session.scalars(sa.select(LegalProfile)).all()
    decree = LegalProfile(code="decree_2027", valid_from=D(2027, 1, 1), channels=None, standard_days=4)
    vneid_2027 = LegalProfile(
        code="vneid_2027", valid_from=D(2027, 6, 1), channels=["vneid"], standard_days=2
    )
    profiles = [*seeded, decree, vneid_2027]

    assert deadlines.choose_profile(profiles, D(2026, 12, 31), Channel.VNEID).code == "law_2026"
    assert deadlines.choose_profile(profiles, D(2027, 1, 1), Channel.VNEID).code == "decree_2027"
    assert deadlines.choose_profile(profiles, D(2027, 6, 1), Channel.VNEID).code == "vneid_2027"
    assert deadlines.choose_profile(profiles, D(2027, 6, 1), Channel.COUNTER).code == "decree_2027"


# --- time left, overdue and at risk ------------------------------------------------------------------------

# Received Monday 02/11/2026 (law_2026, five working days): due Monday 09/11/2026.
STATUSES = [
    (CaseStage.RECEIVED, AT(2026, 11, 2, 15, 0), "Còn 5 ngày làm việc", "ok"),
    (CaseStage.IN_REVIEW, AT(2026, 11, 4, 9, 0), "Còn 3 ngày làm việc", "ok"),
    (CaseStage.RECEIVED, AT(2026, 11, 5, 9, 0), "Còn 2 ngày làm việc", "risk"),
    (CaseStage.IN_REVIEW, AT(2026, 11, 5, 9, 0), "Còn 2 ngày làm việc", "risk"),
    (CaseStage.VERIFYING, AT(2026, 11, 5, 9, 0), "Còn 2 ngày làm việc", "risk"),
    (CaseStage.DRAFTING, AT(2026, 11, 5, 9, 0), "Còn 2 ngày làm việc", "ok"),
    (CaseStage.DRAFTING, AT(2026, 11, 6, 9, 0), "Còn 1 ngày làm việc", "risk"),
    (CaseStage.AWAITING_SIGNATURE, AT(2026, 11, 6, 9, 0), "Còn 1 ngày làm việc", "risk"),
    (CaseStage.ISSUED, AT(2026, 11, 6, 9, 0), "Còn 1 ngày làm việc", "ok"),
    # The weekend does not count: on Saturday one working day is still left.
    (CaseStage.DRAFTING, AT(2026, 11, 7, 9, 0), "Còn 1 ngày làm việc", "risk"),
    (CaseStage.RECEIVED, AT(2026, 11, 9, 8, 0), "Hạn hôm nay", "risk"),
    (CaseStage.ISSUED, AT(2026, 11, 9, 16, 0), "Hạn hôm nay", "ok"),
    (CaseStage.RECEIVED, AT(2026, 11, 10, 9, 0), "Quá hạn 1 ngày làm việc", "late"),
    (CaseStage.ISSUED, AT(2026, 11, 13, 9, 0), "Quá hạn 4 ngày làm việc", "late"),
    (CaseStage.RETURNED, AT(2026, 11, 13, 9, 0), "Không tính hạn", "none"),
    (CaseStage.WITHDRAWN, AT(2026, 11, 5, 9, 0), "Không tính hạn", "none"),
]


@pytest.mark.parametrize(("stage", "now", "label", "tone"), STATUSES)
def test_deadline_status_says_how_much_time_is_left(db, actor, stage, now, label, tone):
    case = create_case(stage, at=AT(2026, 11, 2, 9, 0), actor=actor)

    status = deadlines.deadline_status(case, calendar=working_calendar(), now=now)

    assert (status.label, status.tone) == (label, tone)
    assert status.is_overdue is (tone == "late")
    assert status.is_at_risk is (tone == "risk")


@pytest.mark.parametrize(
    ("now", "label", "days_late"),
    [
        (AT(2026, 11, 13, 18, 0), "Hạn hôm nay", 0),
        (AT(2026, 11, 14, 9, 0), "Quá hạn 1 ngày làm việc", 1),
        (AT(2026, 11, 15, 9, 0), "Quá hạn 1 ngày làm việc", 1),
        (AT(2026, 11, 16, 9, 0), "Quá hạn 1 ngày làm việc", 1),
        (AT(2026, 11, 17, 9, 0), "Quá hạn 2 ngày làm việc", 2),
        (AT(2026, 11, 25, 9, 0), "Quá hạn 7 ngày làm việc", 7),  # 24/11 is a holiday
    ],
    ids=["due-friday", "saturday", "sunday", "monday", "tuesday", "after-24-11"],
)
def test_overdue_counts_working_days_late_across_a_weekend(db, actor, now, label, days_late):
    # Received Friday 06/11/2026: due Friday 13/11/2026.
    case = create_case(CaseStage.VERIFYING, at=AT(2026, 11, 6, 9, 0), actor=actor)

    status = deadlines.deadline_status(case, calendar=working_calendar(), now=now)

    assert (status.label, status.days_late, status.is_overdue) == (label, days_late, days_late > 0)


@pytest.mark.parametrize(
    ("now", "label", "tone"),
    [
        (AT(2026, 11, 13, 20, 30), "Khẩn: còn 19 giờ", "risk"),
        (AT(2026, 11, 14, 16, 1), "Quá hạn 1 giờ", "late"),
    ],
)
def test_an_urgent_request_counts_hours(db, actor, now, label, tone):
    case = create_case(
        CaseStage.IN_REVIEW, channel=Channel.AGENCY, at=AT(2026, 11, 13, 15, 30), actor=actor, is_urgent=True
    )

    status = deadlines.deadline_status(case, calendar=working_calendar(), now=now)

    assert (status.label, status.tone) == (label, tone)


BOARD_STAGES = [
    CaseStage.RECEIVED,
    CaseStage.IN_REVIEW,
    CaseStage.VERIFYING,
    CaseStage.DRAFTING,
    CaseStage.AWAITING_SIGNATURE,
    CaseStage.ISSUED,
    CaseStage.RETURNED,
    CaseStage.INCOMPLETE,
    CaseStage.AWAITING_PAYMENT,
]


def board_of_cases(actor):
    """Two cases received on each day from 26/10 to 22/11/2026, weekends included, at rotating stages, and
    urgent requests received in the hours around the moments the tests look from."""
    stages = itertools.cycle(BOARD_STAGES)
    cases = [
        create_case(next(stages), at=AT(2026, 10, 26, 10, 0) + timedelta(days=n), actor=actor)
        for n in range(28)
        for _ in range(2)
    ]
    urgent_at = [
        AT(2026, 11, 12, 10, 0),
        AT(2026, 11, 13, 8, 0),
        AT(2026, 11, 13, 15, 30),
        AT(2026, 11, 15, 9, 0),
        AT(2026, 11, 23, 20, 0),
    ]
    cases += [
        create_case(stage, channel=Channel.AGENCY, at=at, actor=actor, is_urgent=True)
        for at, stage in zip(urgent_at, itertools.cycle(BOARD_STAGES[2:7]), strict=False)
    ]
    return cases


NOWS = [
    pytest.param(AT(2026, 11, 9, 10, 0), id="monday"),
    pytest.param(AT(2026, 11, 13, 16, 0), id="friday-afternoon"),
    pytest.param(AT(2026, 11, 14, 10, 0), id="saturday"),
    pytest.param(AT(2026, 11, 16, 8, 0), id="monday-after"),
    pytest.param(AT(2026, 11, 24, 10, 0), id="holiday-24-11"),
]


@pytest.mark.parametrize("now", NOWS)
def test_the_board_clauses_select_exactly_the_cases_deadline_status_flags(db, actor, now):
    cases = board_of_cases(actor)
    calendar = working_calendar()
    ids = [case.id for case in cases]
    statuses = {case.id: deadlines.deadline_status(case, calendar=calendar, now=now) for case in cases}

    def selected(clause):
        return set(db.session.scalars(sa.select(Case.id).where(Case.id.in_(ids), clause)))

    overdue = selected(deadlines.overdue_clause(calendar=calendar, now=now))
    at_risk = selected(deadlines.at_risk_clause(calendar=calendar, now=now))

    assert overdue == {case_id for case_id, status in statuses.items() if status.is_overdue}
    assert at_risk == {case_id for case_id, status in statuses.items() if status.is_at_risk}
    assert overdue and at_risk, "the set should hold cases of both kinds"
    assert len(overdue) + len(at_risk) < len(ids), "and cases of neither"
