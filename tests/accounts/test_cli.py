"""`flask users create`."""

import uuid

import sqlalchemy as sa

from lltp.accounts.models import Role, Unit, User
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


def test_flask_units_create_makes_the_first_unit_of_an_agency(app, db):
    args = ["units", "create", "--kind", "issuing_authority", "--agency", "Sở Tư pháp tỉnh Thử"]
    result = app.test_cli_runner().invoke(args=[*args, "--name", "Phòng Lý lịch tư pháp"])
    assert result.exit_code == 0, result.output
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Phòng Lý lịch tư pháp"))
    assert unit.agency.name == "Sở Tư pháp tỉnh Thử"


def test_flask_units_create_requires_a_commune_code(app, db):
    args = ["units", "create", "--kind", "commune_committee", "--agency", "UBND phường Thử", "--name", "UBND"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert "admin_unit_code" in result.output
