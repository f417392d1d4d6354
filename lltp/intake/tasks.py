"""Intake's periodic jobs, run by `flask worker` inside an app context."""

import logging

from huey import crontab

from lltp.core.queue import huey
from lltp.extensions import db
from lltp.intake.drafts import sweep_drafts

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="17", hour="3"))
def sweep_old_drafts():
    """Every night: delete the online drafts (personal data) that nobody finished in time."""
    count = sweep_drafts()
    db.session.commit()
    log.info("swept %d online drafts", count)
    return count
