"""The issuing authority's board and the case page."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lltp.accounts.models import UnitKind
from lltp.cases import forms, panels, queries, services
from lltp.cases.deadlines import deadline_status
from lltp.cases.views import bp
from lltp.cases.workflow import ACTIONS, REFUSAL_GROUNDS, STAGE_LABELS, available_actions
from lltp.core import audit, clock
from lltp.core.calendar import working_calendar
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import is_poll, render_page
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.navigation import AUTHORITY_STAFF

ISSUING_AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)

LABELS = {
    "action": ACTIONS,
    "stage": STAGE_LABELS,
    "channel": forms.CHANNEL_LABELS,
    "delivery": forms.DELIVERY_LABELS,
    "sex": forms.SEX_LABELS,
    "certificate_type": forms.CERTIFICATE_TYPE_LABELS,
    "sort": forms.SORT_LABELS,
    "refusal_ground": REFUSAL_GROUNDS,
}


@bp.get("/ho-so")
@requires(*AUTHORITY_STAFF, unit_kinds=ISSUING_AUTHORITY)
def board():
    """The board of cases: tabs by stage, filters in the URL, and a results region that htmx refreshes."""
    form = forms.BoardFilterForm(request.args)
    filters = form.filters()
    calendar = working_calendar()
    now = clock.now()
    result = queries.board_page(
        filters, calendar=calendar, now=now, page_size=current_app.config["LLTP_BOARD_PAGE_SIZE"]
    )
    rows = [(case, deadline_status(case, calendar=calendar, now=now)) for case in result.cases]
    # The rows show applicants' names: every render, a background refresh included, is a read of them.
    audit.record(
        "case.list",
        current_actor(),
        object_type="case",
        details={
            "filters": forms.board_args(filters, page=result.page),
            "codes": [case.code for case in result.cases],
            "poll": is_poll(),
        },
    )
    # Rendered before the commit, which would expire the loaded cases and reload each one.
    response = render_page(
        "cases/board.html",
        block="results",
        form=form,
        filters=filters,
        result=result,
        rows=rows,
        now=now,
        tabs=forms.STAGE_TABS,
        labels=LABELS,
        board_url=lambda **changes: url_for("cases.board", **forms.board_args(filters, **changes)),
        refresh_seconds=current_app.config["LLTP_BOARD_REFRESH_SECONDS"],
    )
    db.session.commit()
    return response


def _case_or_404(code):
    case = services.get_case(code)
    if case is None:
        abort(404)
    return case


def _render_case(case, *, status=200, failed_action=None, errors=None, note="", refused=None):
    shown = panels.shown_panels(case, current_user)
    replaced = panels.replaced_actions(shown)
    page = render_template(
        "cases/case.html",
        case=case,
        deadline=deadline_status(case, calendar=working_calendar()),
        timeline=queries.case_timeline(case),
        actions=[action for action in available_actions(case, current_user) if action.name not in replaced],
        labels=LABELS,
        failed_action=failed_action,
        errors=errors or {},
        note=note,
        panels=shown,
        refused=refused,
    )
    return page, status


@bp.get("/ho-so/<code>")
@requires(*AUTHORITY_STAFF, unit_kinds=ISSUING_AUTHORITY)
def case_detail(code):
    """One case: the applicant's facts, the deadline, the timeline, and the actions the officer may take."""
    case = _case_or_404(code)
    audit.record("case.view", current_actor(), object_type="case", object_id=case.code, case_id=case.id)
    page = _render_case(case)
    db.session.commit()
    return page


@bp.post("/ho-so/<code>/thao-tac/<action>")
@requires(*AUTHORITY_STAFF, unit_kinds=ISSUING_AUTHORITY)
def case_action(code, action):
    """Take one workflow action on a case, with the officer's note where the action needs one."""
    case = _case_or_404(code)
    if action not in ACTIONS or ACTIONS[action].own_form:
        abort(404)
    note = request.form.get("note", "")
    try:
        # A refusal names its ground from the law's list, beside its written reason.
        data = {"ground": request.form.get("ground")} if action == "refuse" else None
        services.transition(case, action, actor=current_actor(), note=note, data=data)
    except ValidationFailed as error:
        db.session.rollback()
        return _render_case(case, status=422, failed_action=action, errors=error.errors, note=note)
    db.session.commit()
    flash(
        _("Đã thực hiện «%(action)s» cho hồ sơ %(code)s.", action=ACTIONS[action].label, code=case.code),
        "success",
    )
    return redirect(url_for("cases.case_detail", code=code), 303)
