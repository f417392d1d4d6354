"""/api/v1/verification-tasks: a verifying agency's own system reads the questions put to its unit and
answers them, as the unit's verifiers do on their board. The client is bound to one unit: another unit's
task is "not found", never "forbidden", so the API does not reveal that it exists. A task shows its
question only (the fields its kind needs), and every read of one is audited, as an officer's would be."""

import sqlalchemy as sa
from flask import g, request, url_for

from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.extensions import db
from lltp.integrations.api import bp, schemas
from lltp.integrations.api.auth import client_actor, verifying_agency_required
from lltp.integrations.api.errors import Problem
from lltp.integrations.api.views import json_body
from lltp.verification import access, services
from lltp.verification.models import UNRESOLVED, AnswerOutcome, VerificationTask

PAGE_SIZE = 100
NOT_FOUND = "Không tìm thấy yêu cầu xác minh này trong các yêu cầu gửi đơn vị của hệ thống."
# The service names the answer's document "document.<path>"; in the API's body it sits under "details".
DOCUMENT_PREFIX = "document."


def _moment(value):
    return None if value is None else clock.to_local(value).isoformat(timespec="seconds")


def task_answer(task):
    """A task as the API shows it: its question and, once answered, the answer; nothing else of the case."""
    answer = None
    if task.outcome is not None:
        answer = {
            "outcome": str(task.outcome),
            "note": task.answer_note,
            "details": task.answer or {},
            "answered_at": _moment(task.answered_at),
            "on_paper": task.answered_on_paper,
        }
    return {
        "id": task.id,
        "kind": str(task.kind),
        "status": str(task.status),
        "question": task.question,
        "due_date": task.due_date.isoformat(),
        "asked_at": _moment(task.created_at),
        "answer": answer,
    }


def _own_task_or_404(task_id, client):
    task = db.session.get(VerificationTask, task_id)
    if task is None or not access.is_unit_client(task, client):
        raise Problem(404, NOT_FOUND)
    return task


@bp.get("/verification-tasks")
@verifying_agency_required
def list_verification_tasks():
    """The tasks the unit has not resolved yet, oldest first, a page at a time: `next` is the URL of the
    following page (after the last id of this one), null on the last."""
    client = g.api_client
    after = request.args.get("after", "0")
    if not after.isdigit():
        raise ValidationFailed({"after": "Tham số after phải là mã số (id) của một yêu cầu xác minh."})
    rows = db.session.scalars(
        sa.select(VerificationTask)
        .where(
            VerificationTask.unit_id == client.unit_id,
            VerificationTask.status.in_(UNRESOLVED),
            VerificationTask.id > int(after),
        )
        .order_by(VerificationTask.id)
        .limit(PAGE_SIZE + 1)
    ).all()
    page = rows[:PAGE_SIZE]
    body = {
        "tasks": [task_answer(task) for task in page],
        "next": url_for("api.list_verification_tasks", after=page[-1].id) if len(rows) > PAGE_SIZE else None,
    }
    if page:
        audit.record(
            "api.verification_task.list",
            client_actor(client),
            object_type="verification_task",
            details={"ids": [task.id for task in page]},
        )
    db.session.commit()
    return schemas.json_response(body)


@bp.get("/verification-tasks/<int:task_id>")
@verifying_agency_required
def get_verification_task(task_id):
    """One task of the unit, whatever its status, with its answer once there is one."""
    client = g.api_client
    task = _own_task_or_404(task_id, client)
    body = task_answer(task)
    services.audit_read(task, actor=client_actor(client))
    db.session.commit()
    return schemas.json_response(body)


def _answer_fields(body):
    """The answer's outcome, note and details from the body, or one 422 naming every field of the wrong
    type (the service checks the values)."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "Nội dung gửi lên phải là một đối tượng JSON."})
    outcome, note, details = body.get("outcome"), body.get("note"), body.get("details")
    errors = {}
    if outcome not in {str(value) for value in AnswerOutcome}:
        errors["outcome"] = "Kết quả xác minh phải là một trong: " + ", ".join(map(str, AnswerOutcome)) + "."
    if note is not None and not isinstance(note, str):
        errors["note"] = "Ghi chú phải là một chuỗi ký tự."
    if details is not None and not isinstance(details, dict):
        errors["details"] = "Chi tiết phải là một đối tượng JSON."
    elif details and details.get("document") is not None and not isinstance(details["document"], dict):
        errors["details.document"] = "Văn bản phải là một đối tượng JSON theo contracts/records-import.md."
    if errors:
        raise ValidationFailed(errors)
    return outcome, note, details


@bp.post("/verification-tasks/<int:task_id>/answer")
@verifying_agency_required
def answer_verification_task(task_id):
    """Answer a task of the unit: nothing found, found (with a note, or a records-contract document under
    `details.document`), or cannot determine (with the reason in `note`)."""
    client = g.api_client
    task = _own_task_or_404(task_id, client)
    outcome, note, details = _answer_fields(json_body())
    try:
        services.answer_task(
            task, outcome=outcome, note=note, details=details, actor=client_actor(client), api_client=client
        )
    except ValidationFailed as failed:
        raise ValidationFailed(
            {
                f"details.{field}" if field.startswith(DOCUMENT_PREFIX) else field: message
                for field, message in failed.errors.items()
            }
        ) from failed
    body = task_answer(task)
    db.session.commit()
    return schemas.json_response(body)
