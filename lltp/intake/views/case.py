"""The case page's intake panels: the fee and its payment, the fee proof, attachments, flags, the one-stop
papers, the request to complete the dossier and the apology with a new date.

The cases area owns the page and learns of these panels from `lltp.cases.panels`, where this module
registers them on import. Each form posts here; a refused one shows the case page again (422) with its
errors next to its fields.
"""

import io

from flask import abort, current_app, flash, make_response, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lltp.accounts.models import Role, UnitKind
from lltp.cases import panels
from lltp.cases import services as case_services
from lltp.cases.deadlines import deadline_status
from lltp.cases.models import CaseStage
from lltp.cases.workflow import may_take
from lltp.core import audit, clock
from lltp.core.calendar import parse_day, working_calendar
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.uploads import check_upload, open_upload
from lltp.extensions import db
from lltp.intake import services
from lltp.intake.fees import FeeQuote
from lltp.intake.forms import (
    ATTACHMENT_KIND_CHOICES,
    ATTACHMENT_KIND_LABELS,
    FEE_CATEGORY_LABELS,
    PAYMENT_METHOD_CHOICES,
    PAYMENT_METHOD_LABELS,
)
from lltp.intake.models import (
    Attachment,
    AttachmentKind,
    CaseFlag,
    FeeCategory,
    FlagKind,
    OneStopPaper,
    PaperKind,
    PaymentMethod,
)
from lltp.intake.pdf import render_paper
from lltp.intake.views import bp

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)
# The officers who work a case may open its scans and papers; a report reader or supervisor has no need.
CASE_WORKERS = (Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER, Role.APPROVER, Role.RETURNING_OFFICER)
# Those who handle the dossier itself: its attachments, flags, completion and apology.
DOSSIER_HANDLERS = (Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER)

FLAG_LABELS = {
    FlagKind.POSSIBLE_DUPLICATE: _l("Có thể trùng với hồ sơ đang giải quyết"),
    FlagKind.FEE_CATEGORY_UNCONFIRMED: _l("Chưa xác nhận đối tượng miễn, giảm lệ phí"),
    FlagKind.FOLLOW_UP_PAPER_MISSING: _l("Chưa nhận công văn gửi sau"),
}
PAPER_LABELS = {
    PaperKind.RECEIPT: _l("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    PaperKind.COMPLETION_REQUEST: _l("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    PaperKind.REFUSAL: _l("Phiếu từ chối tiếp nhận, giải quyết hồ sơ"),
    PaperKind.APOLOGY: _l("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
}
BAD_DATE = _l("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")


# --- panels --------------------------------------------------------------------------------------


def fee_panel(case, user):
    """The fee, how it was reached, the payments, and the desk's forms for a case awaiting payment."""
    declaration = case.declaration
    if declaration is None:
        return None
    owed = services.amount_owed(case)
    flags = {flag.kind for flag in services.open_flags(case)}
    is_intake = user.has_role(Role.INTAKE_OFFICER)
    breakdown = declaration.fee_breakdown
    return {
        "declaration": declaration,
        "category": FEE_CATEGORY_LABELS[declaration.fee_category],
        "explanation": FeeQuote(**breakdown).explanation() if breakdown else [],
        "payments": services.payments_of(case),
        "method_labels": PAYMENT_METHOD_LABELS,
        "owed": owed,
        "can_record": is_intake and case.stage is CaseStage.AWAITING_PAYMENT,
        "needs_proof": declaration.fee_category != FeeCategory.STANDARD
        and declaration.fee_proof_checked_at is None,
        "can_confirm": is_intake and FlagKind.FEE_CATEGORY_UNCONFIRMED in flags,
        "methods": PAYMENT_METHOD_CHOICES,
        "defaults": {
            "payment.method": PaymentMethod.CASH,
            "payment.amount": str(owed),
            "payment.paid_on": clock.today().strftime("%d/%m/%Y"),
        },
    }


def flags_panel(case, user):
    """The open flags, each with what the officer can do about it; their count beside the title."""
    flags = services.open_flags(case)
    if not flags:
        return None
    today = clock.today()
    return {
        "flags": flags,
        "labels": FLAG_LABELS,
        "kinds": FlagKind,
        "follow_up_due_on": case.declaration.follow_up_due_on if case.declaration else None,
        "today": today,
        "can_handle": user.has_role(*DOSSIER_HANDLERS),
        "badge": {"text": _("%(n)d cảnh báo", n=len(flags)), "anchor": "flags-panel"},
    }


def attachments_panel(case, user):
    """The scans kept with the case, and the upload form."""
    return {
        "attachments": services.attachments_of(case),
        "labels": ATTACHMENT_KIND_LABELS,
        "kinds": ATTACHMENT_KIND_CHOICES,
        "can_upload": user.has_role(*DOSSIER_HANDLERS),
        "can_download": user.has_role(*CASE_WORKERS),
        "max_megabytes": current_app.config["LLTP_UPLOAD_MAX_BYTES"] // (1024 * 1024),
    }


def papers_panel(case, user):
    """The one-stop papers issued for the case, each as a PDF."""
    # A paper prints the declaration's facts: a case that did not come through intake has none.
    papers = services.papers_of(case) if case.declaration is not None else []
    if not papers:
        return None
    return {"papers": papers, "labels": PAPER_LABELS, "can_download": user.has_role(*CASE_WORKERS)}


def completion_panel(case, user):
    """The request to complete the dossier, with the list of what is missing: it replaces the plain
    button of the workflow action."""
    if not may_take(user, case.stage, "request_completion"):
        return None
    return {
        "missing_items": services.MISSING_ITEMS,
        "other": services.MISSING_OTHER,
        "replaces": ("request_completion",),
    }


def apology_panel(case, user):
    """The apology with a new date once the case is at risk, or why it cannot be issued."""
    status = deadline_status(case, calendar=working_calendar())
    problem = services.apology_problem(case)
    if problem is not None and not (status.is_at_risk or status.is_overdue):
        return None
    if problem is None and not user.has_role(*DOSSIER_HANDLERS):
        return None
    return {"problem": problem, "status": status}


for _panel in (
    panels.Panel("intake/case/_flags.html", flags_panel, order=10),
    panels.Panel("intake/case/_apology.html", apology_panel, order=20),
    panels.Panel("intake/case/_fee.html", fee_panel, order=30),
    panels.Panel("intake/case/_completion.html", completion_panel, order=40),
    panels.Panel("intake/case/_papers.html", papers_panel, order=50),
    panels.Panel("intake/case/_attachments.html", attachments_panel, order=60),
):
    panels.register(_panel)


# --- helpers -------------------------------------------------------------------------------------


def _case_or_404(code):
    case = case_services.get_case(code)
    if case is None:
        abort(404)
    return case


def _intake_case_or_404(code):
    """A case that came through intake, with its declaration (and so its fee)."""
    case = _case_or_404(code)
    if case.declaration is None:
        abort(404)
    return case


def _owned_or_404(model, object_id, case):
    row = db.session.get(model, object_id)
    if row is None or row.case_id != case.id:
        abort(404)
    return row


def _refused(case, form, failed, values=None):
    """Nothing stored: the case page again, the refused form refilled, its errors next to its fields."""
    db.session.rollback()
    return panels.render_case_page(case, panels.Refused(form, failed.errors, values or {}))


def _done(case, message, *, anchor):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cases.case_detail", code=case.code, _anchor=anchor), 303)


def _paper_link(case, paper, message):
    """The flash message with a link to the paper just issued."""
    link = Markup('<a href="{url}">{label}</a>').format(
        url=url_for("intake.paper_pdf", code=case.code, paper_id=paper.id),
        label=_("Tải %(paper)s (PDF)", paper=PAPER_LABELS[paper.kind].lower()),
    )
    return Markup("{message} {link}").format(message=message, link=link)


def _day(form, name):
    """A date typed as dd/mm/yyyy, or None when blank."""
    try:
        return parse_day(form.get(name))
    except ValueError:
        raise ValidationFailed({name: str(BAD_DATE)}) from None


def _payment_input(form, *, owed):
    """The payment the form describes; None when nothing is owed and no amount was typed."""
    amount_text = "".join(ch for ch in form.get("payment.amount", "") if ch.isdigit())
    if owed == 0 and not amount_text:
        return None
    errors = {}
    try:
        method = PaymentMethod(form.get("payment.method", ""))
    except ValueError:
        errors["payment.method"] = _("Chọn hình thức nộp phí.")
    if not amount_text:
        errors["payment.amount"] = _("Vui lòng nhập số tiền đã nộp.")
    try:
        paid_on = _day(form, "payment.paid_on")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    return services.PaymentInput(
        method=method,
        amount=int(amount_text),
        reference=form.get("payment.reference", "").strip() or None,
        receipt_number=form.get("payment.receipt_number", "").strip() or None,
        paid_on=paid_on,
    )


def _checked_upload(form, files):
    """The kind, bytes, check and name of the uploaded scan; every problem with them at once."""
    max_bytes = current_app.config["LLTP_UPLOAD_MAX_BYTES"]
    upload = files.get("file")
    errors = {}
    try:
        kind = AttachmentKind(form.get("kind", ""))
    except ValueError:
        errors["kind"] = _("Chọn loại giấy tờ.")
    # One byte more than allowed is enough to know it is too large, without reading all of it.
    data = upload.read(max_bytes + 1) if upload else b""
    filename = (upload.filename if upload else "") or "tep-dinh-kem"
    try:
        check = check_upload(data, filename, max_bytes=max_bytes, field="file")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    return kind, data, check, filename


# --- views ---------------------------------------------------------------------------------------


@bp.post("/ho-so/<code>/nop-phi")
@requires(Role.INTAKE_OFFICER, unit_kinds=AUTHORITY)
def record_payment(code):
    """Record the fee paid (and the fee proof checked): the case is received and its receipt issued."""
    case = _intake_case_or_404(code)
    form = request.form
    try:
        payment = _payment_input(form, owed=services.amount_owed(case))
        services.record_payment(
            case, payment, actor=current_actor(), fee_proof_checked=bool(form.get("fee_proof_checked"))
        )
    except ValidationFailed as failed:
        return _refused(case, "payment", failed, form.to_dict())
    receipt = services.latest_paper(case, PaperKind.RECEIPT)
    message = _("Đã ghi nhận nộp phí: hồ sơ %(code)s đã được tiếp nhận.", code=case.code)
    return _done(case, _paper_link(case, receipt, message), anchor="fee-panel")


@bp.post("/ho-so/<code>/xac-nhan-mien-giam")
@requires(Role.INTAKE_OFFICER, unit_kinds=AUTHORITY)
def confirm_fee_category(code):
    """Confirm the reduced or exempt category a national system reported, its proof checked."""
    case = _intake_case_or_404(code)
    services.confirm_fee_category(case, actor=current_actor())
    return _done(case, _("Đã xác nhận đối tượng miễn, giảm lệ phí."), anchor="fee-panel")


@bp.post("/ho-so/<code>/tep-dinh-kem")
@requires(*DOSSIER_HANDLERS, unit_kinds=AUTHORITY)
def upload_attachment(code):
    """Keep a scan with the case, once its content passed the checks."""
    case = _case_or_404(code)
    try:
        kind, data, check, filename = _checked_upload(request.form, request.files)
        services.add_attachment(data, check, filename=filename, kind=kind, actor=current_actor(), case=case)
    except ValidationFailed as failed:
        return _refused(case, "attachment", failed, {"kind": request.form.get("kind", "")})
    return _done(case, _("Đã lưu tệp đính kèm %(name)s.", name=filename), anchor="attachments-panel")


@bp.get("/ho-so/<code>/tep-dinh-kem/<int:attachment_id>")
@requires(*CASE_WORKERS, unit_kinds=AUTHORITY)
def download_attachment(code, attachment_id):
    """Send a stored scan of the case to an officer who works it, audited."""
    case = _case_or_404(code)
    attachment = _owned_or_404(Attachment, attachment_id, case)
    data = open_upload(current_app.config["LLTP_UPLOAD_DIR"], attachment.storage_path)
    audit.record(
        "attachment.view",
        current_actor(),
        object_type="attachment",
        object_id=attachment.id,
        case_id=case.id,
        details={"kind": str(attachment.kind), "sha256": attachment.sha256},
    )
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        conditional=False,
        etag=False,
    )
    db.session.commit()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/ho-so/<code>/canh-bao/<int:flag_id>/xu-ly")
@requires(*DOSSIER_HANDLERS, unit_kinds=AUTHORITY)
def resolve_flag(code, flag_id):
    """Mark one of the case's flags as dealt with, with the officer's note."""
    case = _case_or_404(code)
    flag = _owned_or_404(CaseFlag, flag_id, case)
    note = request.form.get("note", "")
    try:
        services.resolve_flag(flag, actor=current_actor(), note=note)
    except ValidationFailed as failed:
        return _refused(case, f"flag-{flag_id}", failed, {"note": note})
    return _done(case, _("Đã xử lý cảnh báo."), anchor="flags-panel")


@bp.post("/ho-so/<code>/cong-van-gui-sau")
@requires(*DOSSIER_HANDLERS, unit_kinds=AUTHORITY)
def record_follow_up_paper(code):
    """The paper that follows an urgent request made by phone or fax has come in."""
    case = _intake_case_or_404(code)
    form = request.form
    try:
        services.record_follow_up_paper(
            case,
            letter_number=form.get("agency.letter_number", ""),
            letter_date=_day(form, "agency.letter_date"),
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _refused(case, "follow_up", failed, form.to_dict())
    return _done(case, _("Đã ghi nhận công văn gửi sau."), anchor="flags-panel")


@bp.get("/ho-so/<code>/giay-to/<int:paper_id>.pdf")
@requires(*CASE_WORKERS, unit_kinds=AUTHORITY)
def paper_pdf(code, paper_id):
    """One of the case's one-stop papers as a PDF, printed from what it said when issued, audited."""
    case = _intake_case_or_404(code)
    paper = _owned_or_404(OneStopPaper, paper_id, case)
    data = render_paper(paper, case)
    audit.record(
        "paper.view", current_actor(), object_type="one_stop_paper", object_id=paper.number, case_id=case.id
    )
    db.session.commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    # A download: the officer prints it or hands it over, and a file named by the paper's number is found
    # again in the downloads folder.
    response.headers["Content-Disposition"] = f'attachment; filename="{paper.number.replace("/", "-")}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/ho-so/<code>/yeu-cau-bo-sung")
@requires(*DOSSIER_HANDLERS, unit_kinds=AUTHORITY)
def request_completion(code):
    """Send the dossier back for completion with the list of what is missing, and issue the paper."""
    case = _case_or_404(code)
    form = request.form
    missing = form.getlist("missing")
    try:
        services.request_completion(
            case,
            missing=missing,
            note=form.get("note", ""),
            other=form.get("other", ""),
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _refused(case, "completion", failed, {**form.to_dict(), "missing": missing})
    paper = services.latest_paper(case, PaperKind.COMPLETION_REQUEST)
    message = _("Đã yêu cầu bổ sung hồ sơ %(code)s.", code=case.code)
    return _done(case, _paper_link(case, paper, message), anchor="papers-panel")


@bp.post("/ho-so/<code>/xin-loi")
@requires(*DOSSIER_HANDLERS, unit_kinds=AUTHORITY)
def issue_apology(code):
    """Issue the apology with a new appointment date, once, at least a working day before the deadline."""
    case = _case_or_404(code)
    form = request.form
    try:
        paper = services.issue_apology(
            case, new_date=_day(form, "new_date"), reason=form.get("reason", ""), actor=current_actor()
        )
    except ValidationFailed as failed:
        return _refused(case, "apology", failed, form.to_dict())
    message = _("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    return _done(case, _paper_link(case, paper, message), anchor="papers-panel")
