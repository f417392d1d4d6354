"""Certificate rows built directly, as an approval leaves them (number, check code, frozen content), for the
tests of what comes after issue: the public check and the correction decisions."""

import itertools

from flask import current_app

from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.extensions import db
from lltp.issuance import codes
from lltp.issuance.content import TEMPLATE_VERSION, compose
from lltp.issuance.models import Certificate
from tests.factories import create_case
from tests.issuance.approvals import awaiting_signature

_serials = itertools.count(1)


def create_certificate(case=None, *, replaces=None, **case_overrides):
    """A valid certificate for `case` (a new case awaiting signature by default), numbered HCM/<year>/..."""
    case = case or create_case(CaseStage.AWAITING_SIGNATURE, **case_overrides)
    today = clock.today()
    serial = next(_serials)
    code = current_app.config["LLTP_AUTHORITY_CODE"]
    number = f"{code}/{today.year}/{serial:06d}"
    certificate = Certificate(
        case_id=case.id,
        number=number,
        authority_code=code,
        year=today.year,
        serial=serial,
        certificate_type=case.certificate_type,
        content=compose(case),
        template_version=TEMPLATE_VERSION,
        issued_on=today,
        signer_name="Trần Văn Ký",
        signer_title="Phó Giám đốc",
        check_code=codes.check_code(number),
        replaces_id=replaces.id if replaces is not None else None,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def convicted_case(certificate_type=2):
    """A case awaiting signature whose applicant the record database knows with one conviction."""
    return awaiting_signature(convicted=True, certificate_type=certificate_type)


def check_answers(certificate, **changes):
    """What a person holding `certificate` (of the default case) types in on /kiem-tra, with `changes`."""
    fields = {
        "so": certificate.number,
        "ma": certificate.check_code,
        "case_code": certificate.content["case_code"],
        "full_name": "NGUYỄN VĂN AN",
        "date_of_birth": "17/05/1990",
        "sex": "male",
        "id_number": "079090001234",
    }
    return fields | changes
