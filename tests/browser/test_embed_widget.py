"""The widget in a portal's page (issue 7, acceptance 4): a page served from another local origin frames
/embed/tra-cuu, checks a case in it, at 320 px; a page from an origin not on the list is refused by the
widget's CSP (frame-ancestors)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from lltp.cases.models import CaseStage
from lltp.extensions import db
from tests.factories import create_case

pytestmark = pytest.mark.browser


def portal(widget_url):
    """A portal's page on an origin of its own (another port of 127.0.0.1): just the pasted snippet."""
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng dịch vụ công</title></head>'
        f'<body><h1>Cổng dịch vụ công</h1><iframe id="lltp" src="{widget_url}" title="Tra cứu hồ sơ" '
        'style="width:320px;height:640px;border:0" loading="lazy"></iframe></body></html>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def portals(live_server):
    """Two portals: one on the list of LLTP_EMBED_ORIGINS, one not."""
    allowed, allowed_origin = portal(live_server.url("/embed/tra-cuu"))
    other, _other_origin = portal(live_server.url("/embed/tra-cuu"))
    live_server.config["LLTP_EMBED_ORIGINS"] = (allowed_origin,)
    yield {"allowed": allowed_origin, "other": f"http://127.0.0.1:{other.server_port}"}
    for server in (allowed, other):
        server.shutdown()
        server.server_close()


@pytest.fixture
def case_code(live_server):
    with live_server.app_context():
        case = create_case(CaseStage.IN_REVIEW)
        db.session.commit()
        return case.code


def test_a_listed_portal_frames_the_widget_and_checks_a_case(page, live_server, portals, case_code):
    page.goto(portals["allowed"] + "/")
    widget = page.frame_locator("#lltp")
    widget.locator('input[name="case_code"]').fill(case_code)
    widget.locator('input[name="fact"]').fill("17/05/1990")
    widget.locator("button[type=submit]").click()
    answer = widget.locator(".status-answer")
    expect(answer).to_contain_text(f"Hồ sơ {case_code}")
    expect(answer).to_contain_text("Đang xử lý")
    # The widget fits the 320 px frame: nothing wider than it.
    frame = page.frame(url=lambda url: "/embed/tra-cuu" in url)
    assert frame.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_portal_not_on_the_list_is_blocked_by_csp(page, live_server, portals):
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
        page.goto(portals["other"] + "/")
    assert f"Framing '{live_server.url('/')}'" in refusal.value.text
    assert portals["allowed"] in refusal.value.text  # the list, which the other portal is not on
    expect(page.locator("h1")).to_have_text("Cổng dịch vụ công")
    frame = page.frame(url=lambda url: "/embed/tra-cuu" in url)
    assert frame is None or frame.locator('input[name="case_code"]').count() == 0
