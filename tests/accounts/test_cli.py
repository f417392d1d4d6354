"""`flask users create`."""

import uuid

import sqlalchemy as sa

from lltp.accounts.models import Role, User
from tests.factories import authority_unit


def test_flask_users_create_makes_a_user(app, db):
    unit = authority_unit()
    username = f"cli{uuid.uuid4().hex[:8]}"
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            username,
            "--full-name",
            "Quản Trị Viên",
            "--unit",
            str(unit.id),
            "--role",
            "administrator",
            "--password",
            "Mat-khau-quan-tri-1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Đã tạo người dùng {username}" in result.output
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assert user.roles == {Role.ADMINISTRATOR}


def test_flask_users_create_rejects_a_weak_password(app, db):
    username = f"cli{uuid.uuid4().hex[:8]}"
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            username,
            "--full-name",
            "Yếu",
            "--unit",
            str(authority_unit().id),
            "--role",
            "intake_officer",
            "--password",
            "123",
        ],
    )
    assert result.exit_code != 0
    assert "password" in result.output
    assert "ít nhất" in result.output
    assert db.session.scalar(sa.select(User).where(User.username == username)) is None
