"""Each verifying unit's board and task pages: the unit's tasks by status with counts, filters in the URL,
claiming (one or several), answering with the structured form, returning for clarification, and the
task's attachments. The issuing authority's officers follow every unit's board, read only.

Every action is a plain form POST that redirects (303) back to the board with its filters; htmx swaps
a row into its inline form and back. Each view, fragments included, checks the task's unit itself
(`verification.access`): a fragment URL can be called alone.
"""

import io
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lltp.accounts.models import Role, UnitKind
from lltp.core import audit, clock
from lltp.core.calendar import working_calendar
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.htmx import is_htmx, is_poll, render_page
from lltp.core.permissions import current_actor, requires
from lltp.core.uploads import open_upload
from lltp.extensions import db
from lltp.navigation import VERIFICATION_BOARD
from lltp.verification import access, forms, queries, questions, services
from lltp.verification.models import AWAITING_UNIT, TaskAttachment, TaskStatus
from lltp.verification.views import bp

VERIFYING_UNIT_KINDS = tuple(kind for kind in UnitKind if kind is not UnitKind.ISSUING_AUTHORITY)
# Who reads boards and tasks (each task is then checked: own unit, or the authority's readers).
board_readers = requires(*VERIFICATION_BOARD)
# Who works on a task: a verifying unit's officers.
unit_officers = requires(*access.VERIFYING_ROLES, unit_kinds=VERIFYING_UNIT_KINDS)
# Who attaches scans: the unit's officers, and the authority's processing officers (a paper answer's).
attachment_writers = requires(*access.VERIFYING_ROLES, Role.PROCESSING_OFFICER)
LABELS = {
    "status": forms.STATUS_LABELS,
    "kind": questions.KIND_LABELS,
    "outcome": forms.OUTCOME_LABELS,
    "due": forms.DUE_LABELS,
    "event": forms.EVENT_LABELS,
}


def labels():
    """The labels translated once for the request: a board looks each up for every row."""
    return {name: {key: str(text) for key, text in mapping.items()} for name, mapping in LABELS.items()}


@dataclass(frozen=True)
class Row:
    """A task as a board row shows it, with what the officer looking may do to it."""

    task: object
    claimer: str | None
    person: tuple  # (full name, birth date) from the question
    due: queries.DueStatus
    can_claim: bool
    can_answer: bool
    can_release: bool
    can_return: bool


@dataclass(frozen=True)
class BoardView:
    """What every row and form of a board needs: its filters (kept on every link and action) and whether
    the officer works on the tasks (a unit's) or follows them (the authority's)."""

    filters: queries.BoardFilters
    works: bool

    @property
    def args(self):
        return forms.board_args(self.filters)

    @property
    def columns(self):
        # The unit's boards have the selection and action columns; the authority's, the unit's name.
        return 8 if self.works else 7


@bp.app_template_global("verification_answer_form")
def answer_form_context(task):
    """What the answer form include needs beyond its variables: the document it offers, the choices."""
    document = services.DOCUMENT_KINDS.get(task.kind)
    return {
        "document": document and str(document),
        "choices": forms.ANSWER_CHOICES,
        "label": forms.answer_field_label,
    }


def _scope(user):
    """The board's tasks: the authority's readers follow every unit, a unit's officers their own."""
    if access.is_authority_reader(user):
        return queries.BoardScope(None, user.id)
    if not user.is_authority_officer and user.has_role(*access.VERIFYING_ROLES):
        return queries.BoardScope(user.unit_id, user.id)
    raise NotAllowed(_("Bạn không có quyền xem bảng yêu cầu xác minh."))


def _row(task, claimer, *, calendar, today, user):
    works = access.can_work_on(task, user)
    awaiting = task.status in AWAITING_UNIT
    free_or_mine = task.claimed_by_id in (None, user.id)
    holds = task.claimed_by_id == user.id or user.has_role(Role.UNIT_SUPERVISOR)
    return Row(
        task=task,
        claimer=claimer,
        person=forms.person_line(task),
        due=queries.due_status(task, calendar=calendar, today=today),
        can_claim=works
        and task.claimed_by_id is None
        and task.status in (TaskStatus.OPEN, TaskStatus.ESCALATED),
        can_answer=works and awaiting and free_or_mine,
        can_release=works and awaiting and task.claimed_by_id is not None and holds,
        can_return=works and awaiting and free_or_mine,
    )


def _single_row(task):
    claimer = task.claimed_by.full_name if task.claimed_by is not None else None
    return _row(task, claimer, calendar=working_calendar(), today=clock.today(), user=current_user)


def _view(filters, user):
    return BoardView(filters, works=not user.is_authority_officer)


def _since(text):
    """The trail entry the board was drawn after, from the poll's URL; None when missing or garbled."""
    return int(text) if text and text.isdigit() else None


# --- the board ------------------------------------------------------------------------------------------


@bp.get("/xac-minh")
@board_readers
def board():
    """The board: tabs by status with counts, filters in the URL; htmx polls only the counts and a
    "changed, refresh" notice, so an officer's place and a half-typed answer are never swapped away."""
    scope = _scope(current_user)
    filters = forms.board_filters(request.args)
    calendar = working_calendar()
    now = clock.now()
    today = clock.local_date(now)
    context = {
        "view": _view(filters, current_user),
        "tabs": forms.STATUS_TABS,
        "labels": labels(),
        "now": now,
        "refresh_seconds": current_app.config["LLTP_BOARD_REFRESH_SECONDS"],
        "board_url": lambda **changes: url_for("verification.board", **forms.board_args(filters, **changes)),
    }
    if is_poll():
        # The counts and what changed name nobody: no read to audit.
        since = _since(request.args.get("since"))
        clauses = queries.filter_clauses(filters, scope, calendar=calendar, today=today)
        return render_page(
            "verification/board.html",
            block="poll",
            counts=queries.tab_counts(filters, clauses),
            changed=queries.changed_since(filters, scope, since) if since is not None else 0,
            since=since,
            **context,
        )
    result = queries.board_page(
        filters, scope, calendar=calendar, today=today, page_size=current_app.config["LLTP_BOARD_PAGE_SIZE"]
    )
    rows = [_row(r.task, r.claimer, calendar=calendar, today=today, user=current_user) for r in result.rows]
    # The rows show the people asked about: the page is a read of each.
    audit.record(
        "verification.board_viewed",
        current_actor(),
        object_type="verification_task",
        details={
            "filters": forms.board_args(filters, page=result.page),
            "task_ids": [row.task.id for row in rows],
        },
    )
    # Rendered before the commit, which would expire the loaded tasks and reload each one.
    response = render_page(
        "verification/board.html",
        block="board",
        result=result,
        counts=result.counts,
        rows=rows,
        changed=0,
        since=queries.last_event_id(),
        units=services.units_for_manual_task() if scope.unit_id is None else [],
        **context,
    )
    db.session.commit()
    return response


# --- one task -------------------------------------------------------------------------------------------


def _task_or_404(task_id):
    return queries.task_by_id(task_id) or abort(404)


def _may_attach(task, user):
    return access.can_manage(user) if user.is_authority_officer else access.can_work_on(task, user)


def _render_task(task, filters, *, errors=None, values=None, failed=None, status=200):
    """The task page, its read audited; a refused form (`failed`: answer, return, file) shows its errors."""
    services.audit_read(task, actor=current_actor())
    page = render_template(
        "verification/task.html",
        task=task,
        row=_single_row(task),
        view=_view(filters, current_user),
        labels=labels(),
        question=forms.question_view(task),
        answer=forms.answer_view(task),
        trail=forms.trail(task, for_unit=not current_user.is_authority_officer),
        can_attach=_may_attach(task, current_user) and task.status is not TaskStatus.CANCELLED,
        errors=errors or {},
        values=values or {},
        failed=failed,
    )
    db.session.commit()
    return page, status


@bp.get("/xac-minh/<int:task_id>")
@board_readers
def task_page(task_id):
    """One task: the question (only its fields), the answer, the attachments, the trail, and the forms."""
    task = _task_or_404(task_id)
    access.check_sees(task, current_user)
    return _render_task(task, forms.board_filters(request.args))


def _render_row(task, filters, *, message=None, focus=False, status=200):
    """The task's board row, for htmx to swap back in place."""
    return (
        render_template(
            "verification/_task_row.html",
            row=_single_row(task),
            view=_view(filters, current_user),
            labels=labels(),
            message=message,
            focus=focus,
        ),
        status,
    )


def _render_inline(task, filters, form, *, errors=None, values=None, status=200):
    """The row swapped into its inline form (`form`: answer or return), the question above it."""
    return (
        render_template(
            "verification/_inline_form.html",
            task=task,
            form=form,
            view=_view(filters, current_user),
            labels=labels(),
            question=forms.question_view(task),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


def _task_url(task, filters, **kwargs):
    return url_for("verification.task_page", task_id=task.id, **forms.board_args(filters), **kwargs)


@bp.get("/xac-minh/<int:task_id>/dong")
@board_readers
def task_row(task_id):
    """The task's row again (the inline form closed); without htmx, the board."""
    task = _task_or_404(task_id)
    access.check_sees(task, current_user)
    filters = forms.board_filters(request.args)
    if not is_htmx():
        return redirect(url_for("verification.board", **forms.board_args(filters)))
    services.audit_read(task, actor=current_actor(), what="row")
    response = _render_row(task, filters, focus=True)
    db.session.commit()
    return response


def _inline_form_view(task_id, form):
    task = _task_or_404(task_id)
    access.check_works_on(task, current_user)
    filters = forms.board_filters(request.args)
    if not is_htmx():
        return redirect(_task_url(task, filters, _anchor=form))
    services.audit_read(task, actor=current_actor())
    response = _render_inline(task, filters, form)
    db.session.commit()
    return response


@bp.get("/xac-minh/<int:task_id>/tra-loi")
@unit_officers
def answer_form(task_id):
    """The row swapped into the structured answer form (htmx); without htmx, the task page's form."""
    return _inline_form_view(task_id, "answer")


@bp.get("/xac-minh/<int:task_id>/lam-ro")
@unit_officers
def return_form(task_id):
    """The row swapped into the "return for clarification" form (htmx); without htmx, the task page's."""
    return _inline_form_view(task_id, "return")


# --- actions --------------------------------------------------------------------------------------------


def _back(task, filters):
    """Where a plain POST goes afterwards: the task page when it came from there, else the board."""
    if request.form.get("back") == "task":
        return _task_url(task, filters)
    return url_for("verification.board", **forms.board_args(filters))


def _done(task, filters, message):
    """A change went through: the row again for htmx, otherwise a message and back (303)."""
    if is_htmx():
        response = _render_row(task, filters, focus=True)
        db.session.commit()
        return response
    db.session.commit()
    flash(message, "success")
    return redirect(_back(task, filters), 303)


def _refused(task, filters, error):
    """Someone else holds the task, or it moved on: the row with the reason (409) for htmx, otherwise the
    reason as a message and back (303)."""
    db.session.rollback()
    if is_htmx():
        return _render_row(task, filters, message=error.message, status=409)
    flash(error.message, "error")
    return redirect(_back(task, filters), 303)


def _form_refused(task, filters, form, failed):
    """A form with errors, each beside its input (422): inline for htmx, on the task page otherwise."""
    db.session.rollback()
    values = request.form.to_dict()
    if is_htmx():
        return _render_inline(task, filters, form, errors=failed.errors, values=values, status=422)
    return _render_task(task, filters, errors=failed.errors, values=values, failed=form, status=422)


def _act(task_id, change, message):
    """The shared flow of claim and release: load, check the unit, call the service, then answer."""
    task = _task_or_404(task_id)
    access.check_works_on(task, current_user)
    filters = forms.board_filters(request.args)
    try:
        change(task, actor=current_actor())
    except (NotAllowed, InvalidTransition) as error:
        return _refused(task, filters, error)
    return _done(task, filters, message(task))


@bp.post("/xac-minh/<int:task_id>/nhan")
@unit_officers
def claim(task_id):
    """Take a task on; if someone else already has, say who."""
    return _act(
        task_id,
        services.claim_task,
        lambda task: _("Đã nhận yêu cầu của hồ sơ %(code)s.", code=task.case.code),
    )


@bp.post("/xac-minh/<int:task_id>/bo-nhan")
@unit_officers
def release(task_id):
    """Hand a claimed task back to the unit's list."""
    return _act(
        task_id,
        services.release_task,
        lambda task: _("Đã bỏ nhận yêu cầu của hồ sơ %(code)s.", code=task.case.code),
    )


@bp.post("/xac-minh/nhan-nhieu")
@unit_officers
def bulk_claim():
    """Claim every ticked task at once; each one someone else holds is named with its holder."""
    filters = forms.board_filters(request.args)
    ids = [int(value) for value in request.form.getlist("task_id") if value.isdigit()]
    tasks = queries.tasks_by_ids(ids)
    for task in tasks:
        access.check_works_on(task, current_user)
    back = url_for("verification.board", **forms.board_args(filters))
    if not tasks:
        flash(_("Chưa chọn yêu cầu nào."), "error")
        return redirect(back, 303)
    claimed, refused = services.claim_tasks(tasks, actor=current_actor())
    db.session.commit()
    if claimed:
        flash(_("Đã nhận %(n)d yêu cầu.", n=len(claimed)), "success")
    for task, message in refused:
        flash(f"{task.case.code}: {message}", "error")
    return redirect(back, 303)


@bp.post("/xac-minh/<int:task_id>/tra-loi")
@unit_officers
def answer(task_id):
    """Send the unit's structured answer; the case's last answer moves it on to drafting."""
    task = _task_or_404(task_id)
    access.check_works_on(task, current_user)
    filters = forms.board_filters(request.args)
    try:
        services.answer_task(task, **forms.answer_fields(task.kind, request.form), actor=current_actor())
    except ValidationFailed as failed:
        return _form_refused(task, filters, "answer", failed)
    except (NotAllowed, InvalidTransition) as error:
        return _refused(task, filters, error)
    return _done(task, filters, _("Đã gửi trả lời yêu cầu của hồ sơ %(code)s.", code=task.case.code))


@bp.post("/xac-minh/<int:task_id>/lam-ro")
@unit_officers
def return_for_clarification(task_id):
    """Send the question back to the issuing authority with what must be made clear."""
    task = _task_or_404(task_id)
    access.check_works_on(task, current_user)
    filters = forms.board_filters(request.args)
    try:
        services.return_for_clarification(task, message=request.form.get("message"), actor=current_actor())
    except ValidationFailed as failed:
        return _form_refused(task, filters, "return", failed)
    except (NotAllowed, InvalidTransition) as error:
        return _refused(task, filters, error)
    return _done(
        task,
        filters,
        _("Đã đề nghị cơ quan cấp Phiếu làm rõ yêu cầu của hồ sơ %(code)s.", code=task.case.code),
    )


# --- attachments ----------------------------------------------------------------------------------------


@bp.post("/xac-minh/<int:task_id>/tep")
@attachment_writers
def upload_attachment(task_id):
    """Attach a scan (PDF or image) to a task: by its unit's officers, or the authority's processing
    officer for a paper answer."""
    task = _task_or_404(task_id)
    if current_user.is_authority_officer:
        access.check_manages(task.case, current_user)
    else:
        access.check_works_on(task, current_user)
    filters = forms.board_filters(request.args)
    upload = request.files.get("file")
    try:
        services.attach_file(
            task, upload.read() if upload else b"", upload.filename if upload else "", actor=current_actor()
        )
    except ValidationFailed as failed:
        db.session.rollback()
        return _render_task(task, filters, errors=failed.errors, failed="file", status=422)
    db.session.commit()
    flash(_("Đã đính kèm tệp vào yêu cầu của hồ sơ %(code)s.", code=task.case.code), "success")
    return redirect(_task_url(task, filters, _anchor="attachments"), 303)


@bp.get("/xac-minh/<int:task_id>/tep/<int:attachment_id>")
@board_readers
def download_attachment(task_id, attachment_id):
    """A task's scan, for the task's unit and the issuing authority only; its read is audited."""
    task = _task_or_404(task_id)
    access.check_sees(task, current_user)
    attachment = db.session.get(TaskAttachment, attachment_id)
    if attachment is None or attachment.task_id != task.id:
        abort(404)
    try:
        data = open_upload(current_app.config["LLTP_VERIFICATION_UPLOAD_DIR"], attachment.path)
    except (OSError, ValueError):
        abort(404)
    services.audit_read(task, actor=current_actor(), what="attachment")
    db.session.commit()
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
