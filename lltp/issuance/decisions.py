"""Decisions on an issued certificate (domain §10): an approver supplements, corrects, revokes or cancels
it by a decision with a number, a date, a reason and a PDF of its own. A supplement or correction names
the new certificate that replaces the old one (which points back at it); the old one's status changes, and
the public check shows it at once."""

import hashlib
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role, User
from lltp.cases.models import Case
from lltp.core import audit, clock
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.pdf import render_pdf
from lltp.core.text import format_date, nfc
from lltp.extensions import db
from lltp.intake.pdf import authority
from lltp.issuance.models import Certificate, CertificateDecision, CertificateStatus, DecisionKind
from lltp.issuance.pdf import LEGAL_BASES

TEMPLATE = "issuance/pdf/decision.html"
KIND_LABELS = {
    DecisionKind.SUPPLEMENT: _l("Bổ sung"),
    DecisionKind.CORRECT: _l("Đính chính"),
    DecisionKind.REVOKE: _l("Thu hồi"),
    DecisionKind.CANCEL: _l("Hủy bỏ"),
}
STATUS_LABELS = {
    CertificateStatus.VALID: _l("Còn giá trị sử dụng"),
    CertificateStatus.SUPPLEMENTED: _l("Đã được bổ sung bằng một Phiếu khác"),
    CertificateStatus.CORRECTED: _l("Đã được đính chính bằng một Phiếu khác"),
    CertificateStatus.REVOKED: _l("Đã bị thu hồi"),
    CertificateStatus.CANCELLED: _l("Đã bị hủy bỏ"),
}
# The decision's own wording, fixed by law: Vietnamese whatever the interface's locale.
KIND_VERBS = {
    DecisionKind.SUPPLEMENT: "bổ sung",
    DecisionKind.CORRECT: "đính chính",
    DecisionKind.REVOKE: "thu hồi",
    DecisionKind.CANCEL: "hủy bỏ",
}
STATUS_AFTER = {
    DecisionKind.SUPPLEMENT: CertificateStatus.SUPPLEMENTED,
    DecisionKind.CORRECT: CertificateStatus.CORRECTED,
    DecisionKind.REVOKE: CertificateStatus.REVOKED,
    DecisionKind.CANCEL: CertificateStatus.CANCELLED,
}
# A supplement or correction always issues a new certificate; a revocation or cancellation may.
NEEDS_REPLACEMENT = frozenset({DecisionKind.SUPPLEMENT, DecisionKind.CORRECT})
NUMBER_MAX = 60
# Functions `(certificate, decision, actor)` that later areas register to act in the same transaction as
# every decision (integrations queues the API client's callback), without this area importing theirs.
after_decision = []


def decisions_of(certificate):
    """The decisions taken on `certificate`, oldest first."""
    return db.session.scalars(
        sa.select(CertificateDecision)
        .where(CertificateDecision.certificate_id == certificate.id)
        .order_by(CertificateDecision.decided_on, CertificateDecision.id)
    ).all()


def replacement_candidates(certificate):
    """The certificates that may replace `certificate`: valid ones of the same type, issued since, replacing
    nothing yet, for the same case or the same applicant's ID number."""
    same_person = Certificate.case_id == certificate.case_id
    id_number = certificate.case.applicant_id_number
    if id_number:
        same_person = sa.or_(same_person, Case.applicant_id_number == id_number)
    return db.session.scalars(
        sa.select(Certificate)
        .join(Case, Certificate.case_id == Case.id)
        .where(
            same_person,
            Certificate.id != certificate.id,
            Certificate.status == CertificateStatus.VALID,
            Certificate.replaces_id.is_(None),
            Certificate.certificate_type == certificate.certificate_type,
            Certificate.issued_at >= certificate.issued_at,
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()


def _decision_errors(certificate, kind, number, decided_on, reason, replacement):
    """The field errors of a decision, by the form's field names."""
    errors = {}
    if kind is None:
        errors["kind"] = _("Vui lòng chọn loại quyết định.")
    if not number:
        errors["number"] = _("Vui lòng nhập số quyết định.")
    elif len(number) > NUMBER_MAX:
        errors["number"] = _("Số quyết định dài quá %(max)s ký tự.", max=NUMBER_MAX)
    elif db.session.scalar(sa.select(CertificateDecision.id).where(CertificateDecision.number == number)):
        errors["number"] = _("Số quyết định này đã được dùng cho một quyết định khác.")
    if decided_on is None:
        errors["decided_on"] = _("Vui lòng nhập ngày quyết định, theo dạng dd/mm/yyyy.")
    elif decided_on > clock.today():
        errors["decided_on"] = _("Ngày quyết định không được sau ngày hôm nay.")
    elif decided_on < certificate.issued_on:
        errors["decided_on"] = _("Ngày quyết định không được trước ngày cấp Phiếu.")
    if not reason:
        errors["reason"] = _("Vui lòng ghi lý do của quyết định.")
    if replacement is None:
        if kind in NEEDS_REPLACEMENT:
            errors["replacement"] = _("Vui lòng chọn Phiếu mới thay thế Phiếu này.")
    elif replacement not in replacement_candidates(certificate):
        errors["replacement"] = _("Phiếu này không thể thay thế Phiếu đang xét.")
    return errors


def record_decision(certificate, *, kind, number, decided_on, reason, actor, replacement=None):
    """Record an approver's decision to supplement, correct, revoke or cancel `certificate`: its status
    changes, the replacement points back at it, and the decision gets its PDF."""
    if actor.user is None or not actor.user.has_role(Role.APPROVER):
        raise NotAllowed(_("Chỉ người có thẩm quyền ký Phiếu được ra quyết định về Phiếu đã cấp."))
    if certificate.status is not CertificateStatus.VALID:
        raise InvalidTransition(_("Phiếu này đã có quyết định và không còn giá trị sử dụng."))
    try:
        kind = DecisionKind(kind)
    except ValueError:
        kind = None
    number = nfc((number or "").strip())
    reason = nfc((reason or "").strip())
    errors = _decision_errors(certificate, kind, number, decided_on, reason, replacement)
    if errors:
        raise ValidationFailed(errors)
    before = certificate.status
    decision = CertificateDecision(
        certificate_id=certificate.id,
        kind=kind,
        number=number,
        decided_on=decided_on,
        reason=reason,
        replacement_id=replacement.id if replacement is not None else None,
        decided_by_id=actor.user_id,
    )
    db.session.add(decision)
    certificate.status = STATUS_AFTER[kind]
    if replacement is not None:
        replacement.replaces_id = certificate.id
    db.session.flush()
    decision.pdf = render_decision(decision)
    decision.pdf_sha256 = hashlib.sha256(decision.pdf).hexdigest()
    audit.record(
        "issuance.decision_recorded",
        actor,
        object_type="certificate",
        object_id=certificate.id,
        case_id=certificate.case_id,
        reason=reason,
        details={
            "decision_id": decision.id,
            "kind": kind.value,
            "number": number,
            "decided_on": decided_on.isoformat(),
            "status": {"before": before.value, "after": certificate.status.value},
            "replacement": replacement.number if replacement is not None else None,
            "pdf_sha256": decision.pdf_sha256,
        },
    )
    db.session.flush()
    # The new status reaches the check page and the API by being read from this row; the API client that
    # sent the case hears of it from a listener (its callback), in this transaction.
    for listener in after_decision:
        listener(certificate, decision, actor)
    return decision


def audit_decision_read(decision, *, actor):
    """Record that an officer opened a decision's PDF, which names the person."""
    audit.record(
        "issuance.decision_viewed",
        actor,
        object_type="certificate_decision",
        object_id=decision.id,
        case_id=decision.certificate.case_id,
    )


def audit_certificate_read(certificate, *, actor):
    """Record that an approver opened a certificate's decisions page, which names the person."""
    audit.record(
        "issuance.decisions_viewed",
        actor,
        object_type="certificate",
        object_id=certificate.id,
        case_id=certificate.case_id,
    )


def decision_context(decision):
    """What the decision's template is given: the header, the certificate it is about, and the signer."""
    certificate = decision.certificate
    person = certificate.content["person"]
    signer = db.session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    return {
        "authority": authority(),
        "number": decision.number,
        "issued_on": decision.decided_on,
        "signer_title_lines": current_app.config["LLTP_AUTHORITY_SIGNER_TITLE"].splitlines(),
        "signer_name": signer.full_name if signer is not None else "",
        "verb": KIND_VERBS[decision.kind],
        "legal_bases": LEGAL_BASES,
        "certificate": certificate,
        "certificate_issued_on": format_date(certificate.issued_on),
        "person_name": person["full_name"],
        "person_born_on": format_date(date.fromisoformat(person["date_of_birth"])),
        "person_id_number": person.get("id_number"),
        "reason": decision.reason,
        "replacement": decision.replacement,
        "replacement_issued_on": decision.replacement and format_date(decision.replacement.issued_on),
    }


def render_decision(decision) -> bytes:
    """The decision's PDF, in the authority's name, about the certificate it changes."""
    with force_locale("vi"):
        return render_pdf(TEMPLATE, **decision_context(decision))
