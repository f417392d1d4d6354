"""The citizens' online form at /nop-ho-so: no login, one page per step, answers kept in a draft.

The draft's token travels in the `lltp_draft` cookie, signed with a timestamp of when the draft started,
so the submit can tell a person from a script that posts at once. A honeypot input catches the scripts
that fill in every field. Nothing here ever gives a citizen a link to an uploaded file.
"""

from datetime import UTC, datetime, timedelta

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from lltp.cases.models import Channel
from lltp.cases.services import get_case
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import public
from lltp.core.text import format_money
from lltp.core.uploads import check_upload
from lltp.extensions import db, limiter
from lltp.intake import drafts, forms
from lltp.intake.fees import FeeQuote
from lltp.intake.models import AttachmentKind
from lltp.intake.services import add_attachment, quote_fee
from lltp.intake.validation import field_label
from lltp.intake.vietqr import vietqr_payload, vietqr_svg
from lltp.intake.views import bp, field_check_response

DRAFT_COOKIE = "lltp_draft"
SUBMITTED_CODE = "online_case_code"
HONEYPOT = "website"
# What a new form shows before the citizen changes it.
DEFAULTS = {
    "applicant.nationality": "VN",
    "applicant.id_document.type": "cccd",
    "certificate_type": "1",
    "copies": "1",
    "fee.category": "standard",
    "delivery.method": "electronic",
}
RESIDENCE_ROWS = 2
# How each answer reads on the review page.
CHOICE_LABELS = {
    "applicant.sex": forms.SEX_CHOICES,
    "applicant.id_document.type": forms.ID_DOCUMENT_CHOICES,
    "requester.id_document.type": forms.ID_DOCUMENT_CHOICES,
    "certificate_type": forms.CERTIFICATE_TYPE_CHOICES,
    "requester.kind": forms.REQUESTER_KIND_CHOICES,
    "requester.relationship": forms.RELATIONSHIP_CHOICES,
    "fee.category": forms.FEE_CATEGORY_CHOICES,
    "delivery.method": forms.DELIVERY_CHOICES,
}
UPLOAD_KINDS = (AttachmentKind.ID_DOCUMENT, AttachmentKind.AUTHORISATION, AttachmentKind.FEE_PROOF)


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lltp.online.draft")


def _cookie_draft(*, for_writing=False):
    """The citizen's draft and when it started, from the signed cookie; (None, None) when there is none."""
    # Kept on the request, not on `g`: an app context (and its `g`) may outlive one request.
    if not hasattr(request, "online_draft"):
        request.online_draft = (None, None)
        value = request.cookies.get(DRAFT_COOKIE)
        try:
            token, started = _serializer().loads(value, return_timestamp=True) if value else (None, None)
        except BadSignature:
            token = None
        draft = drafts.find_draft(token, for_writing=for_writing)
        if draft is not None:
            request.online_draft, request.online_draft_cookie = (draft, started), value
    return request.online_draft


def _draft(*, for_writing=False):
    return _cookie_draft(for_writing=for_writing)[0]


def _writable_draft():
    """The citizen's draft, started now when they have none (its cookie is set by `_respond`)."""
    draft = _draft(for_writing=True)
    if draft is None:
        draft, token = drafts.start_draft()
        request.online_draft_cookie = _serializer().dumps(token)
    return draft


def _page(body, status=200):
    return _respond(make_response(body, status))


def _respond(response):
    """A response of the online form: never cached (it shows personal data), and carrying the draft
    cookie, whose life starts again with every visit."""
    response.headers["Cache-Control"] = "no-store"
    value = getattr(request, "online_draft_cookie", None)
    if value:
        response.set_cookie(
            DRAFT_COOKIE,
            value,
            max_age=int(timedelta(days=current_app.config["LLTP_DRAFT_DAYS"]).total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _is_bot():
    """A person never sees the honeypot input, so never fills it in."""
    return bool(request.form.get(HONEYPOT, "").strip())


def _refused():
    """The answer to a script: the generic error, and nothing stored."""
    body = render_template(
        "errors/error.html", status=400, message=_("Không thể ghi nhận hồ sơ. Vui lòng thử lại sau.")
    )
    return _page(body, 400)


def _step_or_404(slug):
    step = drafts.STEP_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    return step


def _citizen():
    return Actor(
        user=None, source="citizen", ip=request.remote_addr, user_agent=request.headers.get("User-Agent")
    )


def _render_step(step, draft, *, errors=None, status=200, extra=None):
    data = draft.data if draft is not None else {}
    context = {
        "step": step,
        "steps": drafts.STEPS,
        "reached": drafts.STEPS.index(drafts.STEP_BY_KEY[draft.step]) if draft is not None else 0,
        "values": {**DEFAULTS, **data, **(extra or {})},
        "errors": errors or {},
        "check_url": url_for("intake.online_check"),
        "previous": drafts.previous_step(step) if step is not drafts.STEPS[0] else None,
        "residence_rows": RESIDENCE_ROWS,
    }
    if step.key == "attachments":
        attachments = draft.attachments if draft is not None else []
        context.update(
            needed=drafts.needed_attachments(data),
            kinds=UPLOAD_KINDS,
            kind_labels=forms.ATTACHMENT_KIND_LABELS,
            attachments={kind: [a for a in attachments if a.kind == kind] for kind in UPLOAD_KINDS},
            max_mb=current_app.config["LLTP_UPLOAD_MAX_BYTES"] // (1024 * 1024),
        )
    return _page(render_template(f"intake/online/{step.key}.html", **context), status)


def _review_sections(data):
    """The answers of each step as (label, text) pairs, in the order they were asked."""
    asks_for_self = not data.get("requester.kind")
    sections = []
    for step in drafts.STEPS[:4]:
        rows = []
        for name, value in data.items():
            if not step.owns(name) or not value.strip():
                continue
            if asks_for_self and name.startswith("requester."):
                continue
            rows.append((field_label(name), _answer_text(name, value)))
        sections.append((step, rows))
    return sections


def _answer_text(name, value):
    if name in forms.BOOLEAN_FIELDS:
        return _("Có")
    choices = {str(code): label for code, label in CHOICE_LABELS.get(name, ())}
    return choices.get(value, value)


def _render_review(draft, *, notice=None, status=200):
    """Every answer read-only, with the fee when the request is complete, or its problems linked to their
    steps when it is not."""
    today = clock.today()
    fee, errors = None, {}
    try:
        cleaned = drafts.check_draft(draft, today=today)
        fee = quote_fee(cleaned, channel=Channel.ONLINE, day=today)
    except ValidationFailed as failed:
        errors = failed.errors
    body = render_template(
        "intake/online/review.html",
        step=drafts.REVIEW,
        steps=drafts.STEPS,
        reached=drafts.STEPS.index(drafts.STEP_BY_KEY[draft.step]),
        sections=_review_sections(draft.data),
        attachments=draft.attachments,
        kind_labels=forms.ATTACHMENT_KIND_LABELS,
        errors=errors,
        error_links={
            path: url_for("intake.online_step", step=drafts.step_of(path).slug) + "#" + forms.field_id(path)
            for path in errors
        },
        notice=notice,
        fee=fee,
        previous=drafts.previous_step(drafts.REVIEW),
    )
    return _page(body, status)


@bp.get("/nop-ho-so")
@public
def online_start():
    """The online form's entrance: on to the first step the citizen has not finished."""
    draft = _draft()
    step = drafts.STEP_BY_KEY[draft.step] if draft is not None else drafts.STEPS[0]
    return redirect(url_for("intake.online_step", step=step.slug), 303)


@bp.get("/nop-ho-so/<step>")
@public
def online_step(step):
    """One step of the form, refilled from the draft."""
    step = _step_or_404(step)
    draft = _draft()
    if step is drafts.REVIEW:
        if draft is None:
            return redirect(url_for("intake.online_start"), 303)
        return _render_review(draft)
    return _render_step(step, draft)


@bp.post("/nop-ho-so/<step>")
@public
def online_save_step(step):
    """Save a step's answers into the draft; on to the next step, or back with this step's errors."""
    step = _step_or_404(step)
    if _is_bot():
        return _refused()
    draft = _writable_draft()
    action = "add_row" if request.form.get("_add_row") else request.form.get("_action", "next")
    errors = drafts.answer_step(
        draft, step, request.form.to_dict(), today=clock.today(), advance=action == "next"
    )
    db.session.commit()
    if action == "add_row":
        return _render_step(step, draft, extra={"_rows": request.form.get("_rows", "0"), "_add_row": "1"})
    if action == "back":
        return _respond(redirect(url_for("intake.online_step", step=drafts.previous_step(step).slug), 303))
    if errors:
        return _render_step(
            step, draft, errors=errors, status=422, extra={"_rows": request.form.get("_rows", "0")}
        )
    target = drafts.REVIEW if draft.step == drafts.REVIEW.key else drafts.next_step(step)
    return _respond(redirect(url_for("intake.online_step", step=target.slug), 303))


@bp.post("/nop-ho-so/kiem-tra")
@public
def online_check():
    """The inline check of one input (htmx), which also keeps the answers in the draft as they are typed."""
    step = drafts.STEP_BY_KEY.get(request.form.get("_step", ""))
    if step is None or step is drafts.REVIEW:
        abort(400)
    if _is_bot():
        return _page(field_check_response(lambda: None))
    draft = _writable_draft()
    drafts.answer_step(draft, step, request.form.to_dict(), today=clock.today(), advance=False)
    db.session.commit()
    return _page(field_check_response(lambda: drafts.check_step(draft, step, today=clock.today())))


@bp.post("/nop-ho-so/tai-lieu/tai-len")
@public
@limiter.limit(lambda: current_app.config["LLTP_ONLINE_RATE_LIMIT"])
def online_upload():
    """Upload one scan to the draft, after checking its type by content and its size."""
    if _is_bot():
        return _refused()
    kind = request.form.get("kind", "")
    if kind not in UPLOAD_KINDS:
        abort(400)
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    filename = (upload.filename if upload is not None else "") or "tep-tai-len"
    draft = _writable_draft()
    step = drafts.STEP_BY_KEY["attachments"]
    try:
        check = check_upload(
            data,
            filename,
            max_bytes=current_app.config["LLTP_UPLOAD_MAX_BYTES"],
            field=drafts.attachment_path(kind),
        )
    except ValidationFailed as failed:
        # The draft may just have started: keep it, but nothing of the refused file.
        db.session.commit()
        return _render_step(step, draft, errors=failed.errors, status=422)
    add_attachment(data, check, filename=filename, kind=AttachmentKind(kind), actor=_citizen(), draft=draft)
    db.session.commit()
    return _respond(redirect(url_for("intake.online_step", step=step.slug), 303))


@bp.post("/nop-ho-so/tai-lieu/<int:attachment_id>/xoa")
@public
def online_remove_attachment(attachment_id):
    """Take an uploaded scan off the draft."""
    draft = _draft(for_writing=True)
    if draft is None:
        return redirect(url_for("intake.online_start"), 303)
    drafts.remove_attachment(draft, attachment_id)
    db.session.commit()
    return _respond(redirect(url_for("intake.online_step", step="tai-lieu"), 303))


@bp.post("/nop-ho-so/xem-lai")
@public
@limiter.limit(lambda: current_app.config["LLTP_ONLINE_RATE_LIMIT"])
def online_submit():
    """Submit the whole request: a case awaiting payment, then the confirmation page."""
    if _is_bot():
        return _refused()
    draft, started = _cookie_draft(for_writing=True)
    if draft is None:
        return redirect(url_for("intake.online_start"), 303)
    if datetime.now(UTC) - started < timedelta(seconds=current_app.config["LLTP_ONLINE_MIN_SECONDS"]):
        notice = _(
            "Hồ sơ được gửi quá nhanh. Vui lòng kiểm tra lại các thông tin dưới đây "
            "rồi bấm Nộp hồ sơ một lần nữa."
        )
        return _render_review(draft, notice=notice, status=422)
    try:
        cleaned = drafts.check_draft(draft, today=clock.today())
    except ValidationFailed:
        db.session.rollback()
        return _render_review(draft, status=422)
    case = drafts.submit_draft(draft, cleaned, actor=_citizen())
    code = case.code
    db.session.commit()
    # The code stays in the session, not in the URL: codes are sequential, and a guessed URL must not
    # show somebody else's fee.
    session[SUBMITTED_CODE] = code
    response = redirect(url_for("intake.online_done"), 303)
    response.delete_cookie(DRAFT_COOKIE)
    return response


@bp.get("/nop-ho-so/da-nop")
@public
def online_done():
    """The confirmation of the request just submitted: its code, the fee and how to pay it."""
    code = session.get(SUBMITTED_CODE)
    case = get_case(code) if code else None
    if case is None:
        return redirect(url_for("intake.online_start"), 303)
    fee = FeeQuote(**case.declaration.fee_breakdown)
    config = current_app.config
    qr = None
    if fee.amount > 0:
        payload = vietqr_payload(
            bank_bin=config["LLTP_BANK_BIN"],
            account_number=config["LLTP_BANK_ACCOUNT"],
            amount=fee.amount,
            message=case.code,
        )
        title = _(
            "Mã QR chuyển khoản đến tài khoản %(account)s, %(bank)s, số tiền %(amount)s, nội dung %(code)s",
            account=config["LLTP_BANK_ACCOUNT"],
            bank=config["LLTP_BANK_NAME"],
            amount=format_money(fee.amount),
            code=case.code,
        )
        qr = {"payload": payload, "svg": Markup(vietqr_svg(payload, title=title))}
    body = render_template(
        "intake/online/done.html",
        case=case,
        fee=fee,
        qr=qr,
        bank={
            "name": config["LLTP_BANK_NAME"],
            "account": config["LLTP_BANK_ACCOUNT"],
            "account_name": config["LLTP_BANK_ACCOUNT_NAME"],
        },
    )
    return _page(body)
