"""What an officer clicks through: enrol TOTP, log in with it, filter the board, open a case's timeline;
and the same board with JavaScript switched off."""

import time
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.extensions import db
from tests.factories import PASSWORD, create_case, create_user

pytestmark = pytest.mark.browser

OVERDUE_NAME = "TRẦN THỊ QUÁ HẠN"
FRESH_NAME = "LÊ VĂN ĐÚNG HẠN"


@pytest.fixture
def seeded(live_server):
    """An approver without a second factor, a processing officer, one overdue case and one fresh case."""
    with live_server.app_context():
        approver = create_user(roles=(Role.APPROVER,), username="pheduyet.browser", two_factor=False)
        processing = create_user(roles=(Role.PROCESSING_OFFICER,), username="xuly.browser")
        overdue = create_case(
            CaseStage.IN_REVIEW, applicant_full_name=OVERDUE_NAME, at=clock.now() - timedelta(days=40)
        )
        create_case(CaseStage.RECEIVED, applicant_full_name=FRESH_NAME)
        db.session.commit()
        return {
            "approver": approver.username,
            "processing": processing.username,
            "overdue_code": overdue.code,
        }


def log_in(page, live_server, username):
    page.goto(live_server.url("/dang-nhap"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def submit_filters(page):
    """Submit the board's filters and wait for htmx to swap in the answer: the select's own change asked
    for one already, and a row clicked before the last answer lands would be swapped away under the
    click."""
    page.click("form.filters button[type=submit]")
    expect(page.locator("form.filters.htmx-request")).to_have_count(0)


def filter_board_to_overdue_and_open(page, code):
    page.select_option("select[name=due]", "overdue")
    submit_filters(page)
    rows = page.locator("table.data tbody tr")
    expect(rows.filter(has_text=OVERDUE_NAME)).to_have_count(1)
    expect(rows.filter(has_text=FRESH_NAME)).to_have_count(0)
    assert "due=overdue" in page.url
    page.click(f"a:text-is('{code}')")
    expect(page.locator("h1")).to_contain_text(code)
    expect(page.locator(".timeline li")).to_have_count(2)


def test_approver_enrols_totp_logs_in_with_it_and_filters_the_board(page, live_server, seeded):
    log_in(page, live_server, seeded["approver"])
    # Approvers must have the second factor: the first login leads to enrolment.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("input[name=code]", totp.now())
    page.click("button[type=submit]")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.click("form[action$='/dang-xuat'] button")

    log_in(page, live_server, seeded["approver"])
    # The enrolment used this time step's code; a replay is refused, so use the next step's.
    page.fill("input[name=code]", totp.at(time.time() + 30))
    page.click("button[type=submit]")
    page.goto(live_server.url("/ho-so"))
    filter_board_to_overdue_and_open(page, seeded["overdue_code"])


def test_board_works_with_javascript_disabled(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, seeded["processing"])
        page.goto(live_server.url("/ho-so"))
        expect(page.locator("table.data tbody tr").filter(has_text=FRESH_NAME)).to_have_count(1)
        filter_board_to_overdue_and_open(page, seeded["overdue_code"])
    finally:
        context.close()
