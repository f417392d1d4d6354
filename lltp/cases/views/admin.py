"""The administrator's deadline settings: the working-day calendar overrides and the legal profiles."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Role, UnitKind
from lltp.cases import services
from lltp.cases.models import Channel, LegalProfile
from lltp.cases.views import bp
from lltp.core import calendar, clock
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_date
from lltp.extensions import db

ADMINISTRATOR = {"unit_kinds": (UnitKind.ISSUING_AUTHORITY,)}
# The calendar page shows where this many working days from today land, so a change is seen at once.
TRY_DAYS = 5
WEEKDAYS = (
    _l("Thứ Hai"),
    _l("Thứ Ba"),
    _l("Thứ Tư"),
    _l("Thứ Năm"),
    _l("Thứ Sáu"),
    _l("Thứ Bảy"),
    _l("Chủ nhật"),
)
CHANNEL_NAMES = {
    Channel.COUNTER: _l("Trực tiếp"),
    Channel.POST: _l("Bưu chính"),
    Channel.AGENCY: _l("Cơ quan, tổ chức"),
    Channel.ONLINE: _l("Trực tuyến (biểu mẫu của cơ quan)"),
    Channel.VNEID: _l("VNeID"),
    Channel.NATIONAL_PORTAL: _l("Cổng Dịch vụ công quốc gia"),
    Channel.PROVINCIAL_PORTAL: _l("Hệ thống giải quyết TTHC của tỉnh"),
}


def _year():
    """The year the calendar page shows: ?nam=YYYY, this year by default."""
    year = request.args.get("nam", type=int) or clock.today().year
    return year if 2010 <= year <= 2100 else clock.today().year


def _render_calendar(year, *, form=None, errors=None, status=200):
    working = calendar.working_calendar()
    start = clock.today()
    return render_template(
        "cases/admin_calendar.html",
        year=year,
        package_days=calendar.package_days(year),
        overrides=calendar.calendar_overrides(year),
        kinds=calendar.CalendarDayKind,
        form=form or {},
        errors=errors or {},
        trial={"start": start, "days": TRY_DAYS, "due": working.add_working_days(start, TRY_DAYS)},
        weekday_names=WEEKDAYS,
    ), status


@bp.get("/quan-tri/lich-lam-viec")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_calendar():
    """The year's public holidays and swapped days, with the administrator's overrides."""
    return _render_calendar(_year())


@bp.post("/quan-tri/lich-lam-viec")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_calendar_add():
    """Add a holiday or a swapped working day to the calendar."""
    form = request.form
    try:
        override = calendar.add_calendar_override(
            form.get("day"), form.get("kind"), form.get("name"), actor=current_actor()
        )
    except ValidationFailed as failed:
        return _render_calendar(_year(), form=form, errors=failed.errors, status=422)
    db.session.commit()
    flash(
        _(
            "Đã thêm ngày %(day)s. Hạn giải quyết tính từ bây giờ theo lịch mới.",
            day=format_date(override.day),
        ),
        "success",
    )
    return redirect(url_for("cases.admin_calendar", nam=override.day.year), 303)


@bp.post("/quan-tri/lich-lam-viec/<int:override_id>/xoa")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_calendar_remove(override_id):
    """Remove one of the administrator's calendar overrides."""
    year = request.form.get("nam", type=int)
    calendar.remove_calendar_override(override_id, actor=current_actor())
    db.session.commit()
    flash(_("Đã xóa ngày điều chỉnh. Hạn giải quyết tính từ bây giờ theo lịch mới."), "success")
    return redirect(url_for("cases.admin_calendar", nam=year), 303)


@bp.get("/quan-tri/thoi-han")
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_profiles():
    """The legal profiles of deadlines, oldest first."""
    profiles = db.session.scalars(
        sa.select(LegalProfile).order_by(LegalProfile.valid_from, LegalProfile.code)
    )
    return render_template("cases/admin_profiles.html", profiles=profiles.all(), channel_names=CHANNEL_NAMES)


def _profile_form(profile):
    """The form's values for an existing profile: dates as dd/mm/yyyy, blanks for nulls."""
    if profile is None:
        return {"channels": []}
    values = {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
    for name in ("valid_from", "valid_to"):
        values[name] = format_date(values[name])
    values["channels"] = values["channels"] or []
    return {name: "" if value is None else value for name, value in values.items()}


def _render_profile_form(profile, form, errors=None, status=200):
    return render_template(
        "cases/admin_profile_form.html",
        profile=profile,
        form=form,
        errors=errors or {},
        channel_names=CHANNEL_NAMES,
    ), status


def _save_profile(profile):
    form = {name: request.form.get(name) for name in services.PROFILE_FIELDS}
    form["channels"] = request.form.getlist("channels")
    try:
        saved = services.save_legal_profile(profile, form, actor=current_actor())
    except ValidationFailed as failed:
        return _render_profile_form(profile, form, failed.errors, 422)
    db.session.commit()
    flash(_("Đã lưu hồ sơ thời hạn «%(name)s».", name=saved.name), "success")
    return redirect(url_for("cases.admin_profiles"), 303)


@bp.route("/quan-tri/thoi-han/moi", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_profile_new():
    """Add a legal profile of deadlines."""
    if request.method == "POST":
        return _save_profile(None)
    return _render_profile_form(None, _profile_form(None))


@bp.route("/quan-tri/thoi-han/<int:profile_id>", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR, **ADMINISTRATOR)
def admin_profile_edit(profile_id):
    """Change a legal profile of deadlines."""
    profile = db.session.get(LegalProfile, profile_id) or abort(404)
    if request.method == "POST":
        return _save_profile(profile)
    return _render_profile_form(profile, _profile_form(profile))
