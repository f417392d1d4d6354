"""The fee and payment panel: the fee and how it was reached, recording a payment (which receives the case
and issues its receipt), the fee proof of reduced and exempt categories, and the API's unconfirmed
category."""

import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage, Channel
from lltp.core import clock
from lltp.extensions import db as _db
from lltp.intake import services
from lltp.intake.models import FlagKind, PaperKind, Payment, PaymentMethod
from tests.intake.test_case_panels import flags_of, intake_case, officer, page, papers

TODAY = f"{clock.today():%d/%m/%Y}"


def pay(client, case, **fields):
    data = {
        "payment.method": "cash",
        "payment.amount": "200.000",
        "payment.receipt_number": "BL-000123",
        "payment.paid_on": TODAY,
        **fields,
    }
    return client.post(f"/ho-so/{case.code}/nop-phi", data={k: v for k, v in data.items() if v is not None})


def payments(case):
    return _db.session.scalars(sa.select(Payment).where(Payment.case_id == case.id)).all()


def test_the_panel_shows_the_fee_its_explanation_and_the_form_prefilled(login_as, db):
    case = intake_case(Channel.ONLINE)
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert "Mức thu: 200.000 đ (Thông tư số 16/2025/TT-BTC" in body
    assert "Số tiền phải nộp: 200.000 đ" in body
    assert "Ghi nhận nộp phí" in body
    assert 'name="payment.amount" value="200000"' in body


def test_only_an_intake_officer_sees_the_payment_form(login_as, db):
    body = page(login_as(officer(Role.PROCESSING_OFFICER)), intake_case(Channel.ONLINE))
    assert "Mức thu: 200.000 đ" in body
    assert "/nop-phi" not in body


def test_a_received_case_shows_its_payment_and_no_form(login_as, db):
    case = intake_case()
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert "BL-0001" in body
    assert "Tiền mặt tại quầy" in body
    assert "/nop-phi" not in body


def test_recording_a_cash_payment_receives_the_case_and_links_the_receipt(login_as, db):
    case = intake_case(Channel.ONLINE)
    client = login_as(officer(Role.INTAKE_OFFICER))
    response = pay(client, case)
    assert response.status_code == 303
    _db.session.refresh(case)
    assert case.stage is CaseStage.RECEIVED
    assert case.due_date is not None
    (payment,) = payments(case)
    assert (payment.method, payment.amount, payment.receipt_number) == (
        PaymentMethod.CASH,
        200_000,
        "BL-000123",
    )
    (receipt,) = papers(case, PaperKind.RECEIPT)
    assert receipt.content["appointment_date"] == case.due_date.isoformat()
    body = page(client, case)
    assert f'<a href="/ho-so/{case.code}/giay-to/{receipt.id}.pdf">Tải giấy tiếp nhận hồ sơ' in body


def test_a_bank_transfer_is_recorded_with_its_reference(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(
        login_as(officer(Role.INTAKE_OFFICER)),
        case,
        **{
            "payment.method": "bank_transfer",
            "payment.receipt_number": "",
            "payment.reference": "FT2633512345",
        },
    )
    assert response.status_code == 303
    assert payments(case)[0].reference == "FT2633512345"


def test_cash_without_a_receipt_number_is_refused_next_to_the_field(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(login_as(officer(Role.INTAKE_OFFICER)), case, **{"payment.receipt_number": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert (
        'id="f-payment-receipt-number-error" aria-live="polite">Vui lòng nhập số biên lai thu phí.</p>'
        in body
    )
    _db.session.refresh(case)
    assert (case.stage, payments(case)) == (CaseStage.AWAITING_PAYMENT, [])


def test_a_transfer_without_its_reference_is_refused(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(login_as(officer(Role.INTAKE_OFFICER)), case, **{"payment.method": "bank_transfer"})
    assert response.status_code == 422
    assert "Vui lòng nhập mã giao dịch chuyển khoản." in response.get_data(as_text=True)


def test_less_than_the_fee_is_refused_naming_what_is_owed(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(login_as(officer(Role.INTAKE_OFFICER)), case, **{"payment.amount": "100000"})
    assert response.status_code == 422
    assert "Số tiền chưa đủ: còn phải nộp 200.000 đ." in response.get_data(as_text=True)
    assert payments(case) == []


def test_every_problem_of_the_form_is_named_at_once(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(
        login_as(officer(Role.INTAKE_OFFICER)),
        case,
        **{"payment.method": "", "payment.amount": "", "payment.paid_on": "3/13/2026"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Chọn hình thức nộp phí." in body
    assert "Vui lòng nhập số tiền đã nộp." in body
    assert "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy." in body


def test_a_payment_dated_in_the_future_is_refused(login_as, db):
    case = intake_case(Channel.ONLINE)
    response = pay(login_as(officer(Role.INTAKE_OFFICER)), case, **{"payment.paid_on": "01/01/2099"})
    assert response.status_code == 422
    assert "Ngày nộp phí không được sau ngày hôm nay." in response.get_data(as_text=True)


def test_a_processing_officer_may_not_record_a_payment(login_as, db):
    case = intake_case(Channel.ONLINE)
    assert pay(login_as(officer(Role.PROCESSING_OFFICER)), case).status_code == 403


def test_a_reduced_fee_needs_its_proof_checked_before_the_case_is_received(login_as, db):
    case = intake_case(Channel.ONLINE, fee__category="reduced")
    client = login_as(officer(Role.INTAKE_OFFICER))
    refused = pay(client, case, **{"payment.amount": "100000"})
    assert refused.status_code == 422
    assert "Phải kiểm tra giấy tờ chứng minh được miễn, giảm phí" in refused.get_data(as_text=True)
    accepted = pay(client, case, **{"payment.amount": "100000", "fee_proof_checked": "1"})
    assert accepted.status_code == 303
    _db.session.refresh(case)
    assert case.stage is CaseStage.RECEIVED
    assert case.declaration.fee_proof_checked_at is not None


def test_an_exempt_case_asks_only_for_the_proof_and_records_no_payment(login_as, db):
    case = intake_case(Channel.ONLINE, fee__category="exempt")
    client = login_as(officer(Role.INTAKE_OFFICER))
    body = page(client, case)
    assert "Hồ sơ không phải nộp phí." in body
    assert 'name="payment.amount"' not in body
    response = client.post(f"/ho-so/{case.code}/nop-phi", data={"fee_proof_checked": "1"})
    assert response.status_code == 303
    _db.session.refresh(case)
    assert (case.stage, payments(case)) == (CaseStage.RECEIVED, [])


def test_an_api_case_of_a_reduced_category_is_confirmed_from_the_panel(login_as, db):
    case = intake_case(Channel.VNEID, fee__category="reduced", fee__paid=True, fee__payment_reference="PAY-1")
    assert case.stage is CaseStage.RECEIVED
    client = login_as(officer(Role.INTAKE_OFFICER))
    assert "Xác nhận đối tượng miễn, giảm" in page(client, case)
    response = client.post(f"/ho-so/{case.code}/xac-nhan-mien-giam")
    assert response.status_code == 303
    _db.session.refresh(case.declaration)
    assert case.declaration.fee_proof_checked_at is not None
    assert not flags_of(case, FlagKind.FEE_CATEGORY_UNCONFIRMED)[0].is_open
    assert "Xác nhận đối tượng miễn, giảm" not in page(client, case)


def test_confirming_a_category_that_is_not_flagged_is_not_found(login_as, db):
    case = intake_case()
    assert (
        login_as(officer(Role.INTAKE_OFFICER)).post(f"/ho-so/{case.code}/xac-nhan-mien-giam").status_code
        == 404
    )


def test_what_is_owed_counts_the_payments_made(db):
    case = intake_case(Channel.ONLINE, copies=3)
    assert services.amount_owed(case) == 205_000
