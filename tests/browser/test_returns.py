"""What a returning officer clicks through: a proxy collects the paper certificate at the counter; the
officer records it on the case page (a missing authorisation is shown next to its field first), and the
case shows returned."""

import pytest
from playwright.sync_api import expect

from lltp.accounts.models import Role
from lltp.extensions import db
from tests.factories import PASSWORD, create_issued_case, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(live_server):
    with live_server.app_context():
        officer = create_user(roles=(Role.RETURNING_OFFICER,), username="tra.ketqua")
        case = create_issued_case("counter")
        db.session.commit()
        return {"username": officer.username, "code": case.code}


def test_a_returning_officer_records_a_proxys_collection_and_the_case_is_returned(page, live_server, seeded):
    page.goto(live_server.url("/dang-nhap"))
    page.fill("input[name=username]", seeded["username"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url(f"/ho-so/{seeded['code']}"))

    page.check("input[name=collected_by][value=proxy]")
    page.fill("#returns-handover-proxy_full_name", "Trần Thị Cúc")
    page.fill("#returns-handover-proxy_id_number", "079190001111")
    page.click("button:text-is('Ghi nhận đã trao Phiếu')")
    expect(page.locator("#returns-handover-authorisation_reference-error")).to_contain_text(
        "văn bản ủy quyền"
    )

    page.fill("#returns-handover-authorisation_reference", "Giấy ủy quyền số 12/2026 ngày 20/11/2026")
    page.click("button:text-is('Ghi nhận đã trao Phiếu')")
    expect(page.locator("h1 .badge")).to_have_text("Đã trả kết quả")
    expect(page.locator("#returns-panel")).to_contain_text("Trần Thị Cúc")
