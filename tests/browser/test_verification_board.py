"""What a police verifier clicks through (acceptance 5): log in, filter the board to overdue tasks, claim
a task and answer it inline; the case moves on to drafting once its last task is answered. And the same
work with JavaScript switched off, by plain forms."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import Case, CaseStage
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.verification import services
from lltp.verification.models import TaskKind
from tests.browser.test_board_flow import log_in, submit_filters
from tests.factories import create_case, create_unit, create_user, officer

pytestmark = pytest.mark.browser

LATE_NAME = "TRẦN VĂN TRỄ HẠN"
FRESH_NAME = "LÊ THỊ CÒN HẠN"


@pytest.fixture
def seeded(live_server):
    """The provincial police and its verifier; a case asking the police two questions, both overdue; and a
    case whose police lookup is not yet due."""
    with live_server.app_context():
        police = create_unit(UnitKind.PROVINCIAL_POLICE, name="Công an tỉnh (trình duyệt)")
        verifier = create_user(
            roles=(Role.VERIFIER,), unit=police, username="xacminh.browser", full_name="Hà Văn Xác Minh"
        )
        actor = Actor(user=officer(), ip="127.0.0.1")
        late = create_case(CaseStage.VERIFYING, actor=actor, applicant_full_name=LATE_NAME)
        services.add_task(
            late, unit=police, kind=TaskKind.IDENTITY_MISMATCH, reason="Sai ngày sinh", actor=actor
        )
        for task in services.case_tasks(late):
            task.due_date = clock.today() - timedelta(days=10)
        create_case(CaseStage.VERIFYING, actor=actor, applicant_full_name=FRESH_NAME)
        db.session.commit()
        return {
            "username": verifier.username,
            "case_id": late.id,
            "task_ids": [task.id for task in services.case_tasks(late)],
        }


def stage_of(live_server, case_id):
    with live_server.app_context():
        return db.session.get(Case, case_id).stage


def filter_to_overdue(page):
    rows = page.locator("table.tasks tbody tr")
    expect(rows.filter(has_text=FRESH_NAME)).to_have_count(1)
    page.select_option("select[name=due]", "overdue")
    submit_filters(page)
    expect(rows.filter(has_text=LATE_NAME)).to_have_count(2)
    expect(rows.filter(has_text=FRESH_NAME)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"due=overdue"))
    expect(page.locator(".deadline.late").first).to_contain_text("Quá hạn")


def test_police_verifier_claims_and_answers_overdue_tasks_inline(page, live_server, seeded):
    log_in(page, live_server, seeded["username"])
    expect(page.locator("h1")).to_contain_text("Yêu cầu xác minh")
    filter_to_overdue(page)

    for number, task_id in enumerate(seeded["task_ids"], 1):
        row = page.locator(f"#task-{task_id}")
        row.get_by_role("button", name="Nhận").click()
        expect(row).to_contain_text("Hà Văn Xác Minh")
        expect(row).to_contain_text("Đang xử lý")

        row.get_by_role("link", name="Trả lời").click()
        form = page.locator(f"#answer-{task_id}")
        expect(form).to_be_visible()
        # The inline form takes the keyboard: its first choice has the focus.
        nothing_found = form.locator("input[name=outcome][value=nothing_found]")
        expect(nothing_found).to_be_focused()
        page.keyboard.press("Space")
        expect(nothing_found).to_be_checked()
        form.locator("textarea[name=note]").fill("Không có tiền án trong hồ sơ Công an tỉnh.")
        form.get_by_role("button", name="Gửi trả lời").click()

        row = page.locator(f"#task-{task_id}")
        expect(row).to_contain_text("Đã trả lời")
        expect(row.locator("a").first).to_be_focused()
        expected = CaseStage.DRAFTING if number == len(seeded["task_ids"]) else CaseStage.VERIFYING
        assert stage_of(live_server, seeded["case_id"]) is expected
    # The filters were kept all along: the page never reloaded.
    assert "due=overdue" in page.url


def test_board_works_with_javascript_disabled(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, seeded["username"])
        filter_to_overdue(page)
        task_id = seeded["task_ids"][0]
        page.locator(f"#task-{task_id}").get_by_role("button", name="Nhận").click()
        # A plain POST, then back (303) to the board with its filters and a message.
        expect(page.locator(".flash-success")).to_contain_text("Đã nhận yêu cầu")
        expect(page).to_have_url(re.compile(r"/xac-minh\?due=overdue$"))
        page.locator(f"#task-{task_id}").get_by_role("link", name="Trả lời").click()
        expect(page.locator("h1")).to_contain_text("Tra cứu hồ sơ tại Công an")
        page.check(f"#answer-{task_id} input[name=outcome][value=nothing_found]")
        page.click(f"#answer-{task_id} button[type=submit]")
        expect(page.locator(".flash-success")).to_contain_text("Đã gửi trả lời")
        expect(page).to_have_url(re.compile(r"/xac-minh\?due=overdue$"))
        expect(page.locator(f"#task-{task_id}")).to_have_count(0)
    finally:
        context.close()
