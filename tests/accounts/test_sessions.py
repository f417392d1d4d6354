"""Sessions: the idle timeout, background polls, and what a session still owes (password, enrolment)."""

from datetime import timedelta

from lltp.accounts import services
from lltp.accounts.models import Role
from lltp.core import clock
from lltp.core.audit import Actor
from tests.accounts.helpers import audit_rows, logged_in_user_id, post_login
from tests.factories import PASSWORD, create_user

POLL = {"HX-Request": "true", "X-LLTP-Poll": "1"}


def _seen(client, minutes_ago):
    with client.session_transaction() as session:
        session["seen_at"] = (clock.now() - timedelta(minutes=minutes_ago)).timestamp()


def _seen_at(client):
    with client.session_transaction() as session:
        return session.get("seen_at")


def test_idle_session_is_logged_out_with_a_message(client, login_as, db):
    user = create_user()
    login_as(user)
    _seen(client, 31)
    response = client.get("/tai-khoan")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/dang-nhap?next=/tai-khoan")
    assert logged_in_user_id(client) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn do không hoạt động" in page
    assert len(audit_rows("session.expired", object_id=str(user.id))) == 1


def test_idle_htmx_request_gets_401_and_hx_redirect_to_login(client, login_as, db):
    login_as(create_user())
    _seen(client, 31)
    response = client.get("/tai-khoan", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dang-nhap")


def test_activity_within_the_timeout_keeps_the_session_and_refreshes_seen_at(client, login_as, db):
    login_as(create_user())
    _seen(client, 29)
    before = _seen_at(client)
    assert client.get("/tai-khoan").status_code == 200
    assert _seen_at(client) > before


def test_a_background_poll_does_not_refresh_seen_at(client, login_as, db):
    login_as(create_user())
    _seen(client, 10)
    before = _seen_at(client)
    assert client.get("/tai-khoan", headers=POLL).status_code == 200
    assert _seen_at(client) == before


def test_polls_alone_do_not_keep_a_session_alive(client, login_as, db):
    login_as(create_user())
    _seen(client, 31)
    response = client.get("/tai-khoan", headers=POLL)
    assert response.status_code == 401
    assert logged_in_user_id(client) is None


def test_an_anonymous_htmx_request_gets_hx_redirect_to_login(client, db):
    response = client.get("/tai-khoan", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dang-nhap")


def test_must_change_password_forces_the_password_page_after_login(client, db):
    user = create_user(roles=(Role.INTAKE_OFFICER,), must_change_password=True)
    response = post_login(client, user.username)
    assert response.headers["Location"] == "/tai-khoan"
    elsewhere = client.get("/quan-tri/nguoi-dung")
    assert elsewhere.status_code == 303
    assert elsewhere.headers["Location"] == "/tai-khoan"

    response = client.post(
        "/tai-khoan/mat-khau",
        data={
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2027",
            "confirm_password": "Mat-khau-moi-2027",
        },
    )
    assert response.status_code == 303
    assert not user.must_change_password
    assert client.get("/tai-khoan").status_code == 200
    assert len(audit_rows("user.change_password", object_id=str(user.id))) == 1


def test_a_password_reset_elsewhere_ends_the_session(client, db):
    user = create_user()
    post_login(client, user.username)
    services.reset_password(user, actor=Actor.system("test"))
    db.session.commit()
    response = client.get("/tai-khoan")
    assert response.status_code == 303
    assert logged_in_user_id(client) is None
    assert len(audit_rows("session.revoked", object_id=str(user.id))) == 1


def test_a_deactivated_user_loses_their_session(client, login_as, db):
    user = create_user()
    login_as(user)
    user.is_active_account = False
    db.session.flush()
    response = client.get("/tai-khoan")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/dang-nhap")
