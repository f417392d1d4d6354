"""The administrator's pages: users, units and the audit log."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from lltp.accounts import queries, services
from lltp.accounts.forms import (
    ROLE_LABELS,
    UNIT_KIND_LABELS,
    AuditFilterForm,
    ReasonForm,
    UnitForm,
    UserFilterForm,
    UserForm,
    parse_page,
)
from lltp.accounts.models import Role, Unit, UnitKind, User
from lltp.accounts.views import bp
from lltp.core import clock
from lltp.core.errors import ValidationFailed
from lltp.core.htmx import is_htmx, render_page
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db

admin_only = requires(Role.ADMINISTRATOR, unit_kinds=(UnitKind.ISSUING_AUTHORITY,))


# --- users -----------------------------------------------------------------------


def _get_or_404(model, id_):
    return db.session.get(model, id_) or abort(404)


def _user_fields(form):
    """What the user form gives the create and update services alike."""
    return {
        "full_name": form.full_name.data,
        "email": form.email.data,
        "phone": form.phone.data,
        "unit": _chosen_unit(form),
        "roles": form.selected_roles,
    }


def _chosen_unit(form):
    return db.session.get(Unit, form.unit.data) if form.unit.data else None


def _render_user_form(form, *, user=None, errors=None, status=200):
    unit = _chosen_unit(form)
    allowed = unit.allowed_roles if unit is not None else frozenset(Role)
    response = render_page(
        "accounts/admin_user_form.html",
        block="roles_field",
        form=form,
        user=user,
        errors=errors or {},
        roles=[(role, label) for role, label in ROLE_LABELS.items() if role in allowed],
        now=clock.now(),
        reason_form=ReasonForm(),
    )
    response.status_code = status
    return response


@bp.get("/quan-tri/nguoi-dung")
@admin_only
def admin_users():
    """List users, filtered by unit, role and status, and searched by name."""
    form = UserFilterForm(request.args, units=queries.all_units())
    users = queries.search_users(**form.filters, page=parse_page(request.args.get("page")))
    return render_page(
        "accounts/admin_users.html",
        block="results",
        form=form,
        users=users,
        role_labels=ROLE_LABELS,
        now=clock.now(),
    )


@bp.route("/quan-tri/nguoi-dung/moi", methods=["GET", "POST"])
@admin_only
def admin_user_new():
    """Create a user; the temporary password is shown once."""
    formdata = request.form if request.method == "POST" else (request.args if is_htmx() else None)
    form = UserForm(formdata, units=queries.all_units(active_only=True))
    if request.method == "GET":
        return _render_user_form(form)
    try:
        user, password = services.create_user_with_temporary_password(
            username=form.username.data, **_user_fields(form), actor=current_actor()
        )
    except ValidationFailed as failed:
        return _render_user_form(form, errors=failed.errors, status=422)
    db.session.commit()
    return render_template("accounts/admin_password_issued.html", user=user, password=password, created=True)


@bp.route("/quan-tri/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
@admin_only
def admin_user_edit(user_id):
    """Edit a user's name, contact, unit and roles; the account actions sit on the same page."""
    user = _get_or_404(User, user_id)
    formdata = request.form if request.method == "POST" else (request.args if is_htmx() else None)
    form = UserForm(
        formdata,
        units=queries.all_units(),
        data={
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "unit": user.unit_id,
            "roles": [role.value for role in user.roles],
        },
    )
    if request.method == "GET":
        return _render_user_form(form, user=user)
    try:
        services.update_user(user, **_user_fields(form), actor=current_actor())
    except ValidationFailed as failed:
        return _render_user_form(form, user=user, errors=failed.errors, status=422)
    db.session.commit()
    flash(_("Đã lưu thông tin người dùng."), "success")
    return redirect(url_for("accounts.admin_user_edit", user_id=user.id), 303)


@bp.post("/quan-tri/nguoi-dung/<int:user_id>/vo-hieu-hoa", defaults={"active": False})
@bp.post("/quan-tri/nguoi-dung/<int:user_id>/kich-hoat", defaults={"active": True})
@admin_only
def admin_user_set_active(user_id, active):
    """Deactivate an account (never one's own), or reactivate it."""
    user = _get_or_404(User, user_id)
    services.set_user_active(user, active, actor=current_actor(), reason=ReasonForm(request.form).reason.data)
    db.session.commit()
    if active:
        flash(_("Đã kích hoạt lại tài khoản %(username)s.", username=user.username), "success")
    else:
        flash(_("Đã vô hiệu hóa tài khoản %(username)s.", username=user.username), "success")
    return redirect(url_for("accounts.admin_user_edit", user_id=user.id), 303)


@bp.post("/quan-tri/nguoi-dung/<int:user_id>/dat-lai-mat-khau")
@admin_only
def admin_user_reset_password(user_id):
    """Give a user a temporary password, shown once; it also lifts a lockout."""
    user = _get_or_404(User, user_id)
    password = services.reset_password(
        user, actor=current_actor(), reason=ReasonForm(request.form).reason.data
    )
    db.session.commit()
    return render_template("accounts/admin_password_issued.html", user=user, password=password, created=False)


@bp.post("/quan-tri/nguoi-dung/<int:user_id>/dang-ky-lai-xac-thuc")
@admin_only
def admin_user_reset_totp(user_id):
    """Forget a user's authenticator and recovery codes, so they enrol again at their next login."""
    user = _get_or_404(User, user_id)
    services.reset_second_factor(user, actor=current_actor(), reason=ReasonForm(request.form).reason.data)
    db.session.commit()
    flash(
        _(
            "Đã hủy xác thực hai bước của %(username)s; lần đăng nhập tới sẽ đăng ký lại.",
            username=user.username,
        ),
        "success",
    )
    return redirect(url_for("accounts.admin_user_edit", user_id=user.id), 303)


# --- administration: units -----------------------------------------------------------------------


def _render_unit_form(form, *, unit=None, errors=None, status=200):
    page = render_template(
        "accounts/admin_unit_form.html",
        form=form,
        unit=unit,
        errors=errors or {},
        commune_kind=UnitKind.COMMUNE_COMMITTEE.value,
    )
    return page, status


@bp.get("/quan-tri/don-vi")
@admin_only
def admin_units():
    """List agencies and their units."""
    return render_template(
        "accounts/admin_units.html", agencies=queries.agencies_with_units(), kind_labels=UNIT_KIND_LABELS
    )


@bp.route("/quan-tri/don-vi/moi", methods=["GET", "POST"])
@admin_only
def admin_unit_new():
    """Create a unit, in an existing agency or a new one."""
    form = UnitForm(request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _render_unit_form(form)
    try:
        unit = services.create_unit(
            agency_name=form.agency_name.data,
            name=form.name.data,
            kind=form.unit_kind,
            admin_unit_code=form.admin_unit_code.data,
            email=form.email.data,
            phone=form.phone.data,
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _render_unit_form(form, errors=failed.errors, status=422)
    db.session.commit()
    flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
    return redirect(url_for("accounts.admin_units"), 303)


@bp.route("/quan-tri/don-vi/<int:unit_id>", methods=["GET", "POST"])
@admin_only
def admin_unit_edit(unit_id):
    """Edit a unit: its agency, name, kind, codes, contact and whether it is active."""
    unit = _get_or_404(Unit, unit_id)
    form = UnitForm(
        request.form if request.method == "POST" else None,
        data={
            "agency_name": unit.agency.name,
            "name": unit.name,
            "kind": unit.kind.value,
            "admin_unit_code": unit.admin_unit_code,
            "email": unit.email,
            "phone": unit.phone,
            "is_active": unit.is_active,
        },
    )
    if request.method == "GET":
        return _render_unit_form(form, unit=unit)
    try:
        services.update_unit(
            unit,
            agency_name=form.agency_name.data,
            name=form.name.data,
            kind=form.unit_kind,
            admin_unit_code=form.admin_unit_code.data,
            email=form.email.data,
            phone=form.phone.data,
            is_active=form.is_active.data,
            actor=current_actor(),
        )
    except ValidationFailed as failed:
        return _render_unit_form(form, unit=unit, errors=failed.errors, status=422)
    db.session.commit()
    flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
    return redirect(url_for("accounts.admin_units"), 303)


# --- administration: the audit log ---------------------------------------------------------------


@bp.get("/quan-tri/nhat-ky")
@admin_only
def admin_audit():
    """Search the audit log: who did what, to which record, when, from where, and why."""
    form = AuditFilterForm(request.args)
    errors, events, case_codes = {}, None, {}
    try:
        filters = form.filters
    except ValidationFailed as failed:
        errors = failed.errors
    else:
        events, case_codes = queries.search_audit(**filters, page=parse_page(request.args.get("page")))
    response = render_page(
        "accounts/admin_audit.html",
        block="results",
        form=form,
        errors=errors,
        events=events,
        case_codes=case_codes,
    )
    if errors:
        response.status_code = 422
    return response
