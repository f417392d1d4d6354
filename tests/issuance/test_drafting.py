"""Drafting: the draft composed when a case reaches drafting, the processing officer's reasoned edits (only
of what the law leaves to the officer, each audited with its diff), and sending it for signature; on the
case page beside the verification answers, as plain POSTs."""

import unicodedata

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from lltp.issuance import content, queries, services
from lltp.verification import services as verification_services
from tests.factories import create_case, create_unit, create_user
from tests.issuance.approvals import awaiting_signature, drafting_case, processing_officer
from tests.verification.helpers import verifier_actor

NEW_RESIDENCE = "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh"
REASON = "Tờ khai ghi thiếu số nhà; đã đối chiếu sổ hộ khẩu bản chính"


@pytest.fixture
def officer(db):
    return Actor(user=processing_officer(), ip="127.0.0.1")


@pytest.fixture
def case(officer):
    return drafting_case(officer=officer.user)


def edit(case, officer, field="person.residence", value=NEW_RESIDENCE, reason=REASON):
    return services.edit_draft(case, field, value, reason=reason, actor=officer)


def audits(action):
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_reaching_drafting_composes_the_draft(case):
    draft = queries.draft_of(case)
    assert draft.content == content.compose(case)
    assert draft.edits == []


def test_an_edit_changes_the_draft_and_keeps_the_reason(case, officer):
    draft = edit(case, officer)
    assert draft.content["person"]["residence"] == NEW_RESIDENCE
    (change,) = draft.edits
    assert (change["field"], change["after"], change["reason"]) == ("person.residence", NEW_RESIDENCE, REASON)
    assert change["by"] == officer.user.username


def test_an_edit_is_audited_with_its_diff_and_reason(case, officer):
    before = content.compose(case)["person"]["residence"]
    edit(case, officer)
    (row,) = audits("issuance.draft_edited")
    assert row.reason == REASON
    assert row.details == {"field": "person.residence", "before": before, "after": NEW_RESIDENCE}
    assert (row.case_id, row.actor_id) == (case.id, officer.user.id)


def test_other_names_are_edited_as_a_comma_separated_list(case, officer):
    draft = edit(case, officer, field="person.other_names", value="Tèo, Út Nhỏ")
    assert draft.content["person"]["other_names"] == ["Tèo", "Út Nhỏ"]


def test_an_edit_is_normalised_to_nfc(case, officer):
    draft = edit(
        case, officer, field="person.full_name", value=unicodedata.normalize("NFD", "NGUYỄN VĂN ANH")
    )
    assert draft.content["person"]["full_name"] == unicodedata.normalize("NFC", "NGUYỄN VĂN ANH")


@pytest.mark.parametrize("field", ["conviction_status", "person.date_of_birth", "person.sex", "convictions"])
def test_an_edit_outside_the_editable_fields_is_refused(case, officer, field):
    with pytest.raises(NotAllowed):
        edit(case, officer, field=field, value="none")
    assert queries.draft_of(case).edits == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_edit_without_a_reason_is_refused(case, officer, reason):
    with pytest.raises(ValidationFailed) as refused:
        edit(case, officer, reason=reason)
    assert set(refused.value.errors) == {"reason"}
    assert queries.draft_of(case).edits == []


def test_an_edit_that_changes_nothing_is_refused(case, officer):
    with pytest.raises(ValidationFailed) as refused:
        edit(case, officer, field="person.full_name", value=case.applicant_full_name)
    assert set(refused.value.errors) == {"value"}


def test_the_full_name_cannot_be_left_blank(case, officer):
    with pytest.raises(ValidationFailed) as refused:
        edit(case, officer, field="person.full_name", value=" ")
    assert set(refused.value.errors) == {"value"}


def test_a_phieu_so_1_has_no_parents_to_edit(case, officer):
    with pytest.raises(ValidationFailed) as refused:
        edit(case, officer, field="person.father_name", value="NGUYỄN VĂN BA")
    assert set(refused.value.errors) == {"field"}


def test_a_phieu_so_2_parents_may_be_edited(officer):
    case = drafting_case(officer=officer.user, certificate_type=2)
    draft = edit(case, officer, field="person.father_name", value="NGUYỄN VĂN BA")
    assert draft.content["person"]["father_name"] == "NGUYỄN VĂN BA"


def test_only_a_processing_officer_may_edit(case):
    approver = Actor(user=create_user(roles=(Role.APPROVER,)))
    with pytest.raises(NotAllowed):
        edit(case, approver)


def test_a_draft_sent_for_signature_cannot_be_edited(officer):
    case = awaiting_signature()
    with pytest.raises(InvalidTransition):
        edit(case, officer)


def test_sending_for_signature_keeps_the_edits(case, officer):
    edit(case, officer)
    draft = services.submit_for_signature(case, actor=officer)
    assert case.stage is CaseStage.AWAITING_SIGNATURE
    assert draft.content["person"]["residence"] == NEW_RESIDENCE


def test_a_returned_draft_is_composed_again_with_its_edits(case, officer):
    edit(case, officer)
    services.submit_for_signature(case, actor=officer)
    approver = Actor(user=create_user(roles=(Role.APPROVER,)))
    draft = services.return_draft(case, reason="Ghi rõ nơi cư trú theo CCCD", actor=approver)
    assert case.stage is CaseStage.DRAFTING
    assert draft.content == queries.with_edits(content.compose(case), draft.edits)
    assert draft.content["person"]["residence"] == NEW_RESIDENCE


# --- the case page --------------------------------------------------------------------------------


def page(client, case):
    return client.get(f"/ho-so/{case.code}").get_data(as_text=True)


def post_edit(client, case, **data):
    return client.post(f"/ho-so/{case.code}/du-thao/sua", data=data)


def test_the_officer_sees_the_draft_beside_the_verification_answers(login_as):
    police = create_unit(UnitKind.PROVINCIAL_POLICE, name="Phòng Hồ sơ nghiệp vụ")
    (task,) = verification_services.case_tasks(create_case(CaseStage.VERIFYING))
    verification_services.answer_task(
        task, outcome="nothing_found", note="Không có tiền án tiền sự", actor=verifier_actor(police)
    )
    assert task.case.stage is CaseStage.DRAFTING
    body = page(login_as(processing_officer()), task.case)
    assert 'id="draft-panel"' in body
    assert "Không có tiền án tiền sự" in body and "Phòng Hồ sơ nghiệp vụ" in body
    assert "NGUYỄN VĂN AN" in body and "Không có án tích" in body


def test_the_draft_panel_is_hidden_from_the_intake_officer(login_as, case):
    client = login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    assert 'id="draft-panel"' not in page(client, case)


def test_showing_the_draft_is_audited(login_as, case):
    client = login_as(processing_officer())
    page(client, case)
    assert [row.case_id for row in audits("issuance.draft_viewed")] == [case.id]


def test_the_generic_send_for_signature_button_is_replaced_by_the_panel(login_as, case):
    client = login_as(processing_officer())
    body = page(client, case)
    assert f"/ho-so/{case.code}/thao-tac/submit_for_signature" not in body
    assert f"/ho-so/{case.code}/du-thao/trinh-ky" in body


def test_an_edit_posted_from_the_page_is_saved_and_shown(login_as, case):
    client = login_as(processing_officer())
    response = post_edit(client, case, field="person.residence", value=NEW_RESIDENCE, reason=REASON)
    assert response.status_code == 303
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã sửa dự thảo Phiếu." in body
    assert NEW_RESIDENCE in body and REASON in body


def test_an_edit_without_a_reason_is_shown_next_to_the_field(login_as, case):
    client = login_as(processing_officer())
    response = post_edit(client, case, field="person.residence", value=NEW_RESIDENCE, reason="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert (
        '<p class="field-error" id="draft-edit-person-residence-reason-error">Vui lòng nhập nội dung này.</p>'
        in body
    )
    assert NEW_RESIDENCE in body
    assert queries.draft_of(case).edits == []


def test_an_edit_of_a_field_the_officer_may_not_change_is_forbidden(login_as, case):
    client = login_as(processing_officer())
    response = post_edit(client, case, field="conviction_status", value="none", reason=REASON)
    assert response.status_code == 403


def test_sending_for_signature_from_the_page(login_as, case):
    client = login_as(processing_officer())
    response = client.post(f"/ho-so/{case.code}/du-thao/trinh-ky")
    assert response.status_code == 303
    assert _db.session.get(type(case), case.id).stage is CaseStage.AWAITING_SIGNATURE


def test_a_draft_already_sent_cannot_be_sent_again(login_as):
    case = awaiting_signature()
    client = login_as(processing_officer())
    assert client.post(f"/ho-so/{case.code}/du-thao/trinh-ky").status_code == 409
