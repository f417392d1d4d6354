"""The agencies' performance: per unit, its unresolved and overdue tasks now, its answers of a period and
their median and p90 times in working and calendar days (exact figures on a known fortnight of November
2026, with no holiday), the period in local days, and who may read the page."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.verification import services, stats
from lltp.verification.models import RoutingRule, TaskKind
from tests.factories import create_case, create_unit, create_user, local_datetime, outsider

PAGE = "/xac-minh/hieu-qua"
FIRST_HALF = (date(2026, 11, 1), date(2026, 11, 15))
TODAY = date(2026, 11, 16)


@pytest.fixture
def no_routing(db):
    """Every task of these tests is asked by hand, on the day the test says."""
    db.session.execute(sa.update(RoutingRule).values(is_active=False))


@pytest.fixture
def officer(no_routing):
    return create_user(roles=(Role.PROCESSING_OFFICER,))


def at(day, hour=9, minute=0):
    return local_datetime(day.year, day.month, day.day, hour, minute)


def ask(officer, unit, day, kind=TaskKind.POLICE_LOOKUP):
    """A task put to `unit` at 09:00 local time on `day`, due as its kind's days say."""
    case = create_case(CaseStage.VERIFYING, at=at(day))
    task = services.add_task(case, unit=unit, kind=kind, reason="Hỏi thử", actor=Actor(user=officer))
    task.created_at, task.due_date = at(day), services.due_date_for(kind, day)
    return task


def answer(task, moment):
    verifier = create_user(roles=(Role.VERIFIER,), unit=task.unit)
    return services.answer_task(task, outcome="nothing_found", actor=Actor(user=verifier), at=moment)


@pytest.fixture
def fortnight(officer):
    """Police: answers after 3, 5 and 1 working days (3, 7 and 3 calendar days), one answered after the
    period, one open past its due date (05/11), one cancelled. Court: one answered the next day, one
    returned for clarification and not yet due. A commune with nothing, and a closed court with nothing."""
    police = create_unit(UnitKind.PROVINCIAL_POLICE, name="Phòng Hồ sơ Công an")
    court = create_unit(UnitKind.COURT, name="Tòa án nhân dân huyện")
    commune = create_unit(UnitKind.COMMUNE_COMMITTEE, name="UBND xã")
    create_unit(UnitKind.COURT, name="Tòa án đã sáp nhập").is_active = False
    answer(ask(officer, police, date(2026, 11, 2)), at(date(2026, 11, 5), 15))
    answer(ask(officer, police, date(2026, 11, 2)), at(date(2026, 11, 9), 8))
    answer(ask(officer, police, date(2026, 11, 6)), at(date(2026, 11, 9), 16))
    answer(ask(officer, police, date(2026, 11, 2)), at(date(2026, 11, 20)))
    ask(officer, police, date(2026, 11, 2))
    services.cancel_task(
        ask(officer, police, date(2026, 11, 2)), reason="Không cần", actor=Actor(user=officer)
    )
    answer(ask(officer, court, date(2026, 11, 3), TaskKind.JUDGMENT_OUTCOME), at(date(2026, 11, 4)))
    returned = ask(officer, court, date(2026, 11, 13), TaskKind.JUDGMENT_OUTCOME)
    verifier = create_user(roles=(Role.VERIFIER,), unit=court)
    services.return_for_clarification(returned, message="Số bản án không rõ", actor=Actor(user=verifier))
    return {"police": police, "court": court, "commune": commune}


def row_texts(page, first_cell):
    """The text of each cell of the table row that starts with `first_cell`."""
    row = re.search(rf"<tr[^>]*>\s*<th[^>]*>{first_cell}.*?</tr>", page, re.S).group(0)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


def figures(row):
    times = row.times
    return (
        row.unit and row.unit.name,
        row.open,
        row.overdue,
        row.answered,
        times.median_working_days,
        times.p90_working_days,
        times.median_days,
        times.p90_days,
    )


def test_each_unit_has_its_open_overdue_and_answer_times(fortnight):
    result = stats.agency_performance(*FIRST_HALF, today=TODAY)
    assert [figures(row) for row in result.rows] == [
        ("Phòng Hồ sơ Công an", 1, 1, 3, 3, pytest.approx(4.6), 3, pytest.approx(6.2)),
        ("Tòa án nhân dân huyện", 1, 0, 1, 1, 1, 1, 1),
        ("UBND xã", 0, 0, 0, None, None, None, None),
    ]


def test_the_total_takes_the_percentiles_over_every_answer(fortnight):
    total = stats.agency_performance(*FIRST_HALF, today=TODAY).total
    assert figures(total) == (None, 2, 1, 4, 2, pytest.approx(4.4), 3, pytest.approx(5.8))


def test_a_unit_kind_narrows_the_rows(fortnight):
    result = stats.agency_performance(*FIRST_HALF, unit_kind=UnitKind.COURT, today=TODAY)
    assert [figures(row) for row in result.rows] == [("Tòa án nhân dân huyện", 1, 0, 1, 1, 1, 1, 1)]
    assert figures(result.total) == (None, 1, 0, 1, 1, 1, 1, 1)


def test_the_period_is_counted_in_local_days(officer):
    police = create_unit(UnitKind.PROVINCIAL_POLICE, name="Phòng Hồ sơ Công an")
    answer(ask(officer, police, date(2026, 11, 2)), at(date(2026, 11, 15), 23, 30))
    answer(ask(officer, police, date(2026, 11, 2)), at(date(2026, 11, 16), 0, 30))
    (row,) = stats.agency_performance(*FIRST_HALF, today=TODAY).rows
    assert (row.answered, row.times.median_working_days, row.times.median_days) == (1, 9, 13)


def test_the_page_shows_the_figures_with_decimal_commas(client, login_as, fortnight, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get(PAGE, query_string={"from": "01/11/2026", "to": "15/11/2026"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert row_texts(page, "Phòng Hồ sơ Công an") == [
        "Phòng Hồ sơ Công an",
        "Công an tỉnh",
        "1",
        "1",
        "3",
        "3",
        "4,6",
        "3",
        "6,2",
    ]
    assert row_texts(page, "Tổng cộng") == ["Tổng cộng", "2", "1", "4", "2", "4,4", "3", "5,8"]
    assert "Tòa án đã sáp nhập" not in page


def test_the_default_period_is_the_last_30_days(client, login_as, db, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="18/10/2026"' in page
    assert 'value="16/11/2026"' in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "31/02/2026"}, "from", "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."),
        ({"to": "2026-11-15"}, "to", "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."),
        ({"from": "15/11/2026", "to": "01/11/2026"}, "to", "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"kind": "issuing_authority"}, "kind", "Vui lòng chọn một loại đơn vị trong danh sách."),
    ],
)
def test_a_bad_filter_is_refused_next_to_its_field(client, login_as, db, query, field, message):
    login_as(create_user(roles=(Role.REPORT_READER,)))
    response = client.get(PAGE, query_string=query)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="f-{field}-error">{message}' in page
    assert 'id="performance"' not in page


@pytest.mark.parametrize(
    "role", [Role.REPORT_READER, Role.ADMINISTRATOR, Role.UNIT_SUPERVISOR, Role.PROCESSING_OFFICER]
)
def test_the_authoritys_readers_open_the_page(client, login_as, db, role):
    login_as(create_user(roles=(role,)))
    assert client.get(PAGE).status_code == 200


def test_a_verifying_unit_may_not_open_the_page(client, login_as, db):
    login_as(outsider("police"))
    assert client.get(PAGE).status_code == 403


def test_an_intake_officer_may_not_open_the_page(client, login_as, db):
    login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    assert client.get(PAGE).status_code == 403
