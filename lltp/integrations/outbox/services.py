"""Changing the outbox by hand: an administrator puts messages that were given up back in line."""

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.core import audit
from lltp.core.db import utcnow
from lltp.core.errors import ValidationFailed
from lltp.core.outbox import OutboxMessage, OutboxStatus, queue_after_commit
from lltp.extensions import db


def replay_messages(message_ids, *, actor):
    """Put the given-up messages among `message_ids` back to pending, due now with a fresh count of
    attempts, and have them queued once the caller commits; audited one by one. Returns them."""
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    ).all()
    if not messages:
        raise ValidationFailed({"message_ids": _("Vui lòng chọn ít nhất một tin gửi lỗi để gửi lại.")})
    now = utcnow()
    for message in messages:
        message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now
        audit.record(
            "outbox.replayed",
            actor,
            object_type="outbox_message",
            object_id=message.message_id,
            case_id=(message.payload or {}).get("case_id"),
            details={
                "channel": str(message.channel),
                "topic": message.topic,
                "last_error": message.last_error,
            },
        )
        queue_after_commit(message.id)
    db.session.flush()
    return messages
