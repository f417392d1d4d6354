"""The leadership dashboard at /bao-cao: the figures of a period (and optionally a verifying unit) chosen
in the URL, each chart as an SVG image with its table under it, the CSV export of the case list, and the
periodic report as XLSX and PDF. For report readers and administrators of the issuing authority."""

import threading
import time
from collections import OrderedDict

from flask import Blueprint, abort, current_app, make_response, request
from flask_login import current_user

from lltp.accounts.models import UnitKind
from lltp.core.htmx import render_page
from lltp.core.permissions import current_actor, requires
from lltp.core.text import format_decimal, format_number, format_percent
from lltp.extensions import db
from lltp.navigation import REPORT_READERS
from lltp.reports import export, periodic
from lltp.reports.charts import charts, render_svg
from lltp.reports.figures import figures
from lltp.reports.forms import parse_filters, unit_choices

bp = Blueprint("reports", __name__)

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)


# The page and its chart images ask for the same figures within a second or two: each process keeps the
# last few for LLTP_REPORT_CACHE_SECONDS, so a dashboard and its ten charts are counted once per process.
_recent = OrderedDict()
_recent_lock = threading.Lock()
RECENT_KEPT = 16


def recent_figures(filters):
    """`figures()` for the filters, or the same figures counted less than LLTP_REPORT_CACHE_SECONDS ago."""
    max_age = current_app.config["LLTP_REPORT_CACHE_SECONDS"]
    key = (filters.period_from, filters.period_to, filters.unit.id if filters.unit else None)
    now = time.monotonic()
    with _recent_lock:
        hit = _recent.get(key)
    if max_age and hit is not None and now - hit[0] < max_age:
        return hit[1]
    fig = figures(filters.period_from, filters.period_to, unit=filters.unit)
    if max_age:
        with _recent_lock:
            _recent[key] = (now, fig)
            _recent.move_to_end(key)
            while len(_recent) > RECENT_KEPT:
                _recent.popitem(last=False)
    return fig


def _filters_or_400():
    """The filters of the query string; a bad one is a 400 (only the dashboard shows field errors)."""
    filters, _form, errors = parse_filters(request.args)
    if errors:
        abort(400)
    return filters


def _figures_or_400():
    filters = _filters_or_400()
    return filters, recent_figures(filters)


def _download(data, *, content_type, name):
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bao-cao")
@requires(*REPORT_READERS, unit_kinds=AUTHORITY)
def dashboard():
    """The figures of the period in the URL; an htmx request gets only the figures' block."""
    filters, form, errors = parse_filters(request.args)
    fig = recent_figures(filters) if filters else None
    return render_page(
        "reports/dashboard.html",
        block="report",
        form=form,
        errors=errors,
        filters=filters,
        fig=fig,
        charts=charts(fig) if fig else [],
        sentences=periodic.sentences(fig) if fig else [],
        unit_choices=unit_choices(),
        columns=export.allowed_columns(current_user),
        default_columns=export.DEFAULT_COLUMNS,
        format_number=format_number,
        format_decimal=format_decimal,
        format_percent=format_percent,
    ), 422 if errors else 200


@bp.get("/bao-cao/bieu-do/<chart>.svg")
@requires(*REPORT_READERS, unit_kinds=AUTHORITY)
def chart_svg(chart):
    """One chart of the dashboard as an SVG image, for the same query string."""
    _filters, fig = _figures_or_400()
    found = next((c for c in charts(fig) if c.name == chart), None)
    if found is None:
        abort(404)
    response = make_response(render_svg(found))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/bao-cao/ho-so.csv")
@requires(*REPORT_READERS, unit_kinds=AUTHORITY)
def cases_csv():
    """The case list of the period with the chosen columns (`cot`); personal ones only for the roles
    allowed, and the export audited."""
    filters = _filters_or_400()
    text, _columns = export.export_cases(filters, request.args.getlist("cot"), actor=current_actor())
    db.session.commit()
    name = periodic.file_name(filters, "csv", prefix="ho-so-lltp")
    return _download(text.encode("utf-8"), content_type="text/csv; charset=utf-8", name=name)


@bp.get("/bao-cao/dinh-ky.<any(xlsx, pdf):extension>")
@requires(*REPORT_READERS, unit_kinds=AUTHORITY)
def period_report(extension):
    """The periodic report of the period in the URL, as XLSX or PDF."""
    _filters, fig = _figures_or_400()
    if extension == "xlsx":
        data = periodic.render_xlsx(fig)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = periodic.render_report_pdf(fig)
        content_type = "application/pdf"
    return _download(data, content_type=content_type, name=periodic.file_name(fig, extension))
