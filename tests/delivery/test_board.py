"""The "to post" board: its tabs with counts, the filter in the URL, the pager, the htmx results."""

import pytest

from lltp.delivery import services
from tests.delivery.helpers import report, returning_officer
from tests.factories import create_issued_case


@pytest.fixture
def officer():
    return returning_officer()


@pytest.fixture
def board(login_as, officer):
    client = login_as(officer.user)

    def get(query="", **headers):
        response = client.get(f"/tra-ket-qua{query}", headers=headers)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def ship(officer, number, *events):
    case = create_issued_case("post")
    shipment = services.create_shipment(case, tracking_number=number, address="Số 1 Lê Lợi", actor=officer)
    report(shipment, *events)
    return case


def count(body, label):
    start = body.index(label)
    return int(body[body.index('class="count">', start) + 14 : body.index("</span>", start)])


def test_each_tab_counts_its_rows(board, officer):
    to_ship = create_issued_case("post")
    ship(officer, "EB200000001VN")
    ship(officer, "EB200000002VN", "picked_up", "in_transit")
    ship(officer, "EB200000003VN", "picked_up", "returned_to_sender")
    ship(officer, "EB200000004VN", "picked_up", "delivered")
    body = board()
    assert [
        count(body, label)
        for label in ("Cần gửi", "Chờ bưu điện nhận", "Đang chuyển phát", "Bị chuyển hoàn", "Đã phát")
    ] == [1, 1, 1, 1, 1]
    assert to_ship.code in body


def test_a_return_to_sender_is_a_task_until_shipped_again(board, officer):
    case = ship(officer, "EB200000005VN", "picked_up", "returned_to_sender")
    assert case.code in board("?tab=returned_to_sender")
    services.create_shipment(case, tracking_number="EB200000006VN", address="Số 2 Lê Lợi", actor=officer)
    assert case.code not in board("?tab=returned_to_sender")
    assert "EB200000006VN" in board("?tab=ready_for_pickup")


def test_the_search_filters_by_tracking_number_and_keeps_the_tab(board, officer):
    ship(officer, "EB200000007VN")
    ship(officer, "EB200000008VN")
    body = board("?tab=ready_for_pickup&q=EB200000007")
    assert "EB200000007VN" in body and "EB200000008VN" not in body
    assert 'name="tab" value="ready_for_pickup"' in body


def test_the_pager_keeps_the_filters(app, board, officer, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_BOARD_PAGE_SIZE", 1)
    ship(officer, "EB200000009VN")
    ship(officer, "EB200000010VN")
    body = board("?tab=ready_for_pickup&q=EB2000000")
    assert "Trang 1 / 2" in body
    assert "/tra-ket-qua?tab=ready_for_pickup&amp;q=EB2000000&amp;page=2" in body


def test_htmx_gets_only_the_results(board, officer):
    body = board("?tab=ready_for_pickup", **{"HX-Request": "true"})
    assert body.lstrip().startswith('<div id="board-results">')
