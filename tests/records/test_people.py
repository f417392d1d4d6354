"""An officer's work on people: merging two people, undoing it until a certificate is issued from the
merged record, recording that two look-alikes are different, and entering or correcting a judgment or an
enforcement event from the paper in hand. Every change is audited; every refusal leaves nothing behind."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from lltp.records import matching
from lltp.records.models import (
    DistinctPeople,
    DocumentChannel,
    Judgment,
    RecordMatch,
    SourceDocument,
)
from lltp.records.queries import cluster_ids
from lltp.records.services import people
from lltp.records.services.people import Paper
from tests.factories import SYSTEM, create_case, create_user, local_datetime
from tests.records.factories import create_event, create_judgment, create_person, judgment_document


@pytest.fixture
def actor(db):
    return Actor(user=create_user(roles=(Role.PROCESSING_OFFICER,)), ip="127.0.0.1")


def audits(action):
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def issued_from(person, stage=CaseStage.ISSUED, at=None):
    """A case matched to `person` that reached `stage` (at `at`, default now)."""
    case = create_case(stage, at=at)
    officer = create_user(roles=(Role.PROCESSING_OFFICER,))
    _db.session.add(RecordMatch(case_id=case.id, person_id=person.id, decided_by_id=officer.id))
    _db.session.flush()
    return case


PAPER = Paper(agency="TAND-Q3", ref="45/2020/HS-ST", received_on=date(2020, 9, 1))


def judgment_content(**overrides):
    """What the officer's judgment form gives: the document without its references."""
    document = judgment_document("unused", **overrides)
    for key in ("kind", "source_ref", "person_ref"):
        del document[key]
    return document


# --- merges ----------------------------------------------------------------------------------------


def test_merging_points_the_merged_person_at_the_kept_one_and_is_audited_with_the_reason(db, actor):
    kept, merged = create_person(), create_person()
    merge = people.merge_people(kept, merged, reason="Cùng số CMND cũ và cha mẹ", actor=actor)
    assert merged.merged_into_id == kept.id
    assert (merge.kept_person_id, merge.merged_person_id, merge.merged_by_id) == (
        kept.id,
        merged.id,
        actor.user_id,
    )
    [row] = audits("records.people_merged")
    assert row.reason == "Cùng số CMND cũ và cha mẹ"
    assert row.details == {
        "person_merge_id": merge.id,
        "kept_person_id": kept.id,
        "merged_person_id": merged.id,
    }


def test_after_a_merge_the_merged_persons_judgments_count_for_the_kept_person(db, actor):
    kept, merged = create_person(), create_person()
    judgment = create_judgment(merged)
    people.merge_people(kept, merged, reason="Trùng", actor=actor)
    assert judgment.person_id in cluster_ids(kept)


def test_a_merge_needs_a_written_reason(db, actor):
    kept, merged = create_person(), create_person()
    with pytest.raises(ValidationFailed) as refused:
        people.merge_people(kept, merged, reason="  ", actor=actor)
    assert "reason" in refused.value.errors
    assert merged.merged_into_id is None


def test_a_person_cannot_be_merged_into_itself(db, actor):
    person = create_person()
    with pytest.raises(InvalidTransition):
        people.merge_people(person, person, reason="Trùng", actor=actor)


def test_nobody_can_be_merged_into_a_person_already_merged(db, actor):
    survivor, merged, other = create_person(), create_person(), create_person()
    people.merge_people(survivor, merged, reason="Trùng", actor=actor)
    with pytest.raises(InvalidTransition):
        people.merge_people(merged, other, reason="Trùng", actor=actor)
    assert other.merged_into_id is None


def test_a_person_already_merged_cannot_be_merged_again(db, actor):
    survivor, merged, other = create_person(), create_person(), create_person()
    people.merge_people(survivor, merged, reason="Trùng", actor=actor)
    with pytest.raises(InvalidTransition):
        people.merge_people(other, merged, reason="Trùng", actor=actor)
    assert merged.merged_into_id == survivor.id


def test_only_an_officer_merges(db):
    with pytest.raises(NotAllowed):
        people.merge_people(create_person(), create_person(), reason="Trùng", actor=SYSTEM)


def test_undoing_a_merge_makes_the_merged_person_stand_alone_again_and_is_audited(db, actor):
    kept, merged = create_person(), create_person()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=actor)
    people.undo_merge(merge, reason="Khác năm sinh thật", actor=actor)
    assert merged.merged_into_id is None
    assert merge.undone_at is not None and merge.undone_by_id == actor.user_id
    assert merge.undo_reason == "Khác năm sinh thật"
    [row] = audits("records.merge_undone")
    assert row.reason == "Khác năm sinh thật" and row.details["person_merge_id"] == merge.id


def test_undoing_needs_a_written_reason(db, actor):
    merge = people.merge_people(create_person(), create_person(), reason="Trùng", actor=actor)
    with pytest.raises(ValidationFailed):
        people.undo_merge(merge, reason="", actor=actor)
    assert merge.undone_at is None


def test_a_merge_cannot_be_undone_twice(db, actor):
    merge = people.merge_people(create_person(), create_person(), reason="Trùng", actor=actor)
    people.undo_merge(merge, reason="Nhầm", actor=actor)
    with pytest.raises(InvalidTransition):
        people.undo_merge(merge, reason="Nhầm", actor=actor)


@pytest.mark.parametrize("stage", [CaseStage.ISSUED, CaseStage.RETURNED])
def test_a_merge_cannot_be_undone_once_a_certificate_is_issued_from_the_merged_record(db, actor, stage):
    kept, merged = create_person(), create_person()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=actor)
    issued_from(kept, stage)
    assert not people.merge_can_be_undone(merge)
    with pytest.raises(InvalidTransition):
        people.undo_merge(merge, reason="Nhầm", actor=actor)
    assert merged.merged_into_id == kept.id


def test_a_certificate_issued_through_a_person_merged_later_still_blocks_the_undo(db, actor):
    first, second, third = create_person(), create_person(), create_person()
    merge = people.merge_people(first, second, reason="Trùng", actor=actor)
    people.merge_people(third, first, reason="Trùng", actor=actor)
    issued_from(third)
    assert not people.merge_can_be_undone(merge)


def test_a_certificate_issued_before_the_merge_does_not_block_its_undo(db, actor):
    kept, merged = create_person(), create_person()
    issued_from(kept, at=clock.now() - timedelta(days=3))
    merge = people.merge_people(kept, merged, reason="Trùng", actor=actor)
    assert people.merge_can_be_undone(merge)


def test_a_case_matched_to_someone_else_since_does_not_block_the_undo(db, actor):
    kept, merged, other = create_person(), create_person(), create_person()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=actor)
    case = issued_from(kept)
    _db.session.add(RecordMatch(case_id=case.id, person_id=other.id, decided_by_id=actor.user_id))
    _db.session.flush()
    assert people.merge_can_be_undone(merge)


def test_a_case_still_in_progress_does_not_block_the_undo(db, actor):
    kept, merged = create_person(), create_person()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=actor)
    issued_from(kept, CaseStage.AWAITING_SIGNATURE)
    assert people.merge_can_be_undone(merge)


# --- two different people ------------------------------------------------------------------------------


def test_two_people_found_different_are_kept_lower_id_first_and_audited(db, actor):
    first, second = create_person(), create_person()
    row = people.mark_distinct(second, first, reason="Khác cha mẹ, khác quê", actor=actor)
    assert (row.first_person_id, row.second_person_id) == (first.id, second.id)
    [audit] = audits("records.people_distinct")
    assert audit.reason == "Khác cha mẹ, khác quê"


def test_two_people_found_different_leave_the_duplicates_list(db, actor):
    first = create_person(full_name="TRẦN VĂN BÌNH", date_of_birth="1979-06-01")
    second = create_person(full_name="TRẦN VĂN BÌNH", date_of_birth="1979-06-01")

    def listed():
        return {frozenset((pair.first.id, pair.second.id)) for pair in matching.likely_duplicates(limit=500)}

    assert frozenset((first.id, second.id)) in listed()
    people.mark_distinct(first, second, reason="Khác cha mẹ", actor=actor)
    assert frozenset((first.id, second.id)) not in listed()


def test_finding_two_people_different_needs_a_reason_and_two_people(db, actor):
    person = create_person()
    with pytest.raises(ValidationFailed):
        people.mark_distinct(person, create_person(), reason="", actor=actor)
    with pytest.raises(InvalidTransition):
        people.mark_distinct(person, person, reason="Khác", actor=actor)


def test_the_same_pair_is_found_different_only_once(db, actor):
    first, second = create_person(), create_person()
    people.mark_distinct(first, second, reason="Khác", actor=actor)
    with pytest.raises(InvalidTransition):
        people.mark_distinct(second, first, reason="Khác", actor=actor)
    assert count(DistinctPeople) == 1


# --- manual entry ---------------------------------------------------------------------------------------


def test_an_officer_enters_a_judgment_from_the_paper_in_hand(db, actor):
    person = create_person()
    judgment = people.enter_judgment(
        person, judgment_content(number="45/2020/HS-ST"), paper=PAPER, actor=actor
    )
    assert judgment.person_id == person.id and judgment.number == "45/2020/HS-ST"
    assert judgment.judicial_record is not None
    document = _db.session.get(SourceDocument, judgment.source_document_id)
    assert (document.source_agency, document.source_ref, document.channel) == (
        "TAND-Q3",
        "45/2020/HS-ST",
        DocumentChannel.OFFICER,
    )
    assert document.received_by_id == actor.user_id
    assert clock.to_local(document.received_at) == local_datetime(2020, 9, 1)
    assert document.content["person_ref"] == person.source_ref


def test_an_officer_enters_an_enforcement_event_for_a_judgment(db, actor):
    judgment = create_judgment(create_person(), additional_penalties=[{"type": "ban_office", "months": 36}])
    event = people.enter_event(
        judgment,
        {"event": "additional_completed", "on": "2024-01-02", "penalty_index": 0, "note": "QĐ 12"},
        paper=Paper("THADS-HCM", "THA/2024/9", date(2024, 1, 5)),
        actor=actor,
    )
    assert event.judgment_id == judgment.id and event.penalty_index == 0 and event.on == date(2024, 1, 2)


def test_a_judgment_cannot_be_entered_for_a_person_merged_away(db, actor):
    survivor, merged = create_person(), create_person()
    people.merge_people(survivor, merged, reason="Trùng", actor=actor)
    with pytest.raises(InvalidTransition):
        people.enter_judgment(merged, judgment_content(), paper=PAPER, actor=actor)


def test_a_bad_entry_reports_every_problem_by_field_and_writes_nothing(db, actor):
    person = create_person()
    before = count(SourceDocument), count(Judgment)
    content = judgment_content(number=None, offences=[], principal_penalty__months=None)
    with pytest.raises(ValidationFailed) as refused:
        people.enter_judgment(person, content, paper=Paper("", "", None), actor=actor)
    errors = refused.value.errors
    assert {
        "number",
        "offences",
        "principal_penalty.months",
        "paper.agency",
        "paper.ref",
        "paper.received_on",
    } <= (errors.keys())
    assert (count(SourceDocument), count(Judgment)) == before


def test_a_paper_already_in_the_database_cannot_be_entered_again(db, actor):
    person = create_person()
    people.enter_judgment(person, judgment_content(), paper=PAPER, actor=actor)
    with pytest.raises(ValidationFailed) as refused:
        people.enter_judgment(person, judgment_content(), paper=PAPER, actor=actor)
    assert "đính chính" in refused.value.errors["paper.ref"]


def test_a_paper_received_in_the_future_is_refused(db, actor):
    paper = Paper("TAND-Q3", "1/2020", clock.today() + timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        people.enter_judgment(create_person(), judgment_content(), paper=paper, actor=actor)
    assert "paper.received_on" in refused.value.errors


def test_an_event_must_name_a_penalty_the_judgment_has(db, actor):
    judgment = create_judgment(create_person())
    with pytest.raises(ValidationFailed) as refused:
        people.enter_event(
            judgment,
            {"event": "additional_completed", "on": "2024-01-02", "penalty_index": 0},
            paper=Paper("THADS-HCM", "THA/2024/9", date(2024, 1, 5)),
            actor=actor,
        )
    assert "penalty_index" in refused.value.errors


# --- corrections ----------------------------------------------------------------------------------------


def test_a_correction_updates_the_judgment_keeps_the_earlier_document_and_audits_the_change(db, actor):
    judgment = create_judgment(create_person(), court_fee=200000)
    original = judgment.source_document_id
    content = judgment_content(court_fee=300000)
    content["offences"][0]["article"] = "174"
    people.correct_judgment(judgment, content, reason="Trích lục đính chính số 7", actor=actor)
    assert judgment.court_fee == 300000 and judgment.offences[0].article == "174"
    current = _db.session.get(SourceDocument, judgment.source_document_id)
    assert current.id != original and current.version == 2 and current.channel == DocumentChannel.OFFICER
    assert _db.session.get(SourceDocument, original).content["court_fee"] == 200000
    [row] = audits("records.judgment_corrected")
    assert row.reason == "Trích lục đính chính số 7"
    assert row.details["changes"]["court_fee"] == [200000, 300000]
    assert row.details["changes"]["offences"][1][0]["article"] == "174"
    assert row.details["previous_source_document_id"] == original


def test_a_correction_can_change_the_number_of_offences(db, actor):
    judgment = create_judgment(create_person())
    offence = judgment_content()["offences"][0]
    content = judgment_content(offences=[offence, {**offence, "name": "Cướp giật tài sản", "article": "171"}])
    people.correct_judgment(judgment, content, reason="Sót tội danh", actor=actor)
    _db.session.expire(judgment)
    assert [o.article for o in judgment.offences] == ["173", "171"]


def test_a_correction_needs_a_reason_and_a_change(db, actor):
    judgment = create_judgment(create_person())
    with pytest.raises(ValidationFailed) as refused:
        people.correct_judgment(judgment, judgment_content(court_fee=1), reason="", actor=actor)
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        people.correct_judgment(judgment, people.judgment_document(judgment), reason="Không đổi", actor=actor)
    assert "document" in refused.value.errors


def test_a_bad_correction_changes_nothing(db, actor):
    judgment = create_judgment(create_person())
    versions = count(SourceDocument)
    with pytest.raises(ValidationFailed):
        people.correct_judgment(
            judgment, judgment_content(effective_on="2000-01-01"), reason="Sửa", actor=actor
        )
    assert count(SourceDocument) == versions and judgment.effective_on == date(2019, 4, 12)


def test_an_event_is_corrected_with_its_reason(db, actor):
    event = create_event(create_judgment(create_person()), "principal_completed", "2021-03-11")
    people.correct_event(
        event, {"event": "principal_completed", "on": "2021-03-01"}, reason="Nhầm ngày", actor=actor
    )
    assert event.on == date(2021, 3, 1)
    [row] = audits("records.enforcement_corrected")
    assert row.details["changes"] == {"on": ["2021-03-11", "2021-03-01"]}


def test_an_event_that_names_no_penalty_says_the_judgment_has_none(db, actor):
    judgment = create_judgment(create_person())
    with pytest.raises(ValidationFailed) as refused:
        people.enter_event(
            judgment,
            {"event": "additional_completed", "on": "2024-01-02"},
            paper=Paper("THADS-HCM", "THA/2024/9", date(2024, 1, 5)),
            actor=actor,
        )
    assert refused.value.errors["penalty_index"] == "Bản án này không có hình phạt bổ sung nào."
