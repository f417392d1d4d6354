"""Cases sent for verification as a processing officer sends them: received through intake (with the
tờ khai's residence), matched against the record database, then routed."""

from lltp.accounts.models import Role, UnitKind
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor
from lltp.records import casework
from tests.factories import create_unit, create_user
from tests.records.factories import create_person

APPLICANT = {"full_name": "NGUYỄN VĂN AN", "sex": "male"}
RESIDENCE_COMMUNE = "Ủy ban nhân dân phường Bến Thành"  # the tờ khai's current address is in Bến Thành
COURT = "Tòa án nhân dân Quận 1, TP Hồ Chí Minh"  # the records factories' default court


def processing_actor():
    return Actor(user=create_user(roles=(Role.PROCESSING_OFFICER,)), ip="127.0.0.1")


def verifier_actor(unit, *roles):
    return Actor(user=create_user(roles=roles or (Role.VERIFIER,), unit=unit), ip="127.0.0.1")


def verifying_units():
    """A unit of every kind the default rules route to; the court and commune named as the data names them."""
    return {
        "police": create_unit(UnitKind.PROVINCIAL_POLICE),
        "court": create_unit(UnitKind.COURT, name=COURT),
        "other_court": create_unit(UnitKind.COURT, name="Tòa án nhân dân Quận 3, TP Hồ Chí Minh"),
        "procuracy": create_unit(UnitKind.PROCURACY),
        "enforcement": create_unit(UnitKind.JUDGMENT_ENFORCEMENT),
        "commune": create_unit(UnitKind.COMMUNE_COMMITTEE, name=RESIDENCE_COMMUNE),
        "other_commune": create_unit(UnitKind.COMMUNE_COMMITTEE, name="Ủy ban nhân dân phường Sài Gòn"),
        "register": create_unit(UnitKind.POPULATION_REGISTER),
    }


def applicant_person(case, **overrides):
    """The applicant as the record database knows them (same name, sex and date of birth)."""
    fields = {**APPLICANT, "date_of_birth": case.applicant_date_of_birth.isoformat(), "id_numbers": []}
    return create_person(**{**fields, **overrides})


def send_for_verification(case, person=None, *, actor=None):
    """Review the case, match it to `person` (or to nobody), and send it for verification."""
    actor = actor or processing_actor()
    case_services.transition(case, "start_review", actor=actor)
    if person is None:
        casework.record_no_match(case, reason="Không có trong cơ sở dữ liệu", actor=actor)
    else:
        casework.pick_person(case, person, actor=actor)
    case_services.transition(case, "start_verification", actor=actor)
    assert case.stage is CaseStage.VERIFYING
    return case
