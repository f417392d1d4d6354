"""The working-day calendar on known dates, and the administrator's overrides."""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core import calendar
from lltp.core.audit import Actor, AuditEvent
from lltp.core.calendar import CalendarDay, CalendarDayKind, WorkingCalendar, working_calendar
from lltp.core.errors import ValidationFailed
from tests.factories import create_user

D = date
HOLIDAY = CalendarDayKind.HOLIDAY
WORKING_DAY = CalendarDayKind.WORKING_DAY


@pytest.fixture
def admin(db):
    return Actor(user=create_user(roles=(Role.ADMINISTRATOR,)), ip="127.0.0.1")


DAYS = [
    # Tết 2026: Monday 16 to Friday 20 February.
    (D(2026, 2, 13), True),
    (D(2026, 2, 14), False),
    *((D(2026, 2, day), False) for day in range(16, 21)),
    (D(2026, 2, 22), False),
    (D(2026, 2, 23), True),
    # Tết 2025: Monday 27 to Friday 31 January.
    (D(2025, 1, 24), True),
    *((D(2025, 1, day), False) for day in range(27, 32)),
    (D(2025, 2, 3), True),
    # 30/4 and 1/5; in 2025 Saturday 26/4 was worked for Friday 2/5.
    (D(2025, 4, 26), True),
    (D(2025, 4, 30), False),
    (D(2025, 5, 1), False),
    (D(2025, 5, 2), False),
    (D(2025, 5, 5), True),
    (D(2026, 4, 27), False),  # Giỗ Tổ fell on a Sunday: Monday off
    (D(2026, 4, 30), False),
    (D(2026, 5, 1), False),
    (D(2026, 5, 2), False),
    # 2/9; in 2026 Saturday 22/8 was worked for Monday 31/8.
    (D(2025, 9, 1), False),
    (D(2025, 9, 2), False),
    (D(2025, 9, 3), True),
    (D(2026, 8, 22), True),
    (D(2026, 8, 23), False),
    (D(2026, 8, 31), False),
    (D(2026, 9, 1), False),
    (D(2026, 9, 2), False),
    (D(2026, 9, 3), True),
    # 24/11 is Vietnam Culture Day, a holiday from 2026 only.
    (D(2025, 11, 24), True),
    (D(2026, 11, 24), False),
    (D(2026, 11, 21), False),
]


@pytest.mark.parametrize(("day", "working"), DAYS, ids=lambda v: str(v))
def test_a_known_day_is_a_working_day_or_not(day, working):
    assert WorkingCalendar().is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "end"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 23)),
        (D(2026, 2, 14), 1, D(2026, 2, 23)),
        (D(2025, 4, 25), 1, D(2025, 4, 26)),
        (D(2025, 4, 29), 1, D(2025, 5, 5)),
        (D(2026, 8, 21), 1, D(2026, 8, 22)),
        (D(2026, 8, 28), 1, D(2026, 9, 3)),
        (D(2026, 11, 23), 1, D(2026, 11, 25)),
        (D(2026, 11, 20), 5, D(2026, 11, 30)),
    ],
    ids=str,
)
def test_add_working_days_skips_holidays_and_counts_swapped_saturdays(start, count, end):
    assert WorkingCalendar().add_working_days(start, count) == end


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        (D(2026, 2, 13), D(2026, 2, 24), 2),
        (D(2026, 2, 24), D(2026, 2, 24), 0),
        (D(2026, 2, 25), D(2026, 2, 24), -1),
        (D(2026, 2, 13), D(2026, 2, 12), -1),
        (D(2026, 2, 21), D(2026, 2, 13), -1),  # Tết and a weekend later, still one working day late
        (D(2026, 2, 24), D(2026, 2, 13), -2),
    ],
    ids=str,
)
def test_working_days_left_is_signed_and_at_least_one_once_overdue(today, due, left):
    assert WorkingCalendar().working_days_left(today, due) == left


def test_an_administrators_holiday_on_a_weekday_takes_effect_at_once(db, admin):
    assert working_calendar().is_working_day(D(2027, 3, 3))

    calendar.add_calendar_override(D(2027, 3, 3), HOLIDAY, "Nghỉ lễ địa phương", actor=admin)

    assert not working_calendar().is_working_day(D(2027, 3, 3))
    assert working_calendar().add_working_days(D(2027, 3, 2), 1) == D(2027, 3, 4)


def test_an_administrators_working_saturday_takes_effect_at_once(db, admin):
    assert not working_calendar().is_working_day(D(2027, 2, 20))

    calendar.add_calendar_override("20/02/2027", WORKING_DAY, "Làm bù cho ngày 15/02/2027", actor=admin)

    assert working_calendar().is_working_day(D(2027, 2, 20))
    assert working_calendar().add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)


def test_an_override_is_audited_and_its_removal_restores_the_day(db, admin):
    override = calendar.add_calendar_override(D(2027, 3, 3), HOLIDAY, "Nghỉ lễ địa phương", actor=admin)

    calendar.remove_calendar_override(override.id, actor=admin)

    assert working_calendar().is_working_day(D(2027, 3, 3))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "calendar_day")).all()
    assert [(row.action, row.actor_id, row.details["day"]) for row in rows] == [
        ("calendar.add", admin.user_id, "2027-03-03"),
        ("calendar.remove", admin.user_id, "2027-03-03"),
    ]


@pytest.mark.parametrize(
    ("day", "kind", "name", "field"),
    [
        ("", HOLIDAY, "Nghỉ", "day"),
        ("31/02/2027", HOLIDAY, "Nghỉ", "day"),
        ("2027-03-03", HOLIDAY, "Nghỉ", "day"),
        ("03/03/2027", HOLIDAY, "  ", "name"),
        ("03/03/2027", "day_off", "Nghỉ", "kind"),
        ("06/03/2027", HOLIDAY, "Nghỉ vào thứ Bảy", "day"),
        ("03/03/2027", WORKING_DAY, "Làm bù vào thứ Tư", "day"),
        ("17/02/2026", HOLIDAY, "Đã là Tết", "day"),
        ("22/08/2026", WORKING_DAY, "Đã là ngày làm bù", "day"),
        ("01/03/2027", HOLIDAY, "Trùng ngày đã thêm", "day"),
    ],
    ids=[
        "no-date",
        "no-such-date",
        "iso-date",
        "no-name",
        "unknown-kind",
        "holiday-on-saturday",
        "working-day-on-weekday",
        "already-a-holiday",
        "already-swapped",
        "duplicate",
    ],
)
def test_an_invalid_override_is_refused_on_its_field_and_writes_nothing(db, admin, day, kind, name, field):
    calendar.add_calendar_override(D(2027, 3, 1), HOLIDAY, "Đã có", actor=admin)
    before = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (CalendarDay, AuditEvent)]

    with pytest.raises(ValidationFailed) as refused:
        calendar.add_calendar_override(day, kind, name, actor=admin)

    assert list(refused.value.errors) == [field]
    after = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (CalendarDay, AuditEvent)]
    assert after == before


def test_package_days_lists_the_years_holidays_and_swapped_days_in_vietnamese():
    days = calendar.package_days(2026)

    assert (D(2026, 2, 17), HOLIDAY, "Tết Nguyên Đán") in days
    assert (D(2026, 11, 24), HOLIDAY, "Ngày Văn hóa Việt Nam") in days
    assert (D(2026, 8, 22), WORKING_DAY, "Ngày làm việc bù") in days
    assert [day for day, _kind, _name in days] == sorted(day for day, _kind, _name in days)
