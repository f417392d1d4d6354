"""The contract's callbacks (issue 7, acceptance 5) against a real local HTTP receiver that fails the first
calls: which changes queue an event and with what body, delivery with a valid signature, one case's events
kept in order, retries for the whole window, the client's current address and secret, and the `on_sent`
hook. The killed worker is in test_callbacks_worker.py."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.accounts.services import revoke_api_client
from lltp.cases import services as case_services
from lltp.core import clock, outbox
from lltp.core.audit import Actor
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxChannel, OutboxMessage, OutboxStatus
from lltp.extensions import db as _db
from lltp.integrations import callbacks
from lltp.integrations.outbox import delivery
from lltp.integrations.outbox import tasks as outbox_tasks
from lltp.issuance.decisions import record_decision
from lltp.issuance.models import DecisionKind
from tests.factories import (
    SYSTEM,
    create_api_case,
    create_callback_client,
    create_case,
    create_user,
    issue_case,
    officer,
)
from tests.integrations.outbox_helpers import _QuietHTTPServer, _Server, queued_deliveries, use_queue

BODY_KEYS = ["id", "event", "case_code", "external_id", "stage", "certificate_status", "at"]


class _CallbackHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.owner
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with receiver.lock:
            receiver.calls += 1
            status = 503 if receiver.calls <= receiver.fail_first else 200
        receiver.keep({"body": body, "headers": self.headers, "path": self.path, "status": status})
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


class CallbackReceiver(_Server):
    """A client's callback endpoint on 127.0.0.1: it answers 503 to the first `fail_first` calls, then 200,
    and keeps every call's raw body, headers and the status it answered."""

    server_class = _QuietHTTPServer
    handler_class = _CallbackHandler

    def __init__(self, fail_first=3):
        super().__init__()
        self.fail_first, self.calls, self.lock = fail_first, 0, threading.Lock()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/lltp/callbacks"

    def acknowledged(self):
        return [json.loads(call["body"]) for call in self.received if call["status"] == 200]


def signed(body, secret):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def receiver():
    with CallbackReceiver() as server:
        yield server


@pytest.fixture
def fast_retries(app, monkeypatch):
    for name, value in {
        "LLTP_DELIVERY_TIMEOUT_SECONDS": 2,
        "LLTP_OUTBOX_RETRY_SECONDS": 60,
        "LLTP_OUTBOX_MAX_ATTEMPTS": 3,
        "LLTP_OUTBOX_RETRY_WINDOW_HOURS": 48,
    }.items():
        monkeypatch.setitem(app.config, name, value)


@pytest.fixture
def subscriber(db, receiver):
    """An API client whose callbacks go to the receiver."""
    return create_callback_client(receiver.url)


def callback_rows(case=None):
    query = sa.select(OutboxMessage).where(OutboxMessage.topic == callbacks.TOPIC).order_by(OutboxMessage.id)
    if case is not None:
        query = query.where(OutboxMessage.ordering_key == f"case:{case.id}")
    return _db.session.scalars(query).all()


def start_review(case):
    return case_services.transition(case, "start_review", actor=Actor(user=officer(), ip="127.0.0.1"))


def deliver_until_settled(row, *, limit=10):
    """Attempt `row` at each of its retry times until it is no longer pending; the statuses."""
    statuses, at = [], utcnow()
    while len(statuses) < limit:
        statuses.append(delivery.deliver(row.id, now=at))
        if statuses[-1] is not OutboxStatus.PENDING:
            return statuses
        at = row.next_attempt_at
    return statuses


# --- which changes queue an event ---------------------------------------------------------------------


def test_a_stage_change_of_an_api_case_queues_the_contract_body_under_the_row_id(subscriber):
    case = create_api_case(subscriber.client)
    before = len(callback_rows(case))
    event = start_review(case)

    row = callback_rows(case)[-1]
    body = json.loads(row.body)
    assert len(callback_rows(case)) == before + 1
    assert list(body) == BODY_KEYS
    assert body == {
        "id": row.message_id,
        "event": "stage_changed",
        "case_code": case.code,
        "external_id": case.declaration.external_id,
        "stage": "in_review",
        "certificate_status": None,
        "at": clock.to_local(event.at).isoformat(timespec="seconds"),
    }
    assert (row.channel, row.recipient, row.ordering_key) == (
        OutboxChannel.CALLBACK,
        subscriber.client.callback_url,
        f"case:{case.id}",
    )
    assert row.payload == {
        "api_client_id": subscriber.client.id,
        "case_id": case.id,
        "event": "stage_changed",
        "stage": "in_review",
        "certificate_status": None,
    }


def test_an_action_that_keeps_the_stage_queues_no_event(subscriber):
    case = create_api_case(subscriber.client)
    start_review(case)
    before = len(callback_rows(case))

    case_services.transition(
        case, "mark_long", actor=Actor(user=officer(), ip="127.0.0.1"), note="Cần xác minh nhiều nơi"
    )

    assert case.events[-1].from_stage == case.events[-1].to_stage
    assert len(callback_rows(case)) == before


def test_cases_of_the_counter_or_of_a_client_without_callback_url_queue_nothing(db):
    silent = create_callback_client(None)
    start_review(create_api_case(silent.client))
    start_review(create_case())

    assert callback_rows() == []


def test_the_submission_itself_queues_no_callback_its_client_has_the_answer(subscriber):
    case = create_api_case(subscriber.client)

    assert callback_rows(case) == []
    start_review(case)
    assert [json.loads(row.body)["stage"] for row in callback_rows(case)] == ["in_review"]


def test_a_decision_on_the_certificate_queues_its_new_status(subscriber):
    case = create_api_case(subscriber.client)
    certificate = issue_case(case)
    issued = json.loads(callback_rows(case)[-1].body)
    record_decision(
        certificate,
        kind=DecisionKind.REVOKE,
        number="21/QĐ-PV06",
        decided_on=clock.today(),
        reason="Phiếu được cấp trên cơ sở giấy tờ giả mạo.",
        actor=Actor(user=create_user(roles=(Role.APPROVER,)), ip="127.0.0.1"),
    )

    revoked = json.loads(callback_rows(case)[-1].body)
    assert (issued["event"], issued["stage"], issued["certificate_status"]) == (
        "stage_changed",
        "issued",
        "valid",
    )
    assert (revoked["event"], revoked["stage"], revoked["certificate_status"]) == (
        "certificate_status_changed",
        "issued",
        "revoked",
    )


# --- delivery -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fast_retries")
def test_an_event_is_delivered_signed_after_three_failures_every_attempt_the_same_bytes(subscriber, receiver):
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    _db.session.commit()

    assert deliver_until_settled(row) == [OutboxStatus.PENDING] * 3 + [OutboxStatus.SENT]

    calls = receiver.received
    assert [call["status"] for call in calls] == [503, 503, 503, 200]
    assert {call["body"] for call in calls} == {row.body.encode()}  # duplicates: the same bytes, the same id
    assert json.loads(calls[-1]["body"])["id"] == row.message_id
    for call in calls:
        assert call["headers"]["Content-Type"] == "application/json"
        assert call["headers"]["X-LLTP-Signature"] == signed(call["body"], subscriber.callback_secret)
    assert row.status is OutboxStatus.SENT


@pytest.mark.usefixtures("fast_retries")
def test_a_case_event_waits_until_the_one_before_it_is_acknowledged(subscriber, receiver):
    receiver.fail_first = 1
    case = create_api_case(subscriber.client)
    start_review(case)
    case_services.transition(case, "start_verification", actor=Actor(user=officer(), ip="127.0.0.1"))
    first, second = callback_rows(case)
    _db.session.commit()
    start = utcnow()

    assert delivery.deliver(first.id, now=start) is OutboxStatus.PENDING
    assert delivery.deliver(second.id, now=start) is None  # waits behind the first
    assert delivery.due_message_ids(now=start + timedelta(days=1)) == [first.id]
    assert delivery.deliver(first.id, now=first.next_attempt_at) is OutboxStatus.SENT
    assert delivery.deliver(second.id, now=first.next_attempt_at) is OutboxStatus.SENT

    assert [json.loads(call["body"])["id"] for call in receiver.received] == [
        first.message_id,
        first.message_id,
        second.message_id,
    ]
    assert [event["stage"] for event in receiver.acknowledged()] == ["in_review", "verifying"]


@pytest.mark.usefixtures("fast_retries")
def test_once_an_event_is_sent_the_next_of_its_case_is_queued_at_once(
    subscriber, receiver, tmp_path, monkeypatch
):
    receiver.fail_first = 0
    queue = use_queue(monkeypatch, f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    case = create_api_case(subscriber.client)
    start_review(case)
    case_services.transition(case, "start_verification", actor=Actor(user=officer(), ip="127.0.0.1"))
    first, second = callback_rows(case)
    _db.session.commit()
    queue.flush()

    outbox_tasks.deliver_message.call_local(first.id)

    assert queued_deliveries(queue) == [second.id]


@pytest.mark.usefixtures("fast_retries")
def test_a_failed_attempt_queues_its_retry_at_its_time(subscriber, receiver, tmp_path, monkeypatch):
    queue = use_queue(monkeypatch, f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    _db.session.commit()
    queue.flush()

    outbox_tasks.deliver_message.call_local(row.id)

    (retry,) = queue.pending()
    assert (retry.name, retry.args) == ("deliver_message", (row.id,))
    assert retry.eta.replace(tzinfo=None) == row.next_attempt_at.replace(tzinfo=None)


@pytest.mark.usefixtures("fast_retries")
def test_a_message_is_retried_past_its_attempts_until_the_retry_window_ends(subscriber, receiver):
    receiver.fail_first = 1000
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    _db.session.commit()
    at = utcnow()

    for _attempt in range(5):  # two more than LLTP_OUTBOX_MAX_ATTEMPTS, still within 48 hours
        assert delivery.deliver(row.id, now=at) is OutboxStatus.PENDING
        at = row.next_attempt_at
    assert row.next_attempt_at - row.last_attempt_at <= delivery.MAX_RETRY_DELAY
    assert (
        delivery.deliver(row.id, now=row.created_at + timedelta(hours=48, minutes=1)) is OutboxStatus.FAILED
    )


@pytest.mark.usefixtures("fast_retries")
def test_the_client_current_url_and_secret_are_used_at_send_time(subscriber, receiver):
    case = create_api_case(subscriber.client)
    subscriber.client.callback_url = "http://127.0.0.1:9/old"
    start_review(case)
    (row,) = callback_rows(case)
    receiver.fail_first = 0
    subscriber.client.callback_url = receiver.url  # moved after the event was written
    _db.session.commit()

    assert delivery.deliver(row.id) is OutboxStatus.SENT
    assert receiver.received[0]["path"] == "/lltp/callbacks"


@pytest.mark.usefixtures("fast_retries")
def test_a_revoked_client_callbacks_fail_at_once(subscriber, receiver):
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    revoke_api_client(subscriber.client, actor=SYSTEM)
    _db.session.commit()

    assert delivery.deliver(row.id) is OutboxStatus.FAILED
    assert receiver.received == []
    assert "revoked" in row.last_error


# --- the on_sent hook ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("fast_retries")
def test_on_sent_listeners_get_the_row_in_the_transaction_that_marks_it_sent(
    subscriber, receiver, monkeypatch
):
    receiver.fail_first = 0
    seen = []
    monkeypatch.setattr(outbox, "on_sent", [lambda message: seen.append((message.id, message.status))])
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    _db.session.commit()

    assert delivery.deliver(row.id) is OutboxStatus.SENT
    assert seen == [(row.id, OutboxStatus.SENT)]


@pytest.mark.usefixtures("fast_retries")
def test_a_failing_on_sent_listener_leaves_the_message_pending(subscriber, receiver, monkeypatch):
    receiver.fail_first = 0

    def broken(message):
        raise RuntimeError("could not count the return")

    monkeypatch.setattr(outbox, "on_sent", [broken])
    case = create_api_case(subscriber.client)
    start_review(case)
    (row,) = callback_rows(case)
    _db.session.commit()

    assert delivery.deliver(row.id) is OutboxStatus.PENDING
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 1, None)


def test_a_correction_tells_the_old_case_corrected_and_the_replacement_stays_valid(subscriber):
    old_case, new_case = create_api_case(subscriber.client), create_api_case(subscriber.client)
    old, replacement = issue_case(old_case), issue_case(new_case)
    record_decision(
        old,
        kind=DecisionKind.CORRECT,
        number="22/QĐ-PV06",
        decided_on=clock.today(),
        reason="Sai ngày sinh của người được cấp Phiếu.",
        actor=Actor(user=create_user(roles=(Role.APPROVER,)), ip="127.0.0.1"),
        replacement=replacement,
    )

    corrected = json.loads(callback_rows(old_case)[-1].body)
    assert (corrected["event"], corrected["certificate_status"]) == (
        "certificate_status_changed",
        "corrected",
    )
    assert [json.loads(row.body)["certificate_status"] for row in callback_rows(new_case)][-1] == "valid"
