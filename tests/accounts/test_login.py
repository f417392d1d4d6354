"""Logging in with a password: audit rows, the countdown, lockout, unknown users, safe redirects."""

import uuid
from datetime import timedelta

from lltp.accounts.models import Role
from lltp.core import clock
from lltp.extensions import limiter
from tests.accounts.helpers import audit_rows, logged_in_user_id, post_login
from tests.factories import create_user


def test_login_success_logs_in_and_writes_an_audit_row(client, db):
    user = create_user(roles=(Role.INTAKE_OFFICER,))
    response = post_login(client, user.username)
    assert response.status_code == 303
    assert logged_in_user_id(client) == str(user.id)
    [row] = audit_rows("login.success", object_id=str(user.id))
    assert row.details == {"method": "password"}
    assert row.ip == "127.0.0.1"


def test_bad_password_is_audited_and_counts_down(client, db):
    user = create_user()
    response = post_login(client, user.username, "Sai-mat-khau-1")
    assert response.status_code == 401
    assert "Còn 4 lần thử" in response.get_data(as_text=True)
    response = post_login(client, user.username, "Sai-mat-khau-2")
    assert "Còn 3 lần thử" in response.get_data(as_text=True)
    assert user.failed_login_count == 2
    assert [row.details["reason"] for row in audit_rows("login.failed", object_id=str(user.id))] == [
        "bad_password",
        "bad_password",
    ]
    assert logged_in_user_id(client) is None


def test_account_locks_after_max_failures_and_refuses_even_the_right_password(app, client, db):
    user = create_user()
    for attempt in range(app.config["LLTP_LOGIN_MAX_FAILURES"]):
        response = post_login(client, user.username, f"Sai-mat-khau-{attempt}")
    assert "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    assert user.locked_until > clock.now() + timedelta(minutes=14)

    response = post_login(client, user.username)
    assert response.status_code == 401
    assert "Tài khoản tạm khóa" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None
    assert len(audit_rows("login.locked", object_id=str(user.id))) == 1


def test_login_works_again_once_the_lockout_has_passed(client, db):
    user = create_user()
    user.locked_until = clock.now() - timedelta(seconds=1)
    db.session.flush()
    assert post_login(client, user.username).status_code == 303
    assert user.locked_until is None


def test_unknown_user_is_audited_and_gets_the_same_message_as_a_bad_password(client, db):
    known = create_user()
    bad_password = post_login(client, known.username, "Sai-mat-khau-1").get_data(as_text=True)
    nobody = f"khong.ton.tai.{uuid.uuid4().hex[:8]}"
    unknown = post_login(client, nobody, "Sai-mat-khau-1")
    assert unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng. Còn 4 lần thử trước khi tài khoản bị tạm khóa."
    assert message in bad_password
    assert message in unknown.get_data(as_text=True)
    [row] = audit_rows("login.failed", object_type="login_name", object_id=nobody)
    assert row.details["reason"] == "unknown_user"


def test_unknown_user_is_told_it_is_locked_after_as_many_attempts_as_a_real_one(app, client, db):
    nobody = f"khong.ton.tai.{uuid.uuid4().hex[:8]}"
    for attempt in range(app.config["LLTP_LOGIN_MAX_FAILURES"]):
        response = post_login(client, nobody, f"Sai-mat-khau-{attempt}")
    assert "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, db):
    user = create_user()
    user.is_active_account = False
    db.session.flush()
    response = post_login(client, user.username)
    assert response.status_code == 401
    assert "Tài khoản đã bị vô hiệu hóa" in response.get_data(as_text=True)
    assert audit_rows("login.failed", object_id=str(user.id))[0].details["reason"] == "inactive"


def test_login_redirects_to_a_safe_next_path(client, db):
    user = create_user()
    response = post_login(client, user.username, next="/tai-khoan")
    assert response.headers["Location"] == "/tai-khoan"


def test_login_ignores_a_next_address_on_another_site(client, db):
    user = create_user(roles=(Role.REPORT_READER,))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.post("/dang-xuat")
        response = post_login(client, user.username, next=target)
        assert response.status_code == 303
        assert "evil" not in response.headers["Location"]


def test_logout_ends_the_session_and_is_audited(client, db):
    user = create_user()
    post_login(client, user.username)
    response = client.post("/dang-xuat")
    assert response.status_code == 303
    assert logged_in_user_id(client) is None
    assert len(audit_rows("logout", object_id=str(user.id))) == 1


def test_language_switch_keeps_to_this_site(client, db):
    response = client.get("/ngon-ngu/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    assert client.get("/ngon-ngu/vi?next=/dang-nhap").headers["Location"] == "/dang-nhap"


def test_login_is_rate_limited_per_address(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True, LLTP_LOGIN_RATE_LIMIT="3 per minute")
        client = app.test_client()
        statuses = [
            client.post("/dang-nhap", data={"username": "ai-do", "password": "x"}).status_code
            for _ in range(4)
        ]
    finally:
        # The limiter is one object for every app in the process: leave it as the other tests expect.
        limiter.enabled = was_enabled
    assert statuses == [401, 401, 401, 429]
