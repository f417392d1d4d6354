"""The public check of a certificate: whether a number, its QR code and the identity typed by the person
checking belong together, and if so only what the law lets a stranger learn (domain §10).

The answer must not tell which field was wrong, nor, by how long it takes, whether the number exists:
every call reads one row, compares every field, and checks the HMAC code, found or not.
"""

import hmac
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from lltp.core.text import nfc
from lltp.extensions import db
from lltp.issuance.codes import code_matches
from lltp.issuance.models import Certificate, CertificateStatus
from lltp.records.content import SEX_LABELS

# What a number that does not exist is compared against, so the work done is the same.
_ABSENT = {
    "case_code": "\x00",
    "person": {"full_name": "\x00", "date_of_birth": "\x00", "sex": "\x00", "id_number": "\x00"},
}


@dataclass(frozen=True)
class CheckResult:
    """All the check page may say about a genuine certificate."""

    type: int
    number: str
    issued_on: date
    issuer: str
    status: CertificateStatus
    replacement_number: str | None


def _same(expected, given):
    """Constant-time equality of two texts; an empty expected value matches nothing."""
    equal = hmac.compare_digest(str(expected or "").encode(), str(given or "").encode())
    return equal and bool(expected)


def _name_key(name):
    """A name as compared: NFC, case folded, single spaces. Diacritics stay: "Lê" is not "Le"."""
    return " ".join(nfc(name or "").casefold().split())


def check_certificate(number, code, *, case_code, full_name, date_of_birth, sex, id_number):
    """The certificate numbered `number` when `code` and every identity field match what it says; None
    otherwise, whatever was wrong."""
    number = (number or "").strip().upper()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.number == number))
    content = certificate.content if certificate is not None else _ABSENT
    person = content.get("person") or {}
    # Every comparison runs (a list, not a short-circuiting `and`), found or not.
    answers = [
        code_matches(number, code),
        _same(content.get("case_code"), (case_code or "").strip()),
        _same(_name_key(person.get("full_name")), _name_key(full_name)),
        _same(person.get("date_of_birth"), date_of_birth.isoformat() if date_of_birth else None),
        _same(person.get("sex"), SEX_LABELS.get(str(sex or ""))),
        _same(person.get("id_number"), (id_number or "").strip()),
    ]
    if certificate is None or not all(answers):
        return None
    replacement = certificate.replaced_by
    return CheckResult(
        type=certificate.certificate_type,
        number=certificate.number,
        issued_on=certificate.issued_on,
        issuer=current_app.config["LLTP_AUTHORITY_NAME"],
        status=certificate.status,
        replacement_number=replacement.number if replacement is not None else None,
    )
