"""Intake's periodic jobs, as `flask worker` runs them."""

from datetime import datetime, timedelta

from lltp.core import clock
from lltp.core.queue import huey
from lltp.intake import drafts, tasks
from lltp.intake.models import OnlineDraft


def test_the_worker_knows_the_nightly_draft_sweep(app):
    periodic = {type(task).__name__: task for task in huey._registry.periodic_tasks}

    sweep = periodic["sweep_old_drafts"]

    assert sweep.validate_datetime(datetime(2026, 12, 1, 3, 17))
    assert not sweep.validate_datetime(datetime(2026, 12, 1, 4, 17))


def test_the_nightly_sweep_deletes_only_drafts_left_too_long(app, db):
    old, _token = drafts.start_draft()
    recent, _other = drafts.start_draft()
    db.session.flush()
    old.updated_at = clock.now() - timedelta(days=app.config["LLTP_DRAFT_DAYS"] + 1)
    db.session.flush()

    assert tasks.sweep_old_drafts.call_local() == 1
    assert db.session.get(OnlineDraft, recent.id) is not None
    assert db.session.get(OnlineDraft, old.id) is None
