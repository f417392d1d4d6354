"""A task's page and its forms: only the question's fields, the structured answer (typed dates, a found
judgment or enforcement event as a records-contract document, errors beside their inputs), the inline
answer by htmx, return for clarification, and the attachments no other unit may download."""

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import ValidationFailed
from lltp.extensions import db as _db
from lltp.verification import forms, services
from lltp.verification.models import AnswerOutcome, TaskKind, TaskStatus
from tests.factories import create_unit, create_user
from tests.verification import test_board
from tests.verification.test_board import HTMX, claim_as

# The board tests' fixtures: the police, their verifier, and tasks routed to them or to another unit.
police = test_board.police
verifier = test_board.verifier
as_verifier = test_board.as_verifier
authority_actor = test_board.authority_actor
new_task = test_board.new_task
other_units_task = test_board.other_units_task

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JUDGMENT = {
    "document.number": "123/2020/HS-ST",
    "document.pronounced_on": "10/03/2020",
    "document.effective_on": "25/03/2020",
    "document.court": "Tòa án nhân dân Quận 1",
    "document.offences.0.name": "Trộm cắp tài sản",
    "document.offences.0.code": "",
    "document.offences.0.article": "173",
    "document.offences.0.clause": "1",
    "document.offences.0.chapter": "XVI",
    "document.offences.0.severity": "less_serious",
    "document.offences.0.intent": "intentional",
    "document.offences.0.committed_on": "01/01/2020",
    "document.principal_penalty.type": "prison",
    "document.principal_penalty.months": "12",
    "document.court_fee": "200.000",
}


@pytest.fixture
def court_task(authority_actor, new_task):
    """A court asked by hand about a judgment's outcome, on a Phiếu số 2 case."""
    court = create_unit(UnitKind.COURT, name="Tòa án nhân dân Quận 1 (thử)")
    case = new_task(certificate_type=2, purpose="Xin việc tại ngân hàng bí mật").case
    return services.add_task(
        case,
        unit=court,
        kind=TaskKind.JUDGMENT_OUTCOME,
        reason="Thiếu kết quả chấp hành",
        actor=authority_actor,
    )


@pytest.fixture
def uploads(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "LLTP_VERIFICATION_UPLOAD_DIR", str(tmp_path))
    return tmp_path


def page(client, task, **params):
    return client.get(f"/xac-minh/{task.id}", query_string=params)


def answer(client, task, data, headers=None, follow_redirects=False, **params):
    return client.post(
        f"/xac-minh/{task.id}/tra-loi",
        data=data,
        headers=headers or {},
        query_string=params,
        follow_redirects=follow_redirects,
    )


def error_of(body, prefix, name):
    """The message shown under the input `name` of the form `prefix` (answer-<id>)."""
    element = f"{prefix}-{name.replace('.', '-').replace('_', '-')}-error"
    return re.search(rf'id="{element}"[^>]*>([^<]*)<', body).group(1)


# --- what the page shows ------------------------------------------------------------------------------------


def test_police_task_page_shows_the_lookups_identity_fields(as_verifier, new_task):
    task = new_task(applicant_full_name="ĐINH VĂN TRA CỨU", applicant_id_number="079190005555")
    body = page(as_verifier, task).get_data(as_text=True)
    assert "ĐINH VĂN TRA CỨU" in body
    assert "079190005555" in body
    assert "17/05/1990" in body


def test_task_page_never_shows_the_certificate_type_or_the_cases_other_data(login_as, court_task):
    client = login_as(create_user(roles=(Role.VERIFIER,), unit=court_task.unit))
    body = page(client, court_task).get_data(as_text=True)
    assert "NGUYỄN VĂN AN" in body
    assert "Phiếu số 2" not in body
    assert "ngân hàng bí mật" not in body
    # A court is asked about a judgment: the person's ID number and contacts are not its business.
    for secret in ("079090001234", "0912345678", "an.nguyen@example.vn", "Thiếu kết quả chấp hành"):
        assert secret not in body


def test_task_page_read_is_audited(as_verifier, new_task, verifier):
    task = new_task()
    page(as_verifier, task)
    assert _db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "verification.task_viewed",
            AuditEvent.actor_id == verifier.id,
            AuditEvent.object_id == str(task.id),
        )
    )


def test_task_page_of_another_units_task_is_refused(as_verifier, other_units_task):
    response = page(as_verifier, other_units_task)
    assert response.status_code == 403
    assert "LÊ THỊ XÃ KHÁC" not in response.get_data(as_text=True)


def test_authority_officer_reads_a_task_without_its_units_forms(login_as, court_task):
    client = login_as(create_user(roles=(Role.PROCESSING_OFFICER,)))
    body = page(client, court_task).get_data(as_text=True)
    assert "Thiếu kết quả chấp hành" in body
    assert f"/xac-minh/{court_task.id}/tra-loi" not in body
    assert f"/ho-so/{court_task.case.code}" in body


def test_task_page_shows_the_trail(as_verifier, new_task, verifier):
    task = new_task()
    claim_as(verifier, task)
    body = page(as_verifier, task).get_data(as_text=True)
    assert "<strong>Gửi yêu cầu</strong>" in body
    assert "<strong>Nhận xử lý</strong>" in body


# --- answering ----------------------------------------------------------------------------------------------


def test_answering_the_last_task_moves_the_case_on_to_drafting(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "nothing_found"}, due="overdue")
    assert response.status_code == 303
    assert response.headers["Location"] == "/xac-minh?due=overdue"
    assert task.status is TaskStatus.ANSWERED
    assert task.case.stage is CaseStage.DRAFTING


def test_answer_without_an_outcome_is_refused_beside_the_outcome(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"note": "?"})
    assert response.status_code == 422
    assert (
        error_of(response.get_data(as_text=True), f"answer-{task.id}", "outcome")
        == "Vui lòng chọn kết quả xác minh."
    )
    assert task.status is TaskStatus.OPEN


def test_cannot_determine_needs_the_reason(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "cannot_determine"})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), f"answer-{task.id}", "note")


def test_a_found_judgment_is_kept_as_a_records_contract_document(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "found", **JUDGMENT})
    assert response.status_code == 303
    document = task.answer["document"]
    assert task.outcome is AnswerOutcome.FOUND
    assert document["kind"] == "judgment"
    assert document["pronounced_on"] == "2020-03-10"
    assert document["offences"] == [
        {
            "name": "Trộm cắp tài sản",
            "code": "BLHS2015",
            "article": "173",
            "clause": "1",
            "chapter": "XVI",
            "severity": "less_serious",
            "intent": "intentional",
            "committed_on": "2020-01-01",
        }
    ]
    assert document["principal_penalty"]["months"] == 12
    assert document["court_fee"] == 200000


def test_a_bad_date_is_shown_beside_its_input_with_every_other_error(as_verifier, new_task):
    task = new_task()
    data = {**JUDGMENT, "outcome": "found", "document.pronounced_on": "31/02/2020", "document.court": ""}
    body = answer(as_verifier, task, data).get_data(as_text=True)
    prefix = f"answer-{task.id}"
    assert (
        error_of(body, prefix, "document.pronounced_on")
        == "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."
    )
    assert error_of(body, prefix, "document.court") == "Bắt buộc, không được để trống."
    # What was typed comes back.
    assert 'value="31/02/2020"' in body


def test_a_found_enforcement_event_is_kept_as_a_records_contract_document(login_as, court_task):
    client = login_as(create_user(roles=(Role.VERIFIER,), unit=court_task.unit))
    data = {"outcome": "found", "document.event": "principal_completed", "document.on": "15/06/2021"}
    assert answer(client, court_task, data).status_code == 303
    assert court_task.answer["document"] == {
        "event": "principal_completed",
        "on": "2021-06-15",
        "kind": "enforcement",
        "source_ref": "answer",
    }


def test_found_without_a_document_needs_the_details_in_the_note(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "found"})
    assert response.status_code == 422
    response = answer(
        as_verifier, task, {"outcome": "found", "note": "Có tiền án năm 2005, hồ sơ giấy kèm theo."}
    )
    assert response.status_code == 303
    assert task.answer is None


def test_answer_fields_reads_only_the_document_of_a_found_answer():
    fields = forms.answer_fields(TaskKind.POLICE_LOOKUP, MultiDict({"outcome": "nothing_found", **JUDGMENT}))
    assert fields == {"outcome": "nothing_found", "details": {}, "note": ""}


def test_answer_fields_reports_an_unreadable_date_with_the_services_errors(app):
    form = MultiDict({"outcome": "found", "document.on": "15-06-2021"})
    with app.test_request_context(), pytest.raises(ValidationFailed) as failed:
        forms.answer_fields(TaskKind.ENFORCEMENT_STATUS, form)
    assert set(failed.value.errors) == {"document.on", "document.event"}


def test_answering_a_task_a_colleague_holds_says_who_holds_it(as_verifier, new_task, police):
    task = new_task()
    claim_as(create_user(roles=(Role.VERIFIER,), unit=police, full_name="Ngô Văn Nhanh Tay"), task)
    response = answer(as_verifier, task, {"outcome": "nothing_found"}, follow_redirects=True)
    assert "đã được Ngô Văn Nhanh Tay" in response.get_data(as_text=True)
    assert task.status is TaskStatus.CLAIMED


# --- inline, by htmx ----------------------------------------------------------------------------------------


def test_inline_answer_form_shows_the_question_and_the_structured_form(as_verifier, new_task):
    task = new_task(applicant_full_name="MAI THỊ TRẢ LỜI")
    response = as_verifier.get(f"/xac-minh/{task.id}/tra-loi", query_string={"due": "today"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="task-{task.id}" class="inline-form-row">')
    assert "MAI THỊ TRẢ LỜI" in body
    assert f'hx-post="/xac-minh/{task.id}/tra-loi?due=today"' in body
    assert 'name="document.offences.0.article"' in body


def test_answer_form_url_without_htmx_leads_to_the_task_pages_form(as_verifier, new_task):
    task = new_task()
    response = as_verifier.get(f"/xac-minh/{task.id}/tra-loi")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == f"/xac-minh/{task.id}#answer"


def test_inline_answer_by_htmx_returns_the_answered_row(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "nothing_found"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="task-{task.id}" class="task-row')
    assert "Đã trả lời" in body


def test_refused_inline_answer_comes_back_inline_with_its_errors(as_verifier, new_task):
    task = new_task()
    response = answer(as_verifier, task, {"outcome": "cannot_determine"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith(f'<tr id="task-{task.id}" class="inline-form-row">')
    assert error_of(body, f"answer-{task.id}", "note") == "Vui lòng ghi lý do không xác định được."


def test_closing_the_inline_form_brings_the_row_back(as_verifier, new_task):
    task = new_task()
    body = as_verifier.get(f"/xac-minh/{task.id}/dong", headers=HTMX).get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="task-{task.id}" class="task-row')


# --- return for clarification -------------------------------------------------------------------------------


def test_return_for_clarification_sends_the_message_back(as_verifier, new_task):
    task = new_task()
    response = as_verifier.post(f"/xac-minh/{task.id}/lam-ro", data={"message": "Thiếu tên cha, mẹ."})
    assert response.status_code == 303
    assert task.status is TaskStatus.RETURNED
    assert task.events[-1].note == "Thiếu tên cha, mẹ."


def test_return_for_clarification_needs_a_message(as_verifier, new_task):
    task = new_task()
    response = as_verifier.post(f"/xac-minh/{task.id}/lam-ro", data={"message": " "}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(body, f"return-{task.id}", "message") == "Vui lòng ghi nội dung cần làm rõ."
    assert task.status is TaskStatus.OPEN


# --- attachments --------------------------------------------------------------------------------------------


def upload(client, task, data, filename="giay-xac-nhan.pdf"):
    return client.post(
        f"/xac-minh/{task.id}/tep",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_uploaded_scan_is_stored_by_its_hash_and_listed(as_verifier, new_task, uploads):
    task = new_task()
    response = upload(as_verifier, task, PDF)
    assert response.status_code == 303
    (attachment,) = task.attachments
    assert (uploads / attachment.path).read_bytes() == PDF
    assert "giay-xac-nhan.pdf" in page(as_verifier, task).get_data(as_text=True)


def test_an_upload_that_is_not_a_pdf_or_an_image_is_refused_beside_the_input(as_verifier, new_task, uploads):
    task = new_task()
    response = upload(as_verifier, task, b"MZ\x90\x00 not a scan", filename="virus.pdf")
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF hoặc ảnh" in response.get_data(as_text=True)
    assert task.attachments == []


@pytest.fixture
def attached(new_task, verifier, uploads):
    task = new_task()
    attachment = services.attach_file(task, PDF, "ket-qua.pdf", actor=Actor(user=verifier))
    return task, attachment


@pytest.mark.parametrize(
    ("who", "status"),
    [("same_unit", 200), ("processing_officer", 200), ("approver", 200), ("court_verifier", 403)],
)
def test_only_the_tasks_unit_and_the_authority_download_its_scans(login_as, attached, police, who, status):
    task, attachment = attached
    user = {
        "same_unit": lambda: create_user(roles=(Role.VERIFIER,), unit=police),
        "processing_officer": lambda: create_user(roles=(Role.PROCESSING_OFFICER,)),
        "approver": lambda: create_user(roles=(Role.APPROVER,)),
        "court_verifier": lambda: create_user(roles=(Role.VERIFIER,), unit=create_unit(UnitKind.COURT)),
    }[who]()
    response = login_as(user).get(f"/xac-minh/{task.id}/tep/{attachment.id}")
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF
        assert response.headers["Cache-Control"] == "no-store"
    else:
        assert PDF not in response.data


def test_an_attachment_of_another_task_is_not_found(as_verifier, attached, new_task):
    _task, attachment = attached
    other = new_task()
    assert as_verifier.get(f"/xac-minh/{other.id}/tep/{attachment.id}").status_code == 404
