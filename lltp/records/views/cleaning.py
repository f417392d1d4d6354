"""The data-cleaning pages: the likely duplicate people, two people side by side, merging them (and undoing
it), recording that they are two different people, and the API documents still waiting for their parent."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from lltp.cases.panels import Refused
from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import render_page
from lltp.core.permissions import current_actor
from lltp.core.text import format_date
from lltp.extensions import db
from lltp.records import forms, matching, queries
from lltp.records.content import birth_text
from lltp.records.models import Person, PersonMerge
from lltp.records.services import people
from lltp.records.views import bp, record_officers
from lltp.records.views.people import LABELS, get_or_404, render_person

PAGE_SIZE = 50


def _page():
    text = request.args.get("trang", "")
    return int(text) if text.isdigit() and 0 < int(text) <= 100_000 else 1


@bp.get("/ly-lich/trung-lap")
@record_officers
def duplicates():
    """The people who look like one person recorded twice, most alike first."""
    page = _page()
    pairs = matching.likely_duplicates(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    has_next, pairs = len(pairs) > PAGE_SIZE, pairs[:PAGE_SIZE]
    audit.record(
        "records.duplicates_viewed",
        current_actor(),
        object_type="person",
        details={"page": page, "person_ids": [[pair.first.id, pair.second.id] for pair in pairs]},
    )
    response = render_page(
        "records/duplicates.html", block="results", pairs=pairs, page=page, has_next=has_next
    )
    db.session.commit()
    return response


def _pair_or_404(first_id, second_id):
    if first_id == second_id:
        abort(404)
    return get_or_404(Person, first_id), get_or_404(Person, second_id)


def _facts(record):
    """What the comparison shows of one person, as text, in order."""
    person = record.person
    return {
        _("Họ và tên"): person.full_name,
        _("Tên khác"): "; ".join(n.full_name for n in person.names if n.full_name != person.full_name),
        _("Giới tính"): str(LABELS.sex[person.sex]) if person.sex else "",
        _("Ngày sinh"): birth_text(person),
        _("Nơi sinh"): person.place_of_birth or "",
        _("Quốc tịch"): person.nationality or "",
        _("Số giấy tờ"): ", ".join(n.number for n in person.id_numbers),
        _("Cha"): person.father_name or "",
        _("Mẹ"): person.mother_name or "",
        _("Nơi cư trú"): person.residence or "",
        _("Số lý lịch"): ", ".join(r.number for r in record.judicial_records),
        _("Bản án"): "; ".join(
            f"{j.number} ({format_date(j.pronounced_on)}, {j.court})" for j in record.judgments
        ),
        _("Vụ án đang giải quyết"): str(len(record.prosecutions)),
        _("Quyết định cấm"): str(len(record.bans)),
    }


def _render_compare(first, second, *, refused=None, status=200):
    records = [queries.person_record(first), queries.person_record(second)]
    facts = [_facts(record) for record in records]
    rows = [(label, facts[0][label], facts[1][label]) for label in facts[0]]
    actor = current_actor()
    for person, other in ((first, second), (second, first)):
        audit.record(
            "records.people_compared",
            actor,
            object_type="person",
            object_id=person.id,
            details={"compared_with": other.id},
        )
    page = render_template(
        "records/compare.html",
        first=first,
        second=second,
        records=records,
        rows=rows,
        refused=refused,
    )
    db.session.commit()
    return page, status


@bp.get("/ly-lich/so-sanh/<int:first_id>/<int:second_id>")
@record_officers
def compare(first_id, second_id):
    """Two people side by side, with the merge and the "two different people" forms."""
    return _render_compare(*_pair_or_404(first_id, second_id))


def _refused(first, second, form, failed, values):
    db.session.rollback()
    return _render_compare(first, second, refused=Refused(form, failed.errors, values), status=422)


@bp.post("/ly-lich/so-sanh/<int:first_id>/<int:second_id>/hop-nhat")
@record_officers
def merge(first_id, second_id):
    """Merge the two people into the one the officer keeps, with the officer's written reason."""
    first, second = _pair_or_404(first_id, second_id)
    values = {"kept": request.form.get("kept", ""), "reason": request.form.get("reason", "")}
    by_id = {str(first.id): (first, second), str(second.id): (second, first)}
    if values["kept"] not in by_id:
        failed = ValidationFailed({"kept": _("Chọn người được giữ lại.")})
        return _refused(first, second, "merge", failed, values)
    kept, merged = by_id[values["kept"]]
    try:
        people.merge_people(kept, merged, reason=values["reason"], actor=current_actor())
    except ValidationFailed as failed:
        return _refused(first, second, "merge", failed, values)
    db.session.commit()
    flash(
        _("Đã hợp nhất: hồ sơ của %(name)s được tính chung vào người này.", name=merged.full_name), "success"
    )
    return redirect(url_for("records.person_detail", person_id=kept.id), 303)


@bp.post("/ly-lich/so-sanh/<int:first_id>/<int:second_id>/khac-nguoi")
@record_officers
def distinct(first_id, second_id):
    """Record that the two are different people: they leave the duplicates list."""
    first, second = _pair_or_404(first_id, second_id)
    values = {"reason": request.form.get("reason", "")}
    try:
        people.mark_distinct(first, second, reason=values["reason"], actor=current_actor())
    except ValidationFailed as failed:
        return _refused(first, second, "distinct", failed, values)
    db.session.commit()
    flash(_("Đã ghi nhận đây là hai người khác nhau."), "success")
    return redirect(url_for("records.duplicates"), 303)


@bp.post("/ly-lich/hop-nhat/<int:merge_id>/huy")
@record_officers
def undo_merge(merge_id):
    """Undo a merge, with the reason, while no certificate has been issued from the merged record."""
    person_merge = get_or_404(PersonMerge, merge_id)
    values = {"reason": request.form.get("reason", "")}
    try:
        people.undo_merge(person_merge, reason=values["reason"], actor=current_actor())
    except ValidationFailed as failed:
        db.session.rollback()
        refused = Refused(f"undo-{merge_id}", failed.errors, values)
        return render_person(person_merge.kept_person, refused=refused, status=422)
    db.session.commit()
    flash(
        _("Đã hủy hợp nhất: %(name)s lại là một người riêng.", name=person_merge.merged_person.full_name),
        "success",
    )
    return redirect(url_for("records.person_detail", person_id=person_merge.kept_person_id), 303)


# --- documents waiting for their parent ----------------------------------------------------------------


def waited(moment, now):
    """How long a document has waited, as an officer says it."""
    seconds = max(0, (now - moment).total_seconds())
    if seconds >= 86400:
        days = int(seconds // 86400)
        return ngettext("%(num)d ngày", "%(num)d ngày", days)
    hours = int(seconds // 3600)
    if hours:
        return ngettext("%(num)d giờ", "%(num)d giờ", hours)
    return ngettext("%(num)d phút", "%(num)d phút", int(seconds // 60))


@bp.get("/ly-lich/cho-ghep")
@record_officers
def pending():
    """The documents received through the API whose parent (person or judgment) has not arrived yet."""
    page = _page()
    rows, total = queries.pending_documents(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_page(
        "records/pending.html",
        block="results",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        now=clock.now(),
        waited=waited,
        kind_labels=forms.KIND_LABELS,
    )
