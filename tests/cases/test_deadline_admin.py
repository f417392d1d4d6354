"""The administrator's deadline settings: calendar overrides and legal profiles, through the web pages."""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.cases import services
from lltp.cases.models import CaseStage, LegalProfile
from lltp.core.audit import Actor, AuditEvent
from lltp.core.calendar import CalendarDay, CalendarDayKind, add_calendar_override
from tests.factories import create_case, local_datetime, officer, outsider

CALENDAR = "/quan-tri/lich-lam-viec"
PROFILES = "/quan-tri/thoi-han"


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def profile(db, code):
    return db.session.scalar(sa.select(LegalProfile).where(LegalProfile.code == code))


def law_2026_form(db, **changes):
    """The law_2026 profile as its edit form posts it, with `changes`."""
    law_2026 = profile(db, "law_2026")
    form = {
        "name": law_2026.name,
        "legal_basis": law_2026.legal_basis,
        "valid_from": "01/07/2026",
        "valid_to": "",
        "standard_days": "5",
        "long_days": "",
        "urgent_hours": "24",
        "paper_return_extra_days": "0",
        "long_conditions": law_2026.long_conditions or "",
        "notes": law_2026.notes,
    }
    form.update(changes)
    return form


# --- the calendar -----------------------------------------------------------------------------------------


def test_the_calendar_page_lists_the_years_holidays_swapped_days_and_overrides(db, as_admin):
    add_calendar_override(
        date(2026, 12, 31), CalendarDayKind.HOLIDAY, "Nghỉ cuối năm", actor=Actor.system("test")
    )

    page = as_admin.get(CALENDAR, query_string={"nam": 2026}).get_data(as_text=True)

    for text in (
        "17/02/2026",
        "Tết Nguyên Đán",
        "22/08/2026",
        "Ngày làm việc bù",
        "24/11/2026",
        "Nghỉ cuối năm",
    ):
        assert text in page


def test_an_administrators_holiday_moves_the_due_date_of_cases_computed_afterwards(db, as_admin, admin):
    actor = Actor(user=officer())
    received = local_datetime(2026, 11, 20, 9, 15)
    before = create_case(CaseStage.RECEIVED, at=received, actor=actor)
    assert before.due_date == date(2026, 11, 30)

    response = as_admin.post(
        CALENDAR, data={"day": "25/11/2026", "kind": "holiday", "name": "Nghỉ lễ địa phương"}
    )

    assert response.status_code == 303
    assert create_case(CaseStage.RECEIVED, at=received, actor=actor).due_date == date(2026, 12, 1)
    services.transition(before, "start_review", actor=actor, at=local_datetime(2026, 11, 23, 8, 0))
    assert before.due_date == date(2026, 12, 1)
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "calendar.add")).one()
    assert (row.actor_id, row.details) == (
        admin.id,
        {"day": "2026-11-25", "kind": "holiday", "name": "Nghỉ lễ địa phương"},
    )


def test_an_administrator_removes_an_override(db, as_admin, admin):
    override = add_calendar_override(
        date(2026, 11, 25), CalendarDayKind.HOLIDAY, "Nghỉ", actor=Actor(user=admin)
    )

    response = as_admin.post(f"{CALENDAR}/{override.id}/xoa", data={"nam": "2026"})

    assert response.status_code == 303
    assert count(db, CalendarDay) == 0
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == (
        "calendar.remove"
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"day": "", "kind": "holiday", "name": "Nghỉ"}, "day", "Vui lòng nhập ngày."),
        ({"day": "31/02/2026", "kind": "holiday", "name": "Nghỉ"}, "day", "dd/mm/yyyy"),
        ({"day": "25/11/2026", "kind": "working_day", "name": "Làm bù"}, "day", "thứ Bảy hoặc Chủ nhật"),
        ({"day": "28/11/2026", "kind": "holiday", "name": "Nghỉ"}, "day", "từ thứ Hai đến thứ Sáu"),
        ({"day": "25/11/2026", "kind": "holiday", "name": ""}, "name", "Vui lòng nhập tên"),
    ],
    ids=["no-date", "bad-date", "working-day-on-weekday", "holiday-on-saturday", "no-name"],
)
def test_an_invalid_override_shows_the_error_next_to_its_field_and_writes_nothing(
    db, as_admin, form, field, message
):
    before = (count(db, CalendarDay), count(db, AuditEvent))

    response = as_admin.post(CALENDAR, data=form)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'aria-invalid="true"' in page
    assert (count(db, CalendarDay), count(db, AuditEvent)) == before


# --- the legal profiles ------------------------------------------------------------------------------------


def test_the_profiles_page_lists_the_seeded_profiles(db, as_admin):
    page = as_admin.get(PROFILES).get_data(as_text=True)

    for text in (
        "Luật Lý lịch tư pháp 2009",
        "Thí điểm VNeID",
        "01/10/2024",
        "30/06/2025",
        "Luật 107/2025/QH15",
    ):
        assert text in page
    assert "Chưa xác định" in page  # the 2026 long limit


def test_editing_a_profile_is_audited_with_the_values_before_and_after(db, as_admin, admin):
    law_2026 = profile(db, "law_2026")

    response = as_admin.post(f"{PROFILES}/{law_2026.id}", data=law_2026_form(db, long_days="10"))

    assert response.status_code == 303
    assert profile(db, "law_2026").long_days == 10
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "legal_profile.update")).one()
    assert (row.actor_id, row.object_id) == (admin.id, "law_2026")
    assert row.details == {"before": {"long_days": None}, "after": {"long_days": 10}}


def test_a_changed_profile_governs_the_next_computation(db, as_admin):
    law_2026 = profile(db, "law_2026")
    as_admin.post(f"{PROFILES}/{law_2026.id}", data=law_2026_form(db, long_days="10"))
    actor = Actor(user=officer())
    case = create_case(CaseStage.IN_REVIEW, at=local_datetime(2026, 11, 2, 9, 0), actor=actor)

    services.transition(
        case, "mark_long", actor=actor, note="Cần xác minh", at=local_datetime(2026, 11, 3, 9, 0)
    )

    assert case.due_date == date(2026, 11, 16)


def test_an_administrator_adds_a_profile(db, as_admin):
    form = law_2026_form(
        db,
        code="decree_2027",
        name="Nghị định hướng dẫn (dự kiến)",
        valid_from="01/01/2027",
        valid_to="31/12/2027",
        channels=["vneid", "national_portal"],
        standard_days="4",
        long_days="8",
    )

    response = as_admin.post(f"{PROFILES}/moi", data=form)

    assert response.status_code == 303
    added = profile(db, "decree_2027")
    assert (added.valid_from, added.valid_to, added.channels) == (
        date(2027, 1, 1),
        date(2027, 12, 31),
        ["vneid", "national_portal"],
    )
    assert (added.standard_days, added.long_days, added.urgent_hours) == (4, 8, 24)
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "legal_profile.create")).one()
    assert row.details["before"] is None
    assert row.details["after"]["valid_from"] == "2027-01-01"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"standard_days": "0"}, "standard_days"),
        ({"standard_days": ""}, "standard_days"),
        ({"standard_days": "2.5"}, "standard_days"),
        ({"long_days": "-3"}, "long_days"),
        ({"long_days": "3"}, "long_days"),  # shorter than the standard limit
        ({"urgent_hours": "abc"}, "urgent_hours"),
        ({"paper_return_extra_days": "-1"}, "paper_return_extra_days"),
        ({"valid_from": ""}, "valid_from"),
        ({"valid_from": "2026-07-01"}, "valid_from"),
        ({"valid_to": "30/06/2026"}, "valid_to"),
        ({"valid_to": "01/07/2026"}, "valid_to"),
        ({"channels": ["vneid", "fax"]}, "channels"),
        ({"name": "  "}, "name"),
        ({"legal_basis": ""}, "legal_basis"),
    ],
    ids=lambda v: str(v),
)
def test_an_invalid_profile_shows_the_error_next_to_its_field_and_changes_nothing(
    db, as_admin, changes, field
):
    law_2026 = profile(db, "law_2026")
    audit_rows = count(db, AuditEvent)

    response = as_admin.post(f"{PROFILES}/{law_2026.id}", data=law_2026_form(db, **changes))

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(db, AuditEvent) == audit_rows
    db.session.expire_all()
    assert (profile(db, "law_2026").standard_days, profile(db, "law_2026").valid_from) == (
        5,
        date(2026, 7, 1),
    )


def test_a_new_profile_needs_a_free_code(db, as_admin):
    response = as_admin.post(
        f"{PROFILES}/moi", data=law_2026_form(db, code="law_2009", valid_from="01/01/2027")
    )

    assert response.status_code == 422
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert count(db, LegalProfile) == 3


# --- access -------------------------------------------------------------------------------------------------

PAGES = [
    ("get", CALENDAR),
    ("post", CALENDAR),
    ("post", f"{CALENDAR}/1/xoa"),
    ("get", PROFILES),
    ("get", f"{PROFILES}/moi"),
    ("post", f"{PROFILES}/moi"),
    ("get", f"{PROFILES}/1"),
    ("post", f"{PROFILES}/1"),
]


@pytest.mark.parametrize("who", ["authority-staff", "police"])
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_only_an_administrator_may_open_the_deadline_settings(db, login_as, who, method, url):
    client = login_as(outsider(who))

    response = getattr(client, method)(url, data={"day": "25/11/2026", "kind": "holiday", "name": "x"})

    assert response.status_code == 403
    settings_audit = sa.or_(AuditEvent.action.like("calendar.%"), AuditEvent.action.like("legal_profile.%"))
    assert count(db, CalendarDay) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(settings_audit)) == 0


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(db, client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code in (302, 303)
    assert "/dang-nhap" in response.headers["Location"]
