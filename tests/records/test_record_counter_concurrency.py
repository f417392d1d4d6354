"""Two imports opening the first judicial records of a year at the same time, on PostgreSQL: the year's
counter row is made once, and the two records get serials 1 and 2. The first import's transaction is held
open while the second one runs, so the second really meets the first's uncommitted counter row."""

import json
import threading

import sqlalchemy as sa

from lltp.extensions import db
from lltp.records.models import JudicialRecord
from lltp.records.services.imports import import_file
from tests.conftest import PG_ADMIN_URL
from tests.factories import SYSTEM
from tests.records.factories import judgment_document, person_document


def one_file():
    person = person_document()
    return [
        json.dumps(document, ensure_ascii=False)
        for document in (person, judgment_document(person["source_ref"]))
    ]


def import_in_thread(app, lines, outcome, *, before_commit=None):
    def run():
        with app.app_context():
            try:
                import_file(lines, actor=SYSTEM)
                if before_commit:
                    before_commit()
                db.session.commit()
                outcome.append("imported")
            except Exception as error:  # the test reports whatever went wrong
                db.session.rollback()
                outcome.append(repr(error))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_imports_opening_a_years_first_records_at_once_both_succeed(isolated_db):
    app = isolated_db(PG_ADMIN_URL)
    first_holds, second_may_finish = threading.Event(), threading.Event()
    outcome = []

    def hold():
        first_holds.set()
        second_may_finish.wait(timeout=1.0)

    first = import_in_thread(app, one_file(), outcome, before_commit=hold)
    assert first_holds.wait(timeout=20)
    second = import_in_thread(app, one_file(), outcome)
    second.join(timeout=0.5)
    second_may_finish.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert outcome == ["imported", "imported"]
    with app.app_context():
        serials = db.session.scalars(sa.select(JudicialRecord.serial).order_by(JudicialRecord.serial)).all()
    assert serials == [1, 2]
