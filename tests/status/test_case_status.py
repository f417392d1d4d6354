"""The status page /tra-cuu (issue 7, acceptance 2): a case code and a second fact give where the case
stands, any wrong one the same "not found", and nothing personal is ever in the page."""

from datetime import date, timedelta

import pytest

from lltp.accounts.models import UnitKind
from lltp.cases.models import CaseStage, DeliveryMethod
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.delivery.services import create_shipment
from lltp.extensions import db, limiter
from lltp.intake.models import OneStopPaper, PaperKind
from lltp.verification.models import TaskKind, VerificationTask
from tests.factories import create_case, create_unit, officer
from tests.status.cases import NOT_FOUND, issued_case, lookup, page_text


@pytest.fixture
def case(db):
    return create_case(CaseStage.IN_REVIEW)


def test_form_takes_the_case_code_from_the_link(client, case):
    body = client.get(f"/tra-cuu?ma={case.code}").get_data(as_text=True)
    assert f'value="{case.code}"' in body


def test_date_of_birth_gets_the_stage_and_appointment_date(client, case):
    response = client.post("/tra-cuu", data=lookup(case))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đang xử lý" in body
    assert "Cơ quan cấp Phiếu đang tra cứu" in body
    assert case.due_date.strftime("%d/%m/%Y") in body
    assert NOT_FOUND not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_full_id_number_gets_the_status_too(client, case):
    body = client.post("/tra-cuu", data=lookup(case, fact=case.applicant_id_number)).get_data(as_text=True)
    assert "Đang xử lý" in body


def test_case_code_is_read_in_any_case(client, case):
    body = client.post("/tra-cuu", data=lookup(case, case_code=f" {case.code.lower()} ")).get_data(
        as_text=True
    )
    assert "Đang xử lý" in body


@pytest.mark.parametrize(
    "wrong",
    [
        {"fact": "18/05/1990"},
        {"fact": "079090001235"},
        {"case_code": "HCM-990101-9999"},
    ],
    ids=["date_of_birth", "id_number", "case_code"],
)
def test_wrong_second_fact_or_code_gets_not_found(client, case, wrong):
    response = client.post("/tra-cuu", data=lookup(case, **wrong))
    assert response.status_code == 200
    assert NOT_FOUND in page_text(response)
    assert "Đang xử lý" not in page_text(response)


def test_wrong_code_and_wrong_fact_give_the_same_body_and_status(client, case):
    wrong_code = client.post("/tra-cuu", data=lookup(case, case_code="HCM-990101-9999"))
    wrong_fact = client.post("/tra-cuu", data=lookup(case, fact="01/01/1970"))
    assert wrong_code.status_code == wrong_fact.status_code == 200
    assert page_text(wrong_code) == page_text(wrong_fact)
    assert wrong_code.headers.get("Content-Length") == wrong_fact.headers.get("Content-Length")


def test_another_case_s_fact_does_not_open_this_one(client, case):
    other = create_case(applicant_date_of_birth=date(1985, 1, 2), applicant_id_number="079085000111")
    response = client.post("/tra-cuu", data=lookup(case, fact=other.applicant_id_number))
    assert NOT_FOUND in page_text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("case_code", " ", "Vui lòng nhập mã hồ sơ."),
        ("fact", "", "Vui lòng nhập ngày sinh hoặc số định danh"),
        ("fact", "31/02/1990", "dd/mm/yyyy"),
        ("fact", "mười bảy", "12 chữ số"),
    ],
)
def test_bad_input_gets_a_vietnamese_error_next_to_the_field(client, case, field, value, message):
    response = client.post("/tra-cuu", data=lookup(case, **{field: value}))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="status-{field.replace("_", "-")}-error">' in body
    assert message in body.split(f'id="status-{field.replace("_", "-")}-error">')[1].split("<")[0]


def test_no_personal_data_in_the_page(client, db):
    case = create_case(
        CaseStage.VERIFYING,
        applicant_full_name="PHẠM THỊ RIÊNG TƯ",
        applicant_email="rieng.tu@example.vn",
        applicant_phone="0987654321",
        purpose="Xin việc tại Công ty Bí Mật",
        delivery_method=DeliveryMethod.POST,
    )
    for fact in (case.applicant_date_of_birth.strftime("%d/%m/%Y"), case.applicant_id_number):
        body = client.post("/tra-cuu", data=lookup(case, fact=fact)).get_data(as_text=True)
        assert case.code in body
        for secret in (
            case.applicant_full_name,
            case.applicant_name_folded,
            case.applicant_id_number,
            case.applicant_phone,
            case.applicant_email,
            case.purpose,
            case.applicant_date_of_birth.strftime("%d/%m/%Y"),
            case.applicant_date_of_birth.isoformat(),
        ):
            assert secret not in body, secret


def test_htmx_gets_only_the_answer(client, case):
    response = client.post("/tra-cuu", data=lookup(case), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "Đang xử lý" in body
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def _task(case, kind):
    task = VerificationTask(
        case_id=case.id,
        unit_id=create_unit(kind).id,
        kind=TaskKind.POLICE_LOOKUP,
        question={},
        routing_key=f"manual-{kind}",
        due_date=clock.today() + timedelta(days=5),
    )
    db.session.add(task)
    db.session.flush()
    return task


def test_verifying_case_names_the_kinds_of_agency_it_waits_for(client, db):
    case = create_case(CaseStage.VERIFYING)
    police, court = _task(case, UnitKind.PROVINCIAL_POLICE), _task(case, UnitKind.COURT)
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "Đang chờ Công an tỉnh, Tòa án xác minh" in body
    assert police.unit.name not in body and court.unit.name not in body


def test_verifying_case_names_the_kinds_of_agency_in_the_session_s_language(client, db):
    case = create_case(CaseStage.VERIFYING)
    _task(case, UnitKind.PROVINCIAL_POLICE)
    _task(case, UnitKind.COURT)
    facts = {"case_code": case.code, "id_number": case.applicant_id_number}
    client.get("/ngon-ngu/en")
    answer = client.post("/tra-cuu.json", json=facts).get_json()
    assert answer["holder"] == "Awaiting verification by Court, Provincial Police"


def test_late_case_shows_the_apology_s_new_date(client, case):
    new_date = case.due_date + timedelta(days=7)
    paper = OneStopPaper(
        case_id=case.id,
        kind=PaperKind.APOLOGY,
        number=f"{case.code}/XL1",
        issued_by_label="test",
        content={
            "reason": "Chờ xác minh",
            "previous_date": case.due_date.isoformat(),
            "new_date": new_date.isoformat(),
        },
    )
    db.session.add(paper)
    db.session.flush()
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "Ngày hẹn mới" in body
    assert new_date.strftime("%d/%m/%Y") in body


def test_overdue_case_without_apology_says_it_is_late(client, db):
    actor = Actor(user=officer(), ip="127.0.0.1")
    case = create_case(CaseStage.IN_REVIEW, at=clock.now() - timedelta(days=60), actor=actor)
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "Đã quá ngày hẹn trả kết quả" in body


def test_return_by_post_shows_the_method(client, db):
    case = create_case(CaseStage.IN_REVIEW, delivery_method=DeliveryMethod.POST)
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "Nhận bản giấy qua bưu chính" in body


def test_issued_case_offers_the_download(client, db):
    case, _certificate = issued_case()
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "Tải Phiếu lý lịch tư pháp" in body
    assert f"/tra-cuu/tiep-theo?ma={case.code}&amp;muc=download" in body


def test_eleventh_lookup_in_a_minute_from_one_address_gets_429(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True)
        client = app.test_client()
        form = {"case_code": "HCM-990101-0001", "fact": "01/01/1990"}
        statuses = [client.post("/tra-cuu", data=form).status_code for _ in range(11)]
        other_address = client.post("/tra-cuu", data=form, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    finally:
        # The limiter is one object for every app in the process: leave it as the other tests expect.
        limiter.enabled = was_enabled
    assert statuses == [200] * 10 + [429]
    assert other_address.status_code == 200


def test_one_case_code_is_limited_across_addresses(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True, LLTP_STATUS_CODE_RATE_LIMIT="3 per hour")
        client = app.test_client()
        form = {"case_code": "HCM-990101-0001", "fact": "01/01/1990"}
        statuses = [
            client.post("/tra-cuu", data=form, environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code
            for n in range(4)
        ]
        other_code = client.post("/tra-cuu", data={**form, "case_code": "HCM-990101-0002"})
    finally:
        limiter.enabled = was_enabled
    assert statuses == [200, 200, 200, 429]
    assert other_code.status_code == 200


def test_posted_result_shows_its_tracking_number_and_not_the_address(client, db):
    case, _certificate = issued_case(delivery_method=DeliveryMethod.POST)
    address = "Số 12 đường Bí Mật, phường Riêng Tư"
    create_shipment(case, tracking_number="EE123456789VN", address=address, actor=Actor(user=officer()))
    body = client.post("/tra-cuu", data=lookup(case)).get_data(as_text=True)
    assert "EE123456789VN" in body
    assert "Mã bưu gửi" in body
    assert address not in body
