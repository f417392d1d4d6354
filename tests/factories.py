"""Factories: `create_<thing>(**overrides)` builds valid objects through the real services."""

import uuid
from datetime import date, datetime

import pyotp
import sqlalchemy as sa

from lltp.accounts import services as account_services
from lltp.accounts.models import Role, Unit, UnitKind
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage, Channel, Sex
from lltp.cases.workflow import path_to
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.extensions import db as _db

PASSWORD = "Mat-khau-thu-2026"

SYSTEM = Actor.system("test")


def create_unit(kind=UnitKind.ISSUING_AUTHORITY, **overrides):
    kind = UnitKind(kind)
    agency = account_services.get_or_create_agency(overrides.pop("agency_name", f"Cơ quan {kind.value}"))
    fields = {"name": f"Đơn vị {kind.value} {uuid.uuid4().hex[:6]}", "admin_unit_code": None}
    if kind is UnitKind.COMMUNE_COMMITTEE:
        fields["admin_unit_code"] = f"{uuid.uuid4().int % 100000:05d}"
    fields.update(overrides)
    return account_services.create_unit(agency=agency, kind=kind, actor=SYSTEM, **fields)


def authority_unit():
    unit = _db.session.scalar(
        sa.select(Unit).where(
            Unit.kind == UnitKind.ISSUING_AUTHORITY, Unit.name == "Phòng Lý lịch tư pháp (test)"
        )
    )
    return unit or create_unit(name="Phòng Lý lịch tư pháp (test)")


def create_user(roles=(Role.PROCESSING_OFFICER,), unit=None, *, two_factor=None, **overrides):
    """A user with `roles`. Approvers and administrators get an enrolled second factor unless told not to."""
    unit = unit or authority_unit()
    fields = {
        "username": f"user{uuid.uuid4().hex[:10]}",
        "full_name": "Cán Bộ Thử",
        "password": PASSWORD,
    }
    fields.update(overrides)
    user = account_services.create_user(unit=unit, roles=[Role(r) for r in roles], actor=SYSTEM, **fields)
    if two_factor is None:
        two_factor = user.needs_two_factor
    if two_factor:
        user.totp_secret = pyotp.random_base32()
        user.totp_enrolled_at = clock.now()
    _db.session.flush()
    return user


def officer():
    """One officer who may take every officer action of the workflow table."""
    return create_user(
        roles=(Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER, Role.APPROVER, Role.RETURNING_OFFICER),
        full_name="Cán Bộ Đa Năng",
    )


def outsider(kind):
    """Someone who is not the issuing authority's administrator: every other authority role ("authority-
    staff"), or a police verifier and supervisor ("police")."""
    if kind == "police":
        return create_user(
            roles=(Role.VERIFIER, Role.UNIT_SUPERVISOR), unit=create_unit(UnitKind.PROVINCIAL_POLICE)
        )
    return create_user(roles=[role for role in Role if role not in (Role.ADMINISTRATOR, Role.VERIFIER)])


def case_fields(**overrides):
    fields = {
        "applicant_full_name": "NGUYỄN VĂN AN",
        "applicant_date_of_birth": date(1990, 5, 17),
        "applicant_sex": Sex.MALE,
        "applicant_id_number": "079090001234",
        "applicant_phone": "0912345678",
        "applicant_email": "an.nguyen@example.vn",
        "certificate_type": 1,
        "copies": 1,
    }
    fields.update(overrides)
    return fields


def create_case(stage=CaseStage.RECEIVED, *, channel=Channel.COUNTER, at=None, actor=None, **overrides):
    """A case taken to `stage` through the real workflow, every event at `at` (default: now)."""
    actor = actor or Actor(user=officer(), ip="127.0.0.1")
    at = at or clock.now()
    actions = path_to(CaseStage(stage))
    case = case_services.open_case(
        case_fields(**overrides), channel=channel, actor=actor, awaiting_payment=actions[0] == "submit", at=at
    )
    for action in actions[1:]:
        case_services.transition(case, action, actor=actor, note="Ghi chú thử", at=at)
    _db.session.flush()
    return case


def local_datetime(*args):
    """A moment given in Vietnam's local time, as the aware UTC datetime the models store."""
    return datetime(*args, tzinfo=clock.local_tz())
