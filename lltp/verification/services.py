"""Changing verification tasks: routing a case's questions, adding and cancelling by hand, claiming,
answering (on the system or from paper), returning for clarification, escalating, and taking a found
judgment into the record database. Services flush; the caller commits once.

Who may do what is decided here, by unit (`access`), so the pages, their htmx fragments and the API
refuse the same things.
"""

import logging
import re
import uuid
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lltp.accounts.models import Role, Unit, UnitKind
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage, LegalProfile
from lltp.core import audit, clock, database
from lltp.core.audit import Actor
from lltp.core.calendar import working_calendar
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.text import nfc
from lltp.core.uploads import check_upload, store_upload
from lltp.extensions import db
from lltp.records import casework
from lltp.records.models import DocumentKind
from lltp.records.queries import surviving
from lltp.records.services import people as record_people
from lltp.records.validation import check_document
from lltp.verification import access, questions, routing
from lltp.verification.models import (
    AWAITING_UNIT,
    DONE,
    UNRESOLVED,
    AnswerOutcome,
    LetterCounter,
    RoutingCondition,
    RoutingRule,
    RoutingTarget,
    TaskAttachment,
    TaskEvent,
    TaskKind,
    TaskKindSetting,
    TaskStatus,
    VerificationTask,
)

log = logging.getLogger(__name__)

# The system actor that moves a case on when its last answer arrives.
VERIFICATION_SYSTEM = Actor.system("verification")
REASON_LENGTH = 2000
# The answer kinds whose "found" carries a records-contract document an officer can accept.
DOCUMENT_KINDS = {
    TaskKind.POLICE_LOOKUP: DocumentKind.JUDGMENT,
    TaskKind.JUDGMENT_OUTCOME: DocumentKind.ENFORCEMENT,
    TaskKind.ENFORCEMENT_STATUS: DocumentKind.ENFORCEMENT,
}


def due_working_days(kind):
    """The working days a unit has for `kind`, as the administrator set them."""
    setting = db.session.get(TaskKindSetting, TaskKind(kind))
    return setting.due_working_days if setting is not None else 5


def due_date_for(kind, start_day, calendar=None):
    calendar = calendar or working_calendar()
    return calendar.add_working_days(start_day, due_working_days(kind))


def _record_event(task, action, actor, *, before, note=None, data=None, at=None):
    event = TaskEvent(
        task=task,
        action=action,
        from_status=before,
        to_status=task.status,
        at=at or clock.now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        actor_unit_id=actor.user.unit_id if actor.user is not None else None,
        note=note,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(
        f"verification.{action}",
        actor,
        object_type="verification_task",
        object_id=task.id,
        case_id=task.case_id,
        reason=note,
        details={"from": before and str(before), "to": str(task.status), **(data or {})},
    )
    return event


def _reason(text, message, field="reason"):
    text = nfc((text or "").strip())
    if not text:
        raise ValidationFailed({field: message})
    if len(text) > REASON_LENGTH:
        raise ValidationFailed({field: _("Không được dài quá %(max)d ký tự.", max=REASON_LENGTH)})
    return text


def _open_task(case, planned_kind, unit, *, routing_key, question, reason, actor, rule=None, at=None):
    at = at or clock.now()
    task = VerificationTask(
        case_id=case.id,
        unit_id=unit.id,
        kind=planned_kind,
        status=TaskStatus.OPEN,
        question=question,
        routing_key=routing_key,
        routing_rule_id=rule.id if rule is not None else None,
        reason=reason,
        due_date=due_date_for(planned_kind, clock.local_date(at)),
        created_by_id=actor.user_id,
        created_at=at,
    )
    task.unit = unit
    task.case = case
    db.session.add(task)
    db.session.flush()
    _record_event(task, "create", actor, before=None, note=reason, data={"unit_id": unit.id}, at=at)
    return task


def route_case(case, *, actor, at=None):
    """Open the tasks the routing rules ask for `case` and that it does not have yet; returns (opened,
    unrouted), unrouted being the planned questions no unit on the system fits."""
    existing = set(
        db.session.scalars(sa.select(VerificationTask.routing_key).where(VerificationTask.case_id == case.id))
    )
    opened, unrouted = [], []
    for planned in routing.plan(case):
        if planned.unit is None:
            unrouted.append(planned)
        elif planned.routing_key not in existing:
            opened.append(
                _open_task(
                    case,
                    planned.kind,
                    planned.unit,
                    routing_key=planned.routing_key,
                    question=planned.question,
                    reason=planned.reason,
                    actor=actor,
                    rule=planned.rules[0],
                    at=at,
                )
            )
    return opened, unrouted


def add_task(case, *, unit, kind, reason, actor, note=None, at=None):
    """A processing officer asks a unit a question by hand, with the reason."""
    access.check_manages(case, actor.user)
    if case.stage is not CaseStage.VERIFYING:
        raise InvalidTransition(_("Chỉ gửi thêm yêu cầu xác minh khi hồ sơ đang ở bước xác minh."))
    reason = _reason(reason, _("Vui lòng ghi lý do gửi yêu cầu xác minh."))
    errors = {}
    if (
        unit is None
        or not unit.is_active
        or unit.kind in (UnitKind.ISSUING_AUTHORITY, UnitKind.POSTAL_OPERATOR)
    ):
        errors["unit_id"] = _("Vui lòng chọn cơ quan, đơn vị được yêu cầu xác minh.")
    try:
        kind = TaskKind(kind)
    except ValueError:
        errors["kind"] = _("Vui lòng chọn loại yêu cầu xác minh.")
    if errors:
        raise ValidationFailed(errors)
    facts = routing.facts_of(case)
    judgments = (
        [questions.judgment_facts(j) for j in facts.judgments.values()]
        if kind in routing.PER_JUDGMENT
        else []
    )
    question = questions.build(
        kind,
        facts.identity,
        judgments=judgments,
        differences=facts.differences,
        note=nfc((note or "").strip()) or None,
    )
    return _open_task(
        case,
        kind,
        unit,
        routing_key=f"manual:{uuid.uuid4().hex[:16]}",
        question=question,
        reason=reason,
        actor=actor,
        at=at,
    )


def cancel_task(task, *, reason, actor):
    """A processing officer withdraws a question that is no longer needed, with the reason."""
    access.check_manages(task.case, actor.user)
    if task.status in DONE:
        raise InvalidTransition(_("Yêu cầu xác minh này đã kết thúc, không thể hủy."))
    reason = _reason(reason, _("Vui lòng ghi lý do hủy yêu cầu xác minh."))
    before = task.status
    task.status = TaskStatus.CANCELLED
    task.cancelled_at = clock.now()
    _record_event(task, "cancel", actor, before=before, note=reason)
    _move_case_on_if_done(task.case)
    return task


def _claim_statement(task_id, user_id, now):
    """One conditional UPDATE: on PostgreSQL the row lock makes the second of two simultaneous claims
    wait, then find the task taken and change nothing."""
    return (
        sa.update(VerificationTask)
        .where(
            VerificationTask.id == task_id,
            VerificationTask.claimed_by_id.is_(None),
            VerificationTask.status.in_([TaskStatus.OPEN, TaskStatus.ESCALATED]),
        )
        .values(
            claimed_by_id=user_id,
            claimed_at=now,
            # An escalated task keeps its mark; an open one becomes claimed.
            status=sa.case(
                (VerificationTask.status == TaskStatus.OPEN, TaskStatus.CLAIMED),
                else_=VerificationTask.status,
            ),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def claim_task(task, *, actor, at=None):
    """A verifier of the task's unit takes it on. Exactly one of two officers claiming at once wins; the
    other is told who holds it."""
    access.check_works_on(task, actor.user)
    if task.claimed_by_id == actor.user_id:
        return task
    before = task.status
    now = at or clock.now()
    updated = db.session.execute(_claim_statement(task.id, actor.user_id, now)).rowcount
    db.session.refresh(task)
    if not updated:
        if task.claimed_by is not None:
            raise NotAllowed(
                _(
                    "Yêu cầu này đã được %(name)s (%(username)s) nhận xử lý.",
                    name=task.claimed_by.full_name,
                    username=task.claimed_by.username,
                )
            )
        raise InvalidTransition(_("Yêu cầu này không còn chờ xử lý."))
    _record_event(task, "claim", actor, before=before, at=now)
    return task


def claim_tasks(tasks, *, actor):
    """Claim several tasks at once; returns (claimed, refused) with each refusal's message."""
    claimed, refused = [], []
    for task in tasks:
        try:
            with db.session.begin_nested():
                claimed.append(claim_task(task, actor=actor))
        except (NotAllowed, InvalidTransition) as error:
            refused.append((task, error.message))
    return claimed, refused


def release_task(task, *, actor):
    """The verifier who claimed a task hands it back to the unit's list."""
    access.check_works_on(task, actor.user)
    if task.claimed_by_id != actor.user_id and not actor.user.has_role(Role.UNIT_SUPERVISOR):
        raise NotAllowed(_("Chỉ người đã nhận yêu cầu (hoặc lãnh đạo đơn vị) được trả lại."))
    if task.status not in AWAITING_UNIT or task.claimed_by_id is None:
        raise InvalidTransition(_("Yêu cầu này chưa có ai nhận xử lý."))
    before = task.status
    task.claimed_by_id = None
    task.claimed_at = None
    if task.status is TaskStatus.CLAIMED:
        task.status = TaskStatus.OPEN
    _record_event(task, "release", actor, before=before)
    return task


def check_answer(kind, outcome, details, note):
    """The typed answer, or ValidationFailed naming each field: for every channel (page, paper, API)."""
    errors = {}
    try:
        outcome = AnswerOutcome(outcome)
    except ValueError:
        errors["outcome"] = _("Vui lòng chọn kết quả xác minh.")
        raise ValidationFailed(errors) from None
    note = nfc((note or "").strip()) or None
    details = details or {}
    answer = None
    if outcome is AnswerOutcome.CANNOT_DETERMINE and not note:
        errors["note"] = _("Vui lòng ghi lý do không xác định được.")
    if note and len(note) > REASON_LENGTH:
        errors["note"] = _("Không được dài quá %(max)d ký tự.", max=REASON_LENGTH)
    if outcome is AnswerOutcome.FOUND:
        document = details.get("document")
        if document:
            expected = DOCUMENT_KINDS.get(TaskKind(kind))
            document = {**document, "kind": str(expected or document.get("kind"))}
            document.setdefault("source_ref", "answer")
            for path, message in check_document(_with_parent_ref(document)).items():
                errors[f"document.{path}"] = message
            answer = {"document": document}
        elif not note:
            errors["note"] = _("Vui lòng ghi nội dung thông tin tìm thấy.")
    if errors:
        raise ValidationFailed(errors)
    return outcome, answer, note


def _with_parent_ref(document):
    """The contract's checks want the parent's reference, which the accepting officer supplies later."""
    parent = {"judgment": "person_ref", "enforcement": "judgment_ref"}.get(document.get("kind"))
    return {**document, parent: document.get(parent) or "parent"} if parent else document


def answer_task(task, *, outcome, details=None, note=None, actor, on_paper=False, at=None, api_client=None):
    """Record a unit's answer: by its verifier on the system, by the unit's own system through the API
    (`api_client`, bound to the unit), or by an issuing-authority officer from the paper that came back
    (`on_paper`). The last answer of a case moves it on to drafting."""
    if on_paper:
        access.check_manages(task.case, actor.user)
    else:
        if api_client is not None:
            access.check_client_works_on(task, api_client)
        else:
            access.check_works_on(task, actor.user)
        if task.claimed_by_id not in (None, actor.user_id):
            raise NotAllowed(_("Yêu cầu này đã được %(name)s nhận xử lý.", name=task.claimed_by.full_name))
    if task.status not in AWAITING_UNIT:
        raise InvalidTransition(_("Yêu cầu này không còn chờ trả lời."))
    outcome, answer, note = check_answer(task.kind, outcome, details, note)
    before = task.status
    now = at or clock.now()
    if task.claimed_by_id is None and not on_paper:
        task.claimed_by_id, task.claimed_at = actor.user_id, now
    task.status = TaskStatus.ANSWERED
    task.outcome, task.answer, task.answer_note = outcome, answer, note
    task.answered_by_id, task.answered_at, task.answered_on_paper = actor.user_id, now, on_paper
    _record_event(
        task,
        "answer_on_paper" if on_paper else "answer",
        actor,
        before=before,
        note=note,
        data={"outcome": str(outcome)},
        at=now,
    )
    _move_case_on_if_done(task.case, at=now)
    return task


def return_for_clarification(task, *, message, actor, at=None):
    """The unit sends the question back to the issuing authority: something in it must be made clear."""
    access.check_works_on(task, actor.user)
    if task.status not in AWAITING_UNIT:
        raise InvalidTransition(_("Yêu cầu này không còn chờ trả lời."))
    message = _reason(message, _("Vui lòng ghi nội dung cần làm rõ."), field="message")
    before = task.status
    task.status = TaskStatus.RETURNED
    _record_event(task, "return", actor, before=before, note=message, at=at)
    return task


def clarify_task(task, *, message, actor):
    """The processing officer answers the unit's request for clarification; the unit's time starts again."""
    access.check_manages(task.case, actor.user)
    if task.status is not TaskStatus.RETURNED:
        raise InvalidTransition(_("Yêu cầu này không chờ làm rõ."))
    message = _reason(message, _("Vui lòng ghi nội dung làm rõ."), field="message")
    before = task.status
    task.status = TaskStatus.CLAIMED if task.claimed_by_id else TaskStatus.OPEN
    task.escalated_at = None
    task.due_date = due_date_for(task.kind, clock.today())
    _record_event(
        task, "clarify", actor, before=before, note=message, data={"due_date": task.due_date.isoformat()}
    )
    return task


def escalate_task(task, *, at=None):
    """Mark a task that reached its due date unanswered, for the unit's supervisor (the worker's scan)."""
    if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        return None
    before = task.status
    task.status = TaskStatus.ESCALATED
    task.escalated_at = at or clock.now()
    return _record_event(task, "escalate", Actor.system("worker"), before=before, at=task.escalated_at)


def attach_file(task, data, filename, *, actor):
    """Keep a scan on the task (the answer's proof, or the question's papers), checked by its content."""
    if actor.user is not None and actor.user.is_authority_officer:
        access.check_manages(task.case, actor.user)
    else:
        access.check_works_on(task, actor.user)
    check = check_upload(data, filename, max_bytes=current_app.config["LLTP_UPLOAD_MAX_BYTES"])
    path = store_upload(data, check, root=current_app.config["LLTP_VERIFICATION_UPLOAD_DIR"])
    attachment = TaskAttachment(
        task_id=task.id,
        filename=nfc((filename or "").strip())[:255] or f"tep.{check.extension}",
        content_type=check.content_type,
        size=check.size,
        sha256=check.sha256,
        path=path,
        uploaded_by_id=actor.user_id,
        uploaded_by_unit_id=actor.user.unit_id,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "verification.attachment_added",
        actor,
        object_type="verification_task",
        object_id=task.id,
        case_id=task.case_id,
        details={"attachment_id": attachment.id, "sha256": check.sha256, "size": check.size},
    )
    return attachment


def audit_read(task, *, actor, what="task"):
    """An officer was shown a task's question (a person's data): the audit log says so."""
    audit.record(
        f"verification.{what}_viewed",
        actor,
        object_type="verification_task",
        object_id=task.id,
        case_id=task.case_id,
    )


def accept_answer(task, *, actor):
    """Take the judgment or enforcement event a unit found into the record database, for the person
    matched to the case (or, for an event, the judgment the question was about)."""
    access.check_manages(task.case, actor.user)
    document = (task.answer or {}).get("document")
    if task.status is not TaskStatus.ANSWERED or task.outcome is not AnswerOutcome.FOUND or not document:
        raise InvalidTransition(_("Câu trả lời này không có văn bản để đưa vào cơ sở dữ liệu."))
    if task.accepted_at is not None:
        raise InvalidTransition(_("Văn bản trong câu trả lời này đã được đưa vào cơ sở dữ liệu."))
    content = {
        key: value
        for key, value in document.items()
        if key not in ("kind", "source_ref", "person_ref", "judgment_ref")
    }
    paper = record_people.Paper(
        agency=task.unit.name[:80], ref=_answer_ref(task), received_on=clock.local_date(task.answered_at)
    )
    if document["kind"] == DocumentKind.JUDGMENT:
        match = casework.current_match(task.case)
        if match is None or match.person_id is None:
            raise InvalidTransition(_("Hồ sơ chưa đối chiếu với người nào trong cơ sở dữ liệu."))
        row = record_people.enter_judgment(surviving(match.person), content, paper=paper, actor=actor)
    else:
        judgment_ids = [j["id"] for j in task.question.get("judgments", [])]
        judgment = casework.judgment_of_case(task.case, judgment_ids[0]) if judgment_ids else None
        if judgment is None:
            raise InvalidTransition(_("Không xác định được bản án mà câu trả lời nói tới."))
        row = record_people.enter_event(judgment, content, paper=paper, actor=actor)
    before = task.status
    task.accepted_at = clock.now()
    task.accepted_document_id = row.source_document_id
    _record_event(task, "accept", actor, before=before, data={"document_id": row.source_document_id})
    return row


def _answer_ref(task):
    return task.letter_number or f"XM-{task.id}"


def issue_letter(task, *, actor):
    """Give the task's request letter (công văn) its number, once: for a unit not yet on the system."""
    access.check_manages(task.case, actor.user)
    if task.letter_number is not None:
        return task
    if task.status not in UNRESOLVED:
        raise InvalidTransition(_("Yêu cầu xác minh này đã kết thúc."))
    year = clock.today().year
    serial = _next_letter_serial(year)
    task.letter_number = f"{serial:05d}/{year}/CV-{current_app.config['LLTP_AUTHORITY_CODE']}"
    task.letter_issued_at = clock.now()
    _record_event(task, "letter", actor, before=task.status, data={"letter_number": task.letter_number})
    return task


def _next_letter_serial(year):
    return db.session.execute(
        database.insert(LetterCounter)
        .values(year=year, last_serial=1)
        .on_conflict_do_update(
            index_elements=[LetterCounter.year], set_={"last_serial": LetterCounter.last_serial + 1}
        )
        .returning(LetterCounter.last_serial)
    ).scalar_one()


def case_tasks(case):
    return db.session.scalars(
        sa.select(VerificationTask).where(VerificationTask.case_id == case.id).order_by(VerificationTask.id)
    ).all()


def _move_case_on_if_done(case, at=None):
    """When nothing is left unanswered (and something was answered), the case goes on to drafting."""
    if case.stage is not CaseStage.VERIFYING:
        return None
    tasks = case_tasks(case)
    if any(task.status in UNRESOLVED for task in tasks) or not any(
        task.status is TaskStatus.ANSWERED for task in tasks
    ):
        return None
    return case_services.transition(case, "finish_verification", actor=VERIFICATION_SYSTEM, at=at)


def on_case_transition(case, event, actor):
    """Sending a case for verification routes its questions; it may not leave verification (for
    drafting) while a question is unanswered; a refused or withdrawn case cancels what is still open."""
    if event.action == "start_verification":
        route_case(case, actor=actor, at=event.at)
    elif event.action == "finish_verification" and actor.user is not None:
        pending = [t for t in case_tasks(case) if t.status in UNRESOLVED]
        if pending:
            raise InvalidTransition(
                _(
                    "Còn %(n)d yêu cầu xác minh chưa có trả lời: hãy chờ trả lời hoặc hủy yêu cầu.",
                    n=len(pending),
                )
            )
    elif event.to_stage in (CaseStage.REFUSED, CaseStage.WITHDRAWN):
        for task in case_tasks(case):
            if task.status in UNRESOLVED:
                before = task.status
                task.status = TaskStatus.CANCELLED
                task.cancelled_at = event.at
                _record_event(task, "cancel", actor, before=before, note=event.note, at=event.at)


case_services.after_transition.append(on_case_transition)


def units_for_manual_task():
    """The units a processing officer may ask by hand: every active verifying unit."""
    return db.session.scalars(
        sa.select(Unit)
        .where(
            Unit.is_active.is_(True), Unit.kind.not_in([UnitKind.ISSUING_AUTHORITY, UnitKind.POSTAL_OPERATOR])
        )
        .order_by(Unit.kind, Unit.name)
    ).all()


# --- the administrator's settings: routing rules and due days -------------------------------------

RULE_FIELDS = (
    "code",
    "name",
    "position",
    "condition",
    "kind",
    "target",
    "target_unit_id",
    "profile_codes",
    "is_active",
)
RULE_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
RULE_NAME_LENGTH = 200
MAX_POSITION = 999
MAX_DUE_WORKING_DAYS = 60
CHECKED = {True, "1", "on", "true", "y"}


def save_routing_rule(rule, fields, *, actor):
    """Create (when `rule` is None) or change a routing rule, audited with before/after. It applies to the
    cases sent for verification from then on; tasks already opened keep their unit.

    `fields` holds the form's values as text (or typed): `profile_codes` a list of legal profiles' codes,
    `is_active` a checkbox's value. The code is set once, when the rule is created.
    """
    values, errors = _routing_rule_values(rule, fields)
    if errors:
        raise ValidationFailed(errors)
    return audit.save_row(
        RoutingRule,
        rule,
        values,
        snapshot=_rule_snapshot,
        action="verification.routing_rule",
        object_type="routing_rule",
        object_id=lambda row: row.code,
        actor=actor,
    )


def _routing_rule_values(rule, fields):
    """The typed values of a routing rule's form, and the Vietnamese error of each field that is wrong."""
    values, errors = {}, {}
    if rule is None:
        code = (fields.get("code") or "").strip()
        if not RULE_CODE.fullmatch(code):
            errors["code"] = _(
                "Mã gồm chữ thường không dấu, chữ số và gạch dưới, bắt đầu bằng chữ (2–40 ký tự)."
            )
        elif db.session.scalar(sa.select(RoutingRule.id).where(RoutingRule.code == code)) is not None:
            errors["code"] = _("Đã có quy tắc mã %(code)s.", code=code)
        values["code"] = code
    values["name"] = nfc((fields.get("name") or "").strip())
    if not values["name"]:
        errors["name"] = _("Vui lòng nhập tên quy tắc.")
    elif len(values["name"]) > RULE_NAME_LENGTH:
        errors["name"] = _("Không được dài quá %(max)d ký tự.", max=RULE_NAME_LENGTH)
    position = str(fields.get("position") if fields.get("position") is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,3}", position):
        errors["position"] = _("Nhập một số nguyên từ 0 đến %(max)d.", max=MAX_POSITION)
    else:
        values["position"] = int(position)
    for name, enum, message in (
        ("condition", RoutingCondition, _("Vui lòng chọn điều kiện.")),
        ("kind", TaskKind, _("Vui lòng chọn loại yêu cầu xác minh.")),
        ("target", RoutingTarget, _("Vui lòng chọn nơi nhận yêu cầu.")),
    ):
        try:
            values[name] = enum(fields.get(name))
        except ValueError:
            errors[name] = message
    values["target_unit_id"] = _rule_target_unit(values.get("target"), fields.get("target_unit_id"), errors)
    values["profile_codes"] = _rule_profile_codes(
        values.get("condition"), fields.get("profile_codes"), errors
    )
    values["is_active"] = fields.get("is_active") in CHECKED
    return values, errors


def _rule_target_unit(target, given, errors):
    """The rule's unit: required for a fixed unit; otherwise optional, and of the kind the target asks."""
    text = str(given if given is not None else "").strip()
    if not text:
        if target is RoutingTarget.FIXED_UNIT:
            errors["target_unit_id"] = _("Vui lòng chọn đơn vị nhận yêu cầu.")
        return None
    unit = db.session.get(Unit, int(text)) if text.isdigit() else None
    if (
        unit is None
        or not unit.is_active
        or unit.kind in (UnitKind.ISSUING_AUTHORITY, UnitKind.POSTAL_OPERATOR)
    ):
        errors["target_unit_id"] = _("Vui lòng chọn một đơn vị xác minh đang hoạt động.")
        return None
    expected = routing.TARGET_KINDS.get(target)
    if expected is not None and unit.kind is not expected:
        errors["target_unit_id"] = _("Đơn vị này không thuộc loại cơ quan mà nơi nhận đã chọn.")
        return None
    return unit.id


def _rule_profile_codes(condition, given, errors):
    """The legal profiles a rule for "every case in profiles" applies to; none for the other conditions."""
    if condition is not RoutingCondition.EVERY_CASE_IN_PROFILES:
        return None
    codes = list(dict.fromkeys(code for code in given or () if code))
    known = sa.select(sa.func.count()).select_from(LegalProfile).where(LegalProfile.code.in_(codes))
    if not codes:
        errors["profile_codes"] = _("Vui lòng chọn ít nhất một văn bản quy định thời hạn.")
    elif db.session.scalar(known) != len(codes):
        errors["profile_codes"] = _("Có văn bản quy định thời hạn không tồn tại.")
    return codes


def _rule_snapshot(rule):
    """The rule's editable values as JSON-ready data, for the audit log."""
    snapshot = {name: getattr(rule, name) for name in RULE_FIELDS}
    return {name: str(value) if isinstance(value, StrEnum) else value for name, value in snapshot.items()}


def kind_settings():
    """The due working days of every kind of question, in the kinds' order."""
    rows = {setting.kind: setting for setting in db.session.scalars(sa.select(TaskKindSetting))}
    return [
        rows.get(kind) or TaskKindSetting(kind=kind, due_working_days=due_working_days(kind))
        for kind in TaskKind
    ]


def save_kind_days(values, *, actor):
    """Set the working days a unit has to answer each kind of question (`values`: {kind: days}), audited
    with before/after. New tasks count from them; tasks already opened keep their due date."""
    days, errors = {}, {}
    for kind in TaskKind:
        text = str(values.get(str(kind)) if values.get(str(kind)) is not None else "").strip()
        if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= MAX_DUE_WORKING_DAYS:
            errors[str(kind)] = _("Nhập một số nguyên từ 1 đến %(max)d.", max=MAX_DUE_WORKING_DAYS)
        else:
            days[kind] = int(text)
    if errors:
        raise ValidationFailed(errors)
    settings = kind_settings()
    before = {str(setting.kind): setting.due_working_days for setting in settings}
    for setting in settings:
        setting.due_working_days = days[setting.kind]
        db.session.add(setting)
    db.session.flush()
    after = {str(setting.kind): setting.due_working_days for setting in settings}
    if before != after:
        audit.record(
            "verification.task_kinds.update",
            actor,
            object_type="task_kind",
            details=audit.before_after(before, after),
        )
    return settings
