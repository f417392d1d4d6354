"""Changing accounts: units, users, passwords, logins, lockout and the second factor."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lltp.accounts.forms import role_label
from lltp.accounts.models import (
    ROLES_BY_UNIT_KIND,
    Agency,
    ApiClient,
    ApiClientKind,
    RecoveryCode,
    Role,
    Unit,
    UnitKind,
    User,
    UserRole,
)
from lltp.core import audit, clock, crypto
from lltp.core.audit import AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db

PASSWORD_METHOD = "scrypt"
# Recovery codes are random (about 40 bits), so a lighter scrypt is enough, and checking all ten of them
# at login stays well under a second.
RECOVERY_CODE_METHOD = "scrypt:8192:8:1"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper
TEMPORARY_PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
COMMON_PASSWORDS = frozenset(
    {"password", "matkhau", "123456789", "1234567890", "qwertyuiop", "abc123456", "admin12345", "12345678910"}
)
# Checked when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_PASSWORD_HASH = generate_password_hash("no-such-user", method=PASSWORD_METHOD)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PATTERN = re.compile(r"\+?[0-9 .-]{6,20}")


# --- passwords -----------------------------------------------------------------------------------


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
    return generate_password_hash(password, method=current_app.config["LLTP_PASSWORD_HASH_METHOD"])


def generate_temporary_password():
    """A random password that meets the rules, to be shown once and changed at the next login."""
    while True:
        password = "".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(12))
        if not password_problems(password):
            return password


def session_stamp(user):
    """A fingerprint of the user's credentials: a session whose stamp no longer matches is ended, so a
    password change or a reset of the second factor logs the account out everywhere else."""
    enrolled = user.totp_enrolled_at.isoformat() if user.totp_enrolled_at else ""
    return hashlib.sha256(f"{user.password_hash}|{enrolled}".encode()).hexdigest()[:20]


def change_password(user, *, current_password, new_password, confirm_password, actor):
    """The user changes their own password: the current one, then a new one that meets the rules."""
    errors = {}
    if not check_password_hash(user.password_hash, current_password or ""):
        errors["current_password"] = _("Mật khẩu hiện tại không đúng.")
    problems = password_problems(new_password or "", username=user.username)
    if problems:
        errors["new_password"] = " ".join(problems)
    elif check_password_hash(user.password_hash, new_password):
        errors["new_password"] = _("Mật khẩu mới phải khác mật khẩu hiện tại.")
    if (new_password or "") != (confirm_password or ""):
        errors["confirm_password"] = _("Mật khẩu nhập lại không khớp.")
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = clock.now()
    user.must_change_password = False
    db.session.flush()
    audit.record("user.change_password", actor, object_type="user", object_id=user.id)


# --- units ---------------------------------------------------------------------------------------


def get_or_create_agency(name, short_name=None):
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, short_name=short_name)
        db.session.add(agency)
        db.session.flush()
    return agency


def _contact_errors(email, phone):
    errors = {}
    if email and not EMAIL_PATTERN.fullmatch(email):
        errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if phone and not PHONE_PATTERN.fullmatch(phone):
        errors["phone"] = _("Số điện thoại chỉ gồm chữ số (6–20 ký tự).")
    return errors


def _clean(text):
    return (text or "").strip() or None


def _unit_errors(unit, *, agency, agency_name, name, kind, admin_unit_code, email, phone):
    """Everything wrong with a unit's fields; `agency` is None when it is still to be created."""
    errors = _contact_errors(email, phone)
    if agency is None and not agency_name:
        errors["agency_name"] = _("Vui lòng nhập tên cơ quan.")
    if not name:
        errors["name"] = _("Vui lòng nhập tên đơn vị.")
    elif agency is not None:
        same_name = sa.select(Unit.id).where(Unit.agency_id == agency.id, Unit.name == name)
        if unit is not None:
            same_name = same_name.where(Unit.id != unit.id)
        if db.session.scalar(same_name):
            errors["name"] = _("Cơ quan này đã có đơn vị cùng tên.")
    if kind is UnitKind.COMMUNE_COMMITTEE and not admin_unit_code:
        errors["admin_unit_code"] = _("UBND cấp xã phải có mã đơn vị hành chính.")
    elif admin_unit_code and not re.fullmatch(r"\d{5}", admin_unit_code):
        errors["admin_unit_code"] = _("Mã đơn vị hành chính gồm 5 chữ số.")
    elif admin_unit_code:
        same_code = sa.select(Unit.id).where(Unit.admin_unit_code == admin_unit_code)
        if unit is not None:
            same_code = same_code.where(Unit.id != unit.id)
        if db.session.scalar(same_code):
            errors["admin_unit_code"] = _("Mã đơn vị hành chính này đã được dùng cho đơn vị khác.")
    return errors


def _existing_agency(agency_name):
    return agency_name and db.session.scalar(sa.select(Agency).where(Agency.name == agency_name))


def create_unit(
    *, kind, actor, name, agency=None, agency_name=None, admin_unit_code=None, email=None, phone=None
):
    """Add a unit to an agency (given, or found or created by name). A commune committee must carry its
    administrative unit code."""
    kind = UnitKind(kind)
    agency_name, name, admin_unit_code, email, phone = map(
        _clean, (agency_name, name, admin_unit_code, email, phone)
    )
    agency = agency or _existing_agency(agency_name)
    errors = _unit_errors(
        None,
        agency=agency,
        agency_name=agency_name,
        name=name,
        kind=kind,
        admin_unit_code=admin_unit_code,
        email=email,
        phone=phone,
    )
    if errors:
        raise ValidationFailed(errors)
    agency = agency or get_or_create_agency(agency_name)
    unit = Unit(
        agency=agency, name=name, kind=kind, admin_unit_code=admin_unit_code, email=email, phone=phone
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(
        "unit.create",
        actor,
        object_type="unit",
        object_id=unit.id,
        details={"name": unit.name, "agency": agency.name, "kind": str(kind)},
    )
    return unit


def update_unit(
    unit, *, agency_name, name, kind, actor, admin_unit_code=None, email=None, phone=None, is_active
):
    """Edit a unit. Its kind may change only if every member's roles stay allowed for the new kind."""
    kind = UnitKind(kind)
    agency_name, name, admin_unit_code, email, phone = map(
        _clean, (agency_name, name, admin_unit_code, email, phone)
    )
    agency = _existing_agency(agency_name)
    errors = _unit_errors(
        unit,
        agency=agency,
        agency_name=agency_name,
        name=name,
        kind=kind,
        admin_unit_code=admin_unit_code,
        email=email,
        phone=phone,
    )
    if any(member.roles - ROLES_BY_UNIT_KIND[kind] for member in unit.users):
        errors["kind"] = _("Đơn vị có người dùng mang vai trò không phù hợp với loại đơn vị mới.")
    if errors:
        raise ValidationFailed(errors)
    before = _unit_snapshot(unit)
    unit.agency = agency or get_or_create_agency(agency_name)
    unit.name, unit.kind, unit.admin_unit_code = name, kind, admin_unit_code
    unit.email, unit.phone, unit.is_active = email, phone, bool(is_active)
    db.session.flush()
    after = _unit_snapshot(unit)
    audit.record(
        "unit.update",
        actor,
        object_type="unit",
        object_id=unit.id,
        details={"changes": audit.changes(before, after)},
    )
    return unit


def _unit_snapshot(unit):
    return {
        "agency": unit.agency.name,
        "name": unit.name,
        "kind": str(unit.kind),
        "admin_unit_code": unit.admin_unit_code,
        "email": unit.email,
        "phone": unit.phone,
        "is_active": unit.is_active,
    }


# --- users ---------------------------------------------------------------------------------------


def check_roles_for_unit(roles, unit):
    not_allowed = {Role(r) for r in roles} - unit.allowed_roles
    if not_allowed:
        names = ", ".join(sorted(str(role_label(r)) for r in not_allowed))
        raise ValidationFailed({"roles": _("Đơn vị này không được giao vai trò: %(roles)s.", roles=names)})


def _user_errors(*, full_name, unit, roles, email, phone):
    errors = _contact_errors(email, phone)
    if not full_name:
        errors["full_name"] = _("Vui lòng nhập họ và tên.")
    if unit is None:
        errors["unit"] = _("Vui lòng chọn đơn vị.")
    elif not unit.is_active:
        errors["unit"] = _("Đơn vị này đã ngừng hoạt động.")
    if not roles:
        errors["roles"] = _("Chọn ít nhất một vai trò.")
    elif unit is not None:
        try:
            check_roles_for_unit(roles, unit)
        except ValidationFailed as failed:
            errors.update(failed.errors)
    return errors


def create_user(
    *, username, full_name, unit, roles, password, actor, email=None, phone=None, must_change_password=False
):
    """Create a user in a unit with roles that the unit's kind allows, and a password that meets the rules."""
    username = (username or "").strip().lower()
    full_name, email, phone = map(_clean, (full_name, email, phone))
    errors = _user_errors(full_name=full_name, unit=unit, roles=roles, email=email, phone=phone)
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", username):
        errors["username"] = _("Tên đăng nhập gồm 3–64 chữ thường, số, dấu chấm, gạch dưới hoặc gạch ngang.")
    elif db.session.scalar(sa.select(User.id).where(User.username == username)):
        errors["username"] = _("Tên đăng nhập đã được dùng.")
    problems = password_problems(password, username=username)
    if problems:
        errors["password"] = " ".join(problems)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        full_name=full_name,
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


def create_user_with_temporary_password(*, username, full_name, unit, roles, actor, email=None, phone=None):
    """An administrator creates a user: returns (user, temporary password), the password to be shown once
    and changed at the first login."""
    password = generate_temporary_password()
    user = create_user(
        username=username,
        full_name=full_name,
        unit=unit,
        roles=roles,
        password=password,
        actor=actor,
        email=email,
        phone=phone,
        must_change_password=True,
    )
    return user, password


def update_user(user, *, full_name, unit, roles, actor, email=None, phone=None):
    """Edit a user's name, contact, unit and roles (the roles must suit the unit's kind)."""
    full_name, email, phone = map(_clean, (full_name, email, phone))
    roles = {Role(r) for r in roles}
    errors = _user_errors(full_name=full_name, unit=unit, roles=roles, email=email, phone=phone)
    if errors:
        raise ValidationFailed(errors)
    if user.id == actor.user_id and Role.ADMINISTRATOR in user.roles - roles:
        raise ValidationFailed({"roles": _("Bạn không thể tự bỏ vai trò quản trị của chính mình.")})
    before = _user_snapshot(user)
    user.full_name, user.email, user.phone, user.unit = full_name, email, phone, unit
    for row in [row for row in user.role_rows if row.role not in roles]:
        user.role_rows.remove(row)
    user.role_rows.extend(UserRole(role=role) for role in sorted(roles - user.roles))
    db.session.flush()
    after = _user_snapshot(user)
    audit.record(
        "user.update",
        actor,
        object_type="user",
        object_id=user.id,
        details={"changes": audit.changes(before, after)},
    )
    return user


def _user_snapshot(user):
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "unit_id": user.unit.id,
        "roles": sorted(str(r) for r in user.roles),
    }


def set_user_active(user, active, *, actor, reason=None):
    """Deactivate or reactivate an account. Nobody can deactivate their own account."""
    if not active and user.id == actor.user_id:
        raise NotAllowed(_("Bạn không thể tự vô hiệu hóa tài khoản của chính mình."))
    if user.is_active_account == active:
        return
    user.is_active_account = active
    if active:
        user.failed_login_count = 0
        user.locked_until = None
    db.session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    audit.record(action, actor, object_type="user", object_id=user.id, reason=_clean(reason))


def reset_password(user, *, actor, reason=None):
    """Give the user a temporary password (returned, to be shown once), to be changed at the next login;
    this also lifts a lockout."""
    password = generate_temporary_password()
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    db.session.flush()
    audit.record("user.reset_password", actor, object_type="user", object_id=user.id, reason=_clean(reason))
    return password


def reset_second_factor(user, *, actor, reason=None):
    """Forget the user's authenticator and recovery codes: they enrol again at their next login."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    db.session.flush()
    audit.record("user.reset_totp", actor, object_type="user", object_id=user.id, reason=_clean(reason))


# --- logging in ----------------------------------------------------------------------------------


class LoginRefused(Exception):
    """A login attempt failed. `message` is safe to show: it never says whether the username exists."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LoginStep:
    """Where a login goes after the password: `done`, `totp` (ask for the code) or `enrol`."""

    user: User
    step: str


def _bad_credentials_message(left):
    return _(
        "Tên đăng nhập hoặc mật khẩu không đúng. Còn %(n)d lần thử trước khi tài khoản bị tạm khóa.", n=left
    )


def _count_failure(user, now):
    """One more failed attempt; returns True when it locks the account."""
    config = current_app.config
    user.failed_login_count += 1
    if user.failed_login_count >= config["LLTP_LOGIN_MAX_FAILURES"]:
        user.locked_until = now + config["LLTP_LOGIN_LOCKOUT"]
        user.failed_login_count = 0
        return True
    return False


def _refuse_unknown_user(username, actor, now):
    """Answer an unknown username exactly as a known one: the same countdown, then the same lockout."""
    config = current_app.config
    check_password_hash(_DUMMY_PASSWORD_HASH, "")
    since = now - config["LLTP_LOGIN_LOCKOUT"]
    earlier = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "login.failed",
            AuditEvent.object_type == "login_name",
            AuditEvent.object_id == username[:64],
            AuditEvent.at > since,
        )
    )
    audit.record(
        "login.failed",
        actor,
        object_type="login_name",
        object_id=username[:64],
        details={"username": username, "reason": "unknown_user"},
    )
    left = config["LLTP_LOGIN_MAX_FAILURES"] - (earlier + 1) % config["LLTP_LOGIN_MAX_FAILURES"]
    if left == config["LLTP_LOGIN_MAX_FAILURES"]:
        return LoginRefused(_locked_message_until(now + config["LLTP_LOGIN_LOCKOUT"]))
    return LoginRefused(_bad_credentials_message(left))


def authenticate(username, password, *, actor):
    """Check a username and password, counting failures and locking the account after too many.

    Every attempt, good or bad, is written to the audit log. Returns the user on success.
    """
    now = clock.now()
    username = (username or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    attempt = {"username": username}
    if user is None:
        raise _refuse_unknown_user(username, actor, now)
    if user.locked_until and user.locked_until > now:
        audit.record("login.locked", actor, object_type="user", object_id=user.id, details=attempt)
        raise LoginRefused(locked_message(user))
    if not check_password_hash(user.password_hash, password or ""):
        locked_now = _count_failure(user, now)
        reason = "locked_now" if locked_now else "bad_password"
        audit.record(
            "login.failed",
            actor,
            object_type="user",
            object_id=user.id,
            details={**attempt, "reason": reason},
        )
        if locked_now:
            raise LoginRefused(locked_message(user))
        raise LoginRefused(
            _bad_credentials_message(current_app.config["LLTP_LOGIN_MAX_FAILURES"] - user.failed_login_count)
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


def sign_in(username, password, *, actor):
    """The password step of a login: says whether a second factor (or its enrolment) comes next, and
    records the whole login when it does not."""
    user = authenticate(username, password, actor=actor)
    if user.has_two_factor:
        return LoginStep(user, "totp")
    if user.needs_two_factor:
        return LoginStep(user, "enrol")
    complete_login(user, actor=actor, method="password")
    return LoginStep(user, "done")


def locked_message(user):
    return _locked_message_until(user.locked_until)


def _locked_message_until(until):
    minutes = max(1, int((until - clock.now()) / timedelta(minutes=1)))
    return _(
        "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút "
        "(lúc %(time)s) hoặc liên hệ quản trị viên để mở khóa.",
        minutes=minutes,
        time=clock.to_local(until).strftime("%H:%M"),
    )


def complete_login(user, *, actor, method):
    """Record a full login (password, and the second factor where one is needed)."""
    user.last_login_at = clock.now()
    audit.record("login.success", actor, object_type="user", object_id=user.id, details={"method": method})


SESSION_END_ACTIONS = {"logout": "logout", "idle": "session.expired", "revoked": "session.revoked"}


def record_logout(user, *, actor, reason="logout"):
    """Record the end of a session: a `logout`, an `idle` timeout, or `revoked` because the password or the
    second factor changed since it began."""
    action = SESSION_END_ACTIONS[reason]
    audit.record(action, actor, object_type="user", object_id=user.id)


# --- the second factor ---------------------------------------------------------------------------


def _matching_totp_step(secret, code, now):
    """The time step (now, or one either side) whose code equals `code`, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _accept_totp(user, code, now):
    """Check a 6-digit code; a code whose time step was already used is refused (no replay)."""
    code = code.replace(" ", "")
    if not re.fullmatch(r"\d{6}", code):
        return False
    step = _matching_totp_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _use_recovery_code(user, code, now):
    code = code.lower().replace(" ", "")
    if not re.fullmatch(r"[a-z0-9]{4}-?[a-z0-9]{4}", code):
        return False
    code = code if "-" in code else f"{code[:4]}-{code[4:]}"
    for row in user.recovery_codes:
        if row.used_at is None and check_password_hash(row.code_hash, code):
            row.used_at = now
            return True
    return False


def complete_second_factor(user, code, *, actor):
    """The second step of a login: a code from the authenticator or an unused recovery code. Failures
    count towards the same lockout as wrong passwords. Records the whole login on success."""
    now = clock.now()
    code = (code or "").strip()
    if user.locked_until and user.locked_until > now:
        audit.record("login.locked", actor, object_type="user", object_id=user.id, details={"step": "totp"})
        raise LoginRefused(locked_message(user))
    if _accept_totp(user, code, now):
        method = "totp"
    elif _use_recovery_code(user, code, now):
        method = "recovery_code"
    else:
        locked_now = _count_failure(user, now)
        audit.record(
            "login.second_factor_failed",
            actor,
            object_type="user",
            object_id=user.id,
            details={"reason": "locked_now" if locked_now else "bad_code"},
        )
        if locked_now:
            raise LoginRefused(locked_message(user))
        left = current_app.config["LLTP_LOGIN_MAX_FAILURES"] - user.failed_login_count
        raise LoginRefused(_("Mã xác thực không đúng hoặc đã được dùng. Còn %(n)d lần thử.", n=left))
    user.failed_login_count = 0
    db.session.flush()
    if method == "recovery_code":
        audit.record(
            "totp.recovery_code_used",
            actor,
            object_type="user",
            object_id=user.id,
            details={"left": unused_recovery_codes(user)},
        )
    complete_login(user, actor=actor, method=method)
    return method


def start_totp_enrolment(user, *, actor):
    """Give the user a new authenticator secret to scan (kept until they confirm it with a code)."""
    if user.has_two_factor:
        raise NotAllowed(_("Tài khoản đã bật xác thực hai bước."))
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
        audit.record("totp.enrolment_started", actor, object_type="user", object_id=user.id)
    return user.totp_secret


def totp_uri(user):
    """The otpauth:// address that the QR code carries."""
    issuer = current_app.config["LLTP_AUTHORITY_NAME"]
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer)


def confirm_totp_enrolment(user, code, *, actor, completing_login=False):
    """Switch the second factor on once the user types a code from their authenticator; returns the new
    recovery codes (in clear, to be shown once). A login that waited on the enrolment completes here."""
    if user.has_two_factor or user.totp_secret is None:
        raise NotAllowed(_("Không có đăng ký xác thực hai bước nào đang chờ xác nhận."))
    now = clock.now()
    if not _accept_totp(user, (code or "").strip(), now):
        raise ValidationFailed(
            {"code": _("Mã xác thực không đúng. Hãy nhập mã 6 chữ số đang hiện trên ứng dụng.")}
        )
    user.totp_enrolled_at = now
    codes = _replace_recovery_codes(user)
    audit.record("totp.enrol", actor, object_type="user", object_id=user.id)
    if completing_login:
        complete_login(user, actor=actor, method="totp_enrolment")
    return codes


def _replace_recovery_codes(user):
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(4)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    user.recovery_codes.clear()
    user.recovery_codes.extend(
        RecoveryCode(code_hash=generate_password_hash(code, method=RECOVERY_CODE_METHOD)) for code in codes
    )
    db.session.flush()
    return codes


def regenerate_recovery_codes(user, *, password, actor):
    """New recovery codes for an enrolled user, who confirms with their password; the old ones stop
    working. Returns the codes in clear, to be shown once."""
    if not user.has_two_factor:
        raise InvalidTransition(_("Tài khoản chưa bật xác thực hai bước, nên chưa có mã khôi phục."))
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationFailed({"recovery_password": _("Mật khẩu không đúng.")})
    codes = _replace_recovery_codes(user)
    audit.record("totp.recovery_codes_regenerated", actor, object_type="user", object_id=user.id)
    return codes


def unused_recovery_codes(user):
    return sum(1 for row in user.recovery_codes if row.used_at is None)


# --- API clients ---------------------------------------------------------------------------------
# The outside systems of contracts/intake-api.md. A client's token and callback signing secret are shown
# once, when it is created: only the token's SHA-256 is kept, and the secret is kept encrypted, because the
# app signs its callbacks with it.

API_TOKEN_PREFIX = "lltp_"
CALLBACK_SECRET_PREFIX = "lltpcb_"
API_CLIENT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,119}")


@dataclass(frozen=True)
class NewApiClient:
    """A client just created, with its two secrets in clear, to be shown once."""

    client: ApiClient
    token: str
    callback_secret: str


def api_token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _api_client_errors(name, kind, callback_url):
    errors = {}
    if not API_CLIENT_NAME.fullmatch(name or ""):
        errors["name"] = _(
            "Tên hệ thống chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch nối, gạch dưới (2–120 ký tự)."
        )
    elif db.session.scalar(sa.select(ApiClient.id).where(ApiClient.name == name)) is not None:
        errors["name"] = _("Đã có hệ thống kết nối tên %(name)s.", name=name)
    if kind not in {k.value for k in ApiClientKind}:
        errors["kind"] = _("Loại hệ thống kết nối không hợp lệ.")
    if callback_url is not None:
        parts = urlsplit(callback_url)
        if parts.scheme not in ("https", "http") or not parts.netloc or len(callback_url) > 500:
            errors["callback_url"] = _("Địa chỉ nhận thông báo (callback) phải là một URL http(s) hợp lệ.")
    return errors


def create_api_client(name, *, kind, actor, callback_url=None):
    """Register an outside system; returns it with its API token and callback signing secret in clear."""
    name, callback_url = _clean(name), _clean(callback_url)
    errors = _api_client_errors(name, kind, callback_url)
    if errors:
        raise ValidationFailed(errors)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    callback_secret = CALLBACK_SECRET_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        kind=ApiClientKind(kind),
        token_hash=api_token_hash(token),
        callback_url=callback_url,
        callback_secret_encrypted=crypto.encrypt(callback_secret),
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        "api_client.create",
        actor,
        object_type="api_client",
        object_id=client.id,
        details={"name": name, "kind": str(client.kind), "callback_url": callback_url},
    )
    return NewApiClient(client=client, token=token, callback_secret=callback_secret)


def authenticate_api_client(token):
    """The active client whose token this is, or None."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(ApiClient).where(ApiClient.token_hash == api_token_hash(token), ApiClient.is_active)
    )


def callback_secret(client):
    """The client's callback signing secret, in clear, to sign a callback with."""
    return crypto.decrypt(client.callback_secret_encrypted)


def revoke_api_client(client, *, actor):
    """Stop a client's token from working, for good: a new client (and token) replaces it."""
    if not client.is_active:
        raise InvalidTransition(
            _("Hệ thống kết nối %(name)s đã bị thu hồi quyền truy cập.", name=client.name)
        )
    client.is_active, client.revoked_at = False, clock.now()
    db.session.flush()
    audit.record("api_client.revoke", actor, object_type="api_client", object_id=client.id)
    return client
