"""The verification boards: a unit's own tasks only, tabs by status with counts, filters in the URL, due
dates in working days, claiming (one or several), releasing, the poll that never swaps the rows, the
issuing authority's view of every unit, and the two statements of the first page."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.calendar import working_calendar
from lltp.extensions import db as _db
from lltp.verification import queries, services
from lltp.verification.models import TaskKind, TaskStatus
from tests.factories import create_case, create_unit, create_user, officer

ROW_CODE = re.compile(r'<th scope="row" id="code-\d+"><a href="/xac-minh/\d+[^"]*"[^>]*>([^<]+)</a></th>')
HTMX = {"HX-Request": "true"}
POLL = {"HX-Request": "true", "X-LLTP-Poll": "1"}


@pytest.fixture
def police(db):
    return create_unit(UnitKind.PROVINCIAL_POLICE, name="Công an tỉnh (bảng thử)")


@pytest.fixture
def authority_actor(db):
    """One processing officer for every case and hand-made task (a new officer costs a password hash)."""
    return Actor(user=officer(), ip="127.0.0.1")


@pytest.fixture
def new_task(police, authority_actor):
    """A case sent to verification and its police lookup (routed to `police`), due in `due_in` days."""

    def make(due_in=None, **case_fields):
        case = create_case(CaseStage.VERIFYING, actor=authority_actor, **case_fields)
        (task,) = services.case_tasks(case)
        if due_in is not None:
            task.due_date = clock.today() + timedelta(days=due_in)
        _db.session.flush()
        return task

    return make


@pytest.fixture
def other_units_task(authority_actor, new_task):
    """A commune's task, asked by hand about a case the police are also asked about."""
    commune = create_unit(UnitKind.COMMUNE_COMMITTEE, name="UBND phường Thử Nghiệm")
    case = new_task(applicant_full_name="LÊ THỊ XÃ KHÁC").case
    return services.add_task(
        case,
        unit=commune,
        kind=TaskKind.EXPUNGEMENT_CONDITIONS,
        reason="Xác nhận nơi cư trú",
        actor=authority_actor,
    )


@pytest.fixture
def verifier(police):
    return create_user(roles=(Role.VERIFIER,), unit=police, full_name="Trần Văn Xác Minh")


@pytest.fixture
def as_verifier(login_as, verifier):
    return login_as(verifier)


def board(client, headers=None, **params):
    return client.get("/xac-minh", query_string=params, headers=headers or {})


def codes(response):
    assert response.status_code == 200, response.status_code
    return ROW_CODE.findall(response.get_data(as_text=True))


def tab_count(response, label):
    match = re.search(rf"{label} <span class=\"count\">(\d+)</span>", response.get_data(as_text=True))
    return int(match.group(1))


def claim_as(user, task):
    services.claim_task(task, actor=Actor(user=user))


# --- scope --------------------------------------------------------------------------------------------------


def test_verifier_sees_only_their_own_units_tasks(as_verifier, new_task, other_units_task):
    mine = new_task()
    shown = codes(board(as_verifier))
    assert mine.case.code in shown
    assert other_units_task.case.code in shown  # that case's police lookup is the police's own task
    body = board(as_verifier).get_data(as_text=True)
    assert "UBND phường Thử Nghiệm" not in body
    assert len(shown) == 2


def test_another_units_verifier_sees_none_of_the_police_tasks(login_as, new_task):
    task = new_task(applicant_full_name="PHẠM THỊ CÔNG AN HỎI")
    court = create_unit(UnitKind.COURT)
    client = login_as(create_user(roles=(Role.VERIFIER,), unit=court))
    response = board(client)
    assert codes(response) == []
    assert task.case.code not in response.get_data(as_text=True)
    assert "PHẠM THỊ CÔNG AN HỎI" not in response.get_data(as_text=True)


def test_board_shows_the_question_not_the_certificate_type(as_verifier, new_task):
    new_task(certificate_type=2, applicant_full_name="VŨ VĂN PHIẾU HAI")
    body = board(as_verifier).get_data(as_text=True)
    assert "VŨ VĂN PHIẾU HAI" in body
    assert "Phiếu số 2" not in body


def test_authority_officer_sees_every_units_tasks_and_filters_by_unit(login_as, new_task, other_units_task):
    police_task = new_task()
    client = login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    assert {police_task.case.code, other_units_task.case.code} <= set(codes(board(client)))
    only_commune = codes(board(client, unit=other_units_task.unit_id))
    assert only_commune == [other_units_task.case.code]


def test_authority_board_offers_no_claiming(login_as, new_task):
    task = new_task()
    response = board(login_as(create_user(roles=(Role.APPROVER,))))
    body = response.get_data(as_text=True)
    assert codes(response) == [task.case.code]
    assert "/nhan" not in body
    assert 'id="bulk-claim"' not in body


# --- tabs, filters, order, pages ----------------------------------------------------------------------------


def test_default_tab_lists_tasks_awaiting_an_answer(as_verifier, new_task, verifier):
    waiting = new_task()
    answered = new_task()
    services.answer_task(answered, outcome="nothing_found", actor=Actor(user=verifier))
    assert codes(board(as_verifier)) == [waiting.case.code]


def test_status_tab_lists_only_that_status(as_verifier, new_task, verifier):
    new_task()
    claimed = new_task()
    claim_as(verifier, claimed)
    assert codes(board(as_verifier, status="claimed")) == [claimed.case.code]


def test_tabs_count_each_status(as_verifier, new_task, verifier):
    new_task()
    new_task()
    claim_as(verifier, new_task())
    response = board(as_verifier)
    assert tab_count(response, "Cần trả lời") == 3
    assert tab_count(response, "Chưa có người nhận") == 2
    assert tab_count(response, "Đang xử lý") == 1
    assert tab_count(response, "Đã trả lời") == 0


def test_tab_counts_follow_the_other_filters(as_verifier, new_task):
    new_task(due_in=-3)
    new_task(due_in=5)
    assert tab_count(board(as_verifier, due="overdue"), "Cần trả lời") == 1


def test_kind_filter_lists_only_that_kind(login_as, new_task, other_units_task):
    client = login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    shown = codes(board(client, kind="expungement_conditions"))
    assert shown == [other_units_task.case.code]


def test_overdue_filter_lists_only_tasks_past_their_due_date(as_verifier, new_task):
    late = new_task(due_in=-2)
    new_task(due_in=0)
    new_task(due_in=4)
    assert codes(board(as_verifier, due="overdue")) == [late.case.code]


def test_due_today_filter_lists_only_tasks_due_today(as_verifier, new_task):
    new_task(due_in=-2)
    today = new_task(due_in=0)
    new_task(due_in=4)
    assert codes(board(as_verifier, due="today")) == [today.case.code]


def test_due_within_filter_counts_working_days_from_today(app, as_verifier, new_task):
    with app.test_request_context():
        limit = working_calendar().add_working_days(clock.today(), 2)
    inside = new_task()
    inside.due_date = limit
    outside = new_task()
    outside.due_date = limit + timedelta(days=1)
    new_task(due_in=-1)
    assert codes(board(as_verifier, due="within", days="2")) == [inside.case.code]


def test_claimed_by_me_filter_lists_only_my_tasks(as_verifier, new_task, verifier, police):
    mine = new_task()
    claim_as(verifier, mine)
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police), new_task())
    new_task()
    assert codes(board(as_verifier, mine="1")) == [mine.case.code]


def test_case_code_search_matches_the_beginning_of_a_code(as_verifier, new_task):
    task = new_task()
    new_task()
    assert codes(board(as_verifier, q=task.case.code.lower())) == [task.case.code]
    assert set(codes(board(as_verifier, q=task.case.code[:4]))) >= {task.case.code}


def test_rows_are_sorted_by_due_date_soonest_first_or_last_on_request(as_verifier, new_task):
    later = new_task(due_in=6)
    sooner = new_task(due_in=1)
    assert codes(board(as_verifier)) == [sooner.case.code, later.case.code]
    assert codes(board(as_verifier, dir="desc")) == [later.case.code, sooner.case.code]


def test_pages_split_the_list_by_the_configured_page_size(app, monkeypatch, as_verifier, new_task):
    monkeypatch.setitem(app.config, "LLTP_BOARD_PAGE_SIZE", 2)
    tasks = [new_task(due_in=n) for n in range(1, 4)]
    assert codes(board(as_verifier)) == [t.case.code for t in tasks[:2]]
    second = board(as_verifier, page="2")
    assert codes(second) == [tasks[2].case.code]
    assert "Trang 2 / 2" in second.get_data(as_text=True)


def test_a_garbled_filter_falls_back_to_its_default(as_verifier, new_task):
    task = new_task()
    assert codes(board(as_verifier, status="nonsense", kind="x", due="soon", page="-4")) == [task.case.code]


def test_htmx_filtering_returns_only_the_board_region(as_verifier, new_task):
    new_task()
    body = board(as_verifier, HTMX, due="overdue").get_data(as_text=True)
    assert body.lstrip().startswith('<div id="board">')
    assert "<html" not in body


# --- what a row says ----------------------------------------------------------------------------------------


def test_an_overdue_task_says_how_many_working_days_late_in_the_late_colour(app, as_verifier, new_task):
    task = new_task()
    with app.test_request_context():
        task.due_date = working_calendar().add_working_days(clock.today() - timedelta(days=15), 1)
        late = working_calendar().working_days_left(clock.today(), task.due_date)
    body = board(as_verifier).get_data(as_text=True)
    assert f'<span class="deadline late">Quá hạn {-late} ngày làm việc</span>' in body
    assert 'class="task-row tone-late"' in body


def test_a_task_due_later_says_the_working_days_left(app, as_verifier, new_task):
    task = new_task()
    with app.test_request_context():
        task.due_date = working_calendar().add_working_days(clock.today(), 3)
    assert '<span class="deadline ok">Còn 3 ngày làm việc</span>' in board(as_verifier).get_data(as_text=True)


def test_row_shows_who_claimed_the_task(as_verifier, new_task, police):
    colleague = create_user(roles=(Role.VERIFIER,), unit=police, full_name="Đặng Thị Đồng Nghiệp")
    claim_as(colleague, new_task())
    assert "<td>Đặng Thị Đồng Nghiệp</td>" in board(as_verifier).get_data(as_text=True)


def test_board_page_is_audited_with_the_task_ids(as_verifier, new_task, verifier):
    task = new_task()
    board(as_verifier)
    row = _db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "verification.board_viewed")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert row.actor_id == verifier.id
    assert row.details["task_ids"] == [task.id]


# --- the poll -----------------------------------------------------------------------------------------------


def test_poll_returns_only_the_counts_and_names_nobody(as_verifier, new_task):
    task = new_task(applicant_full_name="HỒ VĂN KHÔNG LỘ")
    before = _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = board(as_verifier, POLL, since=str(queries.last_event_id()))
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="board-poll"')
    assert "HỒ VĂN KHÔNG LỘ" not in body
    assert task.case.code not in body
    assert "<table" not in body
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_poll_keeps_polling_from_the_moment_the_page_was_drawn(as_verifier, new_task):
    new_task()
    since = "41"
    body = board(as_verifier, POLL, since=since).get_data(as_text=True)
    poll_url = re.search(r'hx-get="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(poll_url).query)["since"] == [since]


def test_the_page_polls_from_the_newest_trail_entry(as_verifier, new_task):
    new_task()
    body = board(as_verifier).get_data(as_text=True)
    assert f'hx-get="/xac-minh?since={queries.last_event_id()}"' in body


def test_poll_counts_the_tasks_others_changed_since_the_page_was_drawn(as_verifier, new_task, police):
    drawn = queries.last_event_id()
    new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police), new_task())
    body = board(as_verifier, POLL, since=str(drawn)).get_data(as_text=True)
    assert "Có 2 yêu cầu mới hoặc vừa thay đổi." in body
    assert "Tải lại danh sách" in body


def test_poll_does_not_count_the_officers_own_changes(as_verifier, new_task, verifier):
    task = new_task()
    drawn = queries.last_event_id()
    claim_as(verifier, task)
    body = board(as_verifier, POLL, since=str(drawn)).get_data(as_text=True)
    assert "vừa thay đổi" not in body


def test_the_page_polls_only_the_counts_region(as_verifier, new_task):
    new_task()
    body = board(as_verifier).get_data(as_text=True)
    polled = re.findall(r'<div id="([^"]+)"[^>]*hx-trigger="every \d+s"', body)
    assert polled == ["board-poll"]


# --- claiming and releasing ---------------------------------------------------------------------------------


def test_claim_redirects_back_to_the_board_with_its_filters(as_verifier, new_task, verifier):
    task = new_task()
    response = as_verifier.post(f"/xac-minh/{task.id}/nhan", query_string={"due": "overdue", "q": "HCM"})
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"due": ["overdue"], "q": ["HCM"]}
    assert task.claimed_by_id == verifier.id


def test_claim_by_htmx_returns_the_claimed_row(as_verifier, new_task):
    task = new_task()
    response = as_verifier.post(f"/xac-minh/{task.id}/nhan", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="task-{task.id}"')
    assert "<td>Trần Văn Xác Minh</td>" in body


def test_claiming_a_task_someone_else_holds_says_who_holds_it(as_verifier, new_task, police):
    task = new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police, full_name="Ngô Văn Nhanh Tay"), task)
    response = as_verifier.post(f"/xac-minh/{task.id}/nhan", follow_redirects=True)
    assert "đã được Ngô Văn Nhanh Tay" in response.get_data(as_text=True)


def test_claim_conflict_by_htmx_is_a_409_row_naming_the_holder(as_verifier, new_task, police):
    task = new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police, full_name="Ngô Văn Nhanh Tay"), task)
    response = as_verifier.post(f"/xac-minh/{task.id}/nhan", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert body.lstrip().startswith(f'<tr id="task-{task.id}"')
    assert "đã được Ngô Văn Nhanh Tay" in body


def test_bulk_claim_claims_every_ticked_task(as_verifier, new_task, verifier):
    tasks = [new_task(), new_task()]
    response = as_verifier.post(
        "/xac-minh/nhan-nhieu",
        query_string={"kind": "police_lookup"},
        data={"task_id": [t.id for t in tasks]},
    )
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"kind": ["police_lookup"]}
    assert [t.claimed_by_id for t in tasks] == [verifier.id, verifier.id]


def test_bulk_claim_names_each_task_someone_else_holds(as_verifier, new_task, police, verifier):
    free, taken = new_task(), new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police, full_name="Ngô Văn Nhanh Tay"), taken)
    response = as_verifier.post(
        "/xac-minh/nhan-nhieu", data={"task_id": [free.id, taken.id]}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "Đã nhận 1 yêu cầu." in body
    assert f"{taken.case.code}: Yêu cầu này đã được Ngô Văn Nhanh Tay" in body
    assert free.claimed_by_id == verifier.id


def test_bulk_claim_with_nothing_ticked_says_so(as_verifier):
    response = as_verifier.post("/xac-minh/nhan-nhieu", data={}, follow_redirects=True)
    assert "Chưa chọn yêu cầu nào." in response.get_data(as_text=True)


def test_bulk_claim_including_another_units_task_is_refused(as_verifier, new_task, other_units_task):
    mine = new_task()
    response = as_verifier.post("/xac-minh/nhan-nhieu", data={"task_id": [mine.id, other_units_task.id]})
    assert response.status_code == 403
    assert mine.claimed_by_id is None


def test_release_hands_the_task_back_to_the_unit(as_verifier, new_task, verifier):
    task = new_task()
    claim_as(verifier, task)
    response = as_verifier.post(f"/xac-minh/{task.id}/bo-nhan", headers=HTMX)
    assert response.status_code == 200
    assert task.claimed_by_id is None
    assert task.status is TaskStatus.OPEN


def test_releasing_a_task_a_colleague_holds_is_refused_with_the_reason(as_verifier, new_task, police):
    task = new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police), task)
    response = as_verifier.post(f"/xac-minh/{task.id}/bo-nhan", follow_redirects=True)
    assert "Chỉ người đã nhận yêu cầu" in response.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/xac-minh/{id}"),
        ("GET", "/xac-minh/{id}/dong"),
        ("GET", "/xac-minh/{id}/tra-loi"),
        ("GET", "/xac-minh/{id}/lam-ro"),
        ("POST", "/xac-minh/{id}/nhan"),
        ("POST", "/xac-minh/{id}/bo-nhan"),
        ("POST", "/xac-minh/{id}/tra-loi"),
        ("POST", "/xac-minh/{id}/lam-ro"),
    ],
)
def test_another_units_task_is_refused_on_every_route(as_verifier, other_units_task, method, path, htmx):
    response = as_verifier.open(
        path.format(id=other_units_task.id),
        method=method,
        headers=HTMX if htmx else {},
        data={"outcome": "nothing_found", "message": "?"} if method == "POST" else None,
    )
    assert response.status_code == 403
    assert "LÊ THỊ XÃ KHÁC" not in response.get_data(as_text=True)
    assert other_units_task.status is TaskStatus.OPEN


# --- the first page's statements ----------------------------------------------------------------------------


def test_first_page_is_one_counts_query_and_one_rows_query(app, as_verifier, new_task, verifier):
    for _ in range(3):
        claim_as(verifier, new_task())
    statements = []

    def capture(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT") and "verification_tasks" in statement:
            statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", capture)
    try:
        assert len(codes(board(as_verifier))) == 3
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", capture)
    assert len(statements) == 2
    assert "GROUP BY verification_tasks.status" in statements[0]
    assert "LIMIT" in statements[1]
