"""The administrator's dead letters: the outbox messages given up, every channel, a page at a time, and
their replay (one, or a selection), audited and queued at once; nobody else sees them."""

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core import outbox
from lltp.core.audit import AuditEvent
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxChannel, OutboxStatus
from lltp.extensions import db as _db
from lltp.integrations.outbox.queries import PER_PAGE
from tests.factories import create_user
from tests.integrations.outbox_helpers import queued_deliveries, use_queue

LIST_URL = "/quan-tri/tin-gui-loi"
REPLAY_URL = "/quan-tri/tin-gui-loi/gui-lai"


@pytest.fixture
def queue(tmp_path, monkeypatch):
    return use_queue(monkeypatch, f"sqlite:///{tmp_path / 'queue.sqlite3'}")


def given_up(channel=OutboxChannel.EMAIL, recipient="xm1@congan.vn", error="SMTP 127.0.0.1:25: timeout"):
    message = outbox.enqueue(channel, recipient, body="Nội dung", topic="test.dead_letter")
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, error
    message.last_attempt_at = utcnow()
    _db.session.flush()
    return message


def test_the_page_lists_the_failed_messages_of_every_channel_and_nothing_else(as_admin, db):
    given_up(recipient="hs@example.vn")
    given_up(OutboxChannel.SMS, "0912345678", error="SMS gateway answered 503")
    given_up(OutboxChannel.CALLBACK, "https://vneid.example/cb", error="callback answered 500")
    pending = outbox.enqueue(OutboxChannel.EMAIL, "cho-gui@example.vn", body="x", topic="test.pending")

    page = as_admin.get(LIST_URL).get_data(as_text=True)

    for text in ("hs@example.vn", "0912345678", "https://vneid.example/cb", "SMS gateway answered 503"):
        assert text in page
    assert "test.dead_letter" in page
    assert pending.recipient not in page


def test_the_page_is_paged(as_admin, db):
    for number in range(PER_PAGE + 1):
        given_up(recipient=f"nguoi{number:03d}@example.vn")

    first = as_admin.get(LIST_URL).get_data(as_text=True)
    second = as_admin.get(f"{LIST_URL}?page=2").get_data(as_text=True)

    assert first.count("@example.vn</td>") == PER_PAGE
    assert second.count("@example.vn</td>") == 1
    assert 'rel="next"' in first


def test_replaying_one_message_puts_it_back_to_pending_now_audited_and_queued(as_admin, db, queue):
    message, other = given_up(), given_up()
    _db.session.commit()
    queue.flush()  # what their enqueueing queued

    response = as_admin.post(REPLAY_URL, data={"one": str(message.id), "selected": [str(other.id)]})

    assert (response.status_code, response.headers["Location"]) == (303, f"{LIST_URL}?page=1")
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert message.next_attempt_at <= utcnow()
    assert other.status is OutboxStatus.FAILED  # the row's own button replays that row only
    assert queued_deliveries(queue) == [message.id]
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "outbox.replayed"))
    assert (audit.object_id, audit.details["channel"]) == (message.message_id, "email")


def test_replaying_a_selection_replays_each_selected_message(as_admin, db, queue):
    first, second, left = given_up(), given_up(OutboxChannel.SMS, "0900000001"), given_up()

    response = as_admin.post(
        REPLAY_URL, data={"selected": [str(first.id), str(second.id)]}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Đã đưa 2 tin vào hàng đợi để gửi lại." in response.get_data(as_text=True)
    assert [first.status, second.status, left.status] == [
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
        OutboxStatus.FAILED,
    ]


def test_replaying_nothing_says_so_next_to_the_list(as_admin, db):
    given_up()

    response = as_admin.post(REPLAY_URL, data={})

    assert response.status_code == 422
    assert "Vui lòng chọn ít nhất một tin gửi lỗi để gửi lại." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PROCESSING_OFFICER, Role.APPROVER, Role.REPORT_READER])
def test_anyone_but_the_administrator_is_refused(login_as, db, role):
    message = given_up()
    client = login_as(create_user(roles=(role,)))

    assert client.get(LIST_URL).status_code == 403
    assert client.post(REPLAY_URL, data={"one": str(message.id)}).status_code == 403
    assert message.status is OutboxStatus.FAILED


def test_the_administrator_menu_links_to_the_page(as_admin):
    assert f'href="{LIST_URL}"' in as_admin.get("/quan-tri/nhat-ky").get_data(as_text=True)
