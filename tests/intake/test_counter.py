"""The officers' intake form: counter, post and agencies, with the payment and the scans taken at the desk."""

import io
import re
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import Case, CaseStage
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.extensions import db
from lltp.intake.models import (
    Attachment,
    AttachmentKind,
    CaseFlag,
    Declaration,
    FlagKind,
    OneStopPaper,
    PaperKind,
    Payment,
    PaymentMethod,
    ResidencePeriod,
)
from lltp.intake.services import receive_request
from lltp.intake.validation import validate_request
from tests.factories import SYSTEM, create_unit, create_user
from tests.intake.helpers import form_data, valid_document

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
COUNTER = "/tiep-nhan/tai-quay"
POST = "/tiep-nhan/buu-chinh"
AGENCY = "/tiep-nhan/co-quan"


@pytest.fixture
def officer(login_as):
    user = create_user(roles=(Role.INTAKE_OFFICER,))
    login_as(user)
    return user


def cash(receipt="BL-000123"):
    return {"payment.method": "cash", "payment.receipt_number": receipt}


def submit(client, url, document, **extra):
    return client.post(url, data={**form_data(document), **extra}, content_type="multipart/form-data")


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def only_case():
    return db.session.scalars(sa.select(Case)).one()


def flashes(client):
    with client.session_transaction() as session:
        return " ".join(str(message) for _category, message in session.get("_flashes", []))


def error_of(html, name):
    """The text of the error slot under the input named `name`."""
    slot_id = "f-" + name.replace(".", "-").replace("_", "-") + "-error"
    match = re.search(rf'<p class="field-error" id="{slot_id}"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no error slot for {name}"
    return match[1].strip()


@pytest.mark.parametrize("url", [COUNTER, POST, AGENCY, "/tiep-nhan"])
def test_intake_pages_render_for_an_intake_officer(client, officer, url):
    assert client.get(url).status_code == 200


def test_an_unknown_channel_is_not_found(client, officer):
    assert client.get("/tiep-nhan/qua-mang").status_code == 404


@pytest.mark.parametrize(
    ("role", "unit_kind"),
    [(Role.PROCESSING_OFFICER, UnitKind.ISSUING_AUTHORITY), (Role.VERIFIER, UnitKind.PROVINCIAL_POLICE)],
)
def test_other_roles_and_other_units_are_refused(client, login_as, role, unit_kind):
    unit = None if unit_kind is UnitKind.ISSUING_AUTHORITY else create_unit(unit_kind)
    login_as(create_user(roles=(role,), unit=unit))
    assert client.get(COUNTER).status_code == 403
    assert client.post(COUNTER, data=form_data(valid_document())).status_code == 403
    assert count(Case) == 0


def test_a_valid_counter_request_is_received_with_everything_it_needs(client, officer):
    response = submit(
        client,
        COUNTER,
        valid_document(copies=3),
        **cash(),
        **{"attachments.id_document": (io.BytesIO(PDF), "cccd.pdf")},
    )
    assert response.status_code == 303
    case = only_case()
    assert response.headers["Location"].endswith(f"/ho-so/{case.code}")
    assert case.stage is CaseStage.RECEIVED
    assert case.due_date is not None and case.received_at is not None
    declaration = case.declaration
    assert declaration.fee_amount == 205_000  # 200.000 đ and the third copy
    assert [p.occupation for p in declaration.residence_history] == ["Học sinh", "Kỹ sư"]
    payment = db.session.scalars(sa.select(Payment).where(Payment.case_id == case.id)).one()
    assert (payment.method, payment.amount, payment.receipt_number) == (
        PaymentMethod.CASH,
        205_000,
        "BL-000123",
    )
    papers = db.session.scalars(sa.select(OneStopPaper).where(OneStopPaper.case_id == case.id)).all()
    assert [paper.kind for paper in papers] == [PaperKind.RECEIPT]
    attachment = db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id)).one()
    assert (attachment.kind, attachment.content_type) == (AttachmentKind.ID_DOCUMENT, "application/pdf")


def test_the_officer_is_told_the_code_and_the_appointment(client, officer):
    submit(client, COUNTER, valid_document(), **cash())
    case = only_case()
    assert f"Đã tiếp nhận hồ sơ {case.code}. Hẹn trả kết quả ngày {case.due_date:%d/%m/%Y}." in flashes(
        client
    )


def test_a_name_typed_decomposed_is_stored_composed_and_upper_case(client, officer):
    typed = unicodedata.normalize("NFD", "nguyễn thị ánh")
    submit(client, COUNTER, valid_document(applicant__full_name=typed), **cash())
    name = only_case().applicant_full_name
    assert name == "NGUYỄN THỊ ÁNH"
    assert unicodedata.is_normalized("NFC", name)


def test_a_bad_request_is_refused_with_every_error_next_to_its_field_and_nothing_stored(client, officer):
    document = valid_document(purpose="", copies=11, applicant__date_of_birth="31/02/1990")
    data = {**form_data(document), "applicant.date_of_birth": "31/02/1990", **cash(receipt="")}
    response = client.post(COUNTER, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("purpose", "copies", "applicant.date_of_birth", "payment.receipt_number"):
        assert error_of(html, name), name
        assert f'href="#f-{name.replace(".", "-").replace("_", "-")}"' in html  # the summary links to it
    assert 'value="NGUYỄN VĂN AN"' in html  # what was typed is kept
    assert count(Case) == 0 and count(Declaration) == 0 and count(Payment) == 0


def test_the_inline_check_returns_only_the_changed_fields_error(client, officer):
    data = {**form_data(valid_document()), "purpose": "", "copies": "0"}
    response = client.post(
        f"{COUNTER}/kiem-tra", data=data, headers={"HX-Request": "true", "HX-Trigger-Name": "copies"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="f-copies-error"' in html and "Số lượng phiếu" in html
    assert "Mục đích" not in html


def test_the_inline_check_of_a_fine_field_is_empty(client, officer):
    response = client.post(
        f"{COUNTER}/kiem-tra", data=form_data(valid_document()), headers={"HX-Trigger-Name": "purpose"}
    )
    assert error_of(response.get_data(as_text=True), "purpose") == ""


def test_adding_rows_keeps_what_was_typed_and_saves_nothing(client, officer):
    data = {**form_data(valid_document(purpose="Xin việc")), "_rows": "6", "_add_row": "1"}
    response = client.post(COUNTER, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Xin việc"' in html and 'value="Kỹ sư"' in html
    assert 'name="applicant.residence_history.7.from"' in html
    assert 'name="applicant.residence_history.8.from"' not in html
    assert count(Case) == 0


def test_a_postal_request_needs_its_tracking_number(client, officer):
    response = submit(client, POST, valid_document(), **{"payment.method": "postal"})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "postal.tracking_number")
    assert count(Case) == 0


def test_a_postal_request_for_a_phieu_2_needs_a_certified_signature(client, officer):
    postal = {"postal.tracking_number": "EB123456789VN", "postal.arrived_on": f"{clock.today():%d/%m/%Y}"}
    document = valid_document(certificate_type=2)
    refused = submit(client, POST, document, **postal, **{"payment.method": "postal"})
    assert refused.status_code == 422
    assert error_of(refused.get_data(as_text=True), "postal.certified_signature")
    signed = {"postal.certified_signature": "1", "postal.certified_signature_reference": "CT-15/2026"}
    received = submit(client, POST, document, **postal, **signed, **{"payment.method": "postal"})
    assert received.status_code == 303
    declaration = only_case().declaration
    assert (declaration.postal_tracking_number, declaration.certified_signature) == ("EB123456789VN", True)


def test_an_urgent_agency_request_by_phone_is_due_in_24_hours_and_awaits_its_paper(client, officer):
    agency = {
        "agency.name": "Cơ quan Cảnh sát điều tra Công an tỉnh",
        "agency.notified_by": "phone",
        "agency.is_urgent": "1",
    }
    document = valid_document(certificate_type=2, fee__category="exempt", applicant__residence_history=[])
    response = submit(client, AGENCY, document, **agency)
    assert response.status_code == 303, response.get_data(as_text=True)
    case = only_case()
    assert case.is_urgent and case.stage is CaseStage.RECEIVED
    assert case.due_at == case.received_at + timedelta(hours=24)
    flag = db.session.scalars(sa.select(CaseFlag).where(CaseFlag.case_id == case.id)).one()
    assert flag.kind is FlagKind.FOLLOW_UP_PAPER_MISSING
    today = clock.local_date(case.received_at)
    assert case.declaration.follow_up_due_on == working_calendar().add_working_days(today, 2)


def test_a_reduced_fee_without_the_proof_checked_waits_for_payment(client, officer):
    response = submit(client, COUNTER, valid_document(fee__category="reduced"), **cash())
    assert response.status_code == 303
    case = only_case()
    assert case.stage is CaseStage.AWAITING_PAYMENT and case.due_date is None
    assert f"Đã lưu hồ sơ {case.code}, chờ nộp phí" in flashes(client)


def test_a_reduced_fee_with_the_proof_checked_is_received(client, officer):
    submit(client, COUNTER, valid_document(fee__category="reduced"), **cash(), fee_proof_checked="1")
    case = only_case()
    assert case.stage is CaseStage.RECEIVED
    assert case.declaration.fee_amount == 100_000


def test_the_fee_fragment_follows_the_category_and_copies(client, officer):
    response = client.post(f"{COUNTER}/le-phi", data={"fee.category": "reduced", "copies": "4"})
    html = response.get_data(as_text=True)
    assert "110.000 đ" in html  # 100.000 đ and two copies beyond the second
    assert 'name="fee_proof_checked"' in html


def existing_case(**overrides):
    request = validate_request(valid_document(**overrides), channel="counter", today=clock.today())
    return receive_request(request, channel="counter", actor=SYSTEM)


def test_an_open_case_for_the_same_person_is_shown_before_saving(client, officer):
    case = existing_case()
    response = client.post(COUNTER, data={**form_data(valid_document()), "_add_row": "1"})
    assert "Người này đang có hồ sơ" in response.get_data(as_text=True)
    assert f'href="/ho-so/{case.code}"' in response.get_data(as_text=True)


def test_the_inline_check_of_the_id_number_brings_the_duplicate_warning(client, officer):
    case = existing_case()
    response = client.post(
        f"{COUNTER}/kiem-tra",
        data=form_data(valid_document()),
        headers={"HX-Request": "true", "HX-Trigger-Name": "applicant.id_document.number"},
    )
    html = response.get_data(as_text=True)
    assert 'id="duplicate-warning"' in html and 'hx-swap-oob="true"' in html
    assert f'href="/ho-so/{case.code}"' in html


def test_a_duplicate_of_another_type_is_not_a_duplicate(client, officer):
    existing_case(certificate_type=2)
    response = client.post(COUNTER, data={**form_data(valid_document()), "_add_row": "1"})
    assert "Người này đang có hồ sơ" not in response.get_data(as_text=True)


def test_a_saved_duplicate_is_flagged_and_the_officer_told(client, officer):
    first = existing_case()
    submit(client, COUNTER, valid_document(), **cash())
    page = flashes(client)
    assert "Người này đang có hồ sơ" in page and f'href="/ho-so/{first.code}"' in page


def test_a_bad_scan_refuses_the_whole_submission_and_stores_nothing(client, officer):
    response = submit(
        client,
        COUNTER,
        valid_document(),
        **cash(),
        **{"attachments.id_document": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "cccd.pdf")},
    )
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF" in error_of(response.get_data(as_text=True), "attachments.id_document")
    assert count(Case) == 0 and count(Attachment) == 0


def test_a_residence_history_is_optional_for_agencies_only(client, officer):
    document = valid_document(applicant__residence_history=[])
    counter = submit(client, COUNTER, document, **cash())
    assert error_of(counter.get_data(as_text=True), "applicant.residence_history")
    agency = {"agency.name": "Sở Kế hoạch và Đầu tư", "agency.letter_number": "15/SKHĐT"}
    agency["agency.letter_date"] = f"{clock.today():%d/%m/%Y}"
    assert submit(client, AGENCY, document, **agency).status_code == 303
    assert count(ResidencePeriod) == 0
