"""Certificate numbers: `<authority code>/<year>/<6-digit serial>`, the serial starting again each year,
unique, with no gaps (a refused or rolled-back approval gives nothing away) and never reused."""

import re

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core.audit import Actor
from lltp.core.errors import NotAllowed
from lltp.extensions import db as _db
from lltp.issuance import services
from lltp.issuance.models import Certificate
from tests.factories import create_user, local_datetime
from tests.issuance.approvals import awaiting_signature, signing_approver


@pytest.fixture
def approver(db):
    return Actor(user=signing_approver(), ip="127.0.0.1")


def approve(approver, at=None):
    return services.approve(awaiting_signature(), actor=approver, at=at)


def test_the_number_is_the_authority_code_the_year_and_a_six_digit_serial(app, approver):
    certificate = approve(approver, at=local_datetime(2026, 3, 2, 9, 0))
    assert certificate.number == f"{app.config['LLTP_AUTHORITY_CODE']}/2026/000001"
    assert re.fullmatch(r"[A-Z]+/2026/\d{6}", certificate.number)
    assert (certificate.year, certificate.serial, certificate.issued_on.isoformat()) == (
        2026,
        1,
        "2026-03-02",
    )


def test_serials_follow_each_other_within_a_year(approver):
    serials = [approve(approver).serial for _ in range(3)]
    assert serials == [1, 2, 3]


def test_the_serial_starts_again_at_1_each_year(approver):
    last_of_2025 = [approve(approver, at=local_datetime(2025, 12, 31, 16, 0)) for _ in range(2)]
    first_of_2026 = approve(approver, at=local_datetime(2026, 1, 2, 8, 0))
    assert [c.number[-11:] for c in last_of_2025] == ["2025/000001", "2025/000002"]
    assert first_of_2026.number.endswith("/2026/000001")


def test_the_year_is_the_local_date_of_the_approval(approver):
    # 00:30 on 1 January in Vietnam is still 31 December in UTC.
    certificate = approve(approver, at=local_datetime(2026, 1, 1, 0, 30))
    assert certificate.number.endswith("/2026/000001")


def test_numbers_are_unique(approver):
    numbers = [approve(approver).number for _ in range(4)]
    assert len(set(numbers)) == 4
    assert _db.session.scalar(sa.select(sa.func.count(sa.distinct(Certificate.number)))) == 4


def test_a_rolled_back_approval_leaves_no_gap(approver):
    case = awaiting_signature()
    with pytest.raises(RuntimeError), _db.session.begin_nested():
        services.approve(case, actor=approver)
        raise RuntimeError("the approval's transaction fails after its number was taken")
    _db.session.expire_all()
    assert approve(approver).serial == 1


def test_a_refused_approval_takes_no_serial(approver):
    without_second_factor = Actor(user=create_user(roles=(Role.APPROVER,), two_factor=False))
    with pytest.raises(NotAllowed):
        services.approve(awaiting_signature(), actor=without_second_factor)
    assert approve(approver).serial == 1
