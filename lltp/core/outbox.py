"""The outbox: outbound messages (email, SMS, callbacks) written in the same transaction as the change
that causes them, and delivered afterwards by the worker (design §7).

Any area calls `enqueue()`; none imports `integrations`, which delivers. After the transaction commits,
each function in `on_commit` is called with the new messages' ids (integrations queues a Huey task per
message there). Messages that share an `ordering_key` (a case's callbacks) are sent one after the
other, in the order they were written; each function in `on_sent` is called, in the transaction that
marks a message sent, with its row. A worker killed mid-delivery leaves its row unsent, and the periodic
sweep queues it again: delivery is at least once, and every attempt carries the row's `message_id`, so a
receiver can drop the repeats.
"""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class OutboxChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    CALLBACK = "callback"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; an administrator may queue it again


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id a receiver de-duplicates by: the same on every attempt.
    message_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=lambda: str(uuid.uuid4()))
    channel: Mapped[OutboxChannel] = mapped_column(str_enum(OutboxChannel))
    recipient: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[dict | None] = mapped_column(sa.JSON)
    # What caused it, for an officer reading the log ("verification.reminder", "case.callback"...).
    topic: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    # Messages with the same key go out in the order they were written ("case:<id>" for callbacks).
    ordering_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),)


# Functions `(message_ids)` called after a commit that added messages (or put them back to pending).
on_commit = []
# Functions `(message)` called with the loaded row in the transaction that marks it sent; one that raises
# rolls that transaction back, and the message stays pending.
on_sent = []
_PENDING_KEY = "lltp_outbox_new"


def enqueue(
    channel, recipient, *, body, topic, subject=None, payload=None, message_id=None, ordering_key=None
):
    """Add one outbound message to the current transaction; it is sent only if that transaction commits.
    `message_id` is given when the body must carry it (a callback's `id`)."""
    message = OutboxMessage(
        message_id=message_id or str(uuid.uuid4()),
        channel=OutboxChannel(channel),
        recipient=recipient,
        subject=subject,
        body=body,
        payload=payload,
        topic=topic,
        ordering_key=ordering_key,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    queue_after_commit(message.id)
    return message


def queue_after_commit(message_id):
    """Have the `on_commit` functions queue this pending message once the current transaction commits."""
    db.session.info.setdefault(_PENDING_KEY, []).append(message_id)


@sa.event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session):
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        for dispatch in on_commit:
            dispatch(list(ids))


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop(_PENDING_KEY, None)
