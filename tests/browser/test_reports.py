"""What a report reader clicks through (acceptance 4): open the dashboard for a quarter, change the period,
and the figures update by htmx; each chart (an SVG image) shows the same numbers as the table under it."""

import html
import re

import pytest
from playwright.sync_api import expect

from lltp.accounts.models import Role
from lltp.extensions import db
from tests.browser.test_board_flow import log_in
from tests.factories import create_user
from tests.reports.cases import build_quarter

pytestmark = pytest.mark.browser

# Every point of a pygal chart carries its formatted value for the tooltip, printed or not.
POINT_VALUE = re.compile(r'<desc class="value">([^<]*)</desc>')


@pytest.fixture
def reader(live_server):
    with live_server.app_context():
        build_quarter()
        user = create_user(roles=(Role.REPORT_READER,), username="baocao.browser")
        db.session.commit()
        return user.username


def chart_values(page, live_server, chart):
    """The values of the chart's points, and the cells of the table under it (blank cells have no point)."""
    section = page.locator(f"#chart-{chart}")
    svg = page.request.get(live_server.url(section.locator("img").get_attribute("src"))).text()
    rows = section.locator("tbody tr").all()
    columns = len(rows[0].locator("td").all()) if rows else 0
    cells = [[row.locator("td").nth(column).inner_text() for row in rows] for column in range(columns)]
    points = [html.unescape(value) for value in POINT_VALUE.findall(svg)]
    return sorted(points), sorted(cell for column in cells for cell in column if cell != "—")


def test_changing_the_period_updates_the_figures_by_htmx(page, live_server, reader):
    log_in(page, live_server, reader)
    page.goto(live_server.url("/bao-cao?from=01/01/2025&to=31/03/2025"))
    expect(page.locator('[data-figure="received"]')).to_have_text("11")
    expect(page.locator('[data-figure="vneid"]')).to_have_text("2 (18,18%)")

    page.fill("input[name=from]", "01/02/2025")
    with page.expect_response(lambda response: "/bao-cao?" in response.url) as swap:
        page.click("form.filters button[type=submit]")
    assert swap.value.request.headers.get("hx-request") == "true"
    # February and March: 3 and 4 receipts, one of them by VNeID.
    expect(page.locator('[data-figure="received"]')).to_have_text("7")
    expect(page.locator('[data-figure="vneid"]')).to_have_text("1 (14,29%)")
    assert "from=01%2F02%2F2025" in page.url or "from=01/02/2025" in page.url
    assert "from=01/02/2025" in page.locator("#chart-kenh img").get_attribute("src")


CHARTS = [
    "kenh",
    "tra-ket-qua",
    "so-ngay-tre",
    "dang-giai-quyet",
    "thoi-gian",
    "loai-phieu",
    "xu-huong-thang",
]


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_shows_the_numbers_of_its_table(page, live_server, reader, chart):
    log_in(page, live_server, reader)
    page.goto(live_server.url("/bao-cao?from=01/01/2025&to=31/03/2025"))
    points, table = chart_values(page, live_server, chart)
    assert table
    assert points == table
