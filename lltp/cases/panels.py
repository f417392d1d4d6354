"""Panels that later areas add to the case page, which this area may not import (design §1).

An area registers a `Panel` when its views module is imported (intake adds the fee, attachments, flags,
one-stop papers, completion and apology panels). For each request the case page calls every panel's
`context(case, user)`: None hides the panel; a dict is shown by including `template`, in which it is
`panel.context`. Two optional keys of that dict mean something to the page itself:
- `badge`: `{"text", "anchor"}`, shown beside the case title (open flags, say);
- `replaces`: workflow actions whose generic button the panel replaces with a better form of its own.

A panel's form that is refused comes back as `refused` (a `Refused`) in every panel's template, so the
one it belongs to shows what was typed and each error next to its field.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import abort, flash, redirect, url_for

from lltp.cases.services import get_case
from lltp.extensions import db


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (case, user) -> dict | None
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict


@dataclass(frozen=True)
class Refused:
    """A panel's form that a service refused: which form, its errors by field, and what was posted."""

    form: str
    errors: dict
    values: dict = field(default_factory=dict)


CASE_PANELS = []


def register(panel):
    """Add a panel to the case page, keeping the panels in their order."""
    CASE_PANELS.append(panel)
    CASE_PANELS.sort(key=lambda registered: registered.order)
    return panel


def shown_panels(case, user):
    """The panels `user` sees on `case`'s page, each with what its template shows."""
    shown = []
    for panel in CASE_PANELS:
        context = panel.context(case, user)
        if context is not None:
            shown.append(ShownPanel(panel.template, context))
    return shown


def replaced_actions(shown):
    """The workflow actions whose generic buttons the shown panels replace."""
    return {action for panel in shown for action in panel.context.get("replaces", ())}


def render_case_page(case, refused, *, status=422):
    """The case page again, with a panel's refused form: for the areas' panel views, which may not
    import the cases views."""
    # Imported here: the cases views import this module to show the panels.
    from lltp.cases.views.board import _render_case

    return _render_case(case, status=status, refused=refused)


# What every panel's own views do: find the case, and answer a refusal or a success the same way.


def case_or_404(code):
    """The case a panel's form posts about, or a 404."""
    case = get_case(code)
    if case is None:
        abort(404)
    return case


def refuse(case, form, failed, values):
    """Undo what the refused action began, and show the case page with the form, its errors and values."""
    db.session.rollback()
    return render_case_page(case, Refused(form, failed.errors, values))


def done(case, message, *, anchor):
    """Commit the panel's action and go back to the panel, with a message."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cases.case_detail", code=case.code, _anchor=anchor), 303)
