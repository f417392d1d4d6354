"""Password rules and hashing: what a good password is, a temporary one, and changing one's own."""

import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.extensions import db

PASSWORD_METHOD = "scrypt"
TEMPORARY_PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
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
    return generate_password_hash(password, method=current_app.config["LLTP_PASSWORD_HASH_METHOD"])


def generate_temporary_password():
    """A random password that meets the rules, to be shown once and changed at the next login."""
    while True:
        password = "".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(12))
        if not password_problems(password):
            return password


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
