"""The verifying agencies' performance: for each unit, its open and overdue tasks now, and how fast it
answered over a period chosen in the URL (the last 30 days by default)."""

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.forms import UNIT_KIND_LABELS
from lltp.accounts.models import UnitKind
from lltp.core import clock
from lltp.core.calendar import parse_day
from lltp.core.permissions import requires
from lltp.core.text import format_date
from lltp.navigation import PERFORMANCE_READERS
from lltp.verification import stats
from lltp.verification.views import bp

DEFAULT_PERIOD_DAYS = 30
BAD_DATE = _l("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")
KIND_CHOICES = {str(kind): UNIT_KIND_LABELS[kind] for kind in stats.VERIFYING_KINDS}


def _filters(args):
    """The period and unit kind the URL asks for, the text to show in the form, and each bad filter's
    Vietnamese error. A blank date takes its default: the last 30 days, today included."""
    today = clock.today()
    defaults = {"from": today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), "to": today}
    form = {name: (args.get(name) or "").strip() for name in ("from", "to", "kind")}
    days, errors = {}, {}
    for name, default in defaults.items():
        try:
            days[name] = parse_day(form[name]) or default
        except ValueError:
            errors[name] = BAD_DATE
            continue
        form[name] = format_date(days[name])
    if not errors and days["to"] < days["from"]:
        errors["to"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
    if form["kind"] and form["kind"] not in KIND_CHOICES:
        errors["kind"] = _("Vui lòng chọn một loại đơn vị trong danh sách.")
    return days, form, errors


def days_text(value):
    """A number of days as the table shows it: "2", "2,5", or a dash when nothing was answered."""
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0").replace(".", ",")


@bp.get("/xac-minh/hieu-qua")
@requires(*PERFORMANCE_READERS, unit_kinds=(UnitKind.ISSUING_AUTHORITY,))
def performance():
    """Per verifying unit: open and overdue tasks, answers in the period, median and p90 answer times."""
    days, form, errors = _filters(request.args)
    result = None
    if not errors:
        result = stats.agency_performance(days["from"], days["to"], unit_kind=form["kind"] or None)
    return render_template(
        "verification/performance.html",
        form=form,
        errors=errors,
        result=result,
        period=days,
        kind_choices=KIND_CHOICES,
        kind_labels=UNIT_KIND_LABELS,
        days_text=days_text,
    ), 422 if errors else 200
