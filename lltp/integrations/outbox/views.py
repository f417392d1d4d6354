"""The administrator's page of dead letters: the outbox messages given up, and their replay."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from lltp.accounts.forms import parse_page
from lltp.accounts.models import Role, UnitKind
from lltp.core import audit
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import is_htmx, render_page
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.integrations.outbox import queries, services

bp = Blueprint("outbox", __name__)
admin_only = requires(Role.ADMINISTRATOR, unit_kinds=(UnitKind.ISSUING_AUTHORITY,))
TEMPLATE = "integrations/dead_letters.html"


def _render(page, *, errors=None, notice=None, status=200):
    messages = queries.failed_messages(page=page)
    # The recipients are people's addresses and numbers: reading them is audited.
    audit.record("outbox.dead_letters_viewed", current_actor(), details={"page": messages.page})
    db.session.commit()
    response = render_page(
        TEMPLATE,
        block="results",
        messages=messages,
        errors=errors or {},
        notice=notice,
        page_url=lambda page: url_for("outbox.dead_letters", page=page),
    )
    response.status_code = status
    return response


@bp.get("/quan-tri/tin-gui-loi")
@admin_only
def dead_letters():
    """The messages the outbox gave up, every channel, with what went wrong, and a replay button."""
    return _render(parse_page(request.args.get("page")))


@bp.post("/quan-tri/tin-gui-loi/gui-lai")
@admin_only
def replay_dead_letters():
    """Put one given-up message (its row's button) or the selected ones back to be sent now."""
    chosen = request.form.getlist("one") or request.form.getlist("selected")
    page = parse_page(request.form.get("page"))
    try:
        replayed = services.replay_messages(
            [int(value) for value in chosen if value.isdigit()], actor=current_actor()
        )
    except ValidationFailed as failed:
        db.session.rollback()
        return _render(page, errors=failed.errors, status=422)
    db.session.commit()
    notice = _("Đã đưa %(count)d tin vào hàng đợi để gửi lại.", count=len(replayed))
    if is_htmx():
        return _render(page, notice=notice)
    flash(notice, "success")
    return redirect(url_for("outbox.dead_letters", page=page), 303)
