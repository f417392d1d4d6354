"""The issuing authority's board: filters in the URL, tabs, sorting, pages, htmx refresh, audit, access."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.deadlines import deadline_status
from lltp.cases.models import CaseStage, Channel
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.calendar import working_calendar
from tests.factories import create_case, create_unit, create_user, local_datetime, officer

ROW_CODE = re.compile(r'<th scope="row"><a href="/ho-so/[^"]+">([^<]+)</a></th>')


@pytest.fixture
def new_case(db):
    """`create_case`, with one officer taking every step (a new officer per case costs a password hash)."""
    actor = Actor(user=officer(), ip="127.0.0.1")
    return lambda stage=CaseStage.RECEIVED, **fields: create_case(stage, actor=actor, **fields)


@pytest.fixture
def board(client, login_as, db):
    """GET the board as a processing officer; returns the response. Setup is committed first, so an error
    handler's rollback cannot take it away."""
    login_as(create_user(roles=(Role.PROCESSING_OFFICER,), full_name="Cán Bộ Xem Bảng"))

    def get(headers=None, **params):
        db.session.commit()
        return client.get("/ho-so", query_string=params, headers=headers or {})

    return get


def codes(response):
    assert response.status_code == 200, response.status_code
    return ROW_CODE.findall(response.get_data(as_text=True))


def days_ago(n):
    return clock.now() - timedelta(days=n)


def test_default_tab_lists_open_cases_and_hides_closed_ones(new_case, board):
    open_case = new_case(CaseStage.IN_REVIEW)
    closed = new_case(CaseStage.REFUSED)
    shown = codes(board())
    assert open_case.code in shown
    assert closed.code not in shown


def test_stage_filter_lists_only_that_stage(new_case, board):
    reviewing = new_case(CaseStage.IN_REVIEW)
    received = new_case(CaseStage.RECEIVED)
    assert codes(board(stage="in_review")) == [reviewing.code]
    assert codes(board(stage="received")) == [received.code]


def test_all_tab_includes_closed_cases(new_case, board):
    closed = new_case(CaseStage.WITHDRAWN)
    assert closed.code in codes(board(stage="all"))


def test_channel_filter_lists_only_that_channel(new_case, board):
    vneid = new_case(channel=Channel.VNEID)
    new_case(channel=Channel.COUNTER)
    assert codes(board(channel="vneid")) == [vneid.code]


def test_certificate_type_filter_lists_only_that_type(new_case, board):
    second = new_case(certificate_type=2)
    new_case(certificate_type=1)
    assert codes(board(type="2")) == [second.code]


@pytest.mark.parametrize(
    ("due", "flagged"),
    [
        ("overdue", lambda case, status, today: status.is_overdue),
        ("at_risk", lambda case, status, today: status.is_at_risk),
        ("due_today", lambda case, status, today: case.due_date == today),
    ],
)
def test_due_filter_lists_exactly_the_cases_the_deadline_rule_flags(new_case, app, board, due, flagged):
    midnight = local_datetime(*clock.today().timetuple()[:3], 0, 0)
    cases = [
        *(
            new_case(stage, at=days_ago(n))
            for n in range(16)
            for stage in (CaseStage.VERIFYING, CaseStage.DRAFTING)
        ),
        # Urgent requests are due 24 hours after receipt: today just after midnight, tomorrow, in 23 hours.
        *(
            new_case(CaseStage.VERIFYING, is_urgent=True, at=at)
            for at in (midnight - timedelta(hours=23, minutes=59), midnight, clock.now() - timedelta(hours=1))
        ),
    ]
    now = clock.now()
    with app.test_request_context():
        calendar = working_calendar()
        expected = {
            c.code
            for c in cases
            if flagged(c, deadline_status(c, calendar=calendar, now=now), clock.local_date(now))
        }
    assert expected, "the spread of receipt dates should give the filter something to find"
    assert set(codes(board(due=due))) == expected


def test_search_matches_a_case_code_prefix_in_any_case(new_case, board):
    older = new_case(at=days_ago(3))
    new_case(at=days_ago(1))
    day_prefix = older.code.rsplit("-", 1)[0].lower()
    assert codes(board(q=day_prefix)) == [older.code]
    assert codes(board(q=older.code.lower())) == [older.code]


def test_search_matches_a_name_typed_without_diacritics(new_case, board):
    an = new_case(applicant_full_name="NGUYỄN VĂN AN")
    binh = new_case(applicant_full_name="TRẦN THỊ BÌNH")
    new_case(applicant_full_name="LÊ ĐỨC ANH TUẤN")
    assert codes(board(q="nguyen van an")) == [an.code]
    assert codes(board(q="binh")) == [binh.code]
    assert codes(board(q="Đức anh")) != []


def test_search_treats_like_wildcards_as_text(new_case, board):
    new_case(applicant_full_name="NGUYỄN VĂN AN")
    assert codes(board(q="%")) == []


def test_board_sorts_by_due_date_first_due_first(new_case, board):
    later = new_case(at=days_ago(1))
    sooner = new_case(at=days_ago(20))
    assert codes(board()) == [sooner.code, later.code]
    assert codes(board(dir="desc")) == [later.code, sooner.code]


def test_board_sorts_by_name(new_case, board):
    binh = new_case(applicant_full_name="TRẦN THỊ BÌNH")
    an = new_case(applicant_full_name="ĐẶNG VĂN AN")
    assert codes(board(sort="name")) == [an.code, binh.code]
    assert codes(board(sort="name", dir="desc")) == [binh.code, an.code]


def test_board_sorts_by_code_and_by_received(new_case, board):
    first = new_case(at=days_ago(2))
    second = new_case(at=days_ago(1))
    assert codes(board(sort="code", dir="desc")) == [second.code, first.code]
    assert codes(board(sort="received")) == [first.code, second.code]


def test_board_pages_through_the_cases_without_overlap(new_case, app, board, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_BOARD_PAGE_SIZE", 2)
    made = [new_case(at=days_ago(n)).code for n in (1, 2, 3)]
    first, second = board(), board(page=2)
    assert len(codes(first)) == 2
    assert len(codes(second)) == 1
    assert sorted(codes(first) + codes(second)) == sorted(made)
    body = second.get_data(as_text=True)
    assert "Trang 2 / 2" in body
    assert "Tổng số: 3 hồ sơ" in body


def test_a_page_past_the_end_shows_the_last_page(new_case, app, board, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_BOARD_PAGE_SIZE", 2)
    for n in (1, 2, 3):
        new_case(at=days_ago(n))
    response = board(page=9)
    assert len(codes(response)) == 1
    assert "Trang 2 / 2" in response.get_data(as_text=True)


def test_malformed_filters_fall_back_to_the_defaults(new_case, board):
    case = new_case()
    assert codes(board(page="x", due="soon", stage="nowhere", sort="age", type="3")) == [case.code]


def tab_count(response, label):
    match = re.search(rf'{label} <span class="count">([\d.]+)</span>', response.get_data(as_text=True))
    return int(match.group(1).replace(".", ""))


def test_tabs_count_cases_per_stage_under_the_other_filters(new_case, board):
    for _ in range(2):
        new_case(CaseStage.IN_REVIEW, certificate_type=1)
    new_case(CaseStage.IN_REVIEW, certificate_type=2)
    new_case(CaseStage.RECEIVED, certificate_type=1)
    new_case(CaseStage.REFUSED, certificate_type=1)
    response = board(type="1")
    assert tab_count(response, "Đang xử lý") == 2
    assert tab_count(response, "Đã tiếp nhận") == 1
    assert tab_count(response, "Từ chối") == 1
    assert tab_count(response, "Đang giải quyết") == 3
    assert tab_count(response, "Tất cả") == 4


def test_overdue_and_at_risk_rows_stand_out_by_text_and_class(new_case, board):
    new_case(CaseStage.IN_REVIEW, at=days_ago(40))
    body = board().get_data(as_text=True)
    assert '<tr class="late">' in body
    assert re.search(r'<span class="deadline late">Quá hạn \d+ ngày làm việc</span>', body)


def test_htmx_request_gets_only_the_results_region(new_case, board):
    case = new_case()
    response = board(headers={"HX-Request": "true"}, due="overdue")
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="board-results"')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert case.code not in body


def test_full_page_also_varies_on_hx_request(board):
    response = board()
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_results_region_polls_the_same_filters_with_the_poll_header(board):
    body = board(due="overdue", type="1").get_data(as_text=True)
    region = re.search(r'<div id="board-results"[^>]*>', body).group(0)
    assert 'hx-get="/ho-so?due=overdue&amp;type=1"' in region
    assert 'hx-trigger="every 30s"' in region
    assert """hx-headers='{"X-LLTP-Poll": "1"}'""" in region


def test_poll_leaves_the_session_alone_and_is_audited_as_a_poll(new_case, client, board):
    new_case()
    with client.session_transaction() as session:
        seen_at = session["seen_at"]
    response = board(headers={"HX-Request": "true", "X-LLTP-Poll": "1"})
    assert response.status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] == seen_at
    last = last_audit("case.list")
    assert last.details["poll"] is True


def last_audit(action):
    from lltp.extensions import db

    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()


def test_board_audits_the_read_with_its_filters_and_codes(new_case, board):
    case = new_case(channel=Channel.POST)
    board(channel="post", q="nguyen")
    row = last_audit("case.list")
    assert row.actor_label.startswith("user")
    assert row.details == {"filters": {"channel": "post", "q": "nguyen"}, "codes": [case.code], "poll": False}


def test_verifier_of_a_police_unit_is_refused_the_board(new_case, client, login_as, db):
    new_case(applicant_full_name="ĐOÀN THỊ BÍ MẬT")
    login_as(create_user(roles=(Role.VERIFIER,), unit=create_unit(UnitKind.PROVINCIAL_POLICE)))
    db.session.commit()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/ho-so", headers=headers)
        assert response.status_code == 403
        assert "BÍ MẬT" not in response.get_data(as_text=True)
