"""The case page's verification panel: the case's questions with their units, due dates and answers,
beside the record panel's explanation; and the processing officer's actions on them: asking a unit by
hand, cancelling, clarifying what a unit sent back, typing in an answer that came on paper, and taking a
found judgment or event into the record database.
"""

from flask import abort, request
from flask_babel import gettext as _

from lltp.accounts.models import Role, Unit, UnitKind
from lltp.cases import panels
from lltp.cases.models import CaseStage
from lltp.core.calendar import working_calendar
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.verification import access, forms, questions, routing, services
from lltp.verification.deadlines import task_due_status
from lltp.verification.models import UNRESOLVED, VerificationTask
from lltp.verification.views import bp

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)
ANCHOR = "verification-panel"


def verification_panel(case, user):
    """The case's tasks and answers, for the authority's officers who read the record panel too."""
    if not access.is_authority_reader(user):
        return None
    tasks = services.case_tasks(case)
    if not tasks and case.stage is not CaseStage.VERIFYING:
        return None
    manages = access.can_manage(user)
    in_verification = case.stage is CaseStage.VERIFYING
    calendar = working_calendar()
    for task in tasks:
        services.audit_read(task, actor=current_actor())
    return {
        "tasks": tasks,
        "due": {task.id: task_due_status(task, calendar=calendar) for task in tasks},
        "shown": {
            task.id: {
                "question": forms.question_view(task),
                "answer": forms.answer_view(task),
                "trail": forms.trail(task, for_unit=False),
            }
            for task in tasks
        },
        "manages": manages,
        "may_add": manages and in_verification,
        "unrouted": [p for p in routing.plan(case) if p.unit is None] if manages and in_verification else [],
        "units": services.units_for_manual_task() if manages and in_verification else [],
        "kinds": questions.KIND_LABELS,
        "statuses": questions.STATUS_LABELS,
        "unresolved": UNRESOLVED,
    }


panels.register(panels.Panel("verification/case/_tasks.html", verification_panel, order=6))


def _task_of(case, task_id):
    task = db.session.get(VerificationTask, task_id)
    if task is None or task.case_id != case.id:
        abort(404)
    return task


@bp.post("/ho-so/<code>/xac-minh")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def add_task(code):
    """The processing officer asks a unit a question by hand, with the reason."""
    case = panels.case_or_404(code)
    values = {name: request.form.get(name, "") for name in ("unit_id", "kind", "reason", "note")}
    unit = db.session.get(Unit, request.form.get("unit_id", type=int) or 0)
    try:
        services.add_task(
            case,
            unit=unit,
            kind=values["kind"],
            reason=values["reason"],
            note=values["note"],
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return panels.refuse(case, "verification-add", failed, values)
    return panels.done(case, _("Đã gửi yêu cầu xác minh."), anchor=ANCHOR)


def _on_task(code, task_id, form, act, message, values=None):
    """Take a panel action `act(task)` on one of the case's tasks: a refusal shows `form`'s errors."""
    case = panels.case_or_404(code)
    task = _task_of(case, task_id)
    try:
        act(task)
    except ValidationFailed as failed:
        return panels.refuse(case, f"{form}-{task.id}", failed, values or {})
    return panels.done(case, message, anchor=ANCHOR)


@bp.post("/ho-so/<code>/xac-minh/<int:task_id>/huy")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def cancel_task(code, task_id):
    """The processing officer withdraws a question that is no longer needed, with the reason."""
    reason = request.form.get("reason", "")
    return _on_task(
        code,
        task_id,
        "verification-cancel",
        lambda task: services.cancel_task(task, reason=reason, actor=current_actor()),
        _("Đã hủy yêu cầu xác minh."),
        {"reason": reason},
    )


@bp.post("/ho-so/<code>/xac-minh/<int:task_id>/lam-ro")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def clarify_task(code, task_id):
    """The processing officer answers what a unit asked to have made clear; the unit's time restarts."""
    message = request.form.get("message", "")
    return _on_task(
        code,
        task_id,
        "verification-clarify",
        lambda task: services.clarify_task(task, message=message, actor=current_actor()),
        _("Đã gửi nội dung làm rõ cho đơn vị xác minh."),
        {"message": message},
    )


@bp.post("/ho-so/<code>/xac-minh/<int:task_id>/tra-loi-giay")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def answer_on_paper(code, task_id):
    """The processing officer types in the answer a unit sent back on paper."""
    return _on_task(
        code,
        task_id,
        "verification-paper",
        lambda task: services.answer_task(
            task, **forms.answer_fields(task.kind, request.form), actor=current_actor(), on_paper=True
        ),
        _("Đã ghi nhận kết quả xác minh bằng văn bản giấy."),
        request.form.to_dict(),
    )


@bp.post("/ho-so/<code>/xac-minh/<int:task_id>/dua-vao-csdl")
@requires(Role.PROCESSING_OFFICER, unit_kinds=AUTHORITY)
def accept_answer(code, task_id):
    """The processing officer takes the judgment or event a unit found into the record database."""
    return _on_task(
        code,
        task_id,
        "verification-accept",
        lambda task: services.accept_answer(task, actor=current_actor()),
        _("Đã đưa thông tin từ kết quả xác minh vào cơ sở dữ liệu lý lịch tư pháp."),
    )
