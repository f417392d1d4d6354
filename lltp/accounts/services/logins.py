"""Logging in: the password step with its lockout, sessions, and the second factor (TOTP and recovery
codes)."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lltp.accounts.models import RecoveryCode, User
from lltp.accounts.services.passwords import PASSWORD_METHOD
from lltp.core import audit, clock
from lltp.core.audit import AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db

# Recovery codes are random (about 40 bits), so a lighter scrypt is enough, and checking all ten of them
# at login stays well under a second.
RECOVERY_CODE_METHOD = "scrypt:8192:8:1"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper
# Checked when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_PASSWORD_HASH = generate_password_hash("no-such-user", method=PASSWORD_METHOD)


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


def session_stamp(user):
    """A fingerprint of the user's credentials: a session whose stamp no longer matches is ended, so a
    password change or a reset of the second factor logs the account out everywhere else."""
    enrolled = user.totp_enrolled_at.isoformat() if user.totp_enrolled_at else ""
    return hashlib.sha256(f"{user.password_hash}|{enrolled}".encode()).hexdigest()[:20]


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
