"""Registering the signing keys: by the service, the administrator's page and the command line, and the
demo's self-signed keys."""

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core.audit import AuditEvent
from lltp.core.crypto import decrypt
from lltp.core.errors import ValidationFailed
from lltp.extensions import db
from lltp.issuance import keys
from lltp.issuance.models import SigningKey, SigningKeyKind
from tests.factories import SYSTEM, create_user

PASSWORD = "mat-khau-tep-khoa"


@pytest.fixture
def key_file(tmp_path):
    return keys.make_self_signed(
        tmp_path / "hung.p12", common_name="Trần Quốc Hưng", organisation="Công an TP HCM", password=PASSWORD
    )


@pytest.fixture
def approver(db):
    return create_user(roles=(Role.APPROVER,), full_name="Trần Quốc Hưng")


def register(path, *, kind=SigningKeyKind.APPROVER, user=None, password=PASSWORD, label="Khóa của ông Hưng"):
    return keys.register_signing_key(
        kind=kind, path=str(path), password=password, user=user, label=label, actor=SYSTEM
    )


def test_a_registered_key_keeps_its_path_what_its_certificate_says_and_its_password_encrypted(
    key_file, approver
):
    signing_key = register(key_file, user=approver)
    assert (signing_key.path, signing_key.user_id, signing_key.is_active) == (
        str(key_file),
        approver.id,
        True,
    )
    assert signing_key.subject == "CN=Trần Quốc Hưng,O=Công an TP HCM,C=VN"
    assert signing_key.is_self_signed
    assert signing_key.not_after.year - signing_key.created_at.year in (9, 10)
    assert PASSWORD not in signing_key.password_encrypted
    assert decrypt(signing_key.password_encrypted) == PASSWORD


def test_registering_a_key_is_audited_without_its_password(key_file, approver):
    signing_key = register(key_file, user=approver)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "issuance.signing_key_registered")
    )
    assert event.object_id == str(signing_key.id)
    assert event.details["path"] == str(key_file)
    assert PASSWORD not in str(event.details)


def test_a_new_key_replaces_the_approvers_earlier_one(key_file, approver, tmp_path):
    earlier = register(key_file, user=approver)
    newer_file = keys.make_self_signed(
        tmp_path / "new.p12", common_name="Hưng", organisation="CA", password="x"
    )
    newer = register(newer_file, user=approver, password="x")
    assert (earlier.is_active, newer.is_active) == (False, True)
    assert keys.active_key(SigningKeyKind.APPROVER, user=approver) == newer


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"password": "sai-mat-khau"}, "password"),
        ({"path": "khoa/hung.p12"}, "path"),
        ({"path": "/khong/co/tep.p12"}, "password"),
        ({"label": " "}, "label"),
        ({"user": None}, "user"),
        ({"kind": "stamp"}, "kind"),
    ],
    ids=[
        "wrong-password",
        "relative-path",
        "missing-file",
        "no-label",
        "approver-key-without-user",
        "bad-kind",
    ],
)
def test_a_key_that_cannot_be_registered_is_refused_with_the_field_to_fix(key_file, approver, fields, field):
    values = {
        "kind": "approver",
        "path": str(key_file),
        "password": PASSWORD,
        "user": approver,
        "label": "Khóa",
    }
    with pytest.raises(ValidationFailed) as refused:
        keys.register_signing_key(**(values | fields), actor=SYSTEM)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 0


def test_only_an_approver_may_own_an_approver_key(db, key_file):
    officer = create_user(roles=(Role.PROCESSING_OFFICER,))
    with pytest.raises(ValidationFailed) as refused:
        register(key_file, user=officer)
    assert refused.value.errors == {"user": "Tài khoản này không có vai trò phê duyệt."}


def test_the_seal_belongs_to_no_account(key_file, approver):
    with pytest.raises(ValidationFailed) as refused:
        register(key_file, kind=SigningKeyKind.SEAL, user=approver)
    assert "user" in refused.value.errors


# The administrator's page.


def test_the_admin_page_lists_the_keys(as_admin, key_file, approver):
    register(key_file, user=approver)
    page = as_admin.get("/quan-tri/khoa-ky-so")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Khóa của ông Hưng" in html and "CN=Trần Quốc Hưng" in html and str(key_file) in html


def test_the_admin_page_registers_a_key_and_redirects(as_admin, key_file, approver):
    response = as_admin.post(
        "/quan-tri/khoa-ky-so",
        data={
            "kind": "approver",
            "user_id": str(approver.id),
            "label": "Khóa của ông Hưng",
            "path": str(key_file),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/quan-tri/khoa-ky-so")
    assert keys.active_key(SigningKeyKind.APPROVER, user=approver).path == str(key_file)


def test_the_admin_page_shows_a_wrong_password_beside_its_field(as_admin, key_file):
    response = as_admin.post(
        "/quan-tri/khoa-ky-so",
        data={"kind": "seal", "label": "Con dấu", "path": str(key_file), "password": "sai"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tệp không phải PKCS#12 hoặc mật khẩu không đúng." in html
    assert "sai" not in html.split('name="password"')[1].split(">")[0]


@pytest.mark.parametrize("role", [Role.APPROVER, Role.PROCESSING_OFFICER])
def test_only_the_administrator_sees_the_keys(login_as, role):
    client = login_as(create_user(roles=(role,)))
    assert client.get("/quan-tri/khoa-ky-so").status_code == 403


# The command line.


def test_the_register_key_command_registers_a_key_with_the_password_from_the_environment(
    app, key_file, approver, monkeypatch
):
    monkeypatch.setenv("LLTP_KEY_PASSWORD", PASSWORD)
    args = ["--kind", "approver", "--path", str(key_file), "--password-env", "LLTP_KEY_PASSWORD"]
    result = app.test_cli_runner().invoke(
        args=["certificates", "register-key", *args, "--user", approver.username, "--label", "Khóa"]
    )
    assert result.exit_code == 0, result.output
    assert "CN=Trần Quốc Hưng" in result.output
    assert keys.active_key(SigningKeyKind.APPROVER, user=approver).path == str(key_file)


def test_the_register_key_command_refuses_an_unset_password_variable(app, key_file, monkeypatch):
    monkeypatch.delenv("LLTP_KEY_PASSWORD", raising=False)
    args = ["--kind", "seal", "--path", str(key_file), "--password-env", "LLTP_KEY_PASSWORD", "--label", "D"]
    result = app.test_cli_runner().invoke(args=["certificates", "register-key", *args])
    assert result.exit_code == 1
    assert "LLTP_KEY_PASSWORD chưa được đặt" in result.output


def test_demo_keys_makes_and_registers_the_seal_and_a_key_for_each_approver(app, db, tmp_path):
    approvers = [create_user(roles=(Role.APPROVER,)) for _ in range(2)]
    result = app.test_cli_runner().invoke(args=["certificates", "demo-keys", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    seal = keys.active_key(SigningKeyKind.SEAL)
    assert seal.is_self_signed and (tmp_path / "keys" / "seal.p12").is_file()
    for approver in approvers:
        assert keys.active_key(SigningKeyKind.APPROVER, user=approver).is_self_signed
    again = app.test_cli_runner().invoke(args=["certificates", "demo-keys", str(tmp_path / "keys")])
    assert "đều đã có khóa" in again.output


def test_production_refuses_a_self_signed_key(app, key_file, approver, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_ENV", "production")
    with pytest.raises(ValidationFailed) as refused:
        register(key_file, user=approver)
    assert refused.value.errors == {
        "path": "Chứng thư số tự ký chỉ dùng để thử, không dùng khi vận hành thật."
    }
