"""The case status for citizens: /tra-cuu, the widget /embed/tra-cuu for the portals' iframes, and
/tra-cuu.json; all three count in the same rate limits, per address and per case code."""

import re
from datetime import date
from functools import wraps

from flask import current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from lltp.core.errors import ValidationFailed
from lltp.core.htmx import render_page
from lltp.core.permissions import public
from lltp.core.text import language
from lltp.extensions import csrf, limiter
from lltp.status.lookup import Facts, find_status, status_json
from lltp.status.views import bp, no_store, parse_date
from lltp.status.views.check import BAD_DATE

_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
_ID_NUMBER = re.compile(r"[0-9A-Z]{6,20}")


def code_key():
    """The rate limits' second key: the case code asked about, from the form or the JSON body."""
    if request.is_json:
        body = request.get_json(silent=True)
        code = body.get("case_code") if isinstance(body, dict) else None
    else:
        code = request.form.get("case_code")
    return "case:" + (code if isinstance(code, str) else "").strip().upper()


# Every way of asking counts in the same two buckets: one per address, one per case code.
address_limit = limiter.shared_limit(
    lambda: current_app.config["LLTP_STATUS_RATE_LIMIT"], scope="status-address", methods=["POST"]
)
code_limit = limiter.shared_limit(
    lambda: current_app.config["LLTP_STATUS_CODE_RATE_LIMIT"],
    scope="status-code",
    key_func=code_key,
    methods=["POST"],
)


def limited(view):
    """A view that checks a case code and its facts: limited per address and per case code. Where the
    limits are switched off (a benchmark of the lookup), the limiter is not asked at all: even switched
    off, it resolves every limit of the view on each request."""
    checked = address_limit(code_limit(view))

    @wraps(view)
    def dispatch(*args, **kwargs):
        if current_app.config["RATELIMIT_ENABLED"]:
            return checked(*args, **kwargs)
        return view(*args, **kwargs)

    return dispatch


def read_fact(text):
    """The second fact typed in one field: a date of birth (dd/mm/yyyy) or an ID number, and its error."""
    text = (text or "").strip().upper()
    if not text:
        return {}, _("Vui lòng nhập ngày sinh hoặc số định danh cá nhân.")
    if _DATE.fullmatch(text):
        born_on = parse_date(text)
        return ({"date_of_birth": born_on}, None) if born_on else ({}, str(BAD_DATE))
    if _ID_NUMBER.fullmatch(text.replace(" ", "")):
        return {"id_number": text.replace(" ", "")}, None
    return {}, _("Nhập ngày sinh theo dạng dd/mm/yyyy, hoặc số định danh cá nhân (12 chữ số).")


def read_lookup(form):
    """The lookup form's Facts, or its errors by field."""
    errors = {}
    code = (form.get("case_code") or "").strip()
    if not code:
        errors["case_code"] = _("Vui lòng nhập mã hồ sơ.")
    fact, problem = read_fact(form.get("fact"))
    if problem:
        errors["fact"] = problem
    if errors:
        raise ValidationFailed(errors)
    return Facts(case_code=code, **fact)


def _lookup_context(form):
    """The template context of a lookup: the status, or "not found", or the errors; and its HTTP status."""
    try:
        facts = read_lookup(form)
    except ValidationFailed as failed:
        return {"errors": failed.errors, "values": {"case_code": form.get("case_code", "")}}, 422
    status = find_status(facts, lang=language())
    if status is None:
        return {"not_found": True}, 200
    return {"status": status}, 200


def _status_context(**context):
    return {
        "values": {},
        "errors": {},
        "status": None,
        "not_found": False,
        **context,
    }


@bp.get("/tra-cuu")
@public
def lookup_form():
    """The status form; the API and the receipt give the case code in `?ma=`."""
    context = _status_context(values={"case_code": request.args.get("ma", "")})
    return no_store(render_page("status/lookup.html", **context))


@bp.post("/tra-cuu")
@public
@limited
def lookup_submit():
    """Where the case stands, for its code and a second fact; the same "not found" for any wrong one."""
    context, code = _lookup_context(request.form)
    response = render_page("status/lookup.html", block="answer", **_status_context(**context))
    response.status_code = code
    return no_store(response)


def _embed_response(context, code=200):
    """The widget, framed only by the configured portals, and never setting a cookie."""
    g.csp_frame_ancestors = " ".join(["'self'", *current_app.config["LLTP_EMBED_ORIGINS"]])
    response = make_response(render_template("status/embed.html", **_status_context(**context)), code)
    return no_store(response)


@bp.get("/embed/tra-cuu")
@public
def embed_form():
    """The compact status form for a portal's iframe."""
    return _embed_response({"values": {"case_code": request.args.get("ma", "")}})


@bp.post("/embed/tra-cuu")
@public
@csrf.exempt
@limited
def embed_submit():
    """The widget's answer. No CSRF token: it changes nothing, and it must not need a session cookie."""
    context, code = _lookup_context(request.form)
    return _embed_response(context, code)


def _cors(response):
    """Let the configured portals read the answer from a browser, and no one else."""
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["LLTP_EMBED_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    # A fresh response has no Vary yet; `response.vary` would parse and write back the header set.
    response.headers.add("Vary", "Origin")
    return no_store(response)


def _problem(status, detail, **extra):
    body = {"type": "about:blank", "title": detail, "status": status, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return _cors(response)


def read_lookup_json(body):
    """The Facts of a JSON lookup, or its errors by field path."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": _("Nội dung gửi lên phải là một đối tượng JSON.")})
    errors = {}
    code = body.get("case_code")
    if not isinstance(code, str) or not code.strip():
        errors["case_code"] = _("Vui lòng nhập mã hồ sơ.")
    fact = {}
    born, id_number = body.get("date_of_birth"), body.get("id_number")
    if born is not None:
        born_on = None
        if isinstance(born, str):
            try:
                born_on = date.fromisoformat(born.strip())
            except ValueError:
                born_on = parse_date(born.strip())
        if born_on is None:
            errors["date_of_birth"] = _("Ngày sinh phải theo dạng YYYY-MM-DD (hoặc dd/mm/yyyy).")
        fact["date_of_birth"] = born_on
    if id_number is not None:
        if not isinstance(id_number, str) or not _ID_NUMBER.fullmatch(id_number.strip().upper()):
            errors["id_number"] = _("Số định danh cá nhân không hợp lệ.")
        else:
            fact["id_number"] = id_number.strip().upper()
    if born is None and id_number is None:
        errors["date_of_birth"] = _("Cần ngày sinh (date_of_birth) hoặc số định danh (id_number).")
    if errors:
        raise ValidationFailed(errors)
    return Facts(case_code=code.strip(), **fact)


@bp.route("/tra-cuu.json", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@public
@csrf.exempt
@limited
def lookup_json():
    """The status as JSON, for the portals; CORS only for the configured origins (preflight too)."""
    if request.method == "OPTIONS":
        return _cors(make_response("", 204))
    try:
        facts = read_lookup_json(request.get_json(silent=True))
    except ValidationFailed as failed:
        fields = [{"field": name, "message": str(text)} for name, text in sorted(failed.errors.items())]
        return _problem(422, _("Dữ liệu không hợp lệ."), errors=fields)
    status = find_status(facts, lang=language())
    if status is None:
        return _problem(404, _("Không tìm thấy hồ sơ khớp với thông tin đã nhập."))
    return _cors(jsonify(status_json(status)))


@bp.errorhandler(TooManyRequests)
def too_many_requests(error):
    """Past the limits: problem+json for the JSON lookup, the HTML error page everywhere else."""
    if request.endpoint == "status.lookup_json":
        return _problem(429, _("Gửi quá nhiều yêu cầu. Vui lòng thử lại sau."))
    message = _("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.")
    return render_template("errors/error.html", status=429, message=message), 429
