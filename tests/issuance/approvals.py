"""Cases taken to drafting and to signature as officers take them, and approvers who can really sign: a
self-signed PKCS#12 key of their own and the authority's seal, both registered (the files are made once per
test run, outside the repository)."""

import functools
import tempfile
from pathlib import Path

from lltp.accounts.models import Role
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor
from lltp.issuance import keys
from lltp.issuance.models import SigningKeyKind
from lltp.records import casework
from tests.factories import SYSTEM, create_case, create_user
from tests.records.factories import create_judgment, create_person

KEY_PASSWORD = "mat-khau-khoa-thu"


@functools.cache
def _key_files():
    directory = Path(tempfile.mkdtemp(prefix="lltp-test-keys-"))
    approver = keys.make_self_signed(
        directory / "approver.p12",
        common_name="Người Ký Thử",
        organisation="Công an (thử)",
        password=KEY_PASSWORD,
    )
    seal = keys.make_self_signed(
        directory / "seal.p12",
        common_name="Con dấu (thử)",
        organisation="Công an (thử)",
        password=KEY_PASSWORD,
    )
    return approver, seal


def register_seal():
    keys.register_signing_key(
        kind=SigningKeyKind.SEAL,
        path=str(_key_files()[1]),
        password=KEY_PASSWORD,
        label="Con dấu",
        actor=SYSTEM,
    )


def signing_approver(*, with_seal=True, **overrides):
    """An approver (second factor enrolled) whose own key is registered, and the seal too unless told not."""
    user = create_user(roles=(Role.APPROVER,), **{"full_name": "Trần Quốc Hưng", **overrides})
    keys.register_signing_key(
        kind=SigningKeyKind.APPROVER,
        path=str(_key_files()[0]),
        password=KEY_PASSWORD,
        user=user,
        label=f"Khóa của {user.full_name}",
        actor=SYSTEM,
    )
    if with_seal:
        register_seal()
    return user


def processing_officer():
    return create_user(roles=(Role.PROCESSING_OFFICER,), full_name="Lê Thị Xử Lý")


def drafting_case(*, convicted=False, officer=None, **overrides):
    """A case in drafting, matched to its applicant in the record database (with one conviction when
    `convicted`), or to nobody."""
    actor = Actor(user=officer or processing_officer(), ip="127.0.0.1")
    case = create_case(CaseStage.IN_REVIEW, **overrides)
    if convicted:
        person = create_person(
            full_name=case.applicant_full_name,
            sex="male",
            date_of_birth=case.applicant_date_of_birth.isoformat(),
            id_numbers=[{"type": "cccd", "number": case.applicant_id_number}],
        )
        create_judgment(person)
        casework.pick_person(case, person, actor=actor)
    else:
        casework.record_no_match(case, reason="Không có trong cơ sở dữ liệu", actor=actor)
    case_services.transition(case, "start_drafting", actor=actor)
    return case


def awaiting_signature(**overrides):
    """A case sent for signature by its processing officer."""
    officer = processing_officer()
    case = drafting_case(officer=officer, **overrides)
    case_services.transition(case, "submit_for_signature", actor=Actor(user=officer, ip="127.0.0.1"))
    return case
