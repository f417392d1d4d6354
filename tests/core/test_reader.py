"""The reader (`core.database`): reads that need no transaction, run in autocommit on the driver's own
cursor, with the same values SQLAlchemy would give, and once more on a fresh connection after the
database dropped the pooled one."""

import gc
import threading

import sqlalchemy as sa

from lltp.cases.models import Case, CaseStage, DeliveryMethod
from lltp.core import database
from lltp.core.database import ReadQuery
from lltp.extensions import db
from tests.conftest import PG_ADMIN_URL
from tests.factories import create_case

CASE_BY_CODE = sa.select(
    Case.id,
    Case.stage,
    Case.delivery_method,
    Case.applicant_date_of_birth,
    Case.stage_changed_at,
    Case.due_date,
    Case.closed_at,
).where(Case.code == sa.bindparam("code"))
BY_CODE = ReadQuery(CASE_BY_CODE)
# An IN list of constants as well as a given value.
OPEN_CASES_SINCE = ReadQuery(
    sa.select(Case.code)
    .where(Case.stage.in_([CaseStage.RECEIVED, CaseStage.IN_REVIEW]), Case.id >= sa.bindparam("first_id"))
    .order_by(Case.id)
)
BACKEND_PID = ReadQuery(sa.select(sa.func.pg_backend_pid().label("pid")))


def test_a_row_has_the_values_and_types_sqlalchemy_gives(db):
    case = create_case(CaseStage.IN_REVIEW, delivery_method=DeliveryMethod.POST)
    db.session.commit()
    row = database.reader().first(BY_CODE, code=case.code)
    expected = db.session.execute(CASE_BY_CODE, {"code": case.code}).one()
    assert tuple(row) == tuple(expected)
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert row.stage is CaseStage.IN_REVIEW
    assert row.delivery_method is DeliveryMethod.POST
    assert row.stage_changed_at.tzinfo is not None


def test_a_code_that_does_not_exist_gives_none(db):
    assert database.reader().first(BY_CODE, code="HCM-000000-0000") is None


def test_an_in_list_of_constants_and_a_given_value_select_the_rows(db):
    received = create_case(CaseStage.RECEIVED)
    create_case(CaseStage.DRAFTING)
    in_review = create_case(CaseStage.IN_REVIEW)
    db.session.commit()
    rows = database.reader().rows(OPEN_CASES_SINCE, first_id=received.id)
    assert [row.code for row in rows] == [received.code, in_review.code]


def _others_in_a_transaction():
    """On PostgreSQL, the other connections of this database left inside a transaction."""
    return db.session.scalar(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
    )


def test_reads_leave_no_transaction_open_and_see_each_new_commit(isolated_db):
    app = isolated_db()
    with app.app_context():
        case = create_case(CaseStage.RECEIVED)
        db.session.commit()
        reader = database.reader()
        assert reader.first(BY_CODE, code=case.code).stage is CaseStage.RECEIVED
        if db.engine.dialect.name == "postgresql":
            assert _others_in_a_transaction() == 0
        case.stage = CaseStage.IN_REVIEW
        db.session.commit()
        # A read transaction left open on SQLite would still see its first snapshot.
        assert reader.first(BY_CODE, code=case.code).stage is CaseStage.IN_REVIEW


def test_a_thread_that_ends_gives_its_connection_back(isolated_db):
    app = isolated_db()
    read = []

    def lookup(code):
        with app.app_context():
            read.append(database.reader().first(BY_CODE, code=code))

    with app.app_context():
        case = create_case()
        db.session.commit()
        code, case_id = case.code, case.id
        pool = database.reader().engine.pool
    # A development server serves each request on a thread of its own.
    for _ in range(20):
        thread = threading.Thread(target=lookup, args=(code,))
        thread.start()
        thread.join()
        del thread
    gc.collect()
    assert [row.id for row in read] == [case_id] * 20
    assert pool.checkedout() == 0


def test_a_read_after_the_database_dropped_its_connection_runs_again_on_a_fresh_one(isolated_db):
    app = isolated_db(PG_ADMIN_URL)
    with app.app_context():
        case = create_case()
        db.session.commit()
        reader = database.reader()
        pid = reader.first(BACKEND_PID).pid
        # As a restart of the database would: the pooled connection is gone without the pool knowing.
        db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.commit()
        assert reader.first(BY_CODE, code=case.code).id == case.id
        assert reader.first(BACKEND_PID).pid != pid
