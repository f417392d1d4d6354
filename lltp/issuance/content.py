"""What a certificate says, as plain JSON data: the snapshot a draft holds, the approver signs and the
certificate keeps frozen, and from which every rendering (the PDF, each paper copy) is made.

The identity block is the applicant's, as the tờ khai gives it (Phiếu số 2 adds father, mother and
spouse: domain §2); the conviction status, the convictions shown and the bans come from the record
database's content for the person matched to the case (records.content), or "không có án tích" when the
officer found the applicant is nobody in it. Dates are ISO strings; every text is NFC.
"""

from dataclasses import asdict

from lltp.core import clock
from lltp.core.text import nfc
from lltp.records import casework
from lltp.records.content import NATIONALITIES, SEX_LABELS

# Bumped whenever the PDF template's wording or layout changes: a certificate names the one it was made with.
TEMPLATE_VERSION = "2026.1"
# Which items of the snapshot the processing officer may change before signing, with a reason (domain §2:
# what the law leaves to the officer: how the identity is written from the papers, and the note).
EDITABLE_FIELDS = (
    "person.full_name",
    "person.other_names",
    "person.place_of_birth",
    "person.residence",
    "person.id_number",
    "person.father_name",
    "person.mother_name",
    "person.spouse_name",
    "note",
)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _plain(value):
    """Dataclass fields as JSON: dates as ISO strings, tuples as lists, text NFC."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return nfc(value)
    return _iso(value)


def applicant_block(case, *, full):
    """The identity block from the case and its tờ khai; Phiếu số 2 adds the parents and spouse."""
    declaration = case.declaration
    periods = declaration.residence_history if declaration is not None else []
    residence = (
        (declaration.permanent_address or (periods[-1].address if periods else None))
        if declaration is not None
        else None
    )
    block = {
        "full_name": case.applicant_full_name,
        "other_names": list(declaration.other_names or []) if declaration is not None else [],
        "sex": SEX_LABELS.get(str(case.applicant_sex)),
        "date_of_birth": case.applicant_date_of_birth.isoformat(),
        "place_of_birth": declaration.place_of_birth if declaration is not None else None,
        "nationality": NATIONALITIES.get(declaration.nationality, declaration.nationality)
        if declaration is not None
        else "Việt Nam",
        "residence": residence,
        "id_number": case.applicant_id_number,
    }
    if full:
        family = {key: getattr(declaration, key, None) or {} for key in ("father", "mother", "spouse")}
        block |= {f"{key}_name": value.get("full_name") for key, value in family.items()}
    return _plain(block)


def compose(case, *, as_of=None):
    """The snapshot of what the certificate for `case` says on `as_of` (today by default)."""
    as_of = as_of or clock.today()
    full = case.certificate_type == 2
    composed = casework.case_content(case, as_of=as_of)
    convictions = [
        {key: value for key, value in asdict(c).items() if key not in ("explanation",)}
        for c in (composed.convictions if composed is not None else ())
    ]
    return {
        "certificate_type": case.certificate_type,
        "as_of": as_of.isoformat(),
        "case_code": case.code,
        "purpose": case.purpose,
        "person": applicant_block(case, full=full),
        "conviction_status": composed.conviction_status if composed is not None else "none",
        "convictions": _plain(convictions),
        # Phiếu số 2 always prints the ban section; Phiếu số 1 when the requester asked for it.
        "ban_section": full or case.include_ban_section,
        "bans": _plain([asdict(b) for b in composed.bans]) if composed is not None else [],
        "note": None,
    }
