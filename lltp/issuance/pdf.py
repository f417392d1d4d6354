"""The certificate as a PDF, laid out like the official Phiếu lý lịch tư pháp số 1 and số 2, from the
snapshot it froze at issue (issuance.content) and its own number, date and signer: printing it again, or a
paper copy of it, gives the same text. The QR code leads to the public check with the number and the
check code. The wording is fixed by law: it is Vietnamese whatever the interface's locale.
"""

from datetime import date
from urllib.parse import urlencode

import segno
from flask import current_app
from flask_babel import force_locale

from lltp.core import clock
from lltp.core.pdf import render_pdf
from lltp.core.text import format_date
from lltp.intake.pdf import authority
from lltp.records.content import BAN_SECTION, STATUS_LABELS

TEMPLATE = "issuance/pdf/certificate.html"
CHECK_PATH = "/kiem-tra"
QR_MASK = 4
# The legal bases every certificate names, before the tờ khai it answers.
LEGAL_BASES = (
    "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009",
    "Căn cứ Nghị định số 111/2010/NĐ-CP ngày 23 tháng 11 năm 2010 của Chính phủ quy định chi tiết và "
    "hướng dẫn thi hành một số điều của Luật Lý lịch tư pháp",
)


def render_certificate(certificate, *, copy_number=None) -> bytes:
    """The PDF of `certificate`; with `copy_number`, the paper copy "bản số k/n" of its copies."""
    with force_locale("vi"):
        return render_pdf(TEMPLATE, **certificate_context(certificate, copy_number=copy_number))


def check_url(certificate):
    """The public check address the QR code carries: the number and its short HMAC code."""
    base = current_app.config["LLTP_PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{CHECK_PATH}?{urlencode({'so': certificate.number, 'ma': certificate.check_code})}"


def qr_data_uri(url):
    """The QR code of `url` as a PNG data URI: xhtml2pdf draws it without fetching anything."""
    # A fixed mask: choosing the best of the eight took about 12 ms, a fifth of the whole rendering, and
    # any mask reads the same in a scanner at this size and error correction.
    return segno.make(url, error="m", mask=QR_MASK, micro=False).png_data_uri(scale=3, border=2)


def certificate_context(certificate, *, copy_number=None):
    """What the template is given: the header, the snapshot made printable, the signer and the QR code."""
    content = certificate.content
    url = check_url(certificate)
    return {
        "authority": authority(),
        "number": certificate.number,
        "issued_on": certificate.issued_on,
        "signer_title_lines": certificate.signer_title.splitlines(),
        "signer_name": certificate.signer_name,
        "certificate_type": content["certificate_type"],
        "legal_bases": LEGAL_BASES,
        "declared_on": _declared_on(certificate),
        "items": identity_items(content),
        "status": STATUS_LABELS[content["conviction_status"]],
        "convictions": [
            _conviction(c, full=content["certificate_type"] == 2) for c in content["convictions"]
        ],
        "ban_section": content["ban_section"],
        "ban_section_title": f"Thông tin về việc {BAN_SECTION}",
        "no_ban": f"Không bị {BAN_SECTION}.",
        "bans": [_ban(b) for b in content["bans"]],
        "purpose": content.get("purpose"),
        "note": content.get("note"),
        "case_code": content["case_code"],
        "copy_label": f"Bản số {copy_number}/{certificate.copies}" if copy_number is not None else None,
        "check_url": url,
        "qr": qr_data_uri(url),
    }


def _declared_on(certificate):
    """The day of the tờ khai the certificate answers: the day the case was received."""
    received_at = certificate.case.received_at
    return format_date(clock.local_date(received_at)) if received_at else None


def identity_items(content):
    """The numbered identity items of the form; Phiếu số 2 adds father, mother and spouse (domain §2)."""
    person = content["person"]
    items = [
        ("Họ và tên", person["full_name"]),
        ("Tên gọi khác", ", ".join(person.get("other_names") or []) or "Không"),
        ("Giới tính", person.get("sex")),
        ("Ngày, tháng, năm sinh", _day(person.get("date_of_birth"))),
        ("Nơi sinh", person.get("place_of_birth")),
        ("Quốc tịch", person.get("nationality")),
        ("Nơi cư trú", person.get("residence")),
        ("Số định danh cá nhân/CCCD/Hộ chiếu", person.get("id_number")),
    ]
    if content["certificate_type"] == 2:
        items += [
            ("Họ và tên cha", person.get("father_name")),
            ("Họ và tên mẹ", person.get("mother_name")),
            ("Họ và tên vợ/chồng", person.get("spouse_name")),
        ]
    return [(label, value or "") for label, value in items]


def _conviction(conviction, *, full):
    """One conviction block: Phiếu số 1 prints the offence and penalties; Phiếu số 2 everything, the
    expungement date included."""
    block = {
        "offences": conviction["offences"],
        "principal_penalty": conviction["principal_penalty"],
        "additional_penalties": conviction["additional_penalties"],
    }
    if not full:
        return block
    return block | {
        "judgment": (
            f"Bản án số {conviction['judgment_number']} ngày {_day(conviction['judgment_date'])} "
            f"của {conviction['court']}"
        ),
        "civil_obligations": conviction.get("civil_obligations") or [],
        "court_fee": conviction.get("court_fee"),
        "enforcement": conviction.get("enforcement") or [],
        "expunged_on": _day(conviction.get("expunged_on")),
        "note": f"Không bị coi là có án tích ({conviction['basis']})"
        if conviction.get("never_a_record")
        else None,
    }


def _ban(ban):
    period = f"từ ngày {_day(ban['starts_on'])}"
    if ban.get("ends_on"):
        period += f" đến ngày {_day(ban['ends_on'])}"
    decision = f"Quyết định số {ban['decision_number']} ngày {_day(ban['decided_on'])} của {ban['court']}"
    return {"post": ban["post"], "period": period, "decision": decision}


def _day(value):
    return None if value is None else format_date(date.fromisoformat(value))
