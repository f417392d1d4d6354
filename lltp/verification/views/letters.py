"""The request letter (công văn) for a unit not yet on the system: a processing officer gives it its
number, once, and prints it; the answer that comes back on paper is typed in on the task's page."""

from flask import abort, make_response, redirect, url_for
from flask_login import current_user

from lltp.accounts.models import Role, UnitKind
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.verification import access, services
from lltp.verification.models import VerificationTask
from lltp.verification.pdf import render_letter
from lltp.verification.views import bp

LETTER_WRITERS = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}


def _task_or_404(task_id):
    return db.session.get(VerificationTask, task_id) or abort(404)


@bp.post("/xac-minh/<int:task_id>/cong-van")
@requires(Role.PROCESSING_OFFICER, **LETTER_WRITERS)
def issue_letter(task_id):
    """Give the task's request letter its number (the first time only), then open the letter."""
    task = _task_or_404(task_id)
    services.issue_letter(task, actor=current_actor())
    db.session.commit()
    return redirect(url_for("verification.letter_pdf", task_id=task.id), 303)


@bp.get("/xac-minh/<int:task_id>/cong-van.pdf")
@requires(Role.PROCESSING_OFFICER, **LETTER_WRITERS)
def letter_pdf(task_id):
    """The task's request letter as a PDF, printed from its question; a read of the person's data."""
    task = _task_or_404(task_id)
    access.check_manages(task.case, current_user)
    if task.letter_number is None:
        abort(404)
    data = render_letter(task)
    services.audit_read(task, actor=current_actor(), what="letter")
    db.session.commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    # A download named by the letter's number, so the officer finds the one to post again.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="cong-van-{task.letter_number.replace("/", "-")}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
