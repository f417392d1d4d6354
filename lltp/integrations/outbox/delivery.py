"""One delivery attempt, and the messages due for one.

An attempt takes its row in a short transaction of its own (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several workers share the table; SQLite's `BEGIN IMMEDIATE` serialises them), counts the attempt and moves
`next_attempt_at` on by the backoff. That new time is both the retry's time and a lease: nobody takes the
row again before it, so a worker killed mid-send leaves a row that the sweep finds once the lease is over.
The sending itself runs with no transaction open, and its outcome is written in another short one.

A message whose ordering key an older pending message shares is not taken: it waits for that one to be
sent (or given up), so a case's callbacks reach the client in the order they happened.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from lltp.core import outbox
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxMessage, OutboxStatus
from lltp.extensions import db
from lltp.integrations.outbox.adapters import DeliveryError, Envelope, adapter_for

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
_older = aliased(OutboxMessage)
# No older message of the same ordering key is still waiting (a NULL key never matches: no order).
_FIRST_IN_LINE = ~sa.exists().where(
    _older.ordering_key == OutboxMessage.ordering_key,
    _older.status == OutboxStatus.PENDING,
    _older.id < OutboxMessage.id,
)


def retry_delay(attempts):
    """How long after its `attempts`-th attempt a message is tried again: doubled each time, capped."""
    base = timedelta(seconds=current_app.config["LLTP_OUTBOX_RETRY_SECONDS"])
    # The exponent is bounded too: a message retried for days would overflow timedelta otherwise.
    return min(base * 2 ** min(attempts - 1, 20), MAX_RETRY_DELAY)


def _take(message_id, now):
    """Count an attempt on the row if it is due, first in its line, and no other worker holds it; a copy
    of it, or None."""
    message = db.session.scalar(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            _FIRST_IN_LINE,
        )
        .with_for_update(skip_locked=True)
    )
    if message is None:
        db.session.rollback()
        return None
    message.attempts += 1
    message.last_attempt_at = now
    message.next_attempt_at = now + retry_delay(message.attempts)
    envelope = Envelope(
        id=message.id,
        message_id=message.message_id,
        channel=message.channel,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        attempts=message.attempts,
        payload=message.payload,
        created_at=message.created_at,
    )
    db.session.commit()
    return envelope


def _gives_up(envelope, error, now):
    """Whether a failed attempt is the last: a refusal no retry can change, or the attempts used up by a
    message older than the retry window."""
    config = current_app.config
    window = timedelta(hours=config["LLTP_OUTBOX_RETRY_WINDOW_HOURS"])
    return error.permanent or (
        envelope.attempts >= config["LLTP_OUTBOX_MAX_ATTEMPTS"] and envelope.created_at <= now - window
    )


def _settle(envelope, error, now):
    """Write the attempt's outcome and return the row's status; None when a later attempt took the row
    meanwhile (this one outlasted its lease), which then writes its own."""
    if error is None:
        values = {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": None}
    elif _gives_up(envelope, error, now):
        values = {"status": OutboxStatus.FAILED, "last_error": str(error)}
    else:
        values = {"last_error": str(error)}  # next_attempt_at already holds the retry's time
    updated = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == envelope.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == envelope.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated and error is None and outbox.on_sent:
        message = db.session.get(OutboxMessage, envelope.id, populate_existing=True)
        try:
            for listener in outbox.on_sent:
                listener(message)
        except Exception:
            # The receiver has it, but what its receipt means was not recorded: the row stays pending, and
            # its retry (the same id, which the receiver drops) records it again.
            db.session.rollback()
            log.exception("outbox %s: an on_sent listener failed", envelope.message_id)
            return OutboxStatus.PENDING
    db.session.commit()
    return values.get("status", OutboxStatus.PENDING) if updated else None


def deliver(message_id, *, now=None):
    """Try to send one outbox message (by its row id): the status it is left in, or None when it was not
    due, waits behind an older message of its line, or another worker holds it."""
    now = now or utcnow()
    envelope = _take(message_id, now)
    if envelope is None:
        return None
    try:
        adapter_for(envelope.channel, current_app.config).send(envelope)
    except DeliveryError as error:
        failure = error
    except Exception as error:
        # A fault of ours, not the receiver's: it counts as a failed attempt too, so that the message
        # ends FAILED (for an administrator to see) instead of coming back every few hours for ever.
        log.exception("outbox %s: the %s adapter broke", envelope.message_id, envelope.channel)
        failure = DeliveryError(f"{type(error).__name__}: {error}")
    else:
        return _settle(envelope, None, now)
    status = _settle(envelope, failure, now)
    log.warning("outbox %s attempt %d: %s (now %s)", envelope.message_id, envelope.attempts, failure, status)
    return status


def retry_time(message_id):
    """When a pending message is next tried."""
    return db.session.scalar(sa.select(OutboxMessage.next_attempt_at).where(OutboxMessage.id == message_id))


def next_in_line(message_id):
    """The oldest pending message that waits behind this one (the same ordering key), or None."""
    key = db.session.scalar(sa.select(OutboxMessage.ordering_key).where(OutboxMessage.id == message_id))
    if key is None:
        return None
    return db.session.scalar(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.ordering_key == key, OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(1)
    )


def due_message_ids(*, now=None, limit=1000):
    """The pending messages whose next attempt is due and that wait behind no other: new ones whose task
    was lost, retries, and those a killed worker held; the oldest first."""
    return db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= (now or utcnow()),
            _FIRST_IN_LINE,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
