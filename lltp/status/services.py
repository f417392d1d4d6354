"""The applicant's own follow-up from the status page, each step proved by a one-time code sent to the
phone or email on file: completing an incomplete dossier, reporting a transfer, withdrawing, downloading.

The actor is the applicant (no user), with the address the request came from. Services flush; the view
commits once, and also after a wrong code, so that the wrong try is counted.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases import services as case_services
from lltp.core import audit, clock
from lltp.core.errors import DomainError, NotAllowed, ValidationFailed
from lltp.core.text import nfc
from lltp.delivery.notifications import notify
from lltp.extensions import db
from lltp.intake.models import AttachmentKind
from lltp.intake.services import add_attachment
from lltp.status.models import CodePurpose, OneTimeCode, PaymentReport

CODE_DIGITS = 6


class CodeRefused(DomainError):
    """The one-time code is wrong, expired, spent, or out of tries. The same words for each."""

    status_code = 422


def _code_hash(row_id, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"lltp.status.otp:{row_id}:{code}".encode(), hashlib.sha256).hexdigest()


NO_CONTACT = _l(
    "Không gửi được mã xác thực: hồ sơ không có số điện thoại hoặc email nhận thông báo. Vui lòng liên hệ "
    "bộ phận một cửa của cơ quan cấp Phiếu."
)


def send_code(case, purpose, *, actor):
    """Make a one-time code for `purpose` and send it to the phone and email on file; returns its row.
    Raises NotAllowed when no message can carry it (no address on file, or an agency's request)."""
    now = clock.now()
    row = OneTimeCode(
        case_id=case.id,
        purpose=CodePurpose(purpose),
        code_hash="",
        created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["LLTP_ONE_TIME_CODE_MINUTES"]),
        attempts=0,
        ip=actor.ip,
    )
    db.session.add(row)
    db.session.flush()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # The hash binds the code to its own row: a code sent for one case or purpose opens nothing else.
    row.code_hash = _code_hash(row.id, code)
    kind = "download" if row.purpose is CodePurpose.DOWNLOAD else "follow_up"
    if not notify(case, "one_time_code", code=code, purpose=kind, expires_at=row.expires_at):
        raise NotAllowed(str(NO_CONTACT))
    audit.record(
        "status.one_time_code",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        details={"purpose": str(purpose)},
    )
    db.session.flush()
    return row


def redeem_code(code_id, case, purpose, typed, *, now=None):
    """Spend the one-time code `code_id` when `typed` is it. Raises CodeRefused otherwise, after counting
    the wrong try (the caller commits it)."""
    now = now or clock.now()
    row = db.session.scalar(sa.select(OneTimeCode).where(OneTimeCode.id == code_id).with_for_update())
    refused = CodeRefused(_("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng yêu cầu gửi mã mới."))
    if row is None or row.case_id != case.id or row.purpose != CodePurpose(purpose):
        raise refused
    usable = (
        row.used_at is None
        and row.expires_at > now
        and row.attempts < current_app.config["LLTP_ONE_TIME_CODE_MAX_ATTEMPTS"]
    )
    right = hmac.compare_digest(row.code_hash, _code_hash(row.id, "".join((typed or "").split())))
    if not (usable and right):
        row.attempts += 1
        db.session.flush()
        raise refused
    row.used_at = now
    db.session.flush()
    return row


def report_payment(case, *, reference, amount, paid_on, actor):
    """Keep the applicant's report of a transfer, for the intake officer to check against the bank."""
    reference = nfc((reference or "").strip())
    errors = {}
    if not reference:
        errors["reference"] = _("Vui lòng nhập mã giao dịch hoặc nội dung chuyển khoản.")
    if amount is None or amount <= 0:
        errors["amount"] = _("Vui lòng nhập số tiền đã chuyển (đồng).")
    if paid_on is None:
        errors["paid_on"] = _("Vui lòng nhập ngày chuyển khoản theo dạng dd/mm/yyyy.")
    elif paid_on > clock.today():
        errors["paid_on"] = _("Ngày chuyển khoản không được sau ngày hôm nay.")
    if errors:
        raise ValidationFailed(errors)
    report = PaymentReport(
        case_id=case.id, reference=reference[:80], amount=amount, paid_on=paid_on, ip=actor.ip
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        "status.payment_report",
        actor,
        object_type="payment_report",
        object_id=report.id,
        case_id=case.id,
        details={"amount": amount, "paid_on": paid_on.isoformat()},
    )
    return report


def payment_reports_of(case):
    return db.session.scalars(
        sa.select(PaymentReport).where(PaymentReport.case_id == case.id).order_by(PaymentReport.id)
    ).all()


def complete_dossier(case, *, answer, uploads, actor):
    """Answer the officer's request and add the missing papers; the case is received again and its count
    starts over. `uploads` are `(data, check, filename)` that passed `check_upload`."""
    answer = nfc((answer or "").strip())
    if not answer and not uploads:
        raise ValidationFailed(
            {"answer": _("Vui lòng trả lời yêu cầu bổ sung hoặc tải lên giấy tờ còn thiếu.")}
        )
    for data, check, filename in uploads:
        add_attachment(data, check, filename=filename, kind=AttachmentKind.OTHER, actor=actor, case=case)
    note = answer or _("Người yêu cầu đã nộp bổ sung %(n)d tệp.", n=len(uploads))
    return case_services.transition(case, "complete_dossier", actor=actor, note=note)


def withdraw(case, *, reason, actor):
    """Withdraw the request with the applicant's reason; refused once the certificate is signed."""
    return case_services.transition(case, "withdraw", actor=actor, note=nfc((reason or "").strip()))


def record_download(certificate, *, actor):
    """The applicant downloaded their certificate: their own read, audited."""
    audit.record(
        "certificate.download",
        actor,
        object_type="certificate",
        object_id=certificate.number,
        case_id=certificate.case_id,
        details={"type": certificate.certificate_type},
    )
