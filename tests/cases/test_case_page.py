"""The case page: the applicant's facts and the timeline, audited; its action buttons and their POSTs."""

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import Case, CaseEvent, CaseStage
from lltp.core.audit import AuditEvent
from lltp.extensions import db as _db
from tests.factories import create_case, create_unit, create_user

NAME = "PHẠM THỊ HỒNG NHUNG"


@pytest.fixture
def case(db):
    return create_case(CaseStage.RECEIVED, applicant_full_name=NAME)


@pytest.fixture
def as_user(client, login_as, db):
    """Log in a new user holding `roles` (in `unit`, the issuing authority by default) and commit the setup,
    so an error handler's rollback cannot take it away."""

    def login(*roles, unit=None):
        login_as(create_user(roles=roles, unit=unit, full_name="Cán Bộ Trang Hồ Sơ"))
        db.session.commit()
        return client

    return login


def rows(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def page(client, case):
    return client.get(f"/ho-so/{case.code}")


def act(client, case, action, note=None):
    return client.post(f"/ho-so/{case.code}/thao-tac/{action}", data={} if note is None else {"note": note})


def test_case_page_shows_the_applicant_and_the_timeline(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    body = page(client, case).get_data(as_text=True)
    assert NAME in body
    assert "17/05/1990" in body
    assert "Tiếp nhận hồ sơ" in body
    assert "Ngày hẹn trả kết quả: " + case.due_date.strftime("%d/%m/%Y") in body
    assert "Cán Bộ Đa Năng" in body


def test_case_page_audits_the_read(as_user, case):
    client = as_user(Role.INTAKE_OFFICER)
    page(client, case)
    row = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.view")).one()
    assert (row.case_id, row.object_id) == (case.id, case.code)


def test_unknown_case_code_is_not_found(as_user):
    client = as_user(Role.INTAKE_OFFICER)
    assert client.get("/ho-so/HCM-000000-0000").status_code == 404


def test_buttons_are_the_actions_the_officer_may_take(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    body = page(client, case).get_data(as_text=True)
    assert f"/ho-so/{case.code}/thao-tac/start_review" in body
    assert f"/ho-so/{case.code}/thao-tac/withdraw" not in body  # the intake officer's


def test_action_moves_the_case_and_records_the_event(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    response = act(client, case, "start_review")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/ho-so/{case.code}")
    _db.session.expire_all()
    assert case.stage is CaseStage.IN_REVIEW
    assert case.events[-1].action == "start_review"
    assert case.events[-1].actor.full_name == "Cán Bộ Trang Hồ Sơ"
    assert "Đã thực hiện «Bắt đầu xử lý, tra cứu»" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_action_with_a_note_keeps_the_note_on_the_timeline(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    act(client, case, "request_completion", note="Thiếu bản sao CCCD")
    body = page(client, case).get_data(as_text=True)
    assert "Thiếu bản sao CCCD" in body
    assert "Tạm dừng tính thời hạn" in body


def test_action_the_role_may_not_take_is_refused_and_writes_nothing(as_user, case):
    client = as_user(Role.INTAKE_OFFICER)
    before = rows(CaseEvent), rows(AuditEvent)
    response = act(client, case, "start_review")
    assert response.status_code == 403
    assert (rows(CaseEvent), rows(AuditEvent)) == before
    assert _db.session.get(Case, case.id).stage is CaseStage.RECEIVED


def test_action_not_open_at_this_stage_is_a_conflict_and_writes_nothing(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    before = rows(CaseEvent), rows(AuditEvent)
    assert act(client, case, "submit_for_signature").status_code == 409
    assert (rows(CaseEvent), rows(AuditEvent)) == before


def test_approving_through_the_generic_action_route_is_not_found(as_user):
    waiting = create_case(CaseStage.AWAITING_SIGNATURE)
    client = as_user(Role.APPROVER)
    before = rows(CaseEvent), rows(AuditEvent)
    assert act(client, waiting, "approve").status_code == 404
    assert (rows(CaseEvent), rows(AuditEvent)) == before
    assert _db.session.get(Case, waiting.id).stage is CaseStage.AWAITING_SIGNATURE


def test_recording_the_return_through_the_generic_action_route_is_not_found(as_user):
    issued = create_case(CaseStage.ISSUED)
    client = as_user(Role.RETURNING_OFFICER)
    before = rows(CaseEvent), rows(AuditEvent)
    assert act(client, issued, "record_return").status_code == 404
    assert (rows(CaseEvent), rows(AuditEvent)) == before


def test_unknown_action_is_not_found(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    assert act(client, case, "teleport").status_code == 404


def test_missing_note_is_shown_next_to_the_field_and_writes_nothing(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    before = rows(CaseEvent), rows(AuditEvent)
    response = act(client, case, "refuse", note="   ")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="note-refuse" name="note" rows="2" required aria-invalid="true"' in body
    assert '<p class="field-error" id="note-refuse-error">Vui lòng ghi rõ lý do.</p>' in body
    assert (rows(CaseEvent), rows(AuditEvent)) == before
    assert _db.session.get(Case, case.id).stage is CaseStage.RECEIVED


def test_a_refusal_without_its_ground_is_shown_next_to_the_field_and_writes_nothing(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    before = rows(CaseEvent), rows(AuditEvent)
    response = act(client, case, "refuse", note="Hồ sơ giả mạo")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field-error" id="ground-refuse-error">Vui lòng chọn căn cứ từ chối.</p>' in body
    assert "Hồ sơ giả mạo</textarea>" in body
    assert (rows(CaseEvent), rows(AuditEvent)) == before


def test_a_refusal_keeps_its_ground_from_the_laws_list(as_user, case):
    client = as_user(Role.PROCESSING_OFFICER)
    response = client.post(
        f"/ho-so/{case.code}/thao-tac/refuse", data={"ground": "forged_papers", "note": "CCCD bị tẩy xóa"}
    )
    assert response.status_code == 303
    refused = _db.session.get(Case, case.id)
    assert refused.stage is CaseStage.REFUSED
    assert (refused.events[-1].data or {})["ground"] == "forged_papers"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_verifier_of_a_police_unit_cannot_open_the_case(as_user, case, method):
    client = as_user(Role.VERIFIER, unit=create_unit(UnitKind.PROVINCIAL_POLICE))
    before = rows(AuditEvent)
    response = page(client, case) if method == "GET" else act(client, case, "start_review")
    assert response.status_code == 403
    assert NAME not in response.get_data(as_text=True)
    assert rows(AuditEvent) == before
