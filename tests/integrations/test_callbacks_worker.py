"""A real `flask worker` delivering a case's callbacks to a receiver that fails the first three calls, killed
(SIGKILL) mid-retry and restarted: nothing is lost, the case's events arrive in order, and every repeat
carries the same id and bytes (issue 7, acceptance 5)."""

import json
import os

import sqlalchemy as sa

from lltp.cases import services as case_services
from lltp.core.audit import Actor
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxMessage, OutboxStatus
from lltp.extensions import db as _db
from lltp.integrations import callbacks
from tests.factories import create_api_case, create_callback_client, officer
from tests.integrations.outbox_helpers import use_queue
from tests.integrations.test_callbacks import CallbackReceiver, signed
from tests.verification.test_worker import Worker, wait_until


def callback_rows(app):
    with app.app_context():
        rows = _db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.topic == callbacks.TOPIC).order_by(OutboxMessage.id)
        ).all()
        _db.session.expunge_all()
        return rows


def test_a_worker_killed_mid_retry_loses_no_callback_and_keeps_their_order(
    isolated_db, tmp_path, monkeypatch
):
    app = isolated_db()
    queue_url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    queue = use_queue(monkeypatch, queue_url)
    with CallbackReceiver(fail_first=3) as receiver:
        with app.app_context():
            subscriber = create_callback_client(receiver.url)
            case = create_api_case(subscriber.client)
            actor = Actor(user=officer(), ip="127.0.0.1")
            case_services.transition(case, "start_review", actor=actor)
            case_services.transition(case, "start_verification", actor=actor)
            _db.session.commit()
            secret = subscriber.callback_secret
        written = callback_rows(app)
        assert len(written) >= 2
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],  # the callback secrets are encrypted with it
            "LLTP_QUEUE_URL": queue_url,
            "LLTP_VAR_DIR": str(tmp_path / "var"),
            "LLTP_DELIVERY_TIMEOUT_SECONDS": "5",
            "LLTP_OUTBOX_RETRY_SECONDS": "1",  # retries after 1 s, 2 s, 4 s...
            "PYTHONUNBUFFERED": "1",
        }
        log_path = tmp_path / "worker.log"

        with Worker(env, log_path) as first:
            wait_until(lambda: receiver.wait_for(2, timeout=0), timeout=30, log_path=log_path)
            first.kill()  # between two failed attempts of the case's first event
        queue.flush()  # its queued retries die with it: only the restarted worker's sweep can find them
        held = [row for row in callback_rows(app) if row.status is OutboxStatus.PENDING]
        assert held

        wait_until(
            lambda: all(row.next_attempt_at <= utcnow() for row in held), timeout=10, log_path=log_path
        )
        with Worker(env, log_path):
            wait_until(
                lambda: all(row.status is OutboxStatus.SENT for row in callback_rows(app)),
                timeout=60,
                log_path=log_path,
            )
        calls = list(receiver.received)

    rows = callback_rows(app)
    acknowledged = [json.loads(call["body"]) for call in calls if call["status"] == 200]
    assert [event["id"] for event in acknowledged] == [row.message_id for row in rows]  # all, in order
    assert [event["stage"] for event in acknowledged][-2:] == ["in_review", "verifying"]
    by_id = {}
    for call in calls:
        by_id.setdefault(json.loads(call["body"])["id"], set()).add(call["body"])
    assert all(len(bodies) == 1 for bodies in by_id.values())  # a repeat is the same bytes, the same id
    assert len(calls) == len(rows) + 3  # the three refusals were repeats of the first event
    assert all(call["headers"]["X-LLTP-Signature"] == signed(call["body"], secret) for call in calls)
