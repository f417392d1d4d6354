"""Case codes: `<authority code>-<YYMMDD received, local>-<daily serial>`, unique even under concurrency."""

import re
import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases import services
from lltp.cases.models import Case, CaseCodeCounter, CaseStage, Channel
from lltp.core.audit import Actor
from lltp.core.errors import NotAllowed
from lltp.extensions import db as _db
from tests.conftest import PG_ADMIN_URL
from tests.factories import case_fields, create_case, create_user, local_datetime

SYSTEM = Actor.system("test")


@pytest.fixture
def code(app):
    return app.config["LLTP_AUTHORITY_CODE"]


def open_at(at):
    return services.open_case(case_fields(), channel=Channel.VNEID, actor=SYSTEM, at=at)


def test_a_case_code_is_the_authority_code_the_local_day_and_a_four_digit_serial(db, code):
    case = create_case(CaseStage.RECEIVED, at=local_datetime(2026, 11, 20, 9, 15))

    assert case.code == f"{code}-261120-0001"
    assert re.fullmatch(r"[A-Z0-9]+-\d{6}-\d{4}", case.code)


def test_serials_follow_each_other_within_a_day_and_restart_the_next_day(db, code):
    codes = [open_at(local_datetime(2026, 11, 20, hour, 0)).code for hour in (8, 9, 17)]
    codes.append(open_at(local_datetime(2026, 11, 21, 8, 0)).code)

    assert codes == [
        f"{code}-261120-0001",
        f"{code}-261120-0002",
        f"{code}-261120-0003",
        f"{code}-261121-0001",
    ]


def test_the_serial_grows_to_five_digits_after_9999_in_a_day(db, code):
    db.session.add(CaseCodeCounter(authority_code=code, day=date(2026, 11, 20), last_serial=9999))
    db.session.flush()

    codes = [open_at(local_datetime(2026, 11, 20, 10, minute)).code for minute in (0, 1)]

    assert codes == [f"{code}-261120-10000", f"{code}-261120-10001"]


@pytest.mark.parametrize(
    ("submitted", "day"),
    [
        pytest.param(datetime(2026, 11, 19, 16, 59, tzinfo=UTC), "261119", id="23:59-local"),
        pytest.param(datetime(2026, 11, 19, 17, 0, tzinfo=UTC), "261120", id="00:00-local"),
        pytest.param(datetime(2026, 11, 19, 23, 30, tzinfo=UTC), "261120", id="23:30-utc"),
    ],
)
def test_the_day_in_the_code_is_the_local_day_of_submission(db, code, submitted, day):
    assert open_at(submitted).code == f"{code}-{day}-0001"


def test_each_authority_code_counts_on_its_own(db):
    day = date(2026, 11, 20)

    codes = [services.next_case_code(authority, day) for authority in ("HCM", "HNI", "HCM")]

    assert codes == ["HCM-261120-0001", "HNI-261120-0001", "HCM-261120-0002"]


def test_a_refused_opening_hands_out_no_code(app, db, code):
    reader = Actor(user=create_user(roles=(Role.REPORT_READER,)))
    # Inside a request: the refusal is worded through Flask-Babel, whose locale selector needs one (reported).
    with pytest.raises(NotAllowed):
        services.open_case(
            case_fields(), channel=Channel.COUNTER, actor=reader, at=local_datetime(2026, 11, 20, 9, 0)
        )

    assert open_at(local_datetime(2026, 11, 20, 9, 1)).code == f"{code}-261120-0001"


THREADS = 8
RECEIPTS_PER_THREAD = 25


def test_concurrent_receipts_on_postgresql_get_distinct_consecutive_serials(isolated_db):
    app = isolated_db(PG_ADMIN_URL)
    at = local_datetime(2026, 11, 20, 9, 0)
    start = threading.Barrier(THREADS)
    codes, failures = [], []

    def receive_many():
        try:
            with app.app_context():
                start.wait(timeout=30)
                for _receipt in range(RECEIPTS_PER_THREAD):
                    codes.append(open_at(at).code)
                    _db.session.commit()
        except Exception as error:  # the main thread reports it
            failures.append(error)

    threads = [threading.Thread(target=receive_many) for _thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    total = THREADS * RECEIPTS_PER_THREAD
    assert len(set(codes)) == len(codes) == total
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, total + 1))
    with app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count(sa.distinct(Case.code)))) == total


def test_on_postgresql_a_receipt_that_rolls_back_leaves_a_gap_and_its_code_is_never_reused(isolated_db):
    app = isolated_db(PG_ADMIN_URL)
    at = local_datetime(2026, 11, 20, 9, 0)
    with app.app_context():
        abandoned = open_at(at).code
        _db.session.rollback()
        kept = open_at(at).code
        _db.session.commit()
        stored = _db.session.scalars(sa.select(Case.code)).all()

    assert abandoned.endswith("-0001")
    assert kept.endswith("-0002")
    assert stored == [kept]
