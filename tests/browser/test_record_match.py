"""What a processing officer clicks through at `in_review`: pick the applicant among look-alikes in the
record database, then read what the certificate would say and why."""

from datetime import date

import pytest
from playwright.sync_api import expect

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage, Channel
from lltp.extensions import db
from tests.browser.test_board_flow import log_in
from tests.factories import create_case, create_user
from tests.records.factories import create_event, create_judgment, create_person

pytestmark = pytest.mark.browser

NAME = "PHẠM MINH TUẤN"
RIGHT_PLACE = "Phường Bến Thành, TP Hồ Chí Minh"


@pytest.fixture
def vneid_case(live_server):
    """A VNeID case in review, the applicant's record with a conviction still in force, and three
    look-alikes: the same name born elsewhere, no middle name, one letter off."""
    with live_server.app_context():
        officer = create_user(roles=(Role.PROCESSING_OFFICER,), username="xuly.doichieu")
        case = create_case(
            CaseStage.IN_REVIEW,
            channel=Channel.VNEID,
            applicant_full_name=NAME,
            applicant_date_of_birth=date(1988, 4, 9),
            applicant_id_number="079088012345",
        )
        right = create_person(
            full_name=NAME,
            sex="male",
            date_of_birth="1988-04-09",
            place_of_birth=RIGHT_PLACE,
            id_numbers=[{"type": "cmnd", "number": "024567890"}],
            father_name="PHẠM VĂN LỘC",
        )
        judgment = create_judgment(right, effective_on="2022-05-10", pronounced_on="2022-04-10")
        create_event(judgment, "principal_completed", "2025-05-09")
        create_event(judgment, "court_fee_paid", "2022-06-01")
        create_person(
            full_name=NAME,
            sex="male",
            date_of_birth="1988-11-20",
            place_of_birth="Phường Hoàn Kiếm, TP Hà Nội",
        )
        create_person(
            full_name="PHẠM TUẤN",
            sex="male",
            date_of_birth="1988-01-01",
            date_of_birth_precision="year",
            place_of_birth="Xã Cần Giờ, TP Hồ Chí Minh",
        )
        create_person(
            full_name="PHẠM MINH TUÂN",
            sex="male",
            date_of_birth="1988-04-09",
            place_of_birth="Phường Hải Châu, TP Đà Nẵng",
        )
        db.session.commit()
        return {"officer": officer.username, "code": case.code}


def test_officer_picks_the_applicant_among_look_alikes_and_sees_the_explanation(
    page, live_server, vneid_case
):
    log_in(page, live_server, vneid_case["officer"])
    page.goto(live_server.url(f"/ho-so/{vneid_case['code']}"))
    rows = page.locator("#record-panel table.candidates tbody tr")
    expect(rows).to_have_count(4)
    right = rows.filter(has_text=RIGHT_PLACE)
    expect(right).to_contain_text("PHẠM VĂN LỘC")
    right.get_by_role("button", name="Chọn").click()

    panel = page.locator("#record-panel")
    expect(panel).to_contain_text(f"{NAME} (09/04/1988")
    expect(panel).to_contain_text("Có án tích")
    expect(panel.locator("ul.explanation li").first).to_be_visible()
    expect(panel).to_contain_text("Điều 70")
    expect(panel.locator("table.candidates")).to_have_count(0)
