"""What an intake officer clicks through when a citizen pays at the desk for a request sent online: the
cash payment with its receipt number on the case page, the case received with its appointment date, and
the receipt fetched as a PDF from the link in the confirmation (acceptance 6c)."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from lltp.accounts.models import Role
from lltp.cases.models import Channel
from lltp.cases.services import get_case
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.intake.services import receive_request
from lltp.intake.validation import validate_request
from tests.browser.test_board_flow import log_in
from tests.factories import create_user
from tests.intake.helpers import valid_document

pytestmark = pytest.mark.browser

RECEIPT_NUMBER = "BL-0042"


@pytest.fixture
def seeded(live_server):
    """An intake officer, and a request sent through the online form that still waits for its fee."""
    with live_server.app_context():
        officer = create_user(roles=(Role.INTAKE_OFFICER,), username="motcua.browser")
        request = validate_request(valid_document(), channel=Channel.ONLINE, today=clock.today())
        case = receive_request(request, channel=Channel.ONLINE, actor=Actor.system("citizen"))
        db.session.commit()
        return {"officer": officer.username, "code": case.code}


def due_date_of(live_server, code):
    with live_server.app_context():
        return get_case(code).due_date


def test_an_intake_officer_records_a_cash_payment_and_downloads_the_receipt(page, live_server, seeded):
    code = seeded["code"]
    log_in(page, live_server, seeded["officer"])
    page.goto(live_server.url(f"/ho-so/{code}"))
    expect(page.locator("h1 > span.badge")).to_have_text("Chờ nộp phí")
    fee_panel = page.locator("#fee-panel")
    expect(fee_panel.locator('input[name="payment.method"][value="cash"]')).to_be_checked()
    fee_panel.locator('input[name="payment.receipt_number"]').fill(RECEIPT_NUMBER)
    fee_panel.locator("button[type=submit]").click()

    flash = page.locator(".flash-success")
    expect(flash).to_contain_text(f"hồ sơ {code} đã được tiếp nhận")
    expect(page.locator("h1 > span.badge")).to_have_text("Đã tiếp nhận")
    due = due_date_of(live_server, code)
    assert due is not None
    expect(page.locator("#deadline-heading + dl.facts")).to_contain_text(f"{due:%d/%m/%Y}")
    expect(fee_panel.locator("table.data tbody tr")).to_contain_text(RECEIPT_NUMBER)

    link = flash.get_by_role("link", name="Tải giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{code}-TN1.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(data)).pages)
    assert code in text
    assert f"{due:%d/%m/%Y}" in text
