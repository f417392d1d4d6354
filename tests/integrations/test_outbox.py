"""The outbox's delivery: the email and SMS adapters against real local servers, one attempt with its
retries and backoff, the sweep, and the queueing of committed messages on a real Huey queue."""

import logging
from datetime import timedelta

import pytest

from lltp.core import outbox
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxChannel, OutboxMessage, OutboxStatus
from lltp.core.queue import huey, make_huey
from lltp.extensions import db as _db
from lltp.integrations.outbox import delivery
from lltp.integrations.outbox import tasks as outbox_tasks
from lltp.integrations.outbox.adapters import (
    DeliveryError,
    EmailAdapter,
    Envelope,
    LogAdapter,
    SmsAdapter,
    adapter_for,
)
from tests.integrations.outbox_helpers import SmsGateway, SmtpSink, queued_deliveries, use_queue

TIMEOUT = 0.5


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sms_gateway():
    with SmsGateway() as gateway:
        yield gateway


@pytest.fixture
def servers(app, monkeypatch, smtp_sink, sms_gateway):
    """The app delivers to the local SMTP sink and SMS gateway, retrying after 60 s, then 120 s..."""
    for name, value in {
        "LLTP_SMTP_HOST": "127.0.0.1",
        "LLTP_SMTP_PORT": smtp_sink.port,
        "LLTP_SMTP_STARTTLS": False,
        "LLTP_SMTP_FROM": "lltp@congan.hcm.vn",
        "LLTP_SMS_GATEWAY_URL": sms_gateway.url,
        "LLTP_SMS_GATEWAY_TOKEN": "gateway-token",
        "LLTP_DELIVERY_TIMEOUT_SECONDS": TIMEOUT,
        "LLTP_OUTBOX_RETRY_SECONDS": 60,
        "LLTP_OUTBOX_MAX_ATTEMPTS": 3,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return smtp_sink, sms_gateway


@pytest.fixture
def queue(tmp_path, monkeypatch):
    """The app's Huey, on a SqliteHuey file of this test's own."""
    return use_queue(monkeypatch, f"sqlite:///{tmp_path / 'queue.sqlite3'}")


def envelope(channel=OutboxChannel.EMAIL, recipient="xm1@congan.vn", attempts=1):
    return Envelope(
        id=1,
        message_id="6f1c2a9e-0000-4000-8000-000000000001",
        channel=OutboxChannel(channel),
        recipient=recipient,
        subject="Nhắc hạn trả lời yêu cầu xác minh",
        body="Yêu cầu xác minh của hồ sơ HCM-20261204-0001 đến hạn trả lời ngày 07/12/2026.",
        attempts=attempts,
    )


def email_adapter(sink, **options):
    return EmailAdapter("127.0.0.1", sink.port, sender="lltp@congan.hcm.vn", timeout=TIMEOUT, **options)


def committed_message(channel=OutboxChannel.EMAIL, recipient="xm1@congan.vn"):
    message = outbox.enqueue(
        channel, recipient, subject="Nhắc hạn", body="Hồ sơ HCM-20261204-0001 đến hạn.", topic="test"
    )
    _db.session.commit()
    return message


# --- the adapters -----------------------------------------------------------------------------------


def test_the_email_adapter_hands_the_message_to_the_smtp_server_under_its_message_id(smtp_sink):
    email_adapter(smtp_sink).send(envelope())

    (received,) = smtp_sink.received
    assert received["message_id"] == "<6f1c2a9e-0000-4000-8000-000000000001@congan.hcm.vn>"
    assert received["to"] == ["xm1@congan.vn"]
    assert received["subject"] == "Nhắc hạn trả lời yêu cầu xác minh"
    assert "đến hạn trả lời ngày 07/12/2026" in received["body"]


def test_the_email_adapter_logs_in_when_a_user_is_configured(smtp_sink):
    email_adapter(smtp_sink, user="lltp", password="mat-khau").send(envelope())

    assert smtp_sink.received[0]["login"] == ("lltp", "mat-khau")


def test_the_email_adapter_gives_up_at_its_timeout_when_the_server_stalls(smtp_sink):
    smtp_sink.stalling.set()

    with pytest.raises(DeliveryError, match="timed out") as raised:
        email_adapter(smtp_sink).send(envelope())
    assert not raised.value.permanent


def test_the_email_adapter_raises_a_delivery_error_when_no_server_listens(smtp_sink):
    adapter = EmailAdapter("127.0.0.1", 1, sender="lltp@congan.hcm.vn", timeout=TIMEOUT)

    with pytest.raises(DeliveryError, match="ConnectionRefusedError"):
        adapter.send(envelope())


def test_the_sms_adapter_posts_json_with_the_message_id_and_its_token(sms_gateway):
    SmsAdapter(sms_gateway.url, token="gateway-token", timeout=TIMEOUT).send(
        envelope(OutboxChannel.SMS, "0900000001")
    )

    (received,) = sms_gateway.received
    assert received["json"] == {
        "message_id": "6f1c2a9e-0000-4000-8000-000000000001",
        "to": "0900000001",
        "text": "Yêu cầu xác minh của hồ sơ HCM-20261204-0001 đến hạn trả lời ngày 07/12/2026.",
    }
    assert received["headers"]["Authorization"] == "Bearer gateway-token"
    assert received["headers"]["Idempotency-Key"] == "6f1c2a9e-0000-4000-8000-000000000001"


def test_the_sms_adapter_gives_up_at_its_timeout_when_the_gateway_hangs(sms_gateway):
    sms_gateway.stalling.set()

    with pytest.raises(DeliveryError, match="timed out"):
        SmsAdapter(sms_gateway.url, timeout=TIMEOUT).send(envelope(OutboxChannel.SMS, "0900000001"))


@pytest.mark.parametrize(("status", "permanent"), [(503, False), (429, False), (403, True), (422, True)])
def test_a_gateway_error_is_a_delivery_error_permanent_only_when_a_retry_cannot_help(
    sms_gateway, status, permanent
):
    sms_gateway.status = status

    with pytest.raises(DeliveryError, match=str(status)) as raised:
        SmsAdapter(sms_gateway.url, timeout=TIMEOUT).send(envelope(OutboxChannel.SMS, "0900000001"))
    assert raised.value.permanent is permanent


@pytest.fixture
def adapter_log(caplog):
    """What the log adapter writes."""
    with caplog.at_level(logging.INFO, logger="lltp.integrations.outbox.adapters"):
        yield caplog


@pytest.mark.parametrize("channel", [OutboxChannel.EMAIL, OutboxChannel.SMS])
def test_outside_production_a_channel_without_its_server_goes_to_the_log(app, adapter_log, channel):
    adapter = adapter_for(channel, {**app.config, "LLTP_SMTP_HOST": None, "LLTP_SMS_GATEWAY_URL": None})

    adapter.send(envelope(channel))
    assert isinstance(adapter, LogAdapter)
    assert "6f1c2a9e-0000-4000-8000-000000000001" in adapter_log.text


@pytest.mark.parametrize(
    ("channel", "setting"), [("email", "LLTP_SMTP_HOST"), ("sms", "LLTP_SMS_GATEWAY_URL")]
)
def test_in_production_a_channel_without_its_server_fails_to_deliver(app, channel, setting):
    adapter = adapter_for(channel, {**app.config, "LLTP_ENV": "production", setting: None})

    with pytest.raises(DeliveryError, match=setting):
        adapter.send(envelope(channel))


# --- one attempt ------------------------------------------------------------------------------------


def test_a_due_message_is_sent_and_marked_sent(db, servers):
    smtp_sink, _gateway = servers
    message = committed_message()

    assert delivery.deliver(message.id) is OutboxStatus.SENT

    assert smtp_sink.received[0]["message_id"].startswith(f"<{message.message_id}@")
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert message.sent_at is not None


def test_an_sms_is_sent_to_the_gateway_under_its_message_id(db, servers):
    _sink, sms_gateway = servers
    message = committed_message(OutboxChannel.SMS, "0900000001")

    delivery.deliver(message.id)

    assert sms_gateway.received[0]["json"]["message_id"] == message.message_id
    assert message.status is OutboxStatus.SENT


def test_a_failed_attempt_is_tried_again_only_after_a_delay_that_doubles(db, servers):
    _sink, sms_gateway = servers
    sms_gateway.status = 503
    message = committed_message(OutboxChannel.SMS, "0900000001")
    start = utcnow()

    assert delivery.deliver(message.id, now=start) is OutboxStatus.PENDING
    assert message.next_attempt_at == start + timedelta(seconds=60)
    assert delivery.deliver(message.id, now=start + timedelta(seconds=59)) is None
    assert delivery.deliver(message.id, now=start + timedelta(seconds=60)) is OutboxStatus.PENDING
    assert message.next_attempt_at == start + timedelta(seconds=60 + 120)
    assert len(sms_gateway.received) == 2
    assert "503" in message.last_error


def test_a_message_fails_for_good_after_the_last_attempt(db, servers):
    _sink, sms_gateway = servers
    sms_gateway.status = 503
    message = committed_message(OutboxChannel.SMS, "0900000001")
    message.created_at = utcnow() - timedelta(hours=49)  # past the retry window (test_callbacks: within it)
    _db.session.commit()
    at = utcnow()

    statuses = []
    for _attempt in range(3):
        statuses.append(delivery.deliver(message.id, now=at))
        at = message.next_attempt_at

    assert statuses == [OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.FAILED]
    assert delivery.deliver(message.id, now=at + timedelta(days=1)) is None
    assert len(sms_gateway.received) == 3


def test_a_permanent_refusal_fails_the_message_at_once(db, servers):
    _sink, sms_gateway = servers
    sms_gateway.status = 403
    message = committed_message(OutboxChannel.SMS, "0900000001")

    assert delivery.deliver(message.id) is OutboxStatus.FAILED
    assert message.attempts == 1


def test_a_message_the_adapter_breaks_on_counts_as_a_failed_attempt(db, servers):
    smtp_sink, _gateway = servers
    message = committed_message(recipient="xm1@congan.vn\nBcc: khac@example.vn")

    assert delivery.deliver(message.id) is OutboxStatus.PENDING

    assert message.attempts == 1
    assert message.last_error.startswith("ValueError")
    assert smtp_sink.received == []


def test_a_message_whose_reply_timed_out_is_sent_again_with_the_same_message_id(db, servers):
    smtp_sink, _gateway = servers
    smtp_sink.stalling.set()
    message = committed_message()
    start = utcnow()
    delivery.deliver(message.id, now=start)
    smtp_sink.release()

    assert delivery.deliver(message.id, now=message.next_attempt_at) is OutboxStatus.SENT

    first, second = smtp_sink.received
    assert first["message_id"] == second["message_id"]
    assert first["message_id"].startswith(f"<{message.message_id}@")


def test_a_sent_message_is_not_sent_again(db, servers):
    smtp_sink, _gateway = servers
    message = committed_message()
    delivery.deliver(message.id)

    assert delivery.deliver(message.id, now=utcnow() + timedelta(days=1)) is None
    assert len(smtp_sink.received) == 1


# --- the sweep and the queue ------------------------------------------------------------------------


def test_the_sweep_queues_every_due_pending_message_and_nothing_else(db, servers, queue):
    due = committed_message()
    retry_later = committed_message()
    retry_later.next_attempt_at = utcnow() + timedelta(minutes=5)
    sent, failed = committed_message(), committed_message()
    sent.status, failed.status = OutboxStatus.SENT, OutboxStatus.FAILED
    _db.session.commit()
    queue.flush()

    assert outbox_tasks.sweep() == 1
    assert queued_deliveries(queue) == [due.id]


def test_the_worker_sweeps_the_outbox_every_minute(app):
    periodic = {type(task).__name__: task for task in huey._registry.periodic_tasks}

    assert periodic["sweep_outbox"].validate_datetime(utcnow().replace(tzinfo=None, minute=7))
    assert periodic["sweep_outbox"].validate_datetime(utcnow().replace(tzinfo=None, minute=8))


def test_a_committed_message_is_queued_for_delivery_once(db, queue):
    first = committed_message()
    second = committed_message(OutboxChannel.SMS, "0900000001")
    _db.session.commit()

    assert queued_deliveries(queue) == [first.id, second.id]


def test_a_rolled_back_transaction_queues_nothing(db, queue):
    message = outbox.enqueue(OutboxChannel.EMAIL, "xm1@congan.vn", body="Hồ sơ đến hạn.", topic="test")
    message_id = message.id
    _db.session.rollback()
    _db.session.commit()

    assert queued_deliveries(queue) == []
    assert _db.session.get(OutboxMessage, message_id) is None


def test_a_queue_that_does_not_answer_leaves_the_committed_message_to_the_sweep(db, monkeypatch, tmp_path):
    dead = make_huey("redis://127.0.0.1:1")
    monkeypatch.setattr(huey, "storage", dead.storage)
    message = committed_message()  # the commit itself succeeds
    dead.storage.conn.connection_pool.disconnect()
    use_queue(monkeypatch, f"sqlite:///{tmp_path / 'queue.sqlite3'}")

    assert message.status is OutboxStatus.PENDING
    assert outbox_tasks.sweep() == 1
    assert queued_deliveries(huey) == [message.id]
