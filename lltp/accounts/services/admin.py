"""Administering accounts: agencies and their units, users, their roles, and resets by an administrator."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.accounts.forms import role_label
from lltp.accounts.models import ROLES_BY_UNIT_KIND, Agency, Role, Unit, UnitKind, User, UserRole
from lltp.accounts.services.passwords import generate_temporary_password, hash_password, password_problems
from lltp.core import audit, clock
from lltp.core.errors import NotAllowed, ValidationFailed
from lltp.extensions import db

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PATTERN = re.compile(r"\+?[0-9 .-]{6,20}")


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
