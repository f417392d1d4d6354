"""Reading the outbox for its administrator: the messages given up (dead letters)."""

import sqlalchemy as sa

from lltp.core.outbox import OutboxMessage, OutboxStatus
from lltp.extensions import db

PER_PAGE = 50


def failed_messages(*, page=1, per_page=PER_PAGE):
    """The messages given up, of every channel, the most recently given up first, a page at a time."""
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
