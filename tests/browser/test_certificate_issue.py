"""What an approver and an employer click through: the approver signs in with the second factor, approves
and signs a draft, downloads the signed PDF; a second browser opens the check address printed under the QR
code and checks the certificate."""

import io
import re
import time

import pyotp
import pypdf
import pytest
from playwright.sync_api import expect

from lltp.extensions import db
from tests.factories import PASSWORD
from tests.issuance.approvals import awaiting_signature, signing_approver

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(live_server):
    """An approver with a second factor and a registered key, the seal, and a draft sent for signature."""
    live_server.config["LLTP_PUBLIC_BASE_URL"] = live_server.url("")
    with live_server.app_context():
        approver = signing_approver(username="pheduyet.phieu")
        case = awaiting_signature()
        db.session.commit()
        return {
            "username": approver.username,
            "secret": approver.totp_secret,
            "code": case.code,
            "name": case.applicant_full_name,
            "born": case.applicant_date_of_birth.strftime("%d/%m/%Y"),
            "id_number": case.applicant_id_number,
        }


def test_an_approver_signs_and_an_employer_checks_the_certificate(browser, live_server, seeded):
    approver = browser.new_context(accept_downloads=True).new_page()
    approver.goto(live_server.url("/dang-nhap"))
    approver.fill("input[name=username]", seeded["username"])
    approver.fill("input[name=password]", PASSWORD)
    approver.click("button[type=submit]")
    approver.fill("input[name=code]", pyotp.TOTP(seeded["secret"]).at(time.time()))
    approver.click("button[type=submit]")

    approver.goto(live_server.url(f"/ho-so/{seeded['code']}"))
    approver.click("button:text-is('Phê duyệt và ký Phiếu')")
    expect(approver.locator("#draft-heading")).to_contain_text("đã cấp")
    with approver.expect_download() as download:
        approver.click("a:text('Tải Phiếu điện tử đã ký số (PDF)')")
    pdf = download.value.path().read_bytes()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    check_url = re.search(r"Kiểm tra phiếu tại:\s*(\S+)", text).group(1)

    employer = browser.new_context().new_page()
    employer.goto(check_url)
    employer.fill("input[name=case_code]", seeded["code"])
    employer.fill("input[name=full_name]", seeded["name"])
    employer.fill("input[name=date_of_birth]", seeded["born"])
    employer.select_option("select[name=sex]", "male")
    employer.fill("input[name=id_number]", seeded["id_number"])
    employer.click("button:text-is('Kiểm tra')")
    expect(employer.locator("main")).to_contain_text("Còn giá trị sử dụng")
