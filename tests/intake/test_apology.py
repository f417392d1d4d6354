"""The apology with a new date (domain §6): offered once the case is at risk, issued no later than one
working day before the deadline, once per case, with a new date later than the current one and a working
day."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lltp.accounts.models import Role
from lltp.cases import deadlines
from lltp.cases.models import CaseStage, Channel, DeliveryMethod
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.core.errors import InvalidTransition, ValidationFailed
from lltp.extensions import db as _db
from lltp.intake import services
from lltp.intake.models import OneStopPaper, PaperKind
from tests.factories import create_case, local_datetime
from tests.intake.test_case_panels import intake_actor, officer, page

REASON = "Cơ quan công an chưa trả lời kết quả xác minh"


def previous_working_day(day, calendar):
    day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def case_due_on(due):
    """A case received just enough working days before `due` to be due on it."""
    calendar = working_calendar()
    profile = deadlines.profile_for(_db.session, due, Channel.COUNTER)
    received_on = due
    for _step in range(
        deadlines.limit_days(profile, is_long=False, delivery_method=DeliveryMethod.ELECTRONIC)
    ):
        received_on = previous_working_day(received_on, calendar)
    case = create_case(
        CaseStage.RECEIVED, at=local_datetime(received_on.year, received_on.month, received_on.day, 9)
    )
    assert case.due_date == due
    return case


@pytest.fixture
def calendar(db):
    return working_calendar()


@pytest.fixture
def at_risk(calendar):
    """A case due on the next working day: at risk now, and still in time for an apology."""
    return case_due_on(calendar.next_working_day(clock.today()))


def later_working_day(case, calendar):
    return calendar.add_working_days(case.due_date, 3)


def apologise(client, case, new_date, reason=REASON):
    return client.post(
        f"/ho-so/{case.code}/xin-loi",
        data={"new_date": f"{new_date:%d/%m/%Y}" if new_date else "", "reason": reason},
    )


def apologies(case):
    return _db.session.scalars(
        sa.select(OneStopPaper).where(OneStopPaper.case_id == case.id, OneStopPaper.kind == PaperKind.APOLOGY)
    ).all()


# --- when it is offered --------------------------------------------------------------------------


def test_a_case_with_time_left_is_offered_no_apology(login_as, db):
    case = create_case(CaseStage.RECEIVED)
    assert services.apology_problem(case) == "Chỉ lập phiếu xin lỗi khi hồ sơ có nguy cơ trễ hạn."
    assert 'id="apology-panel"' not in page(login_as(officer(Role.INTAKE_OFFICER)), case)


def test_a_case_at_risk_is_offered_the_apology_form(login_as, db, at_risk):
    body = page(login_as(officer(Role.INTAKE_OFFICER)), at_risk)
    assert "Lập phiếu xin lỗi và hẹn lại" in body
    assert f"/ho-so/{at_risk.code}/xin-loi" in body


def test_a_report_reader_sees_no_apology_form(login_as, db, at_risk):
    assert "/xin-loi" not in page(login_as(officer(Role.REPORT_READER)), at_risk)


# --- one working day before the deadline at the latest -------------------------------------------


@pytest.fixture
def received_in_march(db):
    return create_case(CaseStage.RECEIVED, at=local_datetime(2026, 3, 2, 9))


def at_nine(day):
    return local_datetime(day.year, day.month, day.day, 9)


def test_it_is_allowed_one_working_day_before_the_deadline(received_in_march, calendar):
    day_before = previous_working_day(received_in_march.due_date, calendar)
    assert services.apology_problem(received_in_march, now=at_nine(day_before)) is None


def test_it_is_refused_on_the_due_date_itself(received_in_march):
    problem = services.apology_problem(received_in_march, now=at_nine(received_in_march.due_date))
    assert problem.startswith("Đã quá thời điểm lập phiếu xin lỗi")


def test_it_is_refused_once_the_case_is_overdue(received_in_march, calendar):
    after = calendar.next_working_day(received_in_march.due_date)
    assert services.apology_problem(received_in_march, now=at_nine(after)).startswith("Đã quá thời điểm")


def test_it_is_not_offered_three_working_days_before_the_deadline(received_in_march, calendar):
    three_before = received_in_march.due_date
    for _step in range(3):
        three_before = previous_working_day(three_before, calendar)
    problem = services.apology_problem(received_in_march, now=at_nine(three_before))
    assert problem == "Chỉ lập phiếu xin lỗi khi hồ sơ có nguy cơ trễ hạn."


def test_a_case_due_today_shows_why_no_apology_can_be_issued(login_as, db, calendar):
    if not calendar.is_working_day(clock.today()):
        pytest.skip("no case falls due on a day off")
    case = case_due_on(clock.today())
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert "Đã quá thời điểm lập phiếu xin lỗi" in body
    assert "/xin-loi" not in body


# --- issuing it ----------------------------------------------------------------------------------


def test_issuing_the_apology_keeps_the_new_date_and_the_reason(login_as, db, at_risk, calendar):
    new_date = later_working_day(at_risk, calendar)
    response = apologise(login_as(officer(Role.INTAKE_OFFICER)), at_risk, new_date)
    assert response.status_code == 303
    (paper,) = apologies(at_risk)
    assert paper.content == {
        "reason": REASON,
        "previous_date": at_risk.due_date.isoformat(),
        "new_date": new_date.isoformat(),
    }


def test_a_second_apology_is_refused(db, at_risk, calendar):
    new_date = later_working_day(at_risk, calendar)
    services.issue_apology(at_risk, new_date=new_date, reason=REASON, actor=intake_actor())
    with pytest.raises(InvalidTransition, match="chỉ được hẹn lại một lần"):
        services.issue_apology(at_risk, new_date=new_date, reason=REASON, actor=intake_actor())
    assert len(apologies(at_risk)) == 1


def test_after_the_apology_the_panel_says_why_there_is_no_second(login_as, db, at_risk, calendar):
    services.issue_apology(
        at_risk, new_date=later_working_day(at_risk, calendar), reason=REASON, actor=intake_actor()
    )
    body = page(login_as(officer(Role.INTAKE_OFFICER)), at_risk)
    assert "chỉ được hẹn lại một lần" in body
    assert "/xin-loi" not in body


def test_the_database_stops_a_second_apology_that_raced_the_check(db, at_risk, calendar):
    first = services.issue_apology(
        at_risk, new_date=later_working_day(at_risk, calendar), reason=REASON, actor=intake_actor()
    )
    with pytest.raises(IntegrityError), _db.session.begin_nested():
        _db.session.add(
            OneStopPaper(
                case_id=at_risk.id,
                kind=PaperKind.APOLOGY,
                number=f"{first.number}-bis",
                issued_by_label="race",
                content={"reason": REASON},
            )
        )
        _db.session.flush()
    assert len(apologies(at_risk)) == 1


def test_other_papers_may_be_issued_more_than_once(db, at_risk):
    services.issue_paper(
        at_risk, PaperKind.RECEIPT, {"appointment_date": at_risk.due_date}, actor=intake_actor()
    )
    assert len(services.papers_of(at_risk)) == 2


# --- the new date --------------------------------------------------------------------------------


def refusal(case, new_date, reason=REASON):
    with pytest.raises(ValidationFailed) as refused:
        services.issue_apology(case, new_date=new_date, reason=reason, actor=intake_actor())
    return refused.value.errors


def test_the_new_date_must_be_later_than_the_current_due_date(db, at_risk):
    assert refusal(at_risk, at_risk.due_date) == {"new_date": "Ngày hẹn mới phải sau ngày hẹn hiện tại."}


def test_the_new_date_must_be_a_working_day(db, at_risk):
    day_off = at_risk.due_date + timedelta(days=1)
    while working_calendar().is_working_day(day_off):
        day_off += timedelta(days=1)
    assert refusal(at_risk, day_off) == {"new_date": "Ngày hẹn mới phải là ngày làm việc."}


def test_the_new_date_and_the_reason_are_required(db, at_risk):
    assert set(refusal(at_risk, None, reason=" ")) == {"new_date", "reason"}


def test_a_refused_apology_shows_the_error_next_to_the_date(login_as, db, at_risk):
    response = apologise(login_as(officer(Role.INTAKE_OFFICER)), at_risk, at_risk.due_date)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="f-new-date-error" aria-live="polite">Ngày hẹn mới phải sau ngày hẹn hiện tại.</p>' in body
    assert REASON in body
    assert apologies(at_risk) == []


def test_a_mistyped_new_date_is_refused(login_as, db, at_risk):
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{at_risk.code}/xin-loi", data={"new_date": "32/01/2027", "reason": REASON}
    )
    assert response.status_code == 422
    assert "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy." in response.get_data(as_text=True)
