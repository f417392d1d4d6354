"""The outbox's Huey tasks: each committed message is queued for delivery at once, a failed attempt's
retry at its time, the next message of an ordered line as soon as the one before it is done, and every
minute a sweep queues again whatever is due and not sent (the messages of a worker that was killed, or
whose queueing failed). Delivery is at least once; receivers drop repeats by the message id."""

import logging

from huey import crontab

from lltp.core import outbox
from lltp.core.outbox import OutboxStatus
from lltp.core.queue import huey
from lltp.integrations.outbox import delivery

log = logging.getLogger(__name__)


@huey.task()
def deliver_message(message_id):
    """Send one outbox message, if it is still due; then queue its retry at its time, or the message that
    waited behind it. It returns nothing: Huey would keep any result."""
    status = delivery.deliver(message_id)
    if status is OutboxStatus.PENDING:
        # The sweep would find it too, within a minute of its time; this keeps short backoffs short.
        deliver_message.schedule((message_id,), eta=delivery.retry_time(message_id))
    elif status is not None:
        following = delivery.next_in_line(message_id)
        if following is not None:
            deliver_message(following)


def sweep(*, now=None):
    """Queue a delivery for every pending message that is due; returns how many."""
    ids = delivery.due_message_ids(now=now)
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)


# Every minute; the consumer also runs it as it starts, so a restarted worker picks up at once.
@huey.periodic_task(crontab(minute="*"))
def sweep_outbox():
    """Queue again every outbox message that is due and not sent."""
    count = sweep()
    if count:
        log.info("outbox sweep queued %d messages", count)
    return count


def _queue_committed(message_ids):
    # The transaction is already committed: a queue that does not answer must not fail the request
    # that committed it. The message stays pending and the next sweep queues it.
    try:
        for message_id in message_ids:
            deliver_message(message_id)
    except Exception:
        log.exception("could not queue outbox messages %s; the sweep will", message_ids)


outbox.on_commit.append(_queue_committed)
