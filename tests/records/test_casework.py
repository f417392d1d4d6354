"""The record database in a case: the officer picks the applicant among the candidates or records "no
match"; the case page shows the content and its explanation; a record needing verification makes the case
long; overrides need a reason. Every read and change is audited, and every refusal is proven."""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage, Channel
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from lltp.records import casework
from lltp.records.models import RecordMatch
from tests.factories import create_case, create_unit, create_user, local_datetime
from tests.intake.test_case_panels import intake_case
from tests.records.factories import create_event, create_judgment, create_person

NAME = "PHẠM MINH TUẤN"


def processing_actor():
    return Actor(user=create_user(roles=(Role.PROCESSING_OFFICER,)), ip="127.0.0.1")


def review_case(**overrides):
    fields = {
        "applicant_full_name": NAME,
        "applicant_date_of_birth": date(1988, 4, 9),
        "applicant_id_number": "079088012345",
        "channel": Channel.VNEID,
        **overrides,
    }
    return create_case(fields.pop("stage", CaseStage.IN_REVIEW), **fields)


def convicted_applicant(**overrides):
    """The applicant in the record database, with a conviction still in force (released 2024)."""
    person = create_person(**{"full_name": NAME, "sex": "male", "date_of_birth": "1988-04-09", **overrides})
    judgment = create_judgment(person, pronounced_on="2022-04-10", effective_on="2022-05-10")
    create_event(judgment, "principal_completed", "2024-05-09")
    create_event(judgment, "court_fee_paid", "2022-06-01")
    return person, judgment


def audit_actions(case):
    return [e.action for e in _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id))]


def test_the_applicant_is_among_the_candidates_and_showing_them_is_audited(db):
    person, _ = convicted_applicant()
    case = review_case()
    found = casework.candidates_for(case, actor=processing_actor())
    assert found[0].person.id == person.id
    assert "records.candidates_viewed" in audit_actions(case)


def test_picking_a_person_records_the_match_with_score_and_reasons(db):
    person, _ = convicted_applicant()
    case = review_case()
    match = casework.pick_person(case, person, actor=processing_actor())
    assert casework.current_match(case) is match
    assert match.person_id == person.id and match.score and match.reasons
    assert "records.person_matched" in audit_actions(case)


def test_the_content_follows_the_pick_and_explains_the_conviction(db):
    person, judgment = convicted_applicant()
    case = review_case()
    casework.pick_person(case, person, actor=processing_actor())
    content = casework.case_content(case, as_of=date(2025, 1, 1))
    assert content.conviction_status == "has_convictions"
    decision = next(d for d in content.all_decisions if d.judgment_id == judgment.id)
    assert decision.explanation


def test_no_match_needs_a_reason(db):
    case = review_case()
    with pytest.raises(ValidationFailed) as refused:
        casework.record_no_match(case, reason="  ", actor=processing_actor())
    assert "reason" in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordMatch)) == 0


def test_no_match_is_recorded_with_its_reason_and_leaves_no_content(db):
    case = review_case()
    casework.record_no_match(case, reason="Không có ai trùng họ tên và ngày sinh", actor=processing_actor())
    assert casework.current_match(case).person_id is None
    assert casework.case_content(case) is None


@pytest.mark.parametrize("stage", [CaseStage.RECEIVED, CaseStage.VERIFYING, CaseStage.DRAFTING])
def test_matching_is_refused_outside_review(db, stage):
    person, _ = convicted_applicant()
    case = review_case(stage=stage)
    with pytest.raises(NotAllowed):
        casework.pick_person(case, person, actor=processing_actor())


def test_matching_is_refused_to_an_officer_who_does_not_process_cases(db):
    person, _ = convicted_applicant()
    case = review_case()
    with pytest.raises(NotAllowed):
        casework.pick_person(case, person, actor=Actor(user=create_user(roles=(Role.INTAKE_OFFICER,))))


def test_a_record_needing_verification_makes_the_case_long(db):
    person = create_person(full_name=NAME, sex="male", date_of_birth="1988-04-09")
    # A judgment from before July 2010 with no enforcement event: its outcome must be verified.
    create_judgment(person, pronounced_on="2006-03-01", effective_on="2006-04-01")
    # Received under the VNeID pilot's profile, whose long limit is 9 working days against 3.
    case = review_case(at=local_datetime(2025, 6, 2, 9, 0))
    due_before = case.due_date
    casework.pick_person(case, person, actor=processing_actor())
    assert case.is_long
    assert case.events[-1].action == "mark_long" and case.events[-1].note
    assert case.due_date > due_before


def test_an_override_needs_a_reason(db):
    person, judgment = convicted_applicant()
    case = review_case()
    actor = processing_actor()
    casework.pick_person(case, person, actor=actor)
    with pytest.raises(ValidationFailed):
        casework.override_conviction(case, judgment, in_force=False, reason="", actor=actor)


def test_an_override_changes_the_content_and_is_audited_with_its_reason(db):
    person, judgment = convicted_applicant()
    case = review_case()
    actor = processing_actor()
    casework.pick_person(case, person, actor=actor)
    casework.override_conviction(
        case, judgment, in_force=False, reason="Quyết định xóa án tích của Tòa án đã có hiệu lực", actor=actor
    )
    assert casework.case_content(case, as_of=date(2025, 1, 1)).conviction_status == "none"
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "records.conviction_overridden"))
    assert row.reason == "Quyết định xóa án tích của Tòa án đã có hiệu lực"


def test_an_override_of_someone_elses_judgment_is_refused(db):
    person, _ = convicted_applicant()
    _, stranger_judgment = convicted_applicant(full_name="TRẦN VĂN KHÁC")
    case = review_case()
    actor = processing_actor()
    casework.pick_person(case, person, actor=actor)
    with pytest.raises(NotAllowed):
        casework.override_conviction(case, stranger_judgment, in_force=False, reason="Lý do", actor=actor)


# --- the panel and its forms -------------------------------------------------------------------------


def test_the_processing_officer_sees_the_candidates_on_the_case_page(client, login_as, db):
    convicted_applicant()
    case = review_case()
    login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    page = client.get(f"/ho-so/{case.code}").get_data(as_text=True)
    assert 'id="record-panel"' in page and 'table class="dense candidates"' in page


@pytest.mark.parametrize("roles", [(Role.INTAKE_OFFICER,), (Role.RETURNING_OFFICER,), (Role.REPORT_READER,)])
def test_the_panel_is_hidden_from_officers_without_a_need(client, login_as, db, roles):
    convicted_applicant()
    case = review_case()
    login_as(create_user(roles=roles))
    response = client.get(f"/ho-so/{case.code}")
    assert 'id="record-panel"' not in response.get_data(as_text=True)


def test_a_plain_post_picks_the_person_and_returns_to_the_panel(client, login_as, db):
    person, _ = convicted_applicant()
    case = review_case()
    login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    response = client.post(f"/ho-so/{case.code}/doi-chieu/chon", data={"person_id": person.id})
    assert response.status_code == 303 and response.headers["Location"].endswith("#record-panel")
    assert casework.current_match(case).person_id == person.id


def test_a_no_match_without_reason_shows_the_error_next_to_the_field(client, login_as, db):
    case = review_case()
    login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    response = client.post(f"/ho-so/{case.code}/doi-chieu/khong-co", data={"reason": ""})
    assert response.status_code == 422
    assert "Vui lòng ghi lý do kết luận không có trong cơ sở dữ liệu." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "who",
    [
        lambda: create_user(roles=(Role.INTAKE_OFFICER,)),
        lambda: create_user(roles=(Role.APPROVER,)),
        lambda: create_user(roles=(Role.VERIFIER,), unit=create_unit(UnitKind.PROVINCIAL_POLICE)),
    ],
    ids=["intake", "approver", "police-verifier"],
)
def test_picking_is_refused_to_everyone_but_processing_officers(client, login_as, db, who):
    person, _ = convicted_applicant()
    case = review_case()
    login_as(who())
    response = client.post(f"/ho-so/{case.code}/doi-chieu/chon", data={"person_id": person.id})
    assert response.status_code == 403
    assert casework.current_match(case) is None


def test_the_declaration_adds_place_of_birth_and_parents_to_the_identity(db):
    case = intake_case(
        applicant__place_of_birth="Phường Bến Thành, TP Hồ Chí Minh",
        applicant__father__full_name="PHẠM VĂN LỘC",
        applicant__mother__full_name="LÊ THỊ MAI",
    )
    identity = casework.case_identity(case)
    assert identity.place_of_birth == "Phường Bến Thành, TP Hồ Chí Minh"
    assert (identity.father_name, identity.mother_name) == ("PHẠM VĂN LỘC", "LÊ THỊ MAI")
