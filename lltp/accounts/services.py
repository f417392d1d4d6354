"""Changing accounts: units, users, passwords, logins and lockout."""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lltp.accounts.models import Agency, Role, Unit, UnitKind, User, UserRole
from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.extensions import db

PASSWORD_METHOD = "scrypt"
COMMON_PASSWORDS = frozenset(
    {"password", "matkhau", "123456789", "1234567890", "qwertyuiop", "abc123456", "admin12345", "12345678910"}
)


def password_problems(password, *, username=None):
    """The Vietnamese reasons a password is not good enough; empty when it is."""
    problems = []
    minimum = current_app.config["LLTP_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Mật khẩu phải có ít nhất %(n)d ký tự.", n=minimum))
    if not re.search(r"[A-Za-zÀ-ỹ]", password) or not re.search(r"\d", password):
        problems.append(_("Mật khẩu phải có cả chữ và số."))
    if password.lower() in COMMON_PASSWORDS:
        problems.append(_("Mật khẩu quá phổ biến, dễ bị đoán."))
    if username and username.lower() in password.lower():
        problems.append(_("Mật khẩu không được chứa tên đăng nhập."))
    return problems


def check_password_rules(password, *, username=None, field="password"):
    problems = password_problems(password, username=username)
    if problems:
        raise ValidationFailed({field: " ".join(problems)})


def hash_password(password):
    return generate_password_hash(password, method=PASSWORD_METHOD)


def get_or_create_agency(name, short_name=None):
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, short_name=short_name)
        db.session.add(agency)
        db.session.flush()
    return agency


def create_unit(*, agency, name, kind, actor, admin_unit_code=None, email=None, phone=None):
    """Add a unit to an agency. A commune committee must carry its administrative unit code."""
    kind = UnitKind(kind)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Vui lòng nhập tên đơn vị.")
    if kind is UnitKind.COMMUNE_COMMITTEE and not (admin_unit_code or "").strip():
        errors["admin_unit_code"] = _("UBND cấp xã phải có mã đơn vị hành chính.")
    if admin_unit_code and not re.fullmatch(r"\d{5}", admin_unit_code.strip()):
        errors["admin_unit_code"] = _("Mã đơn vị hành chính gồm 5 chữ số.")
    if errors:
        raise ValidationFailed(errors)
    unit = Unit(
        agency=agency,
        name=name.strip(),
        kind=kind,
        admin_unit_code=(admin_unit_code or "").strip() or None,
        email=email,
        phone=phone,
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", actor, object_type="unit", object_id=unit.id, details={"name": unit.name})
    return unit


def check_roles_for_unit(roles, unit):
    not_allowed = {Role(r) for r in roles} - unit.allowed_roles
    if not_allowed:
        names = ", ".join(sorted(str(r) for r in not_allowed))
        raise ValidationFailed({"roles": _("Đơn vị này không được giao vai trò: %(roles)s.", roles=names)})


def create_user(
    *, username, full_name, unit, roles, password, actor, email=None, phone=None, must_change_password=False
):
    """Create a user in a unit with roles that the unit's kind allows, and a password that meets the rules."""
    username = (username or "").strip().lower()
    errors = {}
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", username):
        errors["username"] = _("Tên đăng nhập gồm 3–64 chữ thường, số, dấu chấm, gạch dưới hoặc gạch ngang.")
    elif db.session.scalar(sa.select(User.id).where(User.username == username)):
        errors["username"] = _("Tên đăng nhập đã được dùng.")
    if not (full_name or "").strip():
        errors["full_name"] = _("Vui lòng nhập họ và tên.")
    if not roles:
        errors["roles"] = _("Chọn ít nhất một vai trò.")
    problems = password_problems(password, username=username)
    if problems:
        errors["password"] = " ".join(problems)
    if errors:
        raise ValidationFailed(errors)
    check_roles_for_unit(roles, unit)
    user = User(
        username=username,
        full_name=full_name.strip(),
        unit=unit,
        email=email,
        phone=phone,
        password_hash=hash_password(password),
        password_changed_at=clock.now(),
        must_change_password=must_change_password,
        role_rows=[UserRole(role=Role(r)) for r in roles],
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        actor,
        object_type="user",
        object_id=user.id,
        details={"username": username, "roles": sorted(str(r) for r in roles), "unit_id": unit.id},
    )
    return user


class LoginRefused(Exception):
    """A login attempt failed. `message` is safe to show: it never says whether the username exists."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def authenticate(username, password, *, actor):
    """Check a username and password, counting failures and locking the account after too many.

    Every attempt, good or bad, is written to the audit log. Returns the user on success.
    """
    config = current_app.config
    now = clock.now()
    username = (username or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.username == username))
    attempt = {"username": username}
    if user is None:
        audit.record("login.failed", actor, object_type="user", details={**attempt, "reason": "unknown_user"})
        raise LoginRefused(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    if user.locked_until and user.locked_until > now:
        audit.record("login.locked", actor, object_type="user", object_id=user.id, details=attempt)
        raise LoginRefused(locked_message(user))
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_login_count += 1
        reason = "bad_password"
        if user.failed_login_count >= config["LLTP_LOGIN_MAX_FAILURES"]:
            user.locked_until = now + config["LLTP_LOGIN_LOCKOUT"]
            user.failed_login_count = 0
            reason = "locked_now"
        audit.record(
            "login.failed",
            actor,
            object_type="user",
            object_id=user.id,
            details={**attempt, "reason": reason},
        )
        if reason == "locked_now":
            raise LoginRefused(locked_message(user))
        left = config["LLTP_LOGIN_MAX_FAILURES"] - user.failed_login_count
        raise LoginRefused(
            _(
                "Tên đăng nhập hoặc mật khẩu không đúng. Còn %(n)d lần thử trước khi tài khoản bị tạm khóa.",
                n=left,
            )
        )
    if not user.is_active:
        audit.record(
            "login.failed",
            actor,
            object_type="user",
            object_id=user.id,
            details={**attempt, "reason": "inactive"},
        )
        raise LoginRefused(_("Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên."))
    user.failed_login_count = 0
    user.locked_until = None
    audit.record("login.password_ok", actor, object_type="user", object_id=user.id, details=attempt)
    return user


def locked_message(user):
    until = clock.to_local(user.locked_until)
    minutes = max(1, int((user.locked_until - clock.now()) / timedelta(minutes=1)))
    return _(
        "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút "
        "(lúc %(time)s) hoặc liên hệ quản trị viên để mở khóa.",
        minutes=minutes,
        time=until.strftime("%H:%M"),
    )


def complete_login(user, *, actor, method):
    """Record a full login (password, and the second factor where one is needed)."""
    user.last_login_at = clock.now()
    audit.record("login.success", actor, object_type="user", object_id=user.id, details={"method": method})
