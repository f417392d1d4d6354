"""The same request sent several times at once, on PostgreSQL: one case, and every answer names it.

The unique (api_client_id, external_id) of the declarations lets one insert through; the others fail on
it and are answered as replays. SQLite takes one writer at a time, so the race cannot happen there.
"""

import threading

import sqlalchemy as sa

from lltp.accounts.services import create_api_client
from lltp.cases.models import Case
from lltp.extensions import db
from tests.conftest import PG_ADMIN_URL
from tests.factories import SYSTEM
from tests.integrations.conftest import CONTRACT_REQUEST

SENDERS = 4


def send_at_once(app, token, body):
    barrier = threading.Barrier(SENDERS)
    answers = []

    def send():
        http = app.test_client()
        barrier.wait()
        response = http.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_concurrent_duplicates_make_one_case_and_every_answer_names_it(isolated_db):
    app = isolated_db(PG_ADMIN_URL, LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS=100_000)
    with app.app_context():
        token = create_api_client("vneid", kind="vneid", actor=SYSTEM).token
        db.session.commit()
    answers = send_at_once(app, token, CONTRACT_REQUEST)
    assert sorted(status for status, _ in answers) == [200] * (SENDERS - 1) + [201]
    with app.app_context():
        stored = db.session.scalars(sa.select(Case.code)).all()
    # Each attempt drew a code of its own (codes come from a short transaction of their own, and the
    # losers' drafts were rolled back), so which one was kept depends on who inserted first.
    assert len(stored) == 1
    assert {answer["case_code"] for _, answer in answers} == set(stored)
