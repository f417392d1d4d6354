"""The administrator's pages: users, units and the audit log; who may open them."""

import uuid

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, Unit, UnitKind, User
from tests.accounts.helpers import audit_rows
from tests.factories import authority_unit, create_case, create_unit, create_user

ADMIN_PAGES = [
    ("GET", "/quan-tri/nguoi-dung"),
    ("GET", "/quan-tri/nguoi-dung/moi"),
    ("POST", "/quan-tri/nguoi-dung/moi"),
    ("GET", "/quan-tri/nguoi-dung/{user_id}"),
    ("POST", "/quan-tri/nguoi-dung/{user_id}"),
    ("POST", "/quan-tri/nguoi-dung/{user_id}/vo-hieu-hoa"),
    ("POST", "/quan-tri/nguoi-dung/{user_id}/kich-hoat"),
    ("POST", "/quan-tri/nguoi-dung/{user_id}/dat-lai-mat-khau"),
    ("POST", "/quan-tri/nguoi-dung/{user_id}/dang-ky-lai-xac-thuc"),
    ("GET", "/quan-tri/don-vi"),
    ("GET", "/quan-tri/don-vi/moi"),
    ("POST", "/quan-tri/don-vi/moi"),
    ("GET", "/quan-tri/don-vi/{unit_id}"),
    ("POST", "/quan-tri/don-vi/{unit_id}"),
    ("GET", "/quan-tri/nhat-ky"),
]


def _username():
    return f"nv{uuid.uuid4().hex[:8]}"


@pytest.fixture
def admin(client, login_as, db):
    user = create_user(roles=(Role.ADMINISTRATOR,))
    login_as(user)
    return user


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES, ids=[f"{m} {p}" for m, p in ADMIN_PAGES])
def test_a_non_administrator_gets_403_on_every_admin_page(client, login_as, db, method, path):
    target = create_user(roles=(Role.INTAKE_OFFICER,))
    login_as(create_user(roles=(Role.APPROVER, Role.PROCESSING_OFFICER)))
    url = path.format(user_id=target.id, unit_id=target.unit_id)
    assert client.open(url, method=method, data={}).status_code == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES, ids=[f"{m} {p}" for m, p in ADMIN_PAGES])
def test_an_anonymous_user_is_sent_to_login_from_every_admin_page(client, db, method, path):
    target = create_user(roles=(Role.INTAKE_OFFICER,))
    url = path.format(user_id=target.id, unit_id=target.unit_id)
    response = client.open(url, method=method, data={})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/dang-nhap")


def test_admin_lists_and_searches_users_without_diacritics(client, admin, db):
    create_user(full_name="Nguyễn Thị Hoà")
    create_user(full_name="Trần Văn Bình")
    page = client.get("/quan-tri/nguoi-dung?q=nguyen+thi+hoa").get_data(as_text=True)
    assert "Nguyễn Thị Hoà" in page
    assert "Trần Văn Bình" not in page


def test_admin_filters_users_by_unit_role_and_status(client, admin, db):
    commune = create_unit(UnitKind.COMMUNE_COMMITTEE)
    verifier = create_user(roles=(Role.VERIFIER,), unit=commune, full_name="Cán Bộ Xã")
    inactive = create_user(roles=(Role.VERIFIER,), unit=commune, full_name="Cán Bộ Nghỉ")
    inactive.is_active_account = False
    db.session.flush()
    page = client.get(f"/quan-tri/nguoi-dung?unit_id={commune.id}&role=verifier&active=1").get_data(
        as_text=True
    )
    assert verifier.full_name in page
    assert inactive.full_name not in page
    assert admin.username not in page


def test_admin_creates_a_user_with_a_temporary_password_shown_once(client, admin, db):
    username = _username()
    response = client.post(
        "/quan-tri/nguoi-dung/moi",
        data={
            "username": username,
            "full_name": "Lê Văn Mới",
            "email": "moi@example.vn",
            "unit": authority_unit().id,
            "roles": ["intake_officer", "returning_officer"],
        },
    )
    assert response.status_code == 200
    assert 'id="temporary-password"' in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assert user.roles == {Role.INTAKE_OFFICER, Role.RETURNING_OFFICER}
    assert user.must_change_password
    [row] = audit_rows("user.create", object_id=str(user.id))
    assert row.actor_id == admin.id


def test_roles_a_unit_kind_does_not_allow_are_refused_beside_the_field(client, admin, db):
    police = create_unit(UnitKind.PROVINCIAL_POLICE)
    username = _username()
    response = client.post(
        "/quan-tri/nguoi-dung/moi",
        data={
            "username": username,
            "full_name": "Công An Xác Minh",
            "unit": police.id,
            "roles": ["approver"],
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="roles-error"' in page
    assert "Đơn vị này không được giao vai trò: Lãnh đạo phê duyệt, ký." in page
    assert db.session.scalar(sa.select(User).where(User.username == username)) is None


def test_the_role_choices_follow_the_chosen_unit(client, admin, db):
    police = create_unit(UnitKind.PROVINCIAL_POLICE)
    fragment = client.get(
        f"/quan-tri/nguoi-dung/moi?unit={police.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'value="verifier"' in fragment
    assert 'value="approver"' not in fragment
    assert "<html" not in fragment


def test_admin_edits_a_user(client, admin, db):
    user = create_user(roles=(Role.INTAKE_OFFICER,))
    response = client.post(
        f"/quan-tri/nguoi-dung/{user.id}",
        data={
            "full_name": "Tên Đã Sửa",
            "phone": "0912 345 678",
            "unit": user.unit_id,
            "roles": ["processing_officer"],
        },
    )
    assert response.status_code == 303
    assert user.full_name == "Tên Đã Sửa"
    assert user.roles == {Role.PROCESSING_OFFICER}
    [row] = audit_rows("user.update", object_id=str(user.id))
    assert row.details["changes"]["roles"] == [["intake_officer"], ["processing_officer"]]


def test_admin_deactivates_and_reactivates_a_user_with_a_reason(client, admin, db):
    user = create_user()
    response = client.post(f"/quan-tri/nguoi-dung/{user.id}/vo-hieu-hoa", data={"reason": "Nghỉ hưu"})
    assert response.status_code == 303
    assert not user.is_active_account
    assert audit_rows("user.deactivate", object_id=str(user.id))[0].reason == "Nghỉ hưu"
    client.post(f"/quan-tri/nguoi-dung/{user.id}/kich-hoat")
    assert user.is_active_account
    assert len(audit_rows("user.reactivate", object_id=str(user.id))) == 1


def test_an_admin_cannot_deactivate_themselves(client, admin, db):
    response = client.post(f"/quan-tri/nguoi-dung/{admin.id}/vo-hieu-hoa")
    assert response.status_code == 403
    assert "Bạn không thể tự vô hiệu hóa" in response.get_data(as_text=True)
    assert admin.is_active_account


def test_admin_resets_a_password_which_unlocks_and_forces_a_change(client, admin, db):
    from lltp.core import clock

    user = create_user()
    user.locked_until = clock.now().replace(year=2100)
    db.session.flush()
    old_hash = user.password_hash
    response = client.post(
        f"/quan-tri/nguoi-dung/{user.id}/dat-lai-mat-khau", data={"reason": "Quên mật khẩu"}
    )
    assert response.status_code == 200
    assert 'id="temporary-password"' in response.get_data(as_text=True)
    assert user.password_hash != old_hash
    assert user.must_change_password
    assert user.locked_until is None
    assert audit_rows("user.reset_password", object_id=str(user.id))[0].reason == "Quên mật khẩu"


def test_admin_reenrols_a_users_second_factor(client, admin, db):
    user = create_user(roles=(Role.APPROVER,))
    response = client.post(f"/quan-tri/nguoi-dung/{user.id}/dang-ky-lai-xac-thuc")
    assert response.status_code == 303
    assert user.totp_secret is None
    assert not user.has_two_factor
    assert user.recovery_codes == []
    assert len(audit_rows("user.reset_totp", object_id=str(user.id))) == 1


def test_admin_creates_a_commune_unit_which_needs_its_code(client, admin, db):
    name = f"UBND phường Thử {uuid.uuid4().hex[:6]}"
    data = {"agency_name": "UBND phường Thử", "name": name, "kind": "commune_committee"}
    response = client.post("/quan-tri/don-vi/moi", data=data)
    assert response.status_code == 422
    assert 'id="admin_unit_code-error"' in response.get_data(as_text=True)
    code = f"{uuid.uuid4().int % 100000:05d}"
    assert client.post("/quan-tri/don-vi/moi", data={**data, "admin_unit_code": code}).status_code == 303
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    assert unit.admin_unit_code == code
    assert len(audit_rows("unit.create", object_id=str(unit.id))) == 1


def test_admin_edits_a_unit(client, admin, db):
    unit = create_unit(UnitKind.COURT)
    response = client.post(
        f"/quan-tri/don-vi/{unit.id}",
        data={"agency_name": unit.agency.name, "name": unit.name, "kind": "court", "email": "toa@example.vn"},
    )
    assert response.status_code == 303
    assert unit.email == "toa@example.vn"
    assert not unit.is_active
    assert audit_rows("unit.update", object_id=str(unit.id))[0].details["changes"]["is_active"] == [
        True,
        False,
    ]


def test_a_unit_kind_cannot_change_under_users_whose_roles_it_does_not_allow(client, admin, db):
    unit = create_unit(UnitKind.ISSUING_AUTHORITY)
    create_user(roles=(Role.INTAKE_OFFICER,), unit=unit)
    response = client.post(
        f"/quan-tri/don-vi/{unit.id}",
        data={"agency_name": unit.agency.name, "name": unit.name, "kind": "court", "is_active": "y"},
    )
    assert response.status_code == 422
    assert 'id="kind-error"' in response.get_data(as_text=True)


def test_the_units_page_lists_agencies_and_units(client, admin, db):
    unit = create_unit(UnitKind.PROCURACY)
    page = client.get("/quan-tri/don-vi").get_data(as_text=True)
    assert unit.name in page
    assert unit.agency.name in page


def test_audit_search_finds_by_user(client, admin, db):
    user = create_user()
    client.post(f"/quan-tri/nguoi-dung/{user.id}/dat-lai-mat-khau")
    page = client.get(f"/quan-tri/nhat-ky?user={admin.username}&action=user.").get_data(as_text=True)
    assert "user.reset_password" in page
    other = client.get(f"/quan-tri/nhat-ky?user={user.username}").get_data(as_text=True)
    assert "user.reset_password" in other  # done to their account


def test_audit_search_finds_by_case_code(client, admin, db):
    case = create_case()
    other = create_case()
    page = client.get(f"/quan-tri/nhat-ky?case_code={case.code}").get_data(as_text=True)
    assert case.code in page
    assert other.code not in page


def test_audit_search_refuses_a_bad_date_beside_the_field(client, admin, db):
    response = client.get("/quan-tri/nhat-ky?date_from=31/02/2026")
    assert response.status_code == 422
    assert 'id="date_from-error"' in response.get_data(as_text=True)


def test_audit_search_by_date_range_uses_local_days(client, admin, db):
    from lltp.core import clock

    today = clock.today().strftime("%d/%m/%Y")
    user = create_user()
    page = client.get(f"/quan-tri/nhat-ky?user={user.username}&date_from={today}&date_to={today}")
    assert "user.create" in page.get_data(as_text=True)
    page = client.get(f"/quan-tri/nhat-ky?user={user.username}&date_to=01/01/2020")
    assert "user.create" not in page.get_data(as_text=True)
