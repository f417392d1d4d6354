"""The pieces every page shares: the pinned htmx file, security headers, the language switch."""

import base64
import hashlib
from pathlib import Path

HTMX = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx-2.0.11.min.js"
HTMX_SHA384 = "2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"


def test_vendored_htmx_is_the_pinned_release():
    digest = base64.b64encode(hashlib.sha384(HTMX.read_bytes()).digest()).decode()
    assert digest == HTMX_SHA384


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/dang-nhap")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_each_response_gets_a_fresh_script_nonce(client):
    first = client.get("/dang-nhap").headers["Content-Security-Policy"]
    second = client.get("/dang-nhap").headers["Content-Security-Policy"]
    assert first != second


def test_interface_is_vietnamese_by_default(client):
    body = client.get("/dang-nhap").get_data(as_text=True)
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_language_switch_serves_english(client):
    client.get("/ngon-ngu/en?next=/dang-nhap")
    body = client.get("/dang-nhap").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Log in" in body


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.get("/ngon-ngu/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_behind_a_proxy_the_audit_log_keeps_the_citizens_address(isolated_db):
    import sqlalchemy as sa

    from lltp.core.audit import AuditEvent
    from lltp.extensions import db

    app = isolated_db(LLTP_PROXY_COUNT=1)
    app.test_client().post(
        "/dang-nhap",
        data={"username": "khong-co", "password": "sai-mat-khau-1"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    with app.app_context():
        assert (
            db.session.scalar(sa.select(AuditEvent.ip).where(AuditEvent.action == "login.failed"))
            == "203.0.113.7"
        )


def test_a_body_over_the_request_limit_gets_a_vietnamese_413_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)

    response = client.post("/nop-ho-so/tai-lieu/tai-len", data={"file": "x" * 4096})

    assert response.status_code == 413
    assert "Nội dung gửi lên quá lớn" in response.get_data(as_text=True)
