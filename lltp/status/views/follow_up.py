"""The applicant's follow-up from the status page (/tra-cuu/tiep-theo): the code, the date of birth and the
full ID number, then a one-time code sent to the phone or email on file, then the action itself. The
download of a Phiếu số 1 needs no one-time code (domain §11).

Between the two steps the page carries a signed token (the case, the code's row, the purpose) rather than
the facts typed: nothing personal goes back into the page.
"""

import re

from flask import current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lltp.accounts.models import Role
from lltp.cases import panels
from lltp.cases.models import Case, CaseStage
from lltp.cases.workflow import rule_for
from lltp.core.audit import Actor
from lltp.core.errors import InvalidTransition, ValidationFailed
from lltp.core.permissions import public
from lltp.core.uploads import check_upload
from lltp.extensions import db, limiter
from lltp.intake.models import PaperKind
from lltp.intake.services import amount_owed, latest_paper
from lltp.issuance.queries import certificate_of
from lltp.status import services
from lltp.status.lookup import Facts, find_case
from lltp.status.models import CodePurpose
from lltp.status.views import bp, no_store, parse_date
from lltp.status.views.case_status import address_limit, code_key, limited

PURPOSE_LABELS = {
    CodePurpose.DOWNLOAD: _l("Tải Phiếu lý lịch tư pháp đã cấp"),
    CodePurpose.COMPLETE: _l("Bổ sung hồ sơ theo yêu cầu"),
    CodePurpose.PAYMENT: _l("Báo đã chuyển khoản lệ phí"),
    CodePurpose.WITHDRAW: _l("Rút yêu cầu cấp Phiếu"),
}
NOT_NOW = {
    CodePurpose.DOWNLOAD: _l("Hồ sơ chưa có Phiếu để tải."),
    CodePurpose.COMPLETE: _l("Hồ sơ không ở bước chờ bổ sung."),
    CodePurpose.PAYMENT: _l("Hồ sơ không ở bước chờ nộp lệ phí."),
    CodePurpose.WITHDRAW: _l("Phiếu đã được ký hoặc hồ sơ đã kết thúc: không thể rút yêu cầu."),
}
_TOKEN_SALT = "lltp.status.follow-up"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def _applicant():
    """The applicant as the actor of their own follow-up, known by the address they came from."""
    return Actor(
        user=None, ip=request.remote_addr, user_agent=request.headers.get("User-Agent"), source="applicant"
    )


def _purpose(text):
    try:
        return CodePurpose(text)
    except ValueError:
        return None


def _certificate(case):
    certificate = certificate_of(case) if case.stage in (CaseStage.ISSUED, CaseStage.RETURNED) else None
    return certificate if certificate is not None and certificate.pdf is not None else None


def _possible(case, purpose):
    """Whether the case is at a point where `purpose` can be done."""
    if purpose is CodePurpose.DOWNLOAD:
        return _certificate(case) is not None
    if purpose is CodePurpose.COMPLETE:
        return case.stage is CaseStage.INCOMPLETE
    if purpose is CodePurpose.PAYMENT:
        return case.stage is CaseStage.AWAITING_PAYMENT
    return rule_for(case.stage, "withdraw") is not None


def _page(step, *, code=200, **context):
    context = {"values": {}, "errors": {}, "purposes": PURPOSE_LABELS, "step": step, **context}
    return no_store(make_response(render_template("status/follow_up.html", **context), code))


def _pdf(certificate):
    """The signed PDF as a download."""
    response = make_response(certificate.pdf)
    response.mimetype = "application/pdf"
    name = certificate.number.replace("/", "-")
    response.headers["Content-Disposition"] = f'attachment; filename="phieu-lltp-{name}.pdf"'
    return no_store(response)


def _read_facts(form):
    """The first step's Facts (all three) and purpose, or every error by field."""
    values = {name: (form.get(name) or "").strip() for name in ("case_code", "date_of_birth", "id_number")}
    values["purpose"] = form.get("purpose", "")
    errors = {}
    if not values["case_code"]:
        errors["case_code"] = _("Vui lòng nhập mã hồ sơ.")
    born_on = parse_date(values["date_of_birth"])
    if born_on is None:
        errors["date_of_birth"] = _("Vui lòng nhập ngày sinh theo dạng dd/mm/yyyy.")
    if not values["id_number"]:
        errors["id_number"] = _("Vui lòng nhập số định danh cá nhân.")
    if _purpose(values["purpose"]) is None:
        errors["purpose"] = _("Vui lòng chọn việc cần làm.")
    if errors:
        raise ValidationFailed(errors)
    facts = Facts(values["case_code"], date_of_birth=born_on, id_number=values["id_number"].upper())
    return facts, _purpose(values["purpose"])


@bp.get("/tra-cuu/tiep-theo")
@public
def follow_up_form():
    """The first step: the case code, the date of birth, the full ID number, and what to do."""
    values = {"case_code": request.args.get("ma", ""), "purpose": request.args.get("muc", "")}
    return _page("facts", values=values)


@bp.post("/tra-cuu/tiep-theo")
@public
@limited
@limiter.limit(
    lambda: current_app.config["LLTP_ONE_TIME_CODE_RATE_LIMIT"], key_func=code_key, methods=["POST"]
)
def follow_up_start():
    """Check the three facts; then send the one-time code (or, for a Phiếu số 1, give the PDF)."""
    try:
        facts, purpose = _read_facts(request.form)
    except ValidationFailed as failed:
        values = {"case_code": request.form.get("case_code", ""), "purpose": request.form.get("purpose", "")}
        return _page("facts", code=422, values=values, errors=failed.errors)
    case = find_case(facts, need_both=True)
    if case is None:
        return _page("facts", not_found=True)
    if not _possible(case, purpose):
        return _page("facts", code=409, problem=str(NOT_NOW[purpose]))
    actor = _applicant()
    if purpose is CodePurpose.DOWNLOAD and case.certificate_type == 1:
        certificate = _certificate(case)
        services.record_download(certificate, actor=actor)
        db.session.commit()
        return _pdf(certificate)
    row = services.send_code(case, purpose, actor=actor)
    db.session.commit()
    token = _serializer().dumps({"case": case.id, "code": row.id, "purpose": str(purpose)})
    return _action_page(case, purpose, token)


def _action_page(case, purpose, token, *, code=200, values=None, errors=None):
    """The second step: the one-time code, and what the action needs."""
    context = {"purpose": purpose, "token": token, "case_code": case.code, "values": values or {}}
    if purpose is CodePurpose.COMPLETE:
        paper = latest_paper(case, PaperKind.COMPLETION_REQUEST)
        context["request_paper"] = paper.content if paper is not None else None
        context["max_megabytes"] = current_app.config["LLTP_UPLOAD_MAX_BYTES"] // (1024 * 1024)
    elif purpose is CodePurpose.PAYMENT and case.declaration is not None:
        context["owed"] = amount_owed(case)
    return _page("action", code=code, errors=errors or {}, **context)


def _uploads(files):
    """The scans sent with a completion, each checked by its content; every problem at once."""
    max_bytes = current_app.config["LLTP_UPLOAD_MAX_BYTES"]
    checked, errors = [], {}
    for upload in files.getlist("files"):
        if not upload or not upload.filename:
            continue
        data = upload.read(max_bytes + 1)
        try:
            checked.append(
                (
                    data,
                    check_upload(data, upload.filename, max_bytes=max_bytes, field="files"),
                    upload.filename,
                )
            )
        except ValidationFailed as failed:
            errors["files"] = f"{upload.filename}: {failed.errors['files']}"
    if errors:
        raise ValidationFailed(errors)
    return checked


def _amount(text):
    digits = re.sub(r"[.\s đ]", "", text or "")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def _act(case, purpose, form, files, actor):
    """Do what the applicant asked; returns a PDF response for the download, else the message to show."""
    if purpose is CodePurpose.DOWNLOAD:
        certificate = _certificate(case)
        if certificate is None:
            raise InvalidTransition(str(NOT_NOW[purpose]))
        services.record_download(certificate, actor=actor)
        return _pdf(certificate)
    if purpose is CodePurpose.COMPLETE:
        services.complete_dossier(case, answer=form.get("answer"), uploads=_uploads(files), actor=actor)
        return _("Đã nhận hồ sơ bổ sung. Thời hạn giải quyết được tính lại từ hôm nay.")
    if purpose is CodePurpose.PAYMENT:
        services.report_payment(
            case,
            reference=form.get("reference"),
            amount=_amount(form.get("amount")),
            paid_on=parse_date(form.get("paid_on")),
            actor=actor,
        )
        return _("Đã ghi nhận thông tin chuyển khoản. Cán bộ sẽ đối chiếu và xác nhận việc nộp lệ phí.")
    try:
        services.withdraw(case, reason=form.get("reason"), actor=actor)
    except ValidationFailed as failed:
        raise ValidationFailed({"reason": failed.errors.get("note", "")}) from failed
    return _("Đã rút yêu cầu cấp Phiếu lý lịch tư pháp.")


@bp.post("/tra-cuu/tiep-theo/xac-nhan")
@public
# Per address only: the form names no case code, and the code's own tries are counted on its row.
@address_limit
def follow_up_confirm():
    """The second step: spend the one-time code and do the action, in one transaction."""
    token = request.form.get("token", "")
    minutes = current_app.config["LLTP_ONE_TIME_CODE_MINUTES"]
    try:
        data = _serializer().loads(token, max_age=minutes * 60)
    except BadSignature:
        return _page("facts", code=400, problem=_("Phiên xác thực đã hết hạn. Vui lòng bắt đầu lại."))
    case, purpose = db.session.get(Case, data["case"]), CodePurpose(data["purpose"])
    values = {
        name: request.form.get(name, "") for name in ("answer", "reference", "amount", "paid_on", "reason")
    }
    try:
        services.redeem_code(data["code"], case, purpose, request.form.get("otp"))
    except services.CodeRefused as refused:
        db.session.commit()  # the wrong try counts
        return _action_page(case, purpose, token, code=422, values=values, errors={"otp": refused.message})
    try:
        result = _act(case, purpose, request.form, request.files, _applicant())
    except ValidationFailed as failed:
        # The code is not spent by a form that was refused: the rollback gives it back.
        db.session.rollback()
        return _action_page(case, purpose, token, code=422, values=values, errors=failed.errors)
    db.session.commit()
    if isinstance(result, str):
        return _page("done", message=result, case_code=case.code)
    return result


# --- what the intake officer sees on the case page ----------------------------------------------


def payment_reports_panel(case, user):
    """The transfers the applicant reported, for the intake officer to match with the bank statement."""
    if not user.has_role(Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER):
        return None
    reports = services.payment_reports_of(case)
    if not reports:
        return None
    badge = None
    if case.stage is CaseStage.AWAITING_PAYMENT:
        badge = {"text": _("Người yêu cầu báo đã chuyển khoản"), "anchor": "payment-reports-panel"}
    return {"reports": reports, "badge": badge}


panels.register(panels.Panel("status/_payment_reports.html", payment_reports_panel, order=35))
