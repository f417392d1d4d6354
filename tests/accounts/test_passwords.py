"""Password rules, and changing one's own password."""

import pytest

from lltp.accounts import services
from tests.accounts.helpers import audit_rows
from tests.factories import PASSWORD, create_user


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ngan-1", "ít nhất 10 ký tự"),
        ("chi-co-chu-thoi", "cả chữ và số"),
        ("1234567890", "quá phổ biến"),
        ("nguyenvan-2026", "không được chứa tên đăng nhập"),
    ],
)
def test_password_rules_refuse_weak_passwords(app, db, password, problem):
    with app.test_request_context():
        assert any(
            problem in message for message in services.password_problems(password, username="nguyenvan")
        )


def test_password_rules_accept_a_good_password(app, db):
    with app.test_request_context():
        assert services.password_problems("Mat-khau-tot-2026", username="nguyenvan") == []


def test_change_password_refuses_a_wrong_current_password_a_weak_one_and_a_mismatch(client, login_as, db):
    user = create_user()
    login_as(user)
    response = client.post(
        "/tai-khoan/mat-khau",
        data={"current_password": "sai", "new_password": "ngan", "confirm_password": "khac"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("current_password", "new_password", "confirm_password"):
        assert f'id="{field}-error"' in page
    assert 'aria-invalid="true"' in page
    assert audit_rows("user.change_password", object_id=str(user.id)) == []


def test_change_password_keeps_the_session_and_is_audited(client, login_as, db):
    user = create_user()
    login_as(user)
    new = "Mat-khau-moi-2027"
    response = client.post(
        "/tai-khoan/mat-khau",
        data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 303
    assert client.get("/tai-khoan").status_code == 200
    assert len(audit_rows("user.change_password", object_id=str(user.id))) == 1
