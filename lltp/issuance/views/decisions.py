"""An approver's decisions on an issued certificate: the page that lists them and records a new one
(supplement, correct, revoke or cancel), and each decision's PDF."""

from datetime import datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lltp.accounts.models import Role, UnitKind
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_date
from lltp.extensions import db
from lltp.issuance import decisions
from lltp.issuance.models import Certificate, CertificateDecision, CertificateStatus
from lltp.issuance.views import bp
from lltp.issuance.views.downloads import file_name, pdf_download

APPROVERS = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}
FIELDS = ("kind", "number", "decided_on", "reason", "replacement")


def _certificate_or_404(code, certificate_id):
    """The certificate, when it is the case's; a 404 otherwise."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.case.code != code:
        abort(404)
    return certificate


def _replacement_choices(certificate):
    """The certificates the form offers as the replacement, by id, each with its number and date."""
    if certificate.status is not CertificateStatus.VALID:
        return {}
    return {
        str(candidate.id): _(
            "%(number)s, cấp ngày %(day)s", number=candidate.number, day=format_date(candidate.issued_on)
        )
        for candidate in decisions.replacement_candidates(certificate)
    }


def _render(certificate, *, values=None, errors=None, status=200):
    return make_response(
        render_template(
            "issuance/decision_form.html",
            certificate=certificate,
            person=certificate.content["person"],
            decisions=decisions.decisions_of(certificate),
            replacement_choices=_replacement_choices(certificate),
            kind_labels=decisions.KIND_LABELS,
            status_labels=decisions.STATUS_LABELS,
            values=values or {},
            errors=errors or {},
        ),
        status,
    )


def _typed_date(text):
    """A dd/mm/yyyy date, or None (the service then asks for one)."""
    try:
        return datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


@bp.get("/ho-so/<code>/phieu/<int:certificate_id>/quyet-dinh")
@requires(Role.APPROVER, **APPROVERS)
def decision_form(code, certificate_id):
    """The certificate's decisions, and the form to record a new one while it is still valid."""
    certificate = _certificate_or_404(code, certificate_id)
    decisions.audit_certificate_read(certificate, actor=current_actor())
    db.session.commit()
    return _render(certificate)


@bp.post("/ho-so/<code>/phieu/<int:certificate_id>/quyet-dinh")
@requires(Role.APPROVER, **APPROVERS)
def record_decision(code, certificate_id):
    """Record a decision to supplement, correct, revoke or cancel the certificate."""
    certificate = _certificate_or_404(code, certificate_id)
    values = {name: request.form.get(name, "") for name in FIELDS}
    replacement_id = request.form.get("replacement", type=int)
    try:
        decision = decisions.record_decision(
            certificate,
            kind=values["kind"],
            number=values["number"],
            decided_on=_typed_date(values["decided_on"]),
            reason=values["reason"],
            actor=current_actor(),
            replacement=db.session.get(Certificate, replacement_id) if replacement_id else None,
        )
    except ValidationFailed as failed:
        db.session.rollback()
        return _render(certificate, values=values, errors=failed.errors, status=422)
    db.session.commit()
    flash(
        _(
            "Đã ghi nhận Quyết định số %(number)s. Phiếu %(certificate)s: %(status)s.",
            number=decision.number,
            certificate=certificate.number,
            status=decisions.STATUS_LABELS[certificate.status],
        ),
        "success",
    )
    return redirect(url_for("issuance.decision_form", code=code, certificate_id=certificate.id), 303)


@bp.get("/ho-so/<code>/quyet-dinh/<int:decision_id>.pdf")
@requires(Role.APPROVER, **APPROVERS)
def decision_pdf(code, decision_id):
    """The decision's own PDF, as it was made when it was recorded; a read of the person's data."""
    decision = db.session.get(CertificateDecision, decision_id)
    if decision is None or decision.pdf is None or decision.certificate.case.code != code:
        abort(404)
    decisions.audit_decision_read(decision, actor=current_actor())
    db.session.commit()
    return pdf_download(decision.pdf, f"quyet-dinh-{file_name(decision.number)}")
