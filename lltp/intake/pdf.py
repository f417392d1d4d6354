"""The one-stop papers as PDFs (Thông tư 01/2018/TT-VPCP, mẫu 01–04): the receipt with the appointment
date, the request to complete the dossier, the refusal and the apology with a new date.

A paper prints from what it froze when it was issued (`OneStopPaper.content`) and from the case's stored
identity, so printing it again gives the same text. The attachments and payments it lists are those on
record before the case's next event: a scan attached in the same visit, just after the receipt was issued,
is on it, one brought in with a completed dossier is on the next receipt only. Its wording is fixed by
law: it is Vietnamese whatever the interface's locale.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from lltp.cases.models import CaseEvent, Channel, DeliveryMethod
from lltp.cases.workflow import LEGAL_REFUSAL_GROUNDS, REFUSAL_GROUNDS, REFUSAL_LEGAL_BASIS
from lltp.core import clock
from lltp.core.pdf import render_pdf
from lltp.extensions import db
from lltp.intake.forms import (
    ATTACHMENT_KIND_LABELS,
    CERTIFICATE_TYPE_CHOICES,
    DELIVERY_CHOICES,
    PAYMENT_METHOD_LABELS,
)
from lltp.intake.models import Attachment, OneStopPaper, PaperKind, Payment

TEMPLATES = {
    PaperKind.RECEIPT: "intake/papers/receipt.html",
    PaperKind.COMPLETION_REQUEST: "intake/papers/completion_request.html",
    PaperKind.REFUSAL: "intake/papers/refusal.html",
    PaperKind.APOLOGY: "intake/papers/apology.html",
}
# The receipt is signed by the officer at the desk (mẫu 01); the others in the authority's name.
RECEIPT_SIGNER_TITLE = "Cán bộ tiếp nhận"
DECLARATION_LABEL = "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"


def render_paper(paper: OneStopPaper, case) -> bytes:
    """The PDF of a one-stop paper, from its frozen content and the case's stored identity."""
    with force_locale("vi"):
        return render_pdf(TEMPLATES[paper.kind], **paper_context(paper, case))


def authority():
    """The issuing authority as the papers' header and date line name it, from configuration."""
    config = current_app.config
    address = config["LLTP_AUTHORITY_ADDRESS"]
    return {
        "name": config["LLTP_AUTHORITY_NAME"],
        "parent": config["LLTP_AUTHORITY_PARENT"],
        "address": address,
        "place": place_of(address),
    }


def place_of(address):
    """The place a paper is dated at: the province, the last comma-separated part of the address."""
    return address.rsplit(",", 1)[-1].strip()


def paper_context(paper, case):
    """What every paper's template is given: the header, the applicant, the signer, and the kind's own
    fields."""
    declaration = case.declaration
    signature = _signature(paper, case)
    context = {
        "authority": authority(),
        "number": paper.number,
        "issued_on": clock.local_date(paper.issued_at),
        "signer_title": " ".join(signature["title_lines"]),
        "signer_name": signature["name"],
        "signature": signature,
        "case": case,
        "procedure": f"Cấp {dict(CERTIFICATE_TYPE_CHOICES)[case.certificate_type]}",
        "applicant_address": declaration.permanent_address or declaration.temporary_address,
        "requester": declaration.requester,
        "received_on": case.received_at and clock.local_date(case.received_at),
    }
    context.update(_KIND_CONTEXT[paper.kind](paper, case))
    return context


def _signature(paper, case):
    """Who signs: the officer who issued the paper. The receipt is signed at the desk, beside whoever
    handed the dossier in at the counter; the others in the authority's name, with "Nơi nhận" beside."""
    name = (paper.issued_by.full_name if paper.issued_by else None) or paper.issued_by_label
    if paper.kind == PaperKind.RECEIPT:
        requester = case.declaration.requester
        submitter = requester["full_name"] if requester else case.applicant_full_name
        return {
            "title_lines": [RECEIPT_SIGNER_TITLE],
            "name": name,
            "hint": True,
            "submitter": submitter if case.channel == Channel.COUNTER else None,
        }
    return {
        "title_lines": current_app.config["LLTP_AUTHORITY_SIGNER_TITLE"].splitlines(),
        "name": name,
        "recipients": [f"Ông/Bà {case.applicant_full_name}", f"Lưu: hồ sơ {case.code}"],
    }


def _receipt(paper, case):
    content = paper.content
    appointment_at = _moment(content.get("appointment_at"))
    return {
        "documents": _documents_received(paper, case),
        "fee_amount": case.declaration.fee_amount,
        "payments": [
            {
                "method": PAYMENT_METHOD_LABELS[p.method],
                "amount": p.amount,
                "reference": _payment_reference(p),
            }
            for p in _on_record(Payment, Payment.recorded_at, paper, case)
        ],
        "received_at": moment_text(_moment(content.get("received_at"))),
        "appointment": moment_text(appointment_at) if appointment_at else _day(content["appointment_date"]),
        "delivery": _delivery(case),
    }


def _completion_request(paper, _case):
    return {"reason": paper.content.get("reason"), "missing": paper.content.get("missing") or []}


def _refusal(paper, _case):
    ground = paper.content.get("ground")
    return {
        "reason": paper.content.get("reason"),
        # The paper prints the law's wording of the ground, in Vietnamese whatever the officer's locale.
        "ground": str(REFUSAL_GROUNDS[ground]) if ground in LEGAL_REFUSAL_GROUNDS else None,
        "legal_basis": REFUSAL_LEGAL_BASIS,
    }


def _apology(paper, _case):
    content = paper.content
    return {
        "reason": (content.get("reason") or "").strip().rstrip("."),
        "previous_date": _day(content.get("previous_date")),
        "new_date": _day(content.get("new_date")),
    }


_KIND_CONTEXT = {
    PaperKind.RECEIPT: _receipt,
    PaperKind.COMPLETION_REQUEST: _completion_request,
    PaperKind.REFUSAL: _refusal,
    PaperKind.APOLOGY: _apology,
}


def _on_record(model, recorded_at, paper, case):
    """The case's rows of `model` recorded before the case's next event after the paper, oldest first."""
    next_event_at = db.session.scalar(
        sa.select(sa.func.min(CaseEvent.at)).where(
            CaseEvent.case_id == case.id, CaseEvent.at > paper.issued_at
        )
    )
    query = sa.select(model).where(model.case_id == case.id).order_by(recorded_at, model.id)
    if next_event_at is not None:
        query = query.where(recorded_at < next_event_at)
    return db.session.scalars(query).all()


def _documents_received(paper, case):
    """The tờ khai, then each kind of scan on record, in the order they came in."""
    labels = ATTACHMENT_KIND_LABELS
    kinds = dict.fromkeys(a.kind for a in _on_record(Attachment, Attachment.uploaded_at, paper, case))
    return [DECLARATION_LABEL, *(labels[kind] for kind in kinds)]


def _payment_reference(payment):
    if payment.receipt_number:
        return f"biên lai số {payment.receipt_number}"
    return f"mã giao dịch {payment.reference}" if payment.reference else None


def _delivery(case):
    label = str(dict(DELIVERY_CHOICES)[case.delivery_method])
    if case.delivery_method == DeliveryMethod.POST and case.declaration.postal_address:
        return f"{label}, địa chỉ: {case.declaration.postal_address}"
    if case.delivery_method == DeliveryMethod.COUNTER:
        return f"{label}, địa chỉ: {authority()['address']}"
    return label


def _day(value):
    return None if value is None else date.fromisoformat(value).strftime("%d/%m/%Y")


def _moment(value):
    return None if value is None else datetime.fromisoformat(value)


def moment_text(moment):
    """A moment in local time as the one-stop forms write it: "09 giờ 15 ngày 21/11/2026"."""
    if moment is None:
        return None
    local = clock.to_local(moment)
    return f"{local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}"
