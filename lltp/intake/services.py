"""Changing intake: receiving a validated request on any channel, recording payments and fee proofs,
attachments, flags, and the one-stop papers that go with the case's transitions.

Every channel calls `receive_request()` with what `validation.validate_request()` returned, so equal data
gives equal cases. Services flush; the caller commits once.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from lltp.cases import services as case_services
from lltp.cases.deadlines import deadline_status
from lltp.cases.models import API_CHANNELS, CLOSED_STAGES, CaseStage, Channel
from lltp.core import audit, clock
from lltp.core.calendar import working_calendar
from lltp.core.errors import InvalidTransition, NotFound, ValidationFailed
from lltp.core.text import format_money, nfc
from lltp.core.uploads import store_upload
from lltp.extensions import db
from lltp.intake import fees, queries
from lltp.intake.models import (
    Attachment,
    CaseFlag,
    Declaration,
    FeeCategory,
    FlagKind,
    OneStopPaper,
    PaperKind,
    Payment,
    PaymentMethod,
    ResidencePeriod,
)
from lltp.records import casework

log = logging.getLogger(__name__)

# Requests pushed by the national and provincial systems (API_CHANNELS) arrive with payment and proofs
# already checked.
# Typed in by an officer, who has the papers (and the money) in hand.
OFFICER_CHANNELS = frozenset({Channel.COUNTER, Channel.POST, Channel.AGENCY})
# An urgent request by phone or fax: its paper must follow within this many working days (domain §4).
FOLLOW_UP_WORKING_DAYS = 2
PAPER_PREFIXES = {
    PaperKind.RECEIPT: "TN",
    PaperKind.COMPLETION_REQUEST: "BS",
    PaperKind.REFUSAL: "TC",
    PaperKind.APOLOGY: "XL",
}


@dataclass(frozen=True)
class PaymentInput:
    """A payment as an officer (or a national system) reports it."""

    method: PaymentMethod
    amount: int
    reference: str | None = None
    receipt_number: str | None = None
    paid_on: date | None = None


def body_hash(body):
    """A stable hash of a JSON request body, for the API's idempotency rule."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _case_fields(request):
    applicant = request["applicant"]
    agency = request.get("agency") or {}
    return {
        "applicant_full_name": applicant["full_name"],
        "applicant_date_of_birth": applicant["date_of_birth"],
        "applicant_sex": applicant["sex"],
        "applicant_id_number": applicant["id_document"]["number"],
        "applicant_phone": applicant.get("phone"),
        "applicant_email": applicant.get("email"),
        "certificate_type": request["certificate_type"],
        "include_ban_section": request["include_ban_section"],
        "purpose": request.get("purpose"),
        "copies": request["copies"],
        "delivery_method": request["delivery"]["method"],
        "is_urgent": bool(agency.get("is_urgent")),
    }


def _declaration(request, *, fee, api_client, request_hash):
    applicant = request["applicant"]
    document = applicant["id_document"]
    postal = request.get("postal") or {}
    agency = request.get("agency") or {}
    declaration = Declaration(
        other_names=list(applicant.get("other_names") or []),
        place_of_birth=applicant.get("place_of_birth"),
        nationality=applicant.get("nationality") or "VN",
        ethnicity=applicant.get("ethnicity"),
        id_document_type=document["type"],
        id_issued_on=document.get("issued_on"),
        id_issued_by=document.get("issued_by"),
        permanent_address=applicant.get("permanent_address"),
        temporary_address=applicant.get("temporary_address"),
        father=applicant.get("father"),
        mother=applicant.get("mother"),
        spouse=applicant.get("spouse"),
        requester=_json_ready(request.get("requester")),
        postal_address=request["delivery"].get("postal_address"),
        fee_category=fee.category,
        fee_amount=fee.amount,
        fee_breakdown=fee.as_dict(),
        postal_tracking_number=postal.get("tracking_number"),
        postal_arrived_on=postal.get("arrived_on"),
        certified_signature=bool(postal.get("certified_signature")),
        certified_signature_reference=postal.get("certified_signature_reference"),
        agency_name=agency.get("name"),
        agency_letter_number=agency.get("letter_number"),
        agency_letter_date=agency.get("letter_date"),
        agency_notified_by=agency.get("notified_by"),
        api_client_id=api_client.id if api_client is not None else None,
        external_id=request.get("external_id") if api_client is not None else None,
        body_hash=request_hash,
    )
    declaration.residence_history = [
        ResidencePeriod(
            position=position,
            from_date=period["from"],
            to_date=period.get("to"),
            address=period["address"],
            occupation=period.get("occupation"),
            workplace=period.get("workplace"),
        )
        for position, period in enumerate(applicant.get("residence_history") or [])
    ]
    return declaration


def _json_ready(value):
    """Dates inside a JSON column as ISO text."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def quote_fee(request, *, channel, day):
    """The fee that `request` owes if received via `channel` on `day`. Agencies' requests pay nothing.
    A schedule with no rate for that day refuses the request on its fee, on every channel."""
    category = FeeCategory.EXEMPT if Channel(channel) is Channel.AGENCY else request["fee"]["category"]
    try:
        return fees.fee_for(
            category=category,
            channel=channel,
            day=day,
            copies=request["copies"],
            authority_code=current_app.config["LLTP_AUTHORITY_CODE"],
        )
    except fees.NoFeeRule as missing:
        raise ValidationFailed(
            {
                "fee.category": _(
                    "Chưa có mức thu lệ phí áp dụng cho ngày hôm nay: đề nghị quản trị viên bổ sung."
                )
            }
        ) from missing


def _is_received_at_once(request, fee, *, channel, payment, fee_proof_checked):
    """Domain §7: a dossier is accepted only once it is complete and paid or exempt. The national systems
    check payment and proofs before they send (the contract); an officer checks them at the desk."""
    channel = Channel(channel)
    if channel is Channel.AGENCY:
        return True
    if channel in API_CHANNELS:
        return bool(request["fee"].get("paid")) or fee.category == FeeCategory.EXEMPT
    proof_ok = fee.category == FeeCategory.STANDARD or fee_proof_checked
    paid = fee.amount == 0 or (payment is not None and payment.amount >= fee.amount)
    return proof_ok and paid and channel in OFFICER_CHANNELS


def receive_request(
    request,
    *,
    channel,
    actor,
    at=None,
    api_client=None,
    request_hash=None,
    payment=None,
    fee_proof_checked=False,
):
    """Open a case from a validated request on any channel: its code, fee, declaration, payment, flags,
    and (when it is received at once) its due date and receipt. Returns the case."""
    at = at or clock.now()
    channel = Channel(channel)
    fee = quote_fee(request, channel=channel, day=clock.local_date(at))
    received = _is_received_at_once(
        request, fee, channel=channel, payment=payment, fee_proof_checked=fee_proof_checked
    )
    fields = _case_fields(request)
    # Looked up before the case exists, so it cannot find itself.
    duplicate = queries.open_case_for_id_number(fields["applicant_id_number"], fields["certificate_type"])
    case = case_services.open_case(fields, channel=channel, actor=actor, awaiting_payment=not received, at=at)
    declaration = _declaration(request, fee=fee, api_client=api_client, request_hash=request_hash)
    # By id, and then set as loaded: assigning the relationship would first load the new case's (empty)
    # declaration, and reading it later would load it again.
    declaration.case_id = case.id
    set_committed_value(case, "declaration", declaration)
    if fee_proof_checked and fee.category != FeeCategory.STANDARD:
        declaration.fee_proof_checked_at, declaration.fee_proof_checked_by_id = at, actor.user_id
    db.session.add(declaration)
    if channel in API_CHANNELS and request["fee"].get("paid"):
        payment = PaymentInput(
            PaymentMethod.NATIONAL_SYSTEM, fee.amount, reference=request["fee"].get("payment_reference")
        )
    if payment is not None:
        _add_payment(case, payment, actor=actor, at=at)
    _raise_intake_flags(case, declaration, duplicate, channel=channel, at=at)
    # No flush of its own: the case has its id already, and the commit (or the caller's next query)
    # writes the declaration and the rest in one go.
    audit.record(
        "intake.receive",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        details={"channel": str(channel), "fee": fee.as_dict(), "received": received},
    )
    return case


def _add_payment(case, payment, *, actor, at):
    row = Payment(
        case_id=case.id,
        method=payment.method,
        amount=payment.amount,
        reference=payment.reference,
        receipt_number=payment.receipt_number,
        paid_on=payment.paid_on or clock.local_date(at),
        recorded_at=at,
        recorded_by_id=actor.user_id,
        recorded_by_label=actor.label,
    )
    db.session.add(row)
    return row


def _raise_intake_flags(case, declaration, duplicate, *, channel, at):
    if duplicate is not None:
        _flag(case, FlagKind.POSSIBLE_DUPLICATE, at=at, related_case_id=duplicate.id)
    if channel in API_CHANNELS and declaration.fee_category != FeeCategory.STANDARD:
        _flag(case, FlagKind.FEE_CATEGORY_UNCONFIRMED, at=at, details={"category": declaration.fee_category})
    if channel is Channel.AGENCY and declaration.agency_notified_by in ("phone", "fax"):
        due = working_calendar().add_working_days(clock.local_date(at), FOLLOW_UP_WORKING_DAYS)
        declaration.follow_up_due_on = due
        _flag(case, FlagKind.FOLLOW_UP_PAPER_MISSING, at=at, details={"due_on": due.isoformat()})


def _flag(case, kind, *, at, related_case_id=None, details=None):
    db.session.add(
        CaseFlag(case_id=case.id, kind=kind, related_case_id=related_case_id, details=details, raised_at=at)
    )


def open_duplicate(case):
    """Another open request of the same certificate type for the same ID number, if there is one."""
    return queries.open_case_for_id_number(case.applicant_id_number, case.certificate_type, excluding=case)


def find_api_request(api_client, external_id):
    """The case a client already submitted under `external_id`, with its declaration, or None."""
    return db.session.scalar(
        sa.select(Declaration).where(
            Declaration.api_client_id == api_client.id, Declaration.external_id == external_id
        )
    )


def record_payment(case, payment, *, actor, fee_proof_checked=False, at=None):
    """Record the fee (and, for a reduced or exempt category, that its proof was checked); a case awaiting
    payment is then received, and its receipt with the appointment date is issued."""
    at = at or clock.now()
    declaration = case.declaration
    owed = amount_owed(case)
    errors = {}
    if payment is None and owed > 0:
        errors["payment.amount"] = _("Hồ sơ còn phải nộp %(amount)s.", amount=format_money(owed))
    if payment is not None and payment.amount < owed:
        errors["payment.amount"] = _("Số tiền chưa đủ: còn phải nộp %(amount)s.", amount=format_money(owed))
    if payment is not None and payment.method is PaymentMethod.CASH and not payment.receipt_number:
        errors["payment.receipt_number"] = _("Vui lòng nhập số biên lai thu phí.")
    if payment is not None and payment.method is PaymentMethod.BANK_TRANSFER and not payment.reference:
        errors["payment.reference"] = _("Vui lòng nhập mã giao dịch chuyển khoản.")
    if payment is not None and payment.paid_on is not None and payment.paid_on > clock.local_date(at):
        errors["payment.paid_on"] = _("Ngày nộp phí không được sau ngày hôm nay.")
    needs_proof = (
        declaration.fee_category != FeeCategory.STANDARD and declaration.fee_proof_checked_at is None
    )
    if needs_proof and not fee_proof_checked:
        errors["fee_proof_checked"] = _(
            "Phải kiểm tra giấy tờ chứng minh được miễn, giảm phí trước khi tiếp nhận."
        )
    if errors:
        raise ValidationFailed(errors)
    if case.stage is not CaseStage.AWAITING_PAYMENT:
        raise InvalidTransition(_("Hồ sơ %(code)s không ở bước chờ nộp phí.", code=case.code))
    if needs_proof:
        declaration.fee_proof_checked_at, declaration.fee_proof_checked_by_id = at, actor.user_id
    details = {}
    if payment is not None:
        row = _add_payment(case, payment, actor=actor, at=at)
        details = {"method": str(row.method), "amount": row.amount, "reference": row.reference}
    case_services.transition(case, "record_payment", actor=actor, at=at, data=details or None)
    return case


def payments_of(case):
    return db.session.scalars(sa.select(Payment).where(Payment.case_id == case.id).order_by(Payment.id)).all()


def amount_owed(case):
    """What is still to pay on `case`: its fee less the payments recorded (never below zero)."""
    return max(0, case.declaration.fee_amount - sum(p.amount for p in payments_of(case)))


def confirm_fee_category(case, *, actor):
    """An officer confirms the reduced or exempt category that a national system reported."""
    flag = _open_flag(case, FlagKind.FEE_CATEGORY_UNCONFIRMED)
    declaration = case.declaration
    declaration.fee_proof_checked_at, declaration.fee_proof_checked_by_id = clock.now(), actor.user_id
    resolve_flag(flag, actor=actor, note=_("Đã kiểm tra giấy tờ miễn, giảm phí."))


def record_follow_up_paper(case, *, letter_number, letter_date, actor):
    """The paper that follows an urgent agency request made by phone or fax has come in."""
    errors = {}
    if not (letter_number or "").strip():
        errors["agency.letter_number"] = _("Vui lòng nhập số công văn.")
    if letter_date is None:
        errors["agency.letter_date"] = _("Vui lòng nhập ngày công văn.")
    elif letter_date > clock.today():
        errors["agency.letter_date"] = _("Ngày công văn không được sau ngày hôm nay.")
    if errors:
        raise ValidationFailed(errors)
    flag = _open_flag(case, FlagKind.FOLLOW_UP_PAPER_MISSING)
    declaration = case.declaration
    declaration.agency_letter_number = letter_number.strip()
    declaration.agency_letter_date = letter_date
    declaration.follow_up_received_at = clock.now()
    resolve_flag(flag, actor=actor, note=_("Đã nhận công văn số %(n)s.", n=declaration.agency_letter_number))


def _open_flag(case, kind):
    flag = db.session.scalar(
        sa.select(CaseFlag).where(
            CaseFlag.case_id == case.id, CaseFlag.kind == kind, CaseFlag.resolved_at.is_(None)
        )
    )
    if flag is None:
        raise NotFound(_("Hồ sơ không có cảnh báo này."))
    return flag


def resolve_flag(flag, *, actor, note):
    """Mark a flag as dealt with, with the officer's note."""
    if not flag.is_open:
        raise InvalidTransition(_("Cảnh báo này đã được xử lý."))
    if not (note or "").strip():
        raise ValidationFailed({"note": _("Vui lòng ghi rõ cách đã xử lý.")})
    flag.resolved_at, flag.resolved_by_id, flag.resolution_note = clock.now(), actor.user_id, note.strip()
    db.session.flush()
    audit.record(
        "case_flag.resolve",
        actor,
        object_type="case_flag",
        object_id=flag.id,
        case_id=flag.case_id,
        reason=flag.resolution_note,
        details={"kind": str(flag.kind)},
    )
    return flag


def open_flags(case):
    return db.session.scalars(
        sa.select(CaseFlag)
        .where(CaseFlag.case_id == case.id, CaseFlag.resolved_at.is_(None))
        .order_by(CaseFlag.id)
    ).all()


# --- attachments ---------------------------------------------------------------------------------


def add_attachment(data, check, *, filename, kind, actor, case=None, draft=None):
    """Keep an upload that `core.uploads.check_upload` passed, on a case or a draft, stored by its SHA-256."""
    path = store_upload(data, check, root=current_app.config["LLTP_UPLOAD_DIR"])
    attachment = Attachment(
        case_id=case.id if case is not None else None,
        draft_id=draft.id if draft is not None else None,
        kind=kind,
        original_name=filename[:255],
        content_type=check.content_type,
        size=check.size,
        sha256=check.sha256,
        storage_path=path,
        uploaded_by_id=actor.user_id,
        uploaded_by_label=actor.label,
    )
    db.session.add(attachment)
    db.session.flush()
    if case is not None:
        audit.record(
            "attachment.add",
            actor,
            object_type="attachment",
            object_id=attachment.id,
            case_id=case.id,
            details={"kind": str(kind), "sha256": check.sha256, "size": check.size},
        )
    return attachment


def attachments_of(case):
    return db.session.scalars(
        sa.select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all()


# --- one-stop papers -----------------------------------------------------------------------------

# Functions `(case, paper, actor)` called in the transaction that issues an apology (not a transition), so
# that a later area tells the applicant of the new date without this one importing it.
after_apology = []


def issue_paper(case, kind, content, *, actor, at=None, first_of_case=False):
    """Number and keep a one-stop paper with what it says. `first_of_case`: the case was opened by the
    transition that issues it, so it has no papers to count yet (spares a query on every new request)."""
    count = 0
    if not first_of_case:
        count = db.session.scalar(
            sa.select(sa.func.count(OneStopPaper.id)).where(
                OneStopPaper.case_id == case.id, OneStopPaper.kind == kind
            )
        )
    paper = OneStopPaper(
        case_id=case.id,
        kind=kind,
        number=f"{case.code}/{PAPER_PREFIXES[kind]}{count + 1}",
        issued_at=at or clock.now(),
        issued_by_id=actor.user_id,
        issued_by_label=actor.label,
        content=_json_ready(content),
    )
    db.session.add(paper)
    audit.record(
        f"paper.{kind}", actor, object_type="one_stop_paper", object_id=paper.number, case_id=case.id
    )
    return paper


def _papers_for_transition(case, event, actor):
    """The one-stop papers that a transition makes: a receipt whenever the appointment date is set or
    moves, the request to complete the dossier, and the refusal."""
    if event.action == "request_completion":
        issue_paper(
            case,
            PaperKind.COMPLETION_REQUEST,
            {"reason": event.note, "missing": (event.data or {}).get("missing", [])},
            actor=actor,
            at=event.at,
        )
    elif event.action == "refuse":
        refusal = {"reason": event.note, "ground": (event.data or {}).get("ground")}
        issue_paper(case, PaperKind.REFUSAL, refusal, actor=actor, at=event.at)
    elif event.data and event.data.get("due_date") and case.stage not in CLOSED_STAGES:
        issue_paper(
            case,
            PaperKind.RECEIPT,
            {
                "appointment_date": case.due_date,
                "appointment_at": case.due_at.isoformat() if case.due_at else None,
                "received_at": case.received_at.isoformat() if case.received_at else None,
            },
            actor=actor,
            at=event.at,
            first_of_case=len(case.events) == 1,
        )


case_services.after_transition.append(_papers_for_transition)


def _declared_identity(case):
    """What the tờ khai adds to the applicant's identity for matching in the record database."""
    declaration = case.declaration
    if declaration is None:
        return {}
    return {
        "place_of_birth": declaration.place_of_birth,
        "father_name": (declaration.father or {}).get("full_name"),
        "mother_name": (declaration.mother or {}).get("full_name"),
    }


casework.identity_sources.append(_declared_identity)

# What a dossier most often lacks (domain §3), as the request to complete it names each item.
MISSING_ITEMS = {
    "residence_history": _l("Bổ sung đầy đủ quá trình cư trú từ khi đủ 14 tuổi đến nay"),
    "id_scan": _l("Nộp lại bản chụp giấy tờ tùy thân rõ nét, đọc được"),
    "authorisation": _l("Nộp văn bản ủy quyền"),
    "fee_proof": _l("Nộp giấy tờ chứng minh thuộc đối tượng miễn, giảm lệ phí"),
}
MISSING_OTHER = "other"


def request_completion(case, *, missing, note, actor, other=None):
    """Send the dossier back for completion with the list of what is missing (codes of MISSING_ITEMS,
    plus `other` in the officer's words); the transition's hook issues the paper with that list."""
    other = nfc((other or "").strip())
    items = [str(label) for code, label in MISSING_ITEMS.items() if code in missing]
    if other:
        items.append(other)
    if MISSING_OTHER in missing and not other:
        raise ValidationFailed({"other": _("Vui lòng ghi rõ giấy tờ, nội dung khác cần bổ sung.")})
    if not items:
        raise ValidationFailed({"missing": _("Chọn ít nhất một nội dung cần bổ sung.")})
    # The list is the reason when the officer adds nothing to it.
    note = nfc((note or "").strip()) or "; ".join(items)
    return case_services.transition(
        case, "request_completion", actor=actor, note=note, data={"missing": items}
    )


def latest_paper(case, kind):
    return db.session.scalar(
        sa.select(OneStopPaper)
        .where(OneStopPaper.case_id == case.id, OneStopPaper.kind == kind)
        .order_by(OneStopPaper.id.desc())
        .limit(1)
    )


def papers_of(case):
    return db.session.scalars(
        sa.select(OneStopPaper).where(OneStopPaper.case_id == case.id).order_by(OneStopPaper.id)
    ).all()


def apology_problem(case, *, now=None):
    """Why an apology cannot be issued for `case` at `now`, or None. It is offered once the case is at
    risk, must be issued no later than one working day before the deadline, and only once (domain §6)."""
    calendar = working_calendar()
    now = now or clock.now()
    today = clock.local_date(now)
    if latest_paper(case, PaperKind.APOLOGY) is not None:
        return _("Hồ sơ đã có phiếu xin lỗi và hẹn lại: chỉ được hẹn lại một lần.")
    if case.stage in CLOSED_STAGES or case.due_date is None:
        return _("Hồ sơ không trong thời hạn giải quyết.")
    status = deadline_status(case, calendar=calendar, now=now)
    if not (status.is_at_risk or status.is_overdue):
        return _("Chỉ lập phiếu xin lỗi khi hồ sơ có nguy cơ trễ hạn.")
    if calendar.working_days_left(today, case.due_date) < 1:
        return _(
            "Đã quá thời điểm lập phiếu xin lỗi: phải lập chậm nhất 01 ngày làm việc trước hạn trả kết quả."
        )
    return None


def issue_apology(case, *, new_date, reason, actor):
    """The apology with a new appointment date (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Vui lòng nêu lý do chậm trả kết quả.")
    if new_date is None:
        errors["new_date"] = _("Vui lòng nhập ngày hẹn trả kết quả mới.")
    elif case.due_date is not None and new_date <= case.due_date:
        errors["new_date"] = _("Ngày hẹn mới phải sau ngày hẹn hiện tại.")
    elif not working_calendar().is_working_day(new_date):
        errors["new_date"] = _("Ngày hẹn mới phải là ngày làm việc.")
    if errors:
        raise ValidationFailed(errors)
    problem = apology_problem(case)
    if problem:
        raise InvalidTransition(problem)
    paper = issue_paper(
        case,
        PaperKind.APOLOGY,
        {"reason": reason.strip(), "previous_date": case.due_date, "new_date": new_date},
        actor=actor,
    )
    db.session.flush()  # the page links to the paper by its id
    for listener in after_apology:
        listener(case, paper, actor)
    return paper
