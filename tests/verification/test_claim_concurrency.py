"""Two officers of a unit claiming the same task at the same moment, on PostgreSQL: exactly one wins, and
the other is told who holds it. The first claim's transaction is held open while the second one's UPDATE
runs, so the second really waits on the row lock (SQLite takes one writer at a time: no race there)."""

import threading

import pytest

from lltp.accounts.models import Role, UnitKind, User
from lltp.core.audit import Actor
from lltp.core.errors import NotAllowed
from lltp.extensions import db
from lltp.verification import services
from lltp.verification.models import TaskStatus, VerificationTask
from tests.conftest import PG_ADMIN_URL
from tests.factories import create_case, create_unit, create_user


@pytest.fixture
def setup(isolated_db):
    app = isolated_db(PG_ADMIN_URL)
    with app.app_context():
        police = create_unit(UnitKind.PROVINCIAL_POLICE)
        first = create_user(roles=(Role.VERIFIER,), unit=police, full_name="Bùi Đức Thắng")
        second = create_user(roles=(Role.VERIFIER,), unit=police, full_name="Đỗ Văn Khải")
        case = create_case("verifying")
        (task,) = services.case_tasks(case)
        db.session.commit()
        return app, task.id, first.id, second.id


def claim_in_thread(app, task_id, user_id, *, before_commit=None):
    """Claim in a session of its own; returns the outcome ("won" or the refusal's message)."""
    outcome = {}

    def run():
        with app.app_context():
            actor = Actor(user=db.session.get(User, user_id))
            try:
                services.claim_task(db.session.get(VerificationTask, task_id), actor=actor)
                if before_commit:
                    before_commit()
                db.session.commit()
                outcome["result"] = "won"
            except NotAllowed as refused:
                db.session.rollback()
                outcome["result"] = refused.message

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_two_officers_claiming_at_once_one_wins_and_the_other_is_told_who(setup):
    app, task_id, first_id, second_id = setup
    claimed, second_may_finish = threading.Event(), threading.Event()

    def hold_lock():
        claimed.set()
        # Keep the row locked until the second officer's UPDATE is waiting on it.
        second_may_finish.wait(timeout=1.0)

    first_thread, first = claim_in_thread(app, task_id, first_id, before_commit=hold_lock)
    assert claimed.wait(timeout=10)
    second_thread, second = claim_in_thread(app, task_id, second_id)
    second_thread.join(timeout=0.5)
    assert second_thread.is_alive(), "the second claim should be waiting on the first one's row lock"
    second_may_finish.set()
    first_thread.join(timeout=10)
    second_thread.join(timeout=10)
    assert first["result"] == "won"
    assert "Bùi Đức Thắng" in second["result"] and "nhận xử lý" in second["result"]
    with app.app_context():
        task = db.session.get(VerificationTask, task_id)
        assert (task.claimed_by_id, task.status) == (first_id, TaskStatus.CLAIMED)
        assert [event.action for event in task.events] == ["create", "claim"]
