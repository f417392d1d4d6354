"""The citizens' online form (/nop-ho-so): its steps, and the drafts that keep a citizen's answers between
them, so they survive a reload, a lost connection and a browser restart.

A draft is found by a random token that only the citizen's cookie holds; the database keeps its SHA-256.
Its answers are the form's own flat `{dotted.name: text}` dict, so a step is refilled exactly as it was
typed, and every step is checked by the one request validator, keeping the errors of that step's fields.
Services flush; the caller commits once.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases.models import Channel
from lltp.core import audit, clock
from lltp.core.crypto import token_hash
from lltp.core.errors import NotFound, ValidationFailed
from lltp.extensions import db
from lltp.intake.forms import unflatten
from lltp.intake.models import Attachment, AttachmentKind, FeeCategory, OnlineDraft
from lltp.intake.services import receive_request
from lltp.intake.validation import validate_request

RESIDENCE_ROWS = "applicant.residence_history"
REQUESTER = "requester"
ATTACHMENTS = "attachments"
_ROW = re.compile(rf"{re.escape(RESIDENCE_ROWS)}\.(\d+)\.(.+)")


@dataclass(frozen=True)
class Step:
    """One page of the form: the inputs it owns are the request paths under `prefixes`."""

    key: str
    slug: str
    title: str
    prefixes: tuple = ()

    def owns(self, path):
        return any(_under(path, prefix) for prefix in self.prefixes)


def _under(path, prefix):
    return path == prefix or path.startswith(prefix + ".")


STEPS = (
    Step(
        "applicant",
        "nguoi-yeu-cau",
        _l("Người được cấp phiếu"),
        tuple(
            f"applicant.{name}"
            for name in (
                "full_name",
                "other_names",
                "sex",
                "date_of_birth",
                "place_of_birth",
                "nationality",
                "ethnicity",
                "id_document",
                "permanent_address",
                "temporary_address",
                "father",
                "mother",
                "spouse",
            )
        ),
    ),
    Step("residence", "noi-cu-tru", _l("Quá trình cư trú"), (RESIDENCE_ROWS,)),
    Step(
        "certificate",
        "loai-phieu",
        _l("Loại phiếu"),
        ("certificate_type", "include_ban_section", "purpose", "copies", REQUESTER, "fee"),
    ),
    Step("delivery", "nhan-ket-qua", _l("Nhận kết quả"), ("delivery", "applicant.phone", "applicant.email")),
    Step("attachments", "tai-lieu", _l("Tài liệu đính kèm"), (ATTACHMENTS,)),
    Step("review", "xem-lai", _l("Xem lại và nộp")),
)
STEP_BY_KEY = {step.key: step for step in STEPS}
STEP_BY_SLUG = {step.slug: step for step in STEPS}
REVIEW = STEP_BY_KEY["review"]


def step_of(path):
    """The step whose page holds the input of `path` (the review page for anything else)."""
    return next((step for step in STEPS if step.owns(path)), REVIEW)


def next_step(step):
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step):
    return STEPS[max(STEPS.index(step) - 1, 0)]


# --- drafts ---------------------------------------------------------------------------------------


def start_draft():
    """A new, empty draft; returns it with the token that finds it again (never stored)."""
    token = secrets.token_urlsafe(32)
    draft = OnlineDraft(token_hash=token_hash(token), data={}, step=STEPS[0].key)
    db.session.add(draft)
    db.session.flush()
    return draft, token


def find_draft(token, *, for_writing=False):
    """The draft that `token` opens, unless it has not been touched for LLTP_DRAFT_DAYS. `for_writing`
    touches it first, so the transaction holds the write lock before it reads: the inline checks and the
    step's own post write the same draft at once, and SQLite refuses a read transaction that turns into a
    write after another one committed (PostgreSQL locks the row, which orders them the same way)."""
    if not token:
        return None
    found = (OnlineDraft.token_hash == token_hash(token), OnlineDraft.updated_at >= _oldest_kept())
    if for_writing:
        db.session.execute(sa.update(OnlineDraft).where(*found).values(updated_at=clock.now()))
    return db.session.scalar(sa.select(OnlineDraft).where(*found))


def _oldest_kept():
    return clock.now() - timedelta(days=current_app.config["LLTP_DRAFT_DAYS"])


def answer_step(draft, step, fields, *, today, advance=True):
    """Replace the draft's answers for `step` with the posted `fields` (other names are ignored) and
    return the step's problems; when asked to `advance` and there are none, the draft moves past it."""
    answers = {name: value for name, value in fields.items() if step.owns(name) and isinstance(value, str)}
    if step.owns(RESIDENCE_ROWS):
        answers = _compact_rows(answers)
    data = {name: value for name, value in draft.data.items() if not step.owns(name)}
    data.update(answers)
    # A new dict: the JSON column notices only a new value, not a changed one.
    draft.data = data
    draft.updated_at = clock.now()
    errors = step_errors(draft, step, today=today)
    if advance and not errors:
        reached = max(STEPS.index(STEP_BY_KEY[draft.step]), STEPS.index(next_step(step)))
        draft.step = STEPS[reached].key
    db.session.flush()
    return errors


def _compact_rows(answers):
    """The residence rows renumbered 0, 1, 2... without the blank ones, so that the validator's row
    numbers (it drops blank rows) are the inputs' numbers too."""
    rows, others = {}, {}
    for name, value in answers.items():
        match = _ROW.fullmatch(name)
        if match:
            rows.setdefault(int(match[1]), {})[match[2]] = value
        else:
            others[name] = value
    kept = [row for _index, row in sorted(rows.items()) if any(value.strip() for value in row.values())]
    for index, row in enumerate(kept):
        others.update({f"{RESIDENCE_ROWS}.{index}.{field}": value for field, value in row.items()})
    return others


def residence_row_count(data):
    """How many residence rows the draft holds."""
    return len({int(match[1]) for name in data if (match := _ROW.fullmatch(name))})


def document(data):
    """The draft's answers as the request document the validator reads."""
    # Asking for oneself: whatever was typed into the "someone else asks" block does not count.
    if not data.get(f"{REQUESTER}.kind"):
        data = {name: value for name, value in data.items() if not _under(name, REQUESTER)}
    return unflatten(data)


def _validate(data, *, today):
    return validate_request(document(data), channel=Channel.ONLINE, today=today, date_style="vn")


def step_errors(draft, step, *, today):
    """The problems with the answers of one step, judged with every answer given so far."""
    if step.key == "attachments":
        return attachment_errors(draft)
    try:
        _validate(draft.data, today=today)
    except ValidationFailed as failed:
        return {path: message for path, message in failed.errors.items() if step.owns(path)}
    return {}


def check_step(draft, step, *, today):
    """Raise ValidationFailed with the problems of `step`, if it has any."""
    errors = step_errors(draft, step, today=today)
    if errors:
        raise ValidationFailed(errors)


def check_draft(draft, *, today):
    """The whole request, cleaned, or ValidationFailed with every problem of every step."""
    errors = attachment_errors(draft)
    try:
        cleaned = _validate(draft.data, today=today)
    except ValidationFailed as failed:
        errors = {**failed.errors, **errors}
    if errors:
        raise ValidationFailed(errors)
    return cleaned


# --- attachments ----------------------------------------------------------------------------------


def attachment_path(kind):
    return f"{ATTACHMENTS}.{AttachmentKind(kind).value}"


def needed_attachments(data):
    """The kinds of scan the answers call for: the ID document always; the authorisation for a proxy;
    the proof for a reduced or exempt fee."""
    kinds = [AttachmentKind.ID_DOCUMENT]
    if data.get(f"{REQUESTER}.kind") == "proxy":
        kinds.append(AttachmentKind.AUTHORISATION)
    if data.get("fee.category") in (FeeCategory.REDUCED, FeeCategory.EXEMPT):
        kinds.append(AttachmentKind.FEE_PROOF)
    return kinds


_MISSING_ATTACHMENT = {
    AttachmentKind.ID_DOCUMENT: _l("Vui lòng tải lên bản chụp giấy tờ tùy thân."),
    AttachmentKind.AUTHORISATION: _l("Vui lòng tải lên văn bản ủy quyền."),
    AttachmentKind.FEE_PROOF: _l("Vui lòng tải lên giấy tờ chứng minh được miễn, giảm lệ phí."),
}


def attachment_errors(draft):
    """The scans the answers call for that the draft does not have yet."""
    present = {attachment.kind for attachment in draft.attachments}
    return {
        attachment_path(kind): str(_MISSING_ATTACHMENT[kind])
        for kind in needed_attachments(draft.data)
        if kind not in present
    }


def remove_attachment(draft, attachment_id):
    """Take a scan off the draft. Its stored bytes stay: another attachment may have the same content."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.draft_id != draft.id:
        raise NotFound(_("Không tìm thấy tệp đính kèm."))
    db.session.delete(attachment)
    draft.updated_at = clock.now()
    db.session.flush()


# --- submitting and sweeping ----------------------------------------------------------------------


def submit_draft(draft, request, *, actor):
    """Receive the checked request as an online case, move the draft's scans to it, and delete the draft."""
    case = receive_request(request, channel=Channel.ONLINE, actor=actor)
    moved = list(draft.attachments)
    for attachment in moved:
        attachment.case_id, attachment.draft_id = case.id, None
    if moved:
        audit.record(
            "attachment.from_draft",
            actor,
            object_type="case",
            object_id=case.code,
            case_id=case.id,
            details={"attachments": [[a.id, str(a.kind), a.sha256] for a in moved]},
        )
    db.session.flush()
    db.session.delete(draft)
    db.session.flush()
    return case


def sweep_drafts():
    """Delete the drafts nobody has touched for LLTP_DRAFT_DAYS, with their scans' rows; returns how many."""
    old = sa.select(OnlineDraft.id).where(OnlineDraft.updated_at < _oldest_kept())
    db.session.execute(sa.delete(Attachment).where(Attachment.draft_id.in_(old)))
    result = db.session.execute(sa.delete(OnlineDraft).where(OnlineDraft.id.in_(old)))
    db.session.flush()
    return result.rowcount
