"""The officers' pages on people: the search, a person's record, and the manual entry and correction of a
judgment or an enforcement event from the paper in hand.

Every page that shows a person's data writes an audit row (`records.person_viewed`,
`records.people_searched`); a refused form is shown again with what was typed, which is a read too.
"""

from datetime import date
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lltp.core import audit
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import render_page
from lltp.core.permissions import current_actor
from lltp.extensions import db
from lltp.records import forms, matching, queries
from lltp.records.models import EnforcementEvent, Judgment, Person
from lltp.records.services import people
from lltp.records.views import bp, record_officers

APPROXIMATE_LIMIT = 20
LABELS = SimpleNamespace(
    sex=forms.SEX_LABELS,
    precision=forms.PRECISION_LABELS,
    severity=forms.SEVERITY_LABELS,
    intent=forms.INTENT_LABELS,
    principal=forms.PRINCIPAL_LABELS,
    additional=forms.ADDITIONAL_LABELS,
    event=forms.EVENT_LABELS,
    prosecution=forms.PROSECUTION_LABELS,
    kind=forms.KIND_LABELS,
    channel=forms.CHANNEL_LABELS,
)


def get_or_404(model, id_):
    return db.session.get(model, id_) or abort(404)


def audit_read(person, details=None):
    """An officer was shown a person's data (on which page, when not the record page itself)."""
    audit.record(
        "records.person_viewed", current_actor(), object_type="person", object_id=person.id, details=details
    )


# --- search -------------------------------------------------------------------------------------------


def _approximate(filters):
    """The matcher's ranked look-alikes for a name (and birth year), best first."""
    identity = matching.Identity(
        full_name=filters.q,
        date_of_birth=date(filters.birth_year, 1, 1) if filters.birth_year else None,
        date_of_birth_precision="year",
    )
    return matching.candidates(identity, limit=APPROXIMATE_LIMIT)


@bp.get("/ly-lich/nguoi")
@record_officers
def people_search():
    """Search people by name (with or without diacritics), ID or record number, and birth year."""
    filters = forms.search_filters(request.args)
    result = candidates = None
    if filters.given and filters.approximate and filters.q and not filters.by_number:
        candidates = _approximate(filters)
        shown = [candidate.person for candidate in candidates]
    elif filters.given:
        result = queries.search_people(
            filters.q,
            birth_year=filters.birth_year,
            by_number=filters.by_number,
            page=filters.page,
            page_size=forms.SEARCH_PAGE_SIZE,
        )
        shown = result.people
    if filters.given:
        audit.record(
            "records.people_searched",
            current_actor(),
            object_type="person",
            details={**forms.search_args(filters), "person_ids": [person.id for person in shown]},
        )
    response = render_page(
        "records/people.html",
        block="results",
        filters=filters,
        result=result,
        candidates=candidates,
        labels=LABELS,
        search_url=lambda **changes: url_for(
            "records.people_search", **forms.search_args(filters, **changes)
        ),
    )
    db.session.commit()
    return response


# --- a person's record --------------------------------------------------------------------------------


def render_person(person, *, refused=None, status=200):
    """The person's record page, its read audited; a refused undo form (`panels.Refused`) comes back
    with its error."""
    record = queries.person_record(person)
    audit_read(person)
    page = render_template(
        "records/person.html",
        record=record,
        labels=LABELS,
        undoable={
            merge.id: people.merge_can_be_undone(merge) for merge in record.merges if merge.undone_at is None
        },
        refused=refused,
    )
    db.session.commit()
    return page, status


@bp.get("/ly-lich/nguoi/<int:person_id>")
@record_officers
def person_detail(person_id):
    """A person's record: identity and its history, judgments, events, prosecutions, bans and sources."""
    return render_person(get_or_404(Person, person_id))


# --- manual entry and correction -----------------------------------------------------------------------


def _saved(unread, save):
    """Call the service even when some text could not be read (it was read as blank), so that every
    problem shows at once; then refuse anyway, and the caller's rollback undoes whatever was saved."""
    try:
        row = save()
    except ValidationFailed as failed:
        raise ValidationFailed({**failed.errors, **unread}) from None
    if unread:
        raise ValidationFailed(unread)
    return row


def _entry(parse, enter, parent):
    """An entry form's save: the paper and the document read from the form, then the service."""

    def save(values):
        paper, unread = forms.parse_paper(values)
        content, more = parse(values)
        unread |= more
        return _saved(unread, lambda: enter(parent, content, paper=paper, actor=current_actor()))

    return save


def _correction(parse, correct, row):
    """A correction form's save: the corrected document and the reason, then the service."""

    def save(values):
        content, unread = parse(values)
        reason = forms.parse_reason(values)
        return _saved(unread, lambda: correct(row, content, reason=reason, actor=current_actor()))

    return save


def _form_page(template, *, initial, save, done, context, read):
    """The shared flow of the entry and correction forms: show, add a row (a plain POST), or save.
    `save(values)` parses and calls the service; `done(row)` gives the message and the page to go to."""
    add_row = None
    if request.method == "GET":
        values, errors, status = initial, {}, 200
    else:
        values, errors, status = forms.compact(request.form), {}, 200
        add_row = request.form.get("_add_row")
        if add_row not in forms.ROWS:
            add_row = None
            try:
                row = save(values)
            except ValidationFailed as failed:
                db.session.rollback()
                errors, status = failed.errors, 422
            else:
                db.session.commit()
                message, url = done(row)
                flash(message, "success")
                return redirect(url, 303)
    audit_read(*read)
    page = render_template(
        template,
        values=values,
        errors=errors,
        labels=LABELS,
        rows={
            table: forms.row_count(values, table, spare=2 if table == add_row else 1) for table in forms.ROWS
        },
        columns=forms.ROWS,
        label=forms.field_label,
        **context,
    )
    db.session.commit()
    return page, status


def _person_url(person, anchor):
    return url_for("records.person_detail", person_id=queries.surviving(person).id, _anchor=anchor)


@bp.route("/ly-lich/nguoi/<int:person_id>/ban-an/moi", methods=["GET", "POST"])
@record_officers
def judgment_new(person_id):
    """Type in a judgment extract for a person, with the paper it comes from."""
    person = get_or_404(Person, person_id)
    if person.merged_into_id is not None:
        return redirect(url_for("records.judgment_new", person_id=queries.surviving(person).id), 303)

    return _form_page(
        "records/judgment_form.html",
        initial={"offences.0.code": forms.DEFAULT_CODE},
        save=_entry(forms.parse_judgment, people.enter_judgment, person),
        done=lambda judgment: (
            _("Đã nhập bản án số %(number)s.", number=judgment.number),
            _person_url(person, f"judgment-{judgment.id}"),
        ),
        context={"person": person, "judgment": None},
        read=(person, {"for": "judgment_new"}),
    )


@bp.route("/ly-lich/ban-an/<int:judgment_id>/dinh-chinh", methods=["GET", "POST"])
@record_officers
def judgment_edit(judgment_id):
    """Correct a judgment's facts, with the reason; the earlier version of its document is kept."""
    judgment = get_or_404(Judgment, judgment_id)

    return _form_page(
        "records/judgment_form.html",
        initial=forms.form_values(people.judgment_document(judgment)),
        save=_correction(forms.parse_judgment, people.correct_judgment, judgment),
        done=lambda row: (
            _("Đã đính chính bản án số %(number)s.", number=row.number),
            _person_url(row.person, f"judgment-{row.id}"),
        ),
        context={"person": judgment.person, "judgment": judgment},
        read=(judgment.person, {"for": "judgment_edit", "judgment_id": judgment.id}),
    )


@bp.route("/ly-lich/ban-an/<int:judgment_id>/thi-hanh/moi", methods=["GET", "POST"])
@record_officers
def event_new(judgment_id):
    """Type in an enforcement notice about a judgment, with the paper it comes from."""
    judgment = get_or_404(Judgment, judgment_id)

    return _form_page(
        "records/event_form.html",
        initial={},
        save=_entry(forms.parse_event, people.enter_event, judgment),
        done=lambda event: (
            _("Đã nhập thông tin thi hành án."),
            _person_url(judgment.person, f"judgment-{judgment.id}"),
        ),
        context={"judgment": judgment, "event": None},
        read=(judgment.person, {"for": "event_new", "judgment_id": judgment.id}),
    )


@bp.route("/ly-lich/thi-hanh/<int:event_id>/dinh-chinh", methods=["GET", "POST"])
@record_officers
def event_edit(event_id):
    """Correct an enforcement event's facts, with the reason."""
    event = get_or_404(EnforcementEvent, event_id)
    judgment = event.judgment

    return _form_page(
        "records/event_form.html",
        initial=forms.form_values(people.event_document(event)),
        save=_correction(forms.parse_event, people.correct_event, event),
        done=lambda row: (
            _("Đã đính chính thông tin thi hành án."),
            _person_url(judgment.person, f"judgment-{judgment.id}"),
        ),
        context={"judgment": judgment, "event": event},
        read=(judgment.person, {"for": "event_edit", "event_id": event.id}),
    )
