"""The public certificate check at /kiem-tra (issue 6, acceptance 3): the right answers get the status,
any wrong field the same "not found", the 11th try in a minute a 429, and never Phiếu số 2 content."""

import re
import unicodedata
from urllib.parse import urlsplit

import pytest

from lltp.extensions import limiter
from lltp.issuance.models import CertificateStatus
from lltp.issuance.pdf import check_url
from tests.issuance.certificate_rows import check_answers, convicted_case, create_certificate

NOT_FOUND = "Không tìm thấy Phiếu lý lịch tư pháp khớp"


def page_text(response):
    """The body without what differs on every response anyway (the CSP nonce)."""
    return re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))


@pytest.fixture
def certificate(db):
    return create_certificate()


def test_qr_link_prefills_number_and_code(client, certificate):
    link = urlsplit(check_url(certificate))
    response = client.get(f"{link.path}?{link.query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{certificate.number}"' in body
    assert f'value="{certificate.check_code}"' in body


def test_right_answers_get_type_date_issuer_and_status(app, client, certificate):
    response = client.post("/kiem-tra", data=check_answers(certificate))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Phiếu lý lịch tư pháp số 1" in body
    assert certificate.issued_on.strftime("%d/%m/%Y") in body
    assert app.config["LLTP_AUTHORITY_NAME"] in body
    assert "Còn giá trị sử dụng" in body
    assert NOT_FOUND not in body


def test_name_matches_in_any_case_and_normal_form(client, certificate):
    typed = unicodedata.normalize("NFD", "nguyễn  văn an")
    body = client.post("/kiem-tra", data=check_answers(certificate, full_name=typed)).get_data(as_text=True)
    assert "Còn giá trị sử dụng" in body


def test_check_shows_nothing_the_person_typed(client, certificate):
    body = client.post("/kiem-tra", data=check_answers(certificate)).get_data(as_text=True)
    assert "NGUYỄN VĂN AN" not in body
    assert "079090001234" not in body


WRONG = {
    "so": "HCM/2026/999999",
    "ma": "AAAAAAAAAA",
    "case_code": "HCM-261201-9999",
    "full_name": "NGUYEN VAN AN",  # the diacritics must match
    "date_of_birth": "18/05/1990",
    "sex": "female",
    "id_number": "079090001235",
}


@pytest.mark.parametrize("field", sorted(WRONG))
def test_any_wrong_field_gets_the_same_not_found(client, certificate, field):
    baseline = client.post("/kiem-tra", data=check_answers(certificate, so="XYZ/0000/000000"))
    response = client.post("/kiem-tra", data=check_answers(certificate, **{field: WRONG[field]}))
    assert response.status_code == baseline.status_code == 200
    assert NOT_FOUND in page_text(response)
    assert page_text(response) == page_text(baseline)


def test_right_code_of_another_certificate_is_not_found(client, certificate):
    other = create_certificate()
    response = client.post("/kiem-tra", data=check_answers(certificate, ma=other.check_code))
    assert NOT_FOUND in page_text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "1990-05-17", "dd/mm/yyyy"),
        ("date_of_birth", "31/02/1990", "dd/mm/yyyy"),
        ("full_name", "", "Vui lòng nhập họ và tên."),
        ("case_code", "  ", "Vui lòng nhập mã hồ sơ."),
        ("sex", "x", "Vui lòng chọn giới tính."),
    ],
)
def test_bad_input_gets_a_vietnamese_error_next_to_the_field(client, certificate, field, value, message):
    response = client.post("/kiem-tra", data=check_answers(certificate, **{field: value}))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="check-{field.replace("_", "-")}-error">([^<]*)<', body)
    assert error is not None and message in error.group(1)
    assert NOT_FOUND not in body


def test_revoked_certificate_shows_as_revoked_with_its_replacement(client, certificate):
    replacement = create_certificate(replaces=certificate)
    certificate.status = CertificateStatus.REVOKED
    body = client.post("/kiem-tra", data=check_answers(certificate)).get_data(as_text=True)
    assert "Đã bị thu hồi" in body
    assert replacement.number in body


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (CertificateStatus.SUPPLEMENTED, "Đã được bổ sung"),
        (CertificateStatus.CORRECTED, "Đã được đính chính"),
        (CertificateStatus.CANCELLED, "Đã bị hủy bỏ"),
    ],
)
def test_each_status_reads_in_vietnamese(client, certificate, status, label):
    certificate.status = status
    assert label in client.post("/kiem-tra", data=check_answers(certificate)).get_data(as_text=True)


def test_phieu_2_content_never_appears(client, db):
    certificate = create_certificate(convicted_case(certificate_type=2))
    conviction = certificate.content["convictions"][0]
    body = client.post("/kiem-tra", data=check_answers(certificate)).get_data(as_text=True)
    assert "Phiếu lý lịch tư pháp số 2" in body
    for secret in (conviction["offences"][0], conviction["judgment_number"], conviction["court"], "án tích"):
        assert secret not in body


def test_eleventh_try_in_a_minute_from_one_address_gets_429(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True)
        client = app.test_client()
        statuses = [client.post("/kiem-tra", data={"so": "HCM/2026/000001"}).status_code for _ in range(11)]
        other_address = client.post(
            "/kiem-tra", data={"so": "HCM/2026/000001"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
        )
    finally:
        # The limiter is one object for every app in the process: leave it as the other tests expect.
        limiter.enabled = was_enabled
    assert statuses == [422] * 10 + [429]
    assert other_address.status_code == 422
