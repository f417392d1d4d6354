"""What a citizen clicks through on a phone: the online form from the first step to the VietQR, with an
inline error fixed on the way; and the same with JavaScript switched off (acceptance 6)."""

import re

import pytest
from playwright.sync_api import expect

from lltp.intake import drafts
from tests.intake.helpers import form_data, valid_document

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RADIOS = frozenset({"applicant.sex", "certificate_type", "delivery.method"})
SELECTS = frozenset({"applicant.id_document.type", "fee.category", "requester.kind"})
ID_NUMBER = "applicant.id_document.number"
SCREENSHOT = "/tmp/online-confirmation.png"


@pytest.fixture
def server(live_server, tmp_path):
    live_server.config.update(LLTP_ONLINE_MIN_SECONDS=0, LLTP_UPLOAD_DIR=str(tmp_path / "uploads"))
    return live_server


@pytest.fixture
def answers():
    return form_data(valid_document())


def wrong_year(number):
    """The same CCCD with another birth year in it: it no longer matches the date of birth."""
    return number[:4] + f"{(int(number[4:6]) + 1) % 100:02d}" + number[6:]


def fill_step(page, step, answers, **changes):
    for name, value in {**answers, **changes}.items():
        if not step.owns(name) or not value:
            continue
        if name in RADIOS:
            page.check(f'input[name="{name}"][value="{value}"]')
        elif name in SELECTS:
            page.select_option(f'select[name="{name}"]', value)
        elif page.locator(f'[name="{name}"]').count():
            page.fill(f'[name="{name}"]', value)


def next_step(page):
    page.click("button[value=next]")


def finish(page, answers):
    """From the residence step to the confirmation: the steps with nothing to get wrong."""
    for step in drafts.STEPS[1:4]:
        expect(page.locator("h1")).to_have_text(str(step.title))
        expect(page.locator('.steps [aria-current="step"]')).to_have_text(str(step.title))
        fill_step(page, step, answers)
        next_step(page)
    expect(page.locator("h1")).to_have_text(str(drafts.STEP_BY_KEY["attachments"].title))
    page.set_input_files(
        "#f-attachments-id-document", {"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("form[enctype] button[type=submit]")
    expect(page.locator(".uploaded li")).to_contain_text("cccd.pdf")
    next_step(page)
    expect(page.locator(".fee-quote")).to_contain_text("200.000 đ")
    page.click("button:text-is('Nộp hồ sơ')")
    expect(page.locator("h1")).to_have_text("Đã nộp hồ sơ")
    code = page.locator("#case-code")
    expect(code).to_have_text(re.compile(r"^[A-Z]+-\d{6}-\d{4,}$"))
    expect(page.locator("svg.vietqr")).to_be_visible()
    expect(page.locator("figure.qr")).to_have_attribute("data-payload", re.compile(code.inner_text()))
    return page


def test_a_citizen_on_a_phone_fixes_an_inline_error_and_submits(browser, server, answers):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(server.url("/nop-ho-so"))
    # The number last: a check still in flight is dropped when another input starts one (hx-sync).
    fill_step(page, drafts.STEPS[0], answers, **{ID_NUMBER: ""})
    page.fill(f'[name="{ID_NUMBER}"]', wrong_year(answers[ID_NUMBER]))
    error = page.locator("#f-applicant-id-document-number-error")
    expect(error).to_contain_text("khác với ngày sinh đã khai")
    page.fill(f'[name="{ID_NUMBER}"]', answers[ID_NUMBER])
    expect(error).to_have_text("")
    next_step(page)
    finish(page, answers)
    page.screenshot(path=SCREENSHOT, full_page=True)
    context.close()


def test_the_same_works_with_javascript_disabled(browser, server, answers):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(server.url("/nop-ho-so"))
    fill_step(page, drafts.STEPS[0], answers, **{ID_NUMBER: wrong_year(answers[ID_NUMBER])})
    next_step(page)
    error = page.locator("#f-applicant-id-document-number-error")
    expect(error).to_contain_text("khác với ngày sinh đã khai")
    expect(page.locator(f'[name="{ID_NUMBER}"]')).to_have_attribute("aria-invalid", "true")
    page.fill(f'[name="{ID_NUMBER}"]', answers[ID_NUMBER])
    next_step(page)
    finish(page, answers)
    context.close()
