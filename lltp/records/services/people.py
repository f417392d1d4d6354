"""An officer's work on the record database's people: merging two people found to be one, undoing that,
recording that two look-alikes are different people, and entering or correcting a judgment or an
enforcement event from the paper in hand.

A manual entry is a records-contract document like any other (channel `officer`), kept as typed and
applied by the document service. A correction keeps every earlier version of the document, stores the
corrected content as the next version, updates the rows, and audits what changed and why.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases.models import CaseEvent, CaseStage
from lltp.core import audit, clock
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db
from lltp.records.models import (
    DistinctPeople,
    DocumentChannel,
    DocumentKind,
    Judgment,
    Person,
    PersonMerge,
    RecordMatch,
)
from lltp.records.queries import cluster_ids, surviving
from lltp.records.services import documents
from lltp.records.validation import check_document

# A case that reached one of these stages has had a certificate issued from its person's record.
ISSUED_STAGES = (CaseStage.ISSUED, CaseStage.RETURNED)
AGENCY_LENGTH = 80  # SourceDocument.source_agency


def _reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": message})
    return reason


def _officer(actor):
    if actor.user is None:
        raise NotAllowed(_("Chỉ cán bộ của cơ quan cấp Phiếu được thực hiện thao tác này."))


def _lock(*people):
    """Re-read the people under a row lock (in id order, so two officers never deadlock): two merges of
    the same pair at once must not make each the other's survivor."""
    for person in sorted(people, key=lambda person: person.id):
        db.session.refresh(person, with_for_update=True)


# --- merges ------------------------------------------------------------------------------------------


def merge_people(kept, merged, *, reason, actor):
    """Record that `merged` is the same person as `kept`: from now on its whole record counts as kept's.
    No row moves; `merged` points at `kept`, and the merge can be undone (`undo_merge`)."""
    _officer(actor)
    reason = _reason(reason, _("Vui lòng ghi lý do hợp nhất (đã đối chiếu những gì)."))
    if kept.id == merged.id:
        raise InvalidTransition(_("Không thể hợp nhất một người vào chính người đó."))
    _lock(kept, merged)
    if kept.merged_into_id is not None:
        raise InvalidTransition(_("Người được giữ lại đã được hợp nhất vào người khác."))
    if merged.merged_into_id is not None:
        raise InvalidTransition(_("Người này đã được hợp nhất vào người khác."))
    merged.merged_into_id = kept.id
    merge = PersonMerge(
        kept_person_id=kept.id, merged_person_id=merged.id, reason=reason, merged_by_id=actor.user_id
    )
    db.session.add(merge)
    db.session.flush()
    audit.record(
        "records.people_merged",
        actor,
        object_type="person",
        object_id=kept.id,
        reason=reason,
        details={"person_merge_id": merge.id, "kept_person_id": kept.id, "merged_person_id": merged.id},
    )
    return merge


def merge_can_be_undone(person_merge):
    """Whether a merge may still be undone: only until a certificate is issued from the merged record.

    Certificates do not exist yet (issuance, a later issue, will refine this to the certificates
    themselves), so for now: no case whose latest record match is anyone of the merged record (the
    survivor's whole cluster) reached `issued` or `returned` after the merge."""
    if person_merge.undone_at is not None:
        return False
    people = cluster_ids(surviving(person_merge.kept_person))
    touched = sa.select(RecordMatch.case_id).where(RecordMatch.person_id.in_(people))
    latest = (
        sa.select(sa.func.max(RecordMatch.id))
        .where(RecordMatch.case_id.in_(touched))
        .group_by(RecordMatch.case_id)
    )
    matched = sa.select(RecordMatch.case_id).where(
        RecordMatch.id.in_(latest), RecordMatch.person_id.in_(people)
    )
    issued = sa.select(CaseEvent.id).where(
        CaseEvent.case_id.in_(matched),
        CaseEvent.to_stage.in_(ISSUED_STAGES),
        CaseEvent.at >= person_merge.merged_at,
    )
    return not db.session.scalar(sa.select(issued.exists()))


def undo_merge(person_merge, *, reason, actor):
    """Undo a merge: the merged person stands on its own again, with its own record."""
    _officer(actor)
    reason = _reason(reason, _("Vui lòng ghi lý do hủy hợp nhất."))
    merged = person_merge.merged_person
    _lock(person_merge.kept_person, merged)
    if person_merge.undone_at is not None:
        raise InvalidTransition(_("Việc hợp nhất này đã được hủy."))
    if not merge_can_be_undone(person_merge):
        raise InvalidTransition(
            _("Không thể hủy hợp nhất: đã có Phiếu lý lịch tư pháp được cấp từ hồ sơ đã hợp nhất.")
        )
    merged.merged_into_id = None
    person_merge.undone_at = clock.now()
    person_merge.undone_by_id = actor.user_id
    person_merge.undo_reason = reason
    db.session.flush()
    audit.record(
        "records.merge_undone",
        actor,
        object_type="person",
        object_id=person_merge.kept_person_id,
        reason=reason,
        details={
            "person_merge_id": person_merge.id,
            "kept_person_id": person_merge.kept_person_id,
            "merged_person_id": merged.id,
        },
    )
    return person_merge


def mark_distinct(first, second, *, reason, actor):
    """Record that two look-alike people are different people: the duplicates list stops proposing them.
    The pair is kept with the lower id first, whichever way round it was given."""
    _officer(actor)
    reason = _reason(reason, _("Vui lòng ghi lý do kết luận đây là hai người khác nhau."))
    if first.id == second.id:
        raise InvalidTransition(_("Đây là cùng một người."))
    low, high = sorted((first.id, second.id))
    exists = sa.select(DistinctPeople.id).where(
        DistinctPeople.first_person_id == low, DistinctPeople.second_person_id == high
    )
    if db.session.scalar(exists) is not None:
        raise InvalidTransition(_("Đã ghi nhận trước đây rằng đây là hai người khác nhau."))
    row = DistinctPeople(
        first_person_id=low, second_person_id=high, reason=reason, decided_by_id=actor.user_id
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "records.people_distinct",
        actor,
        object_type="person",
        object_id=low,
        reason=reason,
        details={"distinct_people_id": row.id, "first_person_id": low, "second_person_id": high},
    )
    return row


# --- manual entry and correction ---------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """The paper an officer copies from: the agency that sent it, its reference there, the day it came."""

    agency: str
    ref: str
    received_on: date


def _iso(day):
    return None if day is None else day.isoformat()


def judgment_document(judgment):
    """A judgment's rows as a records-contract document: what its correction form starts from, and the
    "before" of a correction's diff."""
    penalty = None
    if judgment.principal_type is not None:
        penalty = {
            "type": judgment.principal_type,
            "months": judgment.principal_months,
            "suspended": judgment.principal_suspended,
            "probation_months": judgment.probation_months,
            "fine_amount": judgment.fine_amount,
        }
    return {
        "kind": DocumentKind.JUDGMENT.value,
        "source_ref": judgment.source_ref,
        "person_ref": judgment.person.source_ref,
        "number": judgment.number,
        "pronounced_on": _iso(judgment.pronounced_on),
        "effective_on": _iso(judgment.effective_on),
        "court": judgment.court,
        "offences": [
            {
                "name": offence.name,
                "code": offence.code,
                "article": offence.article,
                "clause": offence.clause,
                "chapter": offence.chapter,
                "severity": offence.severity,
                "intent": offence.intent,
                "committed_on": _iso(offence.committed_on),
            }
            for offence in judgment.offences
        ],
        "principal_penalty": penalty,
        "exempted_from_punishment": judgment.exempted_from_punishment,
        "reform_school": judgment.reform_school,
        "additional_penalties": [
            {"type": item.type, "months": item.months, "description": item.description}
            for item in judgment.additional_penalties
        ],
        "court_fee": judgment.court_fee,
        "civil_obligations": [
            {"description": item.description, "amount": item.amount} for item in judgment.civil_obligations
        ],
    }


def event_document(event):
    """An enforcement event's row as a records-contract document (optional fields only when set)."""
    document = {
        "kind": DocumentKind.ENFORCEMENT.value,
        "source_ref": event.source_ref,
        "judgment_ref": event.judgment.source_ref,
        "event": event.event,
        "on": _iso(event.on),
    }
    for name in ("penalty_index", "obligation_index", "note"):
        if getattr(event, name) is not None:
            document[name] = getattr(event, name)
    return document


def _no_rules(parent, document, errors):
    return None


# The events that name one of the judgment's penalties or obligations: the index, the list it points
# into, and what to say when none is named.
_INDEXED_EVENTS = {
    "additional_completed": (
        "penalty_index",
        "additional_penalties",
        _l("Chọn hình phạt bổ sung đã chấp hành xong."),
        _l("Bản án này không có hình phạt bổ sung nào."),
    ),
    "civil_obligation_completed": (
        "obligation_index",
        "civil_obligations",
        _l("Chọn nghĩa vụ dân sự đã thực hiện xong."),
        _l("Bản án này không có nghĩa vụ dân sự nào."),
    ),
}


def _event_rules(judgment, document, errors):
    """What the validator cannot know without the judgment: an index names one of its penalties or
    obligations."""
    for event, (name, rows, choose, nothing) in _INDEXED_EVENTS.items():
        rows, index = getattr(judgment, rows), document.get(name)
        if isinstance(index, int) and name not in errors and index >= len(rows):
            errors[name] = _("Bản án không có mục này.")
        elif index is None and document.get("event") == event:
            errors[name] = str(choose if rows else nothing)


@dataclass(frozen=True)
class _Kind:
    kind: DocumentKind
    parent_ref: str  # the document's reference to its parent row
    parent_model: type
    to_document: object  # row -> document
    update: object  # (row, document) -> None
    rules: object  # (parent row, document, errors) -> None: the checks that need the database
    parent: object  # row -> its parent row


def _update_judgment(judgment, document):
    """Set a judgment's rows to a corrected document. The children are replaced: their positions are
    unique, so the old ones are deleted first."""
    for children in (judgment.offences, judgment.additional_penalties, judgment.civil_obligations):
        children.clear()
    db.session.flush()
    documents.set_judgment(judgment, document)


_KINDS = {
    DocumentKind.JUDGMENT: _Kind(
        DocumentKind.JUDGMENT,
        "person_ref",
        Person,
        judgment_document,
        _update_judgment,
        _no_rules,
        lambda judgment: judgment.person,
    ),
    DocumentKind.ENFORCEMENT: _Kind(
        DocumentKind.ENFORCEMENT,
        "judgment_ref",
        Judgment,
        event_document,
        documents.set_event,
        _event_rules,
        lambda event: event.judgment,
    ),
}


def _paper_errors(paper):
    errors = {}
    if not paper.agency:
        errors["paper.agency"] = _("Vui lòng nhập cơ quan gửi văn bản.")
    elif len(paper.agency) > AGENCY_LENGTH:
        errors["paper.agency"] = _("Không được dài quá %(max)d ký tự.", max=AGENCY_LENGTH)
    if not paper.ref:
        errors["paper.ref"] = _("Vui lòng nhập số, ký hiệu của văn bản.")
    elif not errors and documents.latest_document(paper.agency, paper.ref) is not None:
        errors["paper.ref"] = _(
            "Văn bản này của cơ quan đã có trong cơ sở dữ liệu. "
            "Nếu cần sửa nội dung, hãy dùng chức năng đính chính."
        )
    if paper.received_on is None:
        errors["paper.received_on"] = _("Vui lòng nhập ngày nhận văn bản.")
    elif paper.received_on > clock.today():
        errors["paper.received_on"] = _("Ngày nhận văn bản không được sau hôm nay.")
    return errors


def _checked(spec, parent, document):
    """The records contract's checks of one document (the imports' own), then those needing its parent."""
    errors = check_document(document)
    spec.rules(parent, document, errors)
    return errors


def _received_at(day):
    return datetime.combine(day, time(), tzinfo=clock.local_tz())


def _enter(spec, parent, content, *, paper, actor):
    """Store and apply an officer's document for `parent`, or raise ValidationFailed with every error."""
    _officer(actor)
    paper = Paper(paper.agency.strip(), paper.ref.strip(), paper.received_on)
    errors = _paper_errors(paper)
    document = documents.normalise(
        {"kind": spec.kind.value, "source_ref": paper.ref, spec.parent_ref: parent.source_ref, **content}
    )
    checked = _checked(spec, parent, document)
    # The document's reference is the paper's: its problem shows beside the paper's input.
    if "source_ref" in checked:
        errors.setdefault("paper.ref", checked.pop("source_ref"))
    errors = {**checked, **errors}
    # The document names its parent by the parent's reference, which must lead back to this very parent.
    if not errors and documents.find_by_ref(spec.parent_model, parent.source_ref, paper.agency) is not parent:
        errors["paper.agency"] = _(
            "Cơ quan này đã gửi một hồ sơ khác có cùng số tham chiếu: không thể gắn văn bản vào đúng hồ sơ."
        )
    if errors:
        raise ValidationFailed(errors)
    stored = documents.store_document(
        document, agency=paper.agency, channel=DocumentChannel.OFFICER, actor=actor
    )
    stored.received_at = _received_at(paper.received_on)
    return documents.apply_document(stored, actor=actor)


def _correct(spec, row, content, *, reason, actor):
    """Correct a row from the officer's corrected document: a new version of its source document, the
    rows updated, and the change audited with its reason."""
    _officer(actor)
    before = spec.to_document(row)
    after = documents.normalise(
        {**content, **{key: before[key] for key in ("kind", "source_ref", spec.parent_ref)}}
    )
    errors = _checked(spec, spec.parent(row), after)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Vui lòng ghi lý do đính chính và văn bản làm căn cứ.")
    keys = before.keys() | after.keys()
    diff = audit.changes({key: before.get(key) for key in keys}, {key: after.get(key) for key in keys})
    if not diff and not errors:
        errors["document"] = _("Nội dung đính chính giống hệt nội dung hiện có: không có gì để lưu.")
    if errors:
        raise ValidationFailed(errors)
    previous = documents.latest_document(row.source_agency, row.source_ref)
    stored = documents.store_document(
        after,
        agency=row.source_agency,
        channel=DocumentChannel.OFFICER,
        actor=actor,
        version=previous.version + 1 if previous is not None else 1,
    )
    stored.applied_at = clock.now()
    spec.update(row, after)
    row.source_document_id = stored.id
    db.session.flush()
    audit.record(
        f"records.{spec.kind.value}_corrected",
        actor,
        object_type=type(row).__name__.lower(),
        object_id=row.id,
        reason=reason,
        details={
            "changes": diff,
            "source_document_id": stored.id,
            "previous_source_document_id": previous.id if previous is not None else None,
        },
    )
    return row


def enter_judgment(person, content, *, paper, actor):
    """An officer types in a judgment extract for `person` from the paper in hand."""
    if person.merged_into_id is not None:
        raise InvalidTransition(_("Người này đã được hợp nhất; hãy nhập vào hồ sơ của người được giữ lại."))
    return _enter(_KINDS[DocumentKind.JUDGMENT], person, content, paper=paper, actor=actor)


def enter_event(judgment, content, *, paper, actor):
    """An officer types in an enforcement notice about `judgment` from the paper in hand."""
    return _enter(_KINDS[DocumentKind.ENFORCEMENT], judgment, content, paper=paper, actor=actor)


def correct_judgment(judgment, content, *, reason, actor):
    """An officer corrects a judgment's facts (a typing error, a corrected extract), with the reason."""
    return _correct(_KINDS[DocumentKind.JUDGMENT], judgment, content, reason=reason, actor=actor)


def correct_event(event, content, *, reason, actor):
    """An officer corrects an enforcement event's facts, with the reason."""
    return _correct(_KINDS[DocumentKind.ENFORCEMENT], event, content, reason=reason, actor=actor)
