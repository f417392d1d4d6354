"""A task's life: claimed, answered, returned for clarification and clarified, cancelled with a reason,
escalated; the case moves on to drafting when its last task is answered, and not before; a found judgment
goes into the record database. Each refusal leaves nothing behind, and everything is on the trail."""

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage
from lltp.core.audit import AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from lltp.records.models import EnforcementEvent, Judgment
from lltp.verification import services
from lltp.verification.models import AnswerOutcome, TaskKind, TaskStatus
from tests.factories import create_case, create_unit
from tests.intake.test_case_panels import intake_case
from tests.records.factories import create_judgment
from tests.verification.helpers import (
    applicant_person,
    processing_actor,
    send_for_verification,
    verifier_actor,
)

FOUND_JUDGMENT = {
    "number": "45/2007/HS-ST",
    "pronounced_on": "2007-05-10",
    "effective_on": "2007-06-10",
    "court": "Tòa án nhân dân Quận 1, TP Hồ Chí Minh",
    "offences": [
        {
            "name": "Trộm cắp tài sản",
            "code": "BLHS1999",
            "article": "138",
            "clause": "1",
            "chapter": "XIV",
            "severity": "less_serious",
            "intent": "intentional",
            "committed_on": "2007-01-02",
        }
    ],
    "principal_penalty": {
        "type": "prison",
        "months": 9,
        "suspended": False,
        "probation_months": None,
        "fine_amount": None,
    },
    "exempted_from_punishment": False,
    "reform_school": False,
    "additional_penalties": [],
    "court_fee": 200000,
    "civil_obligations": [],
}


@pytest.fixture
def police(db):
    return create_unit(UnitKind.PROVINCIAL_POLICE)


@pytest.fixture
def task(police):
    (task,) = services.case_tasks(create_case(CaseStage.VERIFYING))
    return task


def test_claiming_marks_the_task_as_the_verifiers(task, police):
    actor = verifier_actor(police)
    services.claim_task(task, actor=actor)
    assert (task.status, task.claimed_by_id) == (TaskStatus.CLAIMED, actor.user_id)
    assert [e.action for e in task.events] == ["create", "claim"]


def test_a_claimed_task_is_refused_to_a_colleague_who_is_told_who_holds_it(task, police):
    holder = verifier_actor(police)
    services.claim_task(task, actor=holder)
    with pytest.raises(NotAllowed, match=holder.user.full_name):
        services.claim_task(task, actor=verifier_actor(police))


def test_a_verifier_of_another_unit_cannot_claim(task):
    with pytest.raises(NotAllowed):
        services.claim_task(task, actor=verifier_actor(create_unit(UnitKind.PROVINCIAL_POLICE)))


def test_the_last_answer_moves_the_case_on_to_drafting(task, police):
    services.answer_task(task, outcome="nothing_found", actor=verifier_actor(police))
    assert task.case.stage is CaseStage.DRAFTING
    assert task.case.events[-1].actor_label == "verification"


def test_a_case_waits_in_verification_while_another_task_is_open(task, police):
    court = create_unit(UnitKind.COURT)
    services.add_task(
        task.case, unit=court, kind=TaskKind.JUDGMENT_OUTCOME, reason="Bản án cũ", actor=processing_actor()
    )
    services.answer_task(task, outcome="nothing_found", actor=verifier_actor(police))
    assert task.case.stage is CaseStage.VERIFYING


def test_the_officer_cannot_finish_verification_while_a_task_is_unanswered(task):
    with pytest.raises(InvalidTransition):
        case_services.transition(task.case, "finish_verification", actor=processing_actor())


def test_cancelling_the_last_open_task_after_an_answer_moves_the_case_on(task, police):
    court = create_unit(UnitKind.COURT)
    extra = services.add_task(
        task.case, unit=court, kind=TaskKind.JUDGMENT_OUTCOME, reason="Bản án cũ", actor=processing_actor()
    )
    services.answer_task(task, outcome="nothing_found", actor=verifier_actor(police))
    services.cancel_task(extra, reason="Đã có kết quả từ Công an", actor=processing_actor())
    assert (extra.status, task.case.stage) == (TaskStatus.CANCELLED, CaseStage.DRAFTING)


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(task, reason):
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_task(task, reason=reason, actor=processing_actor())
    assert "reason" in refused.value.errors and task.status is TaskStatus.OPEN


def test_a_task_added_by_hand_needs_a_reason(task, police):
    with pytest.raises(ValidationFailed) as refused:
        services.add_task(
            task.case, unit=police, kind="judgment_outcome", reason="", actor=processing_actor()
        )
    assert set(refused.value.errors) == {"reason"}


def test_a_task_added_by_hand_needs_a_unit(task):
    with pytest.raises(ValidationFailed) as refused:
        services.add_task(
            task.case, unit=None, kind="judgment_outcome", reason="Lý do", actor=processing_actor()
        )
    assert set(refused.value.errors) == {"unit_id"}


def test_only_a_processing_officer_adds_or_cancels_tasks(task, police):
    verifier = verifier_actor(police)
    with pytest.raises(NotAllowed):
        services.cancel_task(task, reason="Không cần", actor=verifier)
    with pytest.raises(NotAllowed):
        services.add_task(task.case, unit=police, kind="police_lookup", reason="Lý do", actor=verifier)


def test_cannot_determine_needs_the_reason(task, police):
    with pytest.raises(ValidationFailed) as refused:
        services.answer_task(task, outcome="cannot_determine", actor=verifier_actor(police))
    assert set(refused.value.errors) == {"note"} and task.status is TaskStatus.OPEN


def test_a_found_judgment_with_a_bad_field_is_refused_by_its_path(task, police):
    document = {**FOUND_JUDGMENT, "pronounced_on": "10/05/2007"}
    with pytest.raises(ValidationFailed) as refused:
        services.answer_task(
            task, outcome="found", details={"document": document}, actor=verifier_actor(police)
        )
    assert "document.pronounced_on" in refused.value.errors


def test_return_for_clarification_then_clarify_gives_the_unit_its_time_again(task, police):
    verifier = verifier_actor(police)
    services.claim_task(task, actor=verifier)
    services.return_for_clarification(task, message="Đề nghị bổ sung tên cha mẹ", actor=verifier)
    assert task.status is TaskStatus.RETURNED
    with pytest.raises(InvalidTransition):
        services.answer_task(task, outcome="nothing_found", actor=verifier)
    services.clarify_task(task, message="Cha: NGUYỄN VĂN BÌNH", actor=processing_actor())
    assert task.status is TaskStatus.CLAIMED
    assert [e.action for e in task.events] == ["create", "claim", "return", "clarify"]


def test_escalation_marks_the_task_and_keeps_it_answerable(task, police):
    services.escalate_task(task)
    assert task.status is TaskStatus.ESCALATED and task.escalated_at is not None
    services.answer_task(task, outcome="nothing_found", actor=verifier_actor(police))
    assert task.status is TaskStatus.ANSWERED


def test_an_answer_on_paper_is_typed_in_by_the_processing_officer(task):
    officer = processing_actor()
    services.answer_task(
        task, outcome="nothing_found", note="Công văn số 12/CA", actor=officer, on_paper=True
    )
    assert task.answered_on_paper and task.answered_by_id == officer.user_id
    assert task.events[-1].action == "answer_on_paper"


def test_a_verifier_cannot_type_in_a_paper_answer(task, police):
    with pytest.raises(NotAllowed):
        services.answer_task(task, outcome="nothing_found", actor=verifier_actor(police), on_paper=True)


def test_a_found_judgment_is_taken_into_the_record_database_for_the_matched_person(police):
    case = intake_case()
    person = applicant_person(case)
    send_for_verification(case, person)
    (task,) = [t for t in services.case_tasks(case) if t.kind is TaskKind.POLICE_LOOKUP]
    services.answer_task(
        task, outcome=AnswerOutcome.FOUND, details={"document": FOUND_JUDGMENT}, actor=verifier_actor(police)
    )
    services.accept_answer(task, actor=processing_actor())
    judgment = _db.session.scalar(sa.select(Judgment).where(Judgment.number == "45/2007/HS-ST"))
    assert judgment.person_id == person.id and task.accepted_document_id == judgment.source_document_id
    with pytest.raises(InvalidTransition):
        services.accept_answer(task, actor=processing_actor())


def test_a_found_enforcement_event_is_taken_for_the_judgment_asked_about(db):
    court = create_unit(UnitKind.COURT, name="Tòa án nhân dân Quận 1, TP Hồ Chí Minh")
    case = intake_case()
    person = applicant_person(case)
    judgment = create_judgment(person)
    send_for_verification(case, person)
    task = next(t for t in services.case_tasks(case) if t.kind is TaskKind.JUDGMENT_OUTCOME)
    assert task.unit_id == court.id
    event = {"event": "principal_completed", "on": "2021-03-11", "note": "Giấy chứng nhận số 45"}
    services.answer_task(task, outcome="found", details={"document": event}, actor=verifier_actor(court))
    services.accept_answer(task, actor=processing_actor())
    recorded = _db.session.scalars(
        sa.select(EnforcementEvent.event).where(EnforcementEvent.judgment_id == judgment.id)
    )
    assert recorded.all() == ["principal_completed"]


def test_refusing_the_case_cancels_its_open_tasks(task):
    case_services.transition(task.case, "refuse", actor=processing_actor(), note="Hồ sơ giả mạo")
    assert task.status is TaskStatus.CANCELLED


def test_every_change_is_audited_with_the_task(task, police):
    services.claim_task(task, actor=verifier_actor(police))
    actions = _db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "verification_task", AuditEvent.object_id == str(task.id)
        )
    ).all()
    assert actions == ["verification.create", "verification.claim"]


def test_a_supervisor_may_release_a_colleagues_claim(task, police):
    services.claim_task(task, actor=verifier_actor(police))
    services.release_task(task, actor=verifier_actor(police, Role.UNIT_SUPERVISOR))
    assert (task.status, task.claimed_by_id) == (TaskStatus.OPEN, None)
