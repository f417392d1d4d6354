"""Drafting, approving and numbering certificates. Services flush; the caller commits once.

The draft is composed when a case reaches drafting (and again whenever it comes back to it, or goes for
signature), with the processing officer's reasoned edits laid over it. Approving numbers the certificate,
freezes what the draft says into it and signs it, then moves the case on, all in one transaction.
"""

import copy
import hashlib

from flask import current_app
from flask_babel import gettext as _

from lltp.accounts.models import Role
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage
from lltp.cases.workflow import may_take
from lltp.core import audit, clock, database
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.text import nfc
from lltp.extensions import db
from lltp.issuance import content, queries
from lltp.issuance.codes import check_code
from lltp.issuance.models import Certificate, CertificateCounter, CertificateDraft
from lltp.issuance.pdf import render_certificate
from lltp.issuance.signing import sign_certificate

REASON_LENGTH = 2000
VALUE_LENGTH = 500
# An identity item the certificate cannot print blank.
REQUIRED_FIELDS = frozenset({"person.full_name"})
LIST_FIELDS = frozenset({"person.other_names"})
# The stages whose arrival composes the draft again (drafting itself, and the snapshot sent to the approver).
COMPOSING_STAGES = frozenset({CaseStage.DRAFTING, CaseStage.AWAITING_SIGNATURE})


def draft_for(case):
    """The case's certificate draft, composed now if it has none yet."""
    return queries.draft_of(case) or refresh_draft(case)


def refresh_draft(case, *, as_of=None):
    """Compose the case's draft again from the tờ khai and the records, keeping the officer's edits."""
    draft = queries.draft_of(case)
    composed = content.compose(case, as_of=as_of)
    if draft is None:
        draft = CertificateDraft(case_id=case.id, edits=[], content=composed)
        draft.case = case
        db.session.add(draft)
    else:
        draft.content = queries.with_edits(composed, draft.edits)
    draft.composed_at = clock.now()
    db.session.flush()
    return draft


def _text(value, *, field, required, limit):
    text = nfc((value or "").strip())
    if required and not text:
        raise ValidationFailed({field: _("Vui lòng nhập nội dung này.")})
    if len(text) > limit:
        raise ValidationFailed({field: _("Không được dài quá %(max)d ký tự.", max=limit)})
    return text


def _edited_value(field, value):
    """The posted text as the snapshot holds it: a list of names for "other names", else text or None."""
    text = _text(value, field="value", required=field in REQUIRED_FIELDS, limit=VALUE_LENGTH)
    if field in LIST_FIELDS:
        return [name.strip() for name in text.split(",") if name.strip()]
    return text or None


def edit_draft(case, field, value, *, reason, actor):
    """Change one item the law leaves to the processing officer, with the reason; the diff is audited."""
    if case.stage is not CaseStage.DRAFTING:
        raise InvalidTransition(_("Chỉ sửa dự thảo Phiếu khi hồ sơ đang ở bước lập dự thảo."))
    user = actor.user
    if user is None or not user.is_authority_officer or not user.has_role(Role.PROCESSING_OFFICER):
        raise NotAllowed(_("Chỉ cán bộ xử lý hồ sơ được sửa dự thảo Phiếu."))
    if field not in content.EDITABLE_FIELDS:
        raise NotAllowed(_("Cán bộ không được sửa mục này của Phiếu: nội dung lấy từ cơ sở dữ liệu."))
    draft = draft_for(case)
    current = queries.with_edits(content.compose(case), draft.edits)
    if not queries.has_field(current, field):
        raise ValidationFailed(
            {"field": _("Phiếu số %(type)d không có mục này.", type=case.certificate_type)}
        )
    after = _edited_value(field, value)
    reason = _text(reason, field="reason", required=True, limit=REASON_LENGTH)
    before = queries.field_value(current, field)
    if after == before:
        raise ValidationFailed({"value": _("Nội dung mới giống nội dung hiện tại.")})
    at = clock.now()
    edit = {"field": field, "before": before, "after": after, "reason": reason, "by": actor.label}
    # A new list, so that the JSON column sees the change.
    draft.edits = [*draft.edits, {**edit, "by_id": actor.user_id, "at": at.isoformat()}]
    draft.content = queries.with_edits(current, [edit])
    db.session.flush()
    audit.record(
        "issuance.draft_edited",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        reason=reason,
        details={"field": field, "before": before, "after": after},
    )
    return draft


def submit_for_signature(case, *, actor):
    """Send the draft to the approver; what it says then is what the approver reads and signs."""
    case_services.transition(case, "submit_for_signature", actor=actor)
    return queries.draft_of(case)


def return_draft(case, *, reason, actor):
    """The approver sends the draft back to the processing officer, saying why."""
    reason = _text(reason, field="reason", required=True, limit=REASON_LENGTH)
    case_services.transition(case, "return_draft", actor=actor, note=reason)
    return queries.draft_of(case)


def check_second_factor(actor):
    """Only an approver who signs in with the second factor may sign a certificate."""
    if actor.user is None or not actor.user.has_two_factor:
        raise NotAllowed(_("Người ký Phiếu phải đăng ký xác thực hai lớp trước khi phê duyệt và ký."))


def _check_may_approve(case, actor):
    """Refuse before a serial is taken: the workflow's own refusal (stage, role), then the second factor."""
    if not may_take(actor.user, case.stage, "approve"):
        # The transition raises the workflow's refusal, with its message, before it writes anything.
        case_services.transition(case, "approve", actor=actor)
    check_second_factor(actor)


def approve(case, *, actor, at=None):
    """The approver approves and signs the draft: the certificate is numbered, frozen and signed, and the
    case is issued."""
    _check_may_approve(case, actor)
    at = at or clock.now()
    certificate = _issue_certificate(case, actor=actor, at=at)
    case_services.transition(
        case, "approve", actor=actor, at=at, data={"certificate_number": certificate.number}
    )
    return certificate


def next_serial(authority_code, year):
    """The next certificate serial of `year`, in the caller's transaction.

    One upsert: it inserts the year's counter row if missing, or increments it, and either way holds the
    row lock until the approval commits (on PostgreSQL a concurrent approval waits for it, then sees the new
    value; SQLite's BEGIN IMMEDIATE lets one writer in at a time). A rolled-back approval gives its serial
    back, so the serials of a year have no gaps, and a committed one is never handed out again.
    """
    return db.session.execute(
        database.insert(CertificateCounter)
        .values(authority_code=authority_code, year=year, last_serial=1)
        .on_conflict_do_update(
            index_elements=[CertificateCounter.authority_code, CertificateCounter.year],
            set_={"last_serial": CertificateCounter.last_serial + 1},
        )
        .returning(CertificateCounter.last_serial)
    ).scalar_one()


def _signed_pdf(certificate, approver):
    """The certificate's PDF, signed by the approver and then sealed by the authority."""
    return sign_certificate(render_certificate(certificate), approver=approver)


def _issue_certificate(case, *, actor, at):
    """Number the certificate, freeze what the draft says into it, and keep its signed PDF."""
    config = current_app.config
    day = clock.local_date(at)
    draft = queries.draft_of(case) or refresh_draft(case, as_of=day)
    code = config["LLTP_AUTHORITY_CODE"]
    serial = next_serial(code, day.year)
    number = f"{code}/{day.year}/{serial:06d}"
    signer = {"name": actor.user.full_name, "title": config["LLTP_AUTHORITY_SIGNER_TITLE"]}
    # Everything the paper prints, so that rendering it again, whatever the configuration then, says the same.
    snapshot = {
        **copy.deepcopy(draft.content),
        "number": number,
        "issued_on": day.isoformat(),
        "check_code": check_code(number),
        "template_version": content.TEMPLATE_VERSION,
        "copies": case.copies,
        "authority": {
            "name": config["LLTP_AUTHORITY_NAME"],
            "parent": config["LLTP_AUTHORITY_PARENT"],
            "code": code,
            "address": config["LLTP_AUTHORITY_ADDRESS"],
        },
        "signer": signer,
    }
    certificate = Certificate(
        case_id=case.id,
        number=number,
        authority_code=code,
        year=day.year,
        serial=serial,
        certificate_type=case.certificate_type,
        content=snapshot,
        template_version=content.TEMPLATE_VERSION,
        issued_at=at,
        issued_on=day,
        signer_id=actor.user_id,
        signer_name=signer["name"],
        signer_title=signer["title"],
        copies=case.copies,
        check_code=snapshot["check_code"],
    )
    certificate.case = case
    db.session.add(certificate)
    db.session.flush()
    certificate.pdf = _signed_pdf(certificate, actor.user)
    certificate.pdf_sha256 = hashlib.sha256(certificate.pdf).hexdigest()
    db.session.flush()
    audit.record(
        "issuance.certificate_issued",
        actor,
        object_type="certificate",
        object_id=number,
        case_id=case.id,
        details={"template_version": content.TEMPLATE_VERSION, "pdf_sha256": certificate.pdf_sha256},
    )
    return certificate


def on_case_transition(case, event, actor):
    """Reaching drafting (first, or again after a return), or going for signature, composes the draft."""
    if event.to_stage in COMPOSING_STAGES and event.from_stage != event.to_stage:
        refresh_draft(case, as_of=clock.local_date(event.at))


case_services.after_transition.append(on_case_transition)
