"""The case page's verification panel: the questions and answers beside the record panel, and the
processing officer's actions on them as plain POSTs, each refusal shown next to its field."""

import pytest

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.verification import services
from lltp.verification.models import TaskStatus
from tests.factories import create_case, create_unit, create_user
from tests.verification.helpers import verifier_actor


@pytest.fixture
def police(db):
    return create_unit(UnitKind.PROVINCIAL_POLICE, name="Phòng Hồ sơ nghiệp vụ")


@pytest.fixture
def task(police):
    (task,) = services.case_tasks(create_case(CaseStage.VERIFYING))
    return task


@pytest.fixture
def processing(login_as):
    user = create_user(roles=(Role.PROCESSING_OFFICER,))
    login_as(user)
    return user


def case_page(client, task):
    return client.get(f"/ho-so/{task.case.code}").get_data(as_text=True)


def test_the_panel_lists_each_question_with_its_unit_and_due_date(client, processing, task):
    page = case_page(client, task)
    assert 'id="verification-panel"' in page
    assert "Tra cứu hồ sơ tại Công an — Phòng Hồ sơ nghiệp vụ" in page
    assert "Còn 3 ngày làm việc" in page or "ngày làm việc" in page


def test_the_answer_shows_on_the_case_page(client, processing, task, police):
    services.answer_task(task, outcome="nothing_found", note="Không có tiền án", actor=verifier_actor(police))
    page = case_page(client, task)
    assert "Không có thông tin" in page and "Không có tiền án" in page


def test_the_panel_is_hidden_from_the_intake_officer(client, login_as, task):
    login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    assert 'id="verification-panel"' not in case_page(client, task)


def test_adding_a_task_by_hand_asks_the_chosen_unit(client, processing, task):
    court = create_unit(UnitKind.COURT)
    response = client.post(
        f"/ho-so/{task.case.code}/xac-minh",
        data={"unit_id": court.id, "kind": "judgment_outcome", "reason": "Đương sự khai có bản án năm 2005"},
    )
    assert response.status_code == 303
    assert [t.unit_id for t in services.case_tasks(task.case)] == [task.unit_id, court.id]


def test_adding_without_a_reason_shows_the_error_beside_the_field(client, processing, task):
    court = create_unit(UnitKind.COURT)
    response = client.post(
        f"/ho-so/{task.case.code}/xac-minh", data={"unit_id": court.id, "kind": "judgment_outcome"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="verification-add-reason-error">Vui lòng ghi lý do gửi yêu cầu xác minh.' in page
    assert len(services.case_tasks(task.case)) == 1


def test_cancelling_with_a_reason_cancels(client, processing, task):
    response = client.post(
        f"/ho-so/{task.case.code}/xac-minh/{task.id}/huy", data={"reason": "Trùng với yêu cầu khác"}
    )
    assert response.status_code == 303 and task.status is TaskStatus.CANCELLED


def test_clarifying_a_returned_task_sends_it_back_to_the_unit(client, processing, task, police):
    services.return_for_clarification(task, message="Thiếu tên cha mẹ", actor=verifier_actor(police))
    assert "Thiếu tên cha mẹ" in case_page(client, task)
    response = client.post(
        f"/ho-so/{task.case.code}/xac-minh/{task.id}/lam-ro", data={"message": "Cha: NGUYỄN VĂN BÌNH"}
    )
    assert response.status_code == 303 and task.status is TaskStatus.OPEN


def test_a_task_of_another_case_is_not_found(client, processing, task):
    other = create_case(CaseStage.VERIFYING)
    response = client.post(f"/ho-so/{other.code}/xac-minh/{task.id}/huy", data={"reason": "Nhầm"})
    assert response.status_code == 404 and task.status is TaskStatus.OPEN


def test_a_verifier_cannot_use_the_panels_actions(client, login_as, task, police):
    login_as(create_user(roles=(Role.VERIFIER,), unit=police))
    response = client.post(f"/ho-so/{task.case.code}/xac-minh/{task.id}/huy", data={"reason": "Không cần"})
    assert response.status_code == 403 and task.status is TaskStatus.OPEN


def test_an_answer_that_came_on_paper_is_typed_in_and_moves_the_case_on(client, processing, task):
    response = client.post(
        f"/ho-so/{task.case.code}/xac-minh/{task.id}/tra-loi-giay",
        data={"outcome": "nothing_found", "note": "Công văn số 123/PC06 ngày 01/12/2026: không có tiền án"},
    )
    assert response.status_code == 303
    assert task.answered_on_paper and task.case.stage is CaseStage.DRAFTING


def test_a_paper_answer_without_its_outcome_is_refused_beside_the_field(client, processing, task):
    response = client.post(f"/ho-so/{task.case.code}/xac-minh/{task.id}/tra-loi-giay", data={"note": "Thiếu"})
    assert response.status_code == 422
    assert "Vui lòng chọn kết quả xác minh." in response.get_data(as_text=True)
    assert task.status is TaskStatus.OPEN


def test_the_paper_answer_form_offers_the_found_judgments_fields(client, processing, task):
    page = case_page(client, task)
    assert f'action="/ho-so/{task.case.code}/xac-minh/{task.id}/tra-loi-giay"' in page
    assert 'name="document.number"' in page
