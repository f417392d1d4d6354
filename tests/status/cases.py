"""What the status and follow-up tests share: a case's lookup answers, an issued case with its signed PDF,
and the one-time code read back from the message that carried it."""

import re

import sqlalchemy as sa

from lltp.cases.models import CaseStage
from lltp.core.outbox import OutboxMessage
from lltp.extensions import db
from tests.factories import create_case
from tests.issuance.certificate_rows import create_certificate

FAKE_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_FOUND = "Không tìm thấy hồ sơ khớp"


def page_text(response):
    """The body without what differs on every response anyway (the CSP nonce, the CSRF token)."""
    body = response.get_data(as_text=True)
    body = re.sub(r'nonce="[^"]*"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrf_token" value="[^"]*"', "", body)


def lookup(case, **changes):
    """What the applicant types on /tra-cuu: the code and the date of birth, with `changes`."""
    return {"case_code": case.code, "fact": case.applicant_date_of_birth.strftime("%d/%m/%Y"), **changes}


def issued_case(certificate_type=1, **overrides):
    """A case whose certificate is signed: the case at `issued`, the certificate with its PDF."""
    case = create_case(CaseStage.ISSUED, certificate_type=certificate_type, **overrides)
    certificate = create_certificate(case)
    certificate.pdf = FAKE_PDF
    db.session.flush()
    return case, certificate


def facts(case, purpose, **changes):
    """The follow-up's first step for `case`: the code, the date of birth, the full ID number."""
    return {
        "purpose": purpose,
        "case_code": case.code,
        "date_of_birth": case.applicant_date_of_birth.strftime("%d/%m/%Y"),
        "id_number": case.applicant_id_number,
        **changes,
    }


def sent_code(case):
    """The one-time code in the latest SMS sent about `case`."""
    message = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.topic == "notify.one_time_code", OutboxMessage.channel == "sms")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None and case.code in message.body
    # Not the date inside the case code (HCM-261201-0001): the six digits that stand alone.
    return re.search(r"(?<![-0-9])([0-9]{6})(?![-0-9])", message.body).group(1)


def token_of(response):
    return re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True)).group(1)
