"""The second factor: forced enrolment, login with a code, no replay, one-time recovery codes."""

import re
from datetime import timedelta

import pyotp

from lltp.accounts import services
from lltp.accounts.models import Role
from lltp.core import clock
from lltp.core.audit import Actor
from tests.accounts.helpers import audit_rows, current_code, logged_in_user_id, post_code, post_login
from tests.factories import PASSWORD, create_user


def _enrol(client, user):
    """Log in with the password, land on enrolment, confirm with a code; returns the recovery codes page."""
    response = post_login(client, user.username)
    assert response.headers["Location"] == "/xac-thuc-hai-buoc"
    page = client.get("/xac-thuc-hai-buoc").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    return secret, client.post("/xac-thuc-hai-buoc", data={"code": pyotp.TOTP(secret).now()})


def test_an_approver_without_a_second_factor_is_sent_to_enrolment_not_logged_in(client, db):
    user = create_user(roles=(Role.APPROVER,), two_factor=False)
    response = post_login(client, user.username)
    assert response.status_code == 303
    assert response.headers["Location"] == "/xac-thuc-hai-buoc"
    assert logged_in_user_id(client) is None
    assert client.get("/tai-khoan").status_code == 303


def test_the_enrolment_page_shows_a_qr_code_and_the_secret(client, db):
    user = create_user(roles=(Role.ADMINISTRATOR,), two_factor=False)
    post_login(client, user.username)
    page = client.get("/xac-thuc-hai-buoc").get_data(as_text=True)
    assert "<svg" in page
    assert 'style="' not in page
    assert f'id="totp-secret">{user.totp_secret}<' in page
    assert 'name="code"' in page


def test_enrolment_with_a_valid_code_logs_in_and_shows_ten_recovery_codes_once(client, db):
    user = create_user(roles=(Role.APPROVER,), two_factor=False)
    _secret, response = _enrol(client, user)
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert user.has_two_factor
    assert all(
        row.code_hash.startswith("scrypt:") and row.code_hash not in codes for row in user.recovery_codes
    )
    assert logged_in_user_id(client) == str(user.id)
    assert len(audit_rows("totp.enrol", object_id=str(user.id))) == 1
    assert audit_rows("login.success", object_id=str(user.id))[0].details == {"method": "totp_enrolment"}


def test_enrolment_refuses_a_wrong_code_beside_the_field(client, db):
    user = create_user(roles=(Role.APPROVER,), two_factor=False)
    post_login(client, user.username)
    client.get("/xac-thuc-hai-buoc")
    response = client.post("/xac-thuc-hai-buoc", data={"code": "000000"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert 'id="code-error"' in page
    assert not user.has_two_factor


def test_after_enrolment_the_next_login_needs_the_code(client, db):
    user = create_user(roles=(Role.APPROVER,), two_factor=False)
    secret, _response = _enrol(client, user)
    client.post("/dang-xuat")
    response = post_login(client, user.username)
    assert response.headers["Location"] == "/dang-nhap/ma-xac-thuc"
    assert logged_in_user_id(client) is None
    # The enrolment used this time step's code, so the next login takes the next step's.
    next_code = pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30))
    assert post_code(client, next_code).status_code == 303
    assert logged_in_user_id(client) == str(user.id)


def test_login_with_an_enrolled_second_factor_needs_the_code(client, db):
    user = create_user(roles=(Role.APPROVER,))
    post_login(client, user.username)
    assert logged_in_user_id(client) is None
    response = post_code(client, "123456" if current_code(user) != "123456" else "654321")
    assert response.status_code == 401
    assert logged_in_user_id(client) is None
    assert audit_rows("login.second_factor_failed", object_id=str(user.id))[0].details["reason"] == "bad_code"
    assert post_code(client, current_code(user)).status_code == 303
    assert logged_in_user_id(client) == str(user.id)
    assert audit_rows("login.success", object_id=str(user.id))[0].details == {"method": "totp"}


def test_a_replayed_code_is_refused(client, db):
    user = create_user(roles=(Role.APPROVER,))
    code = current_code(user)
    post_login(client, user.username)
    assert post_code(client, code).status_code == 303
    client.post("/dang-xuat")
    post_login(client, user.username)
    response = post_code(client, code)
    assert response.status_code == 401
    assert "Mã xác thực không đúng hoặc đã được dùng" in response.get_data(as_text=True)
    assert logged_in_user_id(client) is None


def test_the_second_step_needs_the_password_step_first(client, db):
    response = client.get("/dang-nhap/ma-xac-thuc")
    assert response.status_code == 303
    assert response.headers["Location"] == "/dang-nhap"


def test_a_recovery_code_works_once(client, db):
    user = create_user(roles=(Role.APPROVER,), two_factor=False)
    _secret, response = _enrol(client, user)
    recovery = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))[0]
    client.post("/dang-xuat")

    post_login(client, user.username)
    assert post_code(client, recovery.upper()).status_code == 303
    assert logged_in_user_id(client) == str(user.id)
    assert audit_rows("totp.recovery_code_used", object_id=str(user.id))[0].details == {"left": 9}
    client.post("/dang-xuat")

    post_login(client, user.username)
    assert post_code(client, recovery).status_code == 401
    assert logged_in_user_id(client) is None


def test_wrong_codes_count_towards_the_lockout(app, client, db):
    user = create_user(roles=(Role.APPROVER,))
    post_login(client, user.username)
    for _ in range(app.config["LLTP_LOGIN_MAX_FAILURES"]):
        response = post_code(client, "abcd-efgh")
    assert "Tài khoản tạm khóa" in response.get_data(as_text=True)
    assert user.locked_until > clock.now()


def test_regenerating_recovery_codes_needs_the_password_and_replaces_the_old_ones(client, login_as, db):
    user = create_user(roles=(Role.APPROVER,))
    login_as(user)
    assert client.post("/tai-khoan/ma-khoi-phuc", data={"recovery_password": "sai"}).status_code == 422
    response = client.post("/tai-khoan/ma-khoi-phuc", data={"recovery_password": PASSWORD})
    assert response.status_code == 200
    assert len(re.findall(r"<code>[a-z0-9]{4}-[a-z0-9]{4}</code>", response.get_data(as_text=True))) == 10
    assert len(user.recovery_codes) == 10
    assert len(audit_rows("totp.recovery_codes_regenerated", object_id=str(user.id))) == 1


def test_the_account_page_shows_the_second_factor_status(client, login_as, db):
    user = create_user(roles=(Role.APPROVER,))
    login_as(user)
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Đã bật từ" in page
    assert 'name="current_password"' in page


def test_after_an_admin_resets_the_second_factor_the_next_login_enrols_again(client, db):
    user = create_user(roles=(Role.APPROVER,))
    services.reset_second_factor(user, actor=Actor.system("test"))
    db.session.flush()
    assert post_login(client, user.username).headers["Location"] == "/xac-thuc-hai-buoc"
