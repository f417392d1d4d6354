"""The one validator of a request (tờ khai), whatever channel it came by.

`validate_request` takes the contract's request document (contracts/intake-api.md), plus the `postal` and
`agency` blocks that officers type in, and returns it cleaned: real dates and numbers, NFC text, upper-case
names. Otherwise it raises `ValidationFailed` with every problem at once, keyed by the dotted path of the
field, each message in Vietnamese and naming its field. It reads no database and no Flask request, so the
web forms, the API and the CLI share it.

A package since it passed 600 lines (design §1); callers import from here, as before:
- `labels`: the Vietnamese label of each field, by its dotted path;
- `checks`: the primitive field parsers (`_Checks`) and the general limits;
- `applicant`: the applicant's identity, contact, relatives, identity documents and residence history;
- `request`: the request as a whole, the requester, fee, delivery, and the postal and agency blocks.
"""

from lltp.cases.models import Channel
from lltp.core.errors import ValidationFailed
from lltp.intake.validation.applicant import (
    EARLIEST_BIRTH,
    EARLIEST_PARENT_BIRTH_YEAR,
    HISTORY_FROM_AGE,
    MAX_GAP_DAYS,
    RELATIVES,
    _clean_applicant,
)
from lltp.intake.validation.checks import ADDRESS_LENGTH, NAME_LENGTH, TEXT_LENGTH, _Checks
from lltp.intake.validation.labels import FIELD_LABELS, field_label
from lltp.intake.validation.request import (
    ADULT_AGE,
    EXTERNAL_ID_LENGTH,
    MAX_COPIES,
    NOTIFIED_BY,
    RELATIONSHIPS,
    REQUESTER_KINDS,
    _clean_agency,
    _clean_delivery,
    _clean_fee,
    _clean_postal,
    _clean_request,
    _clean_requester,
)

__all__ = [
    "ADDRESS_LENGTH",
    "ADULT_AGE",
    "DATE_STYLES",
    "EARLIEST_BIRTH",
    "EARLIEST_PARENT_BIRTH_YEAR",
    "EXTERNAL_ID_LENGTH",
    "FIELD_LABELS",
    "HISTORY_FROM_AGE",
    "MAX_COPIES",
    "MAX_GAP_DAYS",
    "NAME_LENGTH",
    "NOTIFIED_BY",
    "RELATIONSHIPS",
    "RELATIVES",
    "REQUESTER_KINDS",
    "TEXT_LENGTH",
    "field_label",
    "validate_request",
]

DATE_STYLES = ("iso", "vn")


def validate_request(document, *, channel, today, date_style="iso"):
    """Check a request from any channel; return it cleaned, or raise ValidationFailed with every error."""
    channel = Channel(channel)
    if date_style not in DATE_STYLES:
        raise ValueError(f"date_style must be one of {DATE_STYLES}, not {date_style!r}")
    checks = _Checks(channel=channel, today=today, lenient=date_style == "vn")
    document = checks.block("", document) or {}

    cleaned = _clean_request(checks, document)
    cleaned["applicant"] = _clean_applicant(checks, checks.block("applicant", document.get("applicant")))
    cleaned["requester"] = _clean_requester(checks, document.get("requester"), cleaned)
    cleaned["fee"] = _clean_fee(checks, checks.block("fee", document.get("fee")))
    cleaned["delivery"] = _clean_delivery(checks, checks.block("delivery", document.get("delivery")))
    cleaned["postal"] = _clean_postal(checks, document.get("postal"), cleaned["certificate_type"])
    cleaned["agency"] = _clean_agency(checks, document.get("agency"), cleaned["certificate_type"])

    if checks.errors:
        raise ValidationFailed(checks.errors)
    return cleaned
