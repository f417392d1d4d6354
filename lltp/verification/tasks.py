"""Verification's periodic jobs, run by `flask worker` inside an app context: the reminders, the
escalations and the issuing authority's daily digest.

Each runs every hour of the working day, so a worker that was down at the first run still sends them
that day; the alerts' unique keys make every later run a no-op. Huey's crontab reads UTC: hours 0-10 UTC
are 07:00-17:00 in Vietnam.
"""

import logging

from huey import crontab

from lltp.core import clock
from lltp.core.queue import huey
from lltp.extensions import db
from lltp.verification import reminders

log = logging.getLogger(__name__)

OFFICE_HOURS = "0-10"


def _run(scan, what):
    count = scan(clock.today())
    db.session.commit()
    if count:
        log.info("%s: %d tasks", what, count)
    return count


@huey.periodic_task(crontab(minute="5", hour=OFFICE_HOURS))
def escalate_due_tasks():
    """Escalate the tasks that reached their due date unanswered, and tell the units' supervisors."""
    return _run(reminders.escalate_due, "escalations")


@huey.periodic_task(crontab(minute="10", hour=OFFICE_HOURS))
def remind_due_tomorrow():
    """Remind the units of the tasks due on the next working day."""
    return _run(reminders.send_reminders, "reminders")


@huey.periodic_task(crontab(minute="15", hour=OFFICE_HOURS))
def send_overdue_digest():
    """Send the issuing authority its daily digest of overdue tasks."""
    return _run(reminders.send_digest, "overdue digest")
