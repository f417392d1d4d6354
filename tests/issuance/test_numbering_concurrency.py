"""Fifty approvals at the same moment, on PostgreSQL, each in its own thread, session and transaction: fifty
distinct numbers, serials 1 to 50 without a gap (acceptance 4). The year's counter row is locked by each
approval until it commits, so the others queue on it instead of reading the same last serial."""

import threading

import pytest

from lltp.accounts.models import User
from lltp.cases.models import Case, CaseStage
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.issuance import services
from lltp.issuance.models import Certificate
from tests.conftest import PG_ADMIN_URL
from tests.issuance.approvals import awaiting_signature, signing_approver

APPROVALS = 50


@pytest.fixture
def setup(isolated_db):
    # A connection for every thread at once: the test is about the counter's lock, not the pool's queue.
    app = isolated_db(PG_ADMIN_URL, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": APPROVALS, "max_overflow": 0})
    with app.app_context():
        approver = signing_approver()
        case_ids = [awaiting_signature().id for _ in range(APPROVALS)]
        db.session.commit()
        return app, approver.id, case_ids


def test_fifty_approvals_at_once_give_fifty_numbers_without_a_gap(setup):
    app, approver_id, case_ids = setup
    start = threading.Barrier(APPROVALS, timeout=30)
    failures = []

    def approve(case_id):
        with app.app_context():
            try:
                actor = Actor(user=db.session.get(User, approver_id))
                case = db.session.get(Case, case_id)
                start.wait()
                services.approve(case, actor=actor)
                db.session.commit()
            except Exception as error:  # every failure is reported below, with its case
                db.session.rollback()
                failures.append((case_id, repr(error)))

    threads = [threading.Thread(target=approve, args=(case_id,)) for case_id in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    with app.app_context():
        certificates = db.session.scalars(db.select(Certificate)).all()
        assert sorted(c.serial for c in certificates) == list(range(1, APPROVALS + 1))
        assert len({c.number for c in certificates}) == APPROVALS
        assert {c.case_id for c in certificates} == set(case_ids)
        stages = db.session.scalars(db.select(Case.stage).where(Case.id.in_(case_ids))).all()
        assert set(stages) == {CaseStage.ISSUED}
