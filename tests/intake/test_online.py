"""The citizens' online form at /nop-ho-so: steps saved into a draft, per-step errors, the inline check,
attachments, bot protection, submission and the confirmation with its VietQR."""

import hashlib
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from lltp.cases.models import Case, CaseStage, Channel
from lltp.core import clock
from lltp.intake import drafts
from lltp.intake.models import Attachment, AttachmentKind, OnlineDraft
from lltp.intake.vietqr import vietqr_payload
from lltp.intake.views.online import DRAFT_COOKIE, SUBMITTED_CODE
from tests.intake.helpers import form_data, valid_document

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANSWER_STEPS = drafts.STEPS[:4]


@pytest.fixture
def online(app, monkeypatch, tmp_path):
    """The form as a person uses it: no minimum wait to test against, uploads in a directory of the test's."""
    monkeypatch.setitem(app.config, "LLTP_ONLINE_MIN_SECONDS", 0)
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_DIR", str(tmp_path / "uploads"))
    return app


def step_fields(step, document=None):
    data = form_data(document or valid_document())
    return {name: value for name, value in data.items() if step.owns(name)}


def fill_in(client, document=None):
    """Post every answering step, as a citizen who makes no mistake."""
    for step in ANSWER_STEPS:
        response = client.post(f"/nop-ho-so/{step.slug}", data=step_fields(step, document))
        assert response.status_code == 303, response.get_data(as_text=True)


def upload(client, kind=AttachmentKind.ID_DOCUMENT, data=PDF, filename="cccd.pdf"):
    return client.post(
        "/nop-ho-so/tai-lieu/tai-len",
        data={"kind": kind.value, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def the_draft(db):
    return db.session.scalar(sa.select(OnlineDraft))


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def submit(client):
    return client.post("/nop-ho-so/xem-lai", data={})


def test_the_entrance_goes_to_the_first_step(client):
    response = client.get("/nop-ho-so")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/nop-ho-so/nguoi-yeu-cau")


@pytest.mark.parametrize("index", range(len(ANSWER_STEPS)), ids=[s.slug for s in ANSWER_STEPS])
def test_each_step_saves_its_answers_and_goes_on_to_the_next(client, db, index):
    for step in ANSWER_STEPS[:index]:
        client.post(f"/nop-ho-so/{step.slug}", data=step_fields(step))
    step = ANSWER_STEPS[index]
    response = client.post(f"/nop-ho-so/{step.slug}", data=step_fields(step))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/nop-ho-so/{drafts.next_step(step).slug}")
    draft = the_draft(db)
    assert step_fields(step).items() <= draft.data.items()
    assert draft.step == drafts.next_step(step).key


def test_the_entrance_resumes_at_the_first_unfinished_step(client):
    client.post("/nop-ho-so/nguoi-yeu-cau", data=step_fields(drafts.STEPS[0]))
    response = client.get("/nop-ho-so")
    assert response.headers["Location"].endswith("/nop-ho-so/noi-cu-tru")


def test_a_reload_refills_the_answers(client):
    client.post("/nop-ho-so/nguoi-yeu-cau", data=step_fields(drafts.STEPS[0]))
    page = client.get("/nop-ho-so/nguoi-yeu-cau").get_data(as_text=True)
    assert 'value="NGUYỄN VĂN AN"' in page
    assert f'value="{step_fields(drafts.STEPS[0])["applicant.id_document.number"]}"' in page


def test_the_draft_survives_a_browser_restart_through_its_lasting_cookie(app, client, online):
    client.post("/nop-ho-so/nguoi-yeu-cau", data=step_fields(drafts.STEPS[0]))
    cookie = client.get_cookie(DRAFT_COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    assert cookie.max_age == app.config["LLTP_DRAFT_DAYS"] * 24 * 3600
    restarted = app.test_client()
    restarted.set_cookie(DRAFT_COOKIE, cookie.value)
    assert 'value="NGUYỄN VĂN AN"' in restarted.get("/nop-ho-so/nguoi-yeu-cau").get_data(as_text=True)


def test_only_the_tokens_hash_is_stored(client, db):
    client.post("/nop-ho-so/nguoi-yeu-cau", data=step_fields(drafts.STEPS[0]))
    serializer = URLSafeTimedSerializer(client.application.config["SECRET_KEY"], salt="lltp.online.draft")
    token = serializer.loads(client.get_cookie(DRAFT_COOKIE).value)
    draft = the_draft(db)
    assert draft.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in draft.token_hash


def test_a_forged_cookie_opens_no_draft(client, db):
    client.post("/nop-ho-so/nguoi-yeu-cau", data=step_fields(drafts.STEPS[0]))
    client.set_cookie(DRAFT_COOKIE, client.get_cookie(DRAFT_COOKIE).value + "x")
    assert "NGUYỄN VĂN AN" not in client.get("/nop-ho-so/nguoi-yeu-cau").get_data(as_text=True)


def test_a_step_shows_its_own_errors_only(client, db):
    fields = step_fields(drafts.STEPS[0])
    fields["applicant.id_document.number"] = "079" + "0" + "85" + "001234"
    response = client.post("/nop-ho-so/nguoi-yeu-cau", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ghi năm sinh 1985" in page
    # Nothing of the later steps is asked yet.
    assert "quá trình cư trú từ khi đủ 14 tuổi" not in page
    assert "Mục đích" not in page
    assert "Hồ sơ chưa hợp lệ: vui lòng sửa 1 mục" in page
    assert the_draft(db).step == "applicant"


def test_a_step_with_errors_keeps_its_answers(client, db):
    fields = {**step_fields(drafts.STEPS[0]), "applicant.date_of_birth": "31/02/1990"}
    assert client.post("/nop-ho-so/nguoi-yeu-cau", data=fields).status_code == 422
    assert the_draft(db).data["applicant.date_of_birth"] == "31/02/1990"


def test_back_keeps_the_answers_without_checking_them(client, db):
    response = client.post(
        "/nop-ho-so/noi-cu-tru", data={"_action": "back", "applicant.residence_history.0.address": "Huế"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/nop-ho-so/nguoi-yeu-cau")
    assert the_draft(db).data == {"applicant.residence_history.0.address": "Huế"}


def test_add_row_shows_more_residence_rows(client):
    fields = {**step_fields(drafts.STEPS[1]), "_rows": "2", "_add_row": "1"}
    page = client.post("/nop-ho-so/noi-cu-tru", data=fields).get_data(as_text=True)
    assert 'name="applicant.residence_history.3.from"' in page


def test_blank_residence_rows_are_dropped_so_row_numbers_match_the_errors(client, db):
    fields = step_fields(drafts.STEPS[1])
    moved = {name.replace(".1.", ".3."): value for name, value in fields.items() if ".1." in name}
    kept = {name: value for name, value in fields.items() if ".1." not in name}
    client.post("/nop-ho-so/noi-cu-tru", data={**kept, **moved})
    assert drafts.residence_row_count(the_draft(db).data) == 2


def test_the_inline_check_answers_with_the_fields_error_and_saves_the_draft(client, db):
    fields = {
        **step_fields(drafts.STEPS[0]),
        "applicant.id_document.number": "079285001234",
        "_step": "applicant",
    }
    response = client.post(
        "/nop-ho-so/kiem-tra",
        data=fields,
        headers={"HX-Request": "true", "HX-Trigger-Name": "applicant.id_document.number"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="f-applicant-id-document-number-error"' in body
    assert "ghi năm sinh 2085" in body or "không hợp lệ" in body
    assert the_draft(db).data["applicant.id_document.number"] == "079285001234"


def test_the_inline_check_of_a_good_field_is_empty(client):
    fields = {**step_fields(drafts.STEPS[0]), "_step": "applicant"}
    response = client.post(
        "/nop-ho-so/kiem-tra",
        data=fields,
        headers={"HX-Request": "true", "HX-Trigger-Name": "applicant.full_name"},
    )
    assert (
        '<p class="field-error" id="f-applicant-full-name-error" aria-live="polite"></p>'
        in response.get_data(as_text=True)
    )


def test_the_attachments_step_needs_the_id_document_scan(client, online):
    fill_in(client)
    response = client.post("/nop-ho-so/tai-lieu", data={})
    assert response.status_code == 422
    assert "tải lên bản chụp giấy tờ tùy thân" in response.get_data(as_text=True)


def test_a_proxy_and_a_reduced_fee_need_their_papers_too(client, db, online):
    document = valid_document(
        requester={
            "kind": "proxy",
            "full_name": "LÊ THỊ HOA",
            "relationship": "spouse",
            "id_document": {"type": "cccd", "number": "079191001235"},
            "authorisation_reference": "Giấy ủy quyền ngày 01/11/2026",
        },
        fee={"category": "reduced"},
    )
    fill_in(client, document)
    upload(client)
    page = client.post("/nop-ho-so/tai-lieu", data={}).get_data(as_text=True)
    assert "tải lên văn bản ủy quyền" in page
    assert "miễn, giảm lệ phí" in page


def test_an_upload_is_listed_with_its_name_and_size_and_no_download_link(client, db, online):
    response = upload(client, filename="cccd-mat-truoc.pdf")
    assert response.status_code == 303
    page = client.get("/nop-ho-so/tai-lieu").get_data(as_text=True)
    assert "cccd-mat-truoc.pdf" in page
    assert "(1 KB)" in page
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.draft_id == the_draft(db).id and attachment.case_id is None
    assert attachment.storage_path not in page
    assert "href=" not in page.split("cccd-mat-truoc.pdf")[1].split("</li>")[0]


def test_a_renamed_executable_is_refused(client, db, online):
    response = upload(client, data=b"MZ\x90\x00\x03" + bytes(200), filename="cccd.pdf")
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF hoặc ảnh" in response.get_data(as_text=True)
    assert count(db, Attachment) == 0


def test_an_upload_can_be_removed(client, db, online):
    upload(client)
    attachment_id = db.session.scalar(sa.select(Attachment.id))
    response = client.post(f"/nop-ho-so/tai-lieu/{attachment_id}/xoa")
    assert response.status_code == 303
    assert count(db, Attachment) == 0


def test_another_drafts_upload_cannot_be_removed(app, client, db, online):
    upload(client)
    attachment_id = db.session.scalar(sa.select(Attachment.id))
    stranger = app.test_client()
    stranger.post("/nop-ho-so/nguoi-yeu-cau", data={})
    assert stranger.post(f"/nop-ho-so/tai-lieu/{attachment_id}/xoa").status_code == 404
    assert count(db, Attachment) == 1


def test_the_review_shows_every_answer_with_edit_links_and_the_fee(client, online):
    fill_in(client)
    upload(client)
    client.post("/nop-ho-so/tai-lieu", data={})
    page = client.get("/nop-ho-so/xem-lai").get_data(as_text=True)
    assert "NGUYỄN VĂN AN" in page and "Công ty TNHH ABC" in page and "0912345678" in page
    for step in drafts.STEPS[:5]:
        assert f'href="/nop-ho-so/{step.slug}"' in page
    assert "Số tiền phải nộp: 200.000 đ" in page
    assert 'aria-current="step"' in page


def test_the_review_links_each_error_to_its_step(client, online):
    fill_in(client)
    certificate = drafts.STEP_BY_KEY["certificate"]
    client.post("/nop-ho-so/loai-phieu", data={**step_fields(certificate), "purpose": "", "_action": "back"})
    page = client.get("/nop-ho-so/xem-lai").get_data(as_text=True)
    assert 'href="/nop-ho-so/loai-phieu#f-purpose"' in page
    assert 'href="/nop-ho-so/tai-lieu#f-attachments-id-document"' in page


def test_the_whole_flow_makes_one_case_awaiting_payment(client, db, online):
    fill_in(client)
    upload(client)
    client.post("/nop-ho-so/tai-lieu", data={})
    response = submit(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/nop-ho-so/da-nop")
    case = db.session.scalar(sa.select(Case))
    assert count(db, Case) == 1
    assert case.stage == CaseStage.AWAITING_PAYMENT
    assert case.channel == Channel.ONLINE
    assert case.applicant_full_name == "NGUYỄN VĂN AN"
    assert case.declaration.fee_amount == 200_000
    assert len(case.declaration.residence_history) == 2
    attachment = db.session.scalar(sa.select(Attachment))
    assert (attachment.case_id, attachment.draft_id) == (case.id, None)
    assert count(db, OnlineDraft) == 0
    assert client.get_cookie(DRAFT_COOKIE) is None


def test_the_confirmation_shows_the_code_the_fee_and_the_vietqr(client, db, online):
    fill_in(client)
    upload(client)
    submit(client)
    case = db.session.scalar(sa.select(Case))
    page = client.get("/nop-ho-so/da-nop").get_data(as_text=True)
    payload = vietqr_payload(
        bank_bin=client.application.config["LLTP_BANK_BIN"],
        account_number=client.application.config["LLTP_BANK_ACCOUNT"],
        amount=200_000,
        message=case.code,
    )
    assert case.code in page
    assert "200.000 đ" in page
    assert f'data-payload="{payload}"' in page
    assert "5406200000" in payload and case.code in payload
    assert "<svg" in page and 'class="vietqr"' in page
    assert f"nội dung {case.code}" in page
    assert client.application.config["LLTP_BANK_ACCOUNT_NAME"] in page


def test_an_exempt_request_has_no_qr_and_is_told_the_proof_is_checked(client, db, online):
    fill_in(client, valid_document(fee={"category": "exempt"}))
    upload(client)
    upload(client, kind=AttachmentKind.FEE_PROOF, filename="giay-xac-nhan.pdf")
    submit(client)
    page = client.get("/nop-ho-so/da-nop").get_data(as_text=True)
    assert "<svg" not in page
    assert "kiểm tra giấy tờ chứng minh" in page


def test_a_stranger_cannot_see_anothers_confirmation(app, client, db, online):
    fill_in(client)
    upload(client)
    submit(client)
    code = db.session.scalar(sa.select(Case.code))
    stranger = app.test_client()
    response = stranger.get("/nop-ho-so/da-nop")
    assert response.status_code == 303
    assert code not in stranger.get("/nop-ho-so/da-nop", follow_redirects=True).get_data(as_text=True)
    with client.session_transaction() as session:
        assert session[SUBMITTED_CODE] == code


def test_a_filled_honeypot_stores_nothing(client, db, online):
    response = client.post(
        "/nop-ho-so/nguoi-yeu-cau", data={**step_fields(drafts.STEPS[0]), "website": "x.vn"}
    )
    assert response.status_code == 400
    assert count(db, OnlineDraft) == 0


def test_a_submit_with_a_filled_honeypot_makes_no_case(client, db, online):
    fill_in(client)
    upload(client)
    response = client.post("/nop-ho-so/xem-lai", data={"website": "http://spam.example"})
    assert response.status_code == 400
    assert count(db, Case) == 0


def test_a_submit_too_soon_after_the_draft_started_is_refused(client, db, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "LLTP_ONLINE_MIN_SECONDS", 3600)
    fill_in(client)
    upload(client)
    response = submit(client)
    assert response.status_code == 422
    assert "gửi quá nhanh" in response.get_data(as_text=True)
    assert count(db, Case) == 0
    assert count(db, OnlineDraft) == 1


def test_a_submit_with_errors_makes_no_case(client, db, online):
    fill_in(client)
    response = submit(client)
    assert response.status_code == 422
    assert count(db, Case) == 0


def test_sweeping_deletes_drafts_untouched_for_the_draft_days(client, db, app):
    client.post("/nop-ho-so/nguoi-yeu-cau", data={})
    draft = the_draft(db)
    draft.updated_at = clock.now() - timedelta(days=app.config["LLTP_DRAFT_DAYS"] + 1)
    db.session.flush()
    assert drafts.find_draft("anything") is None
    assert drafts.sweep_drafts() == 1
    assert count(db, OnlineDraft) == 0
