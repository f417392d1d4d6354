"""One delivery attempt, and the messages due for one.

An attempt takes its row in a short transaction of its own (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several workers share the table; SQLite's `BEGIN IMMEDIATE` serialises them), counts the attempt and moves
`next_attempt_at` on by the backoff. That new time is both the retry's time and a lease: nobody takes the
row again before it, so a worker killed mid-send leaves a row that the sweep finds once the lease is over.
The sending itself runs with no transaction open, and its outcome is written in another short one.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from lltp.core.db import utcnow
from lltp.core.outbox import OutboxMessage, OutboxStatus
from lltp.extensions import db
from lltp.integrations.outbox.adapters import DELIVERED_CHANNELS, DeliveryError, Envelope, adapter_for

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)


def retry_delay(attempts):
    """How long after its `attempts`-th attempt a message is tried again: doubled each time, capped."""
    base = timedelta(seconds=current_app.config["LLTP_OUTBOX_RETRY_SECONDS"])
    return min(base * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def _take(message_id, now):
    """Count an attempt on the row if it is due and no other worker holds it; a copy of it, or None."""
    message = db.session.scalar(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(DELIVERED_CHANNELS),
        )
        .with_for_update(skip_locked=True)
    )
    if message is None:
        db.session.rollback()
        return None
    message.attempts += 1
    message.next_attempt_at = now + retry_delay(message.attempts)
    envelope = Envelope(
        id=message.id,
        message_id=message.message_id,
        channel=message.channel,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        attempts=message.attempts,
    )
    db.session.commit()
    return envelope


def _settle(envelope, error):
    """Write the attempt's outcome and return the row's status; None when a later attempt took the row
    meanwhile (this one outlasted its lease), which then writes its own."""
    if error is None:
        values = {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": None}
    elif error.permanent or envelope.attempts >= current_app.config["LLTP_OUTBOX_MAX_ATTEMPTS"]:
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
    db.session.commit()
    return values.get("status", OutboxStatus.PENDING) if updated else None


def deliver(message_id, *, now=None):
    """Try to send one outbox message (by its row id): the status it is left in, or None when it was not
    due or another worker holds it."""
    envelope = _take(message_id, now or utcnow())
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
        return _settle(envelope, None)
    status = _settle(envelope, failure)
    log.warning("outbox %s attempt %d: %s (now %s)", envelope.message_id, envelope.attempts, failure, status)
    return status


def due_message_ids(*, now=None, limit=1000):
    """The pending messages whose next attempt is due: new ones whose task was lost, retries, and those a
    killed worker held; the oldest first."""
    return db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= (now or utcnow()),
            OutboxMessage.channel.in_(DELIVERED_CHANNELS),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
