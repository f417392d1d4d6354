"""The officers' intake form: the counter, the post and agencies' requests.

An intake officer at the issuing authority types in the tờ khai from the paper in hand. The form is checked
whole by the one validator (`validation.validate_request`), plus the desk's own blocks: the payment taken
and the scans attached. Only when all of it is right is the case received, with its attachments, in one
transaction.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage, Channel
from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_date
from lltp.core.uploads import check_upload
from lltp.extensions import db
from lltp.intake import forms, queries
from lltp.intake.models import AttachmentKind, FeeCategory, PaymentMethod
from lltp.intake.services import PaymentInput, add_attachment, open_duplicate, quote_fee, receive_request
from lltp.intake.validation import validate_request
from lltp.intake.views import bp, field_check_response

INTAKE_OFFICERS = (Role.INTAKE_OFFICER,)
ISSUING_AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)

CHANNELS = {"tai-quay": Channel.COUNTER, "buu-chinh": Channel.POST, "co-quan": Channel.AGENCY}
CHANNEL_TITLES = {
    Channel.COUNTER: (_l("Tiếp nhận tại quầy"), _l("Người yêu cầu nộp hồ sơ trực tiếp tại bộ phận một cửa.")),
    Channel.POST: (_l("Tiếp nhận hồ sơ qua bưu chính"), _l("Nhập tờ khai từ bưu gửi: số hiệu, ngày nhận.")),
    Channel.AGENCY: (
        _l("Cơ quan, tổ chức đề nghị"),
        _l("Công văn đề nghị cấp Phiếu số 1 (Mẫu 05a) hoặc Phiếu số 2 (Mẫu 05b), kể cả yêu cầu khẩn."),
    ),
}
AGENCY_TYPE_CHOICES = (
    (1, _l("Mẫu 05a: cơ quan nhà nước, tổ chức đề nghị cấp Phiếu số 1")),
    (2, _l("Mẫu 05b: cơ quan tiến hành tố tụng đề nghị cấp Phiếu số 2")),
)
PAYMENT_CHOICES = (("", _l("Chưa nộp: hồ sơ chờ nộp phí")), *forms.PAYMENT_METHOD_CHOICES)
ATTACHMENT_KINDS = {
    Channel.COUNTER: (AttachmentKind.ID_DOCUMENT, AttachmentKind.AUTHORISATION, AttachmentKind.FEE_PROOF),
    Channel.POST: (AttachmentKind.ID_DOCUMENT, AttachmentKind.AUTHORISATION, AttachmentKind.FEE_PROOF),
    Channel.AGENCY: (AttachmentKind.AGENCY_LETTER, AttachmentKind.ID_DOCUMENT),
}
DEFAULTS = {
    "certificate_type": "1",
    "copies": "1",
    "applicant.nationality": "VN",
    "applicant.id_document.type": "cccd",
    "fee.category": "standard",
    "delivery.method": "counter",
}
CHANNEL_DEFAULTS = {
    Channel.COUNTER: {"payment.method": PaymentMethod.CASH},
    Channel.POST: {"payment.method": PaymentMethod.POSTAL, "delivery.method": "post"},
    Channel.AGENCY: {"agency.notified_by": "paper"},
}
# Inputs of the desk's own blocks, which are not part of the request document.
DESK_FIELDS = ("payment.", "attachments.", "fee_proof_checked")
# The inputs whose change may reveal another open case for the same person.
DUPLICATE_TRIGGERS = ("applicant.id_document.number", "certificate_type")
RECEIPT_LENGTH = 40
REFERENCE_LENGTH = 80
TRUE_VALUES = ("1", "on", "true")


def _channel_or_404(slug):
    if slug not in CHANNELS:
        abort(404)
    return CHANNELS[slug]


@bp.get("/tiep-nhan")
@requires(*INTAKE_OFFICERS, unit_kinds=ISSUING_AUTHORITY)
def counter_start():
    """Choose the channel a dossier came by."""
    channels = [(slug, *CHANNEL_TITLES[channel]) for slug, channel in CHANNELS.items()]
    return render_template("intake/counter/start.html", channels=channels)


@bp.route("/tiep-nhan/<channel>", methods=["GET", "POST"])
@requires(*INTAKE_OFFICERS, unit_kinds=ISSUING_AUTHORITY)
def counter_form(channel):
    """The intake form of one channel; posted, it receives the case, or shows every problem at once."""
    slug, channel = channel, _channel_or_404(channel)
    if request.method == "GET":
        return _render_form(slug, {**DEFAULTS, **CHANNEL_DEFAULTS[channel]})
    values = request.form.to_dict()
    if "_add_row" in values:
        return _render_form(slug, values)
    actor = current_actor()
    try:
        request_document, payment, uploads = _parse(channel, request.form, request.files)
        case = receive_request(
            request_document,
            channel=channel,
            actor=actor,
            payment=payment,
            fee_proof_checked=_proof_checked(request.form),
        )
        for kind, upload, data, check in uploads:
            add_attachment(data, check, filename=upload.filename, kind=kind, actor=actor, case=case)
    except ValidationFailed as failed:
        db.session.rollback()
        return _render_form(slug, values, errors=failed.errors, status=422)
    duplicate = open_duplicate(case)
    db.session.commit()
    flash(_received_message(case), "success")
    if duplicate is not None:
        flash(_duplicate_message(duplicate), "warning")
    return redirect(url_for("cases.case_detail", code=case.code), 303)


@bp.post("/tiep-nhan/<channel>/kiem-tra")
@requires(*INTAKE_OFFICERS, unit_kinds=ISSUING_AUTHORITY)
def counter_check(channel):
    """The inline check of the input that changed (htmx), with the duplicate warning when it may change."""
    channel = _channel_or_404(channel)
    slot = field_check_response(lambda: _parse(channel, request.form))
    if request.headers.get("HX-Trigger-Name") not in DUPLICATE_TRIGGERS:
        return slot
    warning = render_template(
        "intake/counter/_duplicate.html", duplicate=_open_case(request.form.to_dict()), oob=True
    )
    db.session.commit()
    return Markup(slot) + Markup(warning)


@bp.post("/tiep-nhan/<channel>/le-phi")
@requires(*INTAKE_OFFICERS, unit_kinds=ISSUING_AUTHORITY)
def counter_fee(channel):
    """The fee for the category and copies typed so far (htmx), with its explanation."""
    channel = _channel_or_404(channel)
    values = request.form.to_dict()
    return render_template(
        "intake/counter/_fee.html", quote=_quote(values, channel), values=values, errors={}
    )


def _render_form(slug, values, *, errors=None, status=200):
    channel = CHANNELS[slug]
    page = render_template(
        "intake/counter/form.html",
        slug=slug,
        channel=str(channel),
        title=CHANNEL_TITLES[channel][0],
        values=values,
        errors=errors or {},
        check_url=url_for("intake.counter_check", channel=slug),
        type_choices=AGENCY_TYPE_CHOICES if channel is Channel.AGENCY else None,
        payment_choices=PAYMENT_CHOICES,
        quote=_quote(values, channel),
        duplicate=_open_case(values),
        attachment_choices=[
            (k, v) for k, v in forms.ATTACHMENT_KIND_CHOICES if k in ATTACHMENT_KINDS[channel]
        ],
        max_upload_mb=current_app.config["LLTP_UPLOAD_MAX_BYTES"] // (1024 * 1024),
    )
    # The duplicate lookup may have written an audit row.
    db.session.commit()
    return page, status


def _parse(channel, form, files=None):
    """The posted form checked whole: (request, payment, uploads), or ValidationFailed with every error."""
    errors = {}
    document = forms.unflatten(
        {name: value for name, value in form.items() if not name.startswith(DESK_FIELDS)}
    )
    request_document = _collect(
        errors, lambda: validate_request(document, channel=channel, today=clock.today(), date_style="vn")
    )
    # Quoted here as well as at receipt: the payment block is checked against the amount owed.
    fee = (
        _collect(errors, lambda: quote_fee(request_document, channel=channel, day=clock.today()))
        if request_document
        else None
    )
    payment = _collect(errors, lambda: _payment(form, channel=channel, fee=fee))
    uploads = _collect(errors, lambda: _uploads(files, channel)) if files is not None else []
    if errors:
        raise ValidationFailed(errors)
    return request_document, payment, uploads


def _collect(errors, parse):
    try:
        return parse()
    except ValidationFailed as failed:
        errors.update(failed.errors)
        return None


def _payment(form, *, channel, fee):
    """The fee taken at the desk: None when nothing is paid now (or nothing is owed). Its errors are under
    `payment.*`; the amount is the fee the schedule asks, never typed."""
    method = (form.get("payment.method") or "").strip()
    if channel is Channel.AGENCY or not method:
        return None
    errors = {}
    receipt_number = (form.get("payment.receipt_number") or "").strip() or None
    reference = (form.get("payment.reference") or "").strip() or None
    if method not in {str(value) for value, _label in forms.PAYMENT_METHOD_CHOICES}:
        errors["payment.method"] = _("Hình thức nộp lệ phí không hợp lệ.")
    elif method == PaymentMethod.CASH and not receipt_number:
        errors["payment.receipt_number"] = _("Vui lòng nhập số biên lai thu phí.")
    elif method == PaymentMethod.BANK_TRANSFER and not reference:
        errors["payment.reference"] = _("Vui lòng nhập mã giao dịch chuyển khoản.")
    if receipt_number and len(receipt_number) > RECEIPT_LENGTH:
        errors["payment.receipt_number"] = _("Số biên lai không được dài quá %(n)d ký tự.", n=RECEIPT_LENGTH)
    if reference and len(reference) > REFERENCE_LENGTH:
        errors["payment.reference"] = _("Mã giao dịch không được dài quá %(n)d ký tự.", n=REFERENCE_LENGTH)
    if errors:
        raise ValidationFailed(errors)
    if fee is None or fee.amount == 0:  # the request's own errors are reported, or nothing is owed
        return None
    return PaymentInput(
        PaymentMethod(method),
        fee.amount,
        reference=reference,
        receipt_number=receipt_number,
        paid_on=clock.today(),
    )


def _uploads(files, channel):
    """Each scan attached, checked by its content: [(kind, file, bytes, check)]."""
    errors, uploads = {}, []
    for kind in ATTACHMENT_KINDS[channel]:
        upload = files.get(f"attachments.{kind}")
        if upload is None or not upload.filename:
            continue
        data = upload.read()
        check = _collect(
            errors,
            lambda data=data, upload=upload, kind=kind: check_upload(
                data,
                upload.filename,
                max_bytes=current_app.config["LLTP_UPLOAD_MAX_BYTES"],
                field=f"attachments.{kind}",
            ),
        )
        if check is not None:
            uploads.append((kind, upload, data, check))
    if errors:
        raise ValidationFailed(errors)
    return uploads


def _proof_checked(form):
    return (form.get("fee_proof_checked") or "").strip().lower() in TRUE_VALUES


def _quote(values, channel):
    """The fee for what the form holds so far, or None when the schedule has no rate for today."""
    category = values.get("fee.category")
    if category not in {str(value) for value in FeeCategory}:
        category = FeeCategory.STANDARD
    copies = values.get("copies", "").strip()
    copies = min(max(int(copies), 1), 10) if copies.isdigit() else 1
    try:
        return quote_fee(
            {"fee": {"category": category}, "copies": copies}, channel=channel, day=clock.today()
        )
    except ValidationFailed:  # no rate for today: the form says so when it is posted
        return None


def _open_case(values):
    """Another open case of the same type for the ID number typed in, read (and audited) for the warning."""
    number = (values.get("applicant.id_document.number") or "").strip().upper()
    certificate_type = values.get("certificate_type", "")
    if not certificate_type.isdigit():
        return None
    case = queries.open_case_for_id_number(number, int(certificate_type))
    if case is not None:
        audit.record(
            "intake.duplicate_check",
            current_actor(),
            object_type="case",
            object_id=case.code,
            case_id=case.id,
        )
    return case


def _received_message(case):
    if case.stage is CaseStage.AWAITING_PAYMENT:
        return _("Đã lưu hồ sơ %(code)s, chờ nộp phí: chưa hẹn ngày trả kết quả.", code=case.code)
    if case.due_at is not None:
        return _(
            "Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả lúc %(time)s ngày %(day)s.",
            code=case.code,
            time=clock.to_local(case.due_at).strftime("%H:%M"),
            day=format_date(clock.local_date(case.due_at)),
        )
    return _(
        "Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả ngày %(day)s.",
        code=case.code,
        day=format_date(case.due_date),
    )


def _duplicate_message(duplicate):
    link = Markup('<a href="{url}">{code}</a>').format(
        url=url_for("cases.case_detail", code=duplicate.code), code=duplicate.code
    )
    return Markup(_("Người này đang có hồ sơ %(link)s cùng loại Phiếu chưa giải quyết xong.", link=link))
