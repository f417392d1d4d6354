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


# --- delivery: issued cases with what they ask to be returned ---------------------------------------------


def create_issued_case(
    delivery_method="counter", *, channel=Channel.COUNTER, postal_address=None, **overrides
):
    """An issued case whose paper goes by `delivery_method`, with a declaration carrying `postal_address`."""
    from lltp.cases.models import DeliveryMethod
    from lltp.intake.models import Declaration

    case = create_case(
        CaseStage.ISSUED, channel=channel, delivery_method=DeliveryMethod(delivery_method), **overrides
    )
    if postal_address is not None:
        _db.session.add(Declaration(case=case, postal_address=postal_address))
        _db.session.flush()
    return case


# --- API clients with a callback URL, and their cases (callbacks, the API's certificate) -----------------


def create_callback_client(callback_url, *, kind="vneid", name=None):
    """A client that submits requests and hears of them at `callback_url`: (client, token, secret)."""
    return account_services.create_api_client(
        name or f"{kind}-cb-{uuid.uuid4().hex[:8]}", kind=kind, actor=SYSTEM, callback_url=callback_url
    )


def create_api_case(client, **request_overrides):
    """A case received from `client` through the intake service, from the contract's example request (a
    fresh external_id unless given)."""
    import json
    from pathlib import Path

    from lltp.intake.services import body_hash, receive_request
    from lltp.intake.validation import validate_request

    body = json.loads((Path(__file__).parent / "integrations" / "contract_request.json").read_text())
    body |= {"external_id": f"EXT-{uuid.uuid4().hex[:12]}", **request_overrides}
    clean = validate_request(body, channel=client.kind, today=clock.today(), date_style="iso")
    actor = Actor.system(f"api:{client.name}")
    return receive_request(
        clean,
        channel=client.kind,
        actor=actor,
        at=clock.now(),
        api_client=client,
        request_hash=body_hash(body),
    )


def issue_case(case):
    """Take `case` on through the workflow to signature, and have a signing approver approve it: the real
    numbered, signed certificate."""
    from lltp.issuance import services as issuance_services
    from tests.issuance.approvals import signing_approver

    actor = Actor(user=officer(), ip="127.0.0.1")
    actions = path_to(CaseStage.AWAITING_SIGNATURE)
    for action in actions[len(path_to(case.stage)) :]:
        case_services.transition(case, action, actor=actor, note="Ghi chú thử")
    return issuance_services.approve(case, actor=Actor(user=signing_approver(), ip="127.0.0.1"))
