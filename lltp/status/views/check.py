"""The public certificate check at /kiem-tra (domain §10)."""

from flask import current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l

from lltp.core.permissions import public
from lltp.extensions import limiter
from lltp.intake.forms import SEX_CHOICES
from lltp.issuance.decisions import STATUS_LABELS
from lltp.status.queries import check_certificate
from lltp.status.views import bp, no_store, parse_date

# The check's inputs, by their posted names, with what a missing one says. The QR fills `so` and `ma`.
REQUIRED = {
    "so": _l("Vui lòng nhập số Phiếu."),
    "ma": _l("Vui lòng nhập mã kiểm tra in cạnh mã QR."),
    "case_code": _l("Vui lòng nhập mã hồ sơ."),
    "full_name": _l("Vui lòng nhập họ và tên."),
    "date_of_birth": _l("Vui lòng nhập ngày sinh."),
    "sex": _l("Vui lòng chọn giới tính."),
    "id_number": _l("Vui lòng nhập số định danh cá nhân."),
}
TYPE_LABELS = {1: _l("Phiếu lý lịch tư pháp số 1"), 2: _l("Phiếu lý lịch tư pháp số 2")}
BAD_DATE = _l("Ngày sinh không hợp lệ, hãy nhập theo dạng dd/mm/yyyy (ví dụ 17/05/1990).")


def _render(*, values=None, errors=None, result=None, not_found=False, status=200):
    """The check page. Nothing typed is shown back after an answer: a shared phone keeps no identity."""
    response = make_response(
        render_template(
            "status/check.html",
            values=values or {},
            errors=errors or {},
            result=result,
            not_found=not_found,
            sex_choices=dict(SEX_CHOICES),
            status_labels=STATUS_LABELS,
            type_labels=TYPE_LABELS,
        ),
        status,
    )
    return no_store(response)


def _read_form(form):
    """The typed answers, trimmed, and the Vietnamese error of each missing or malformed one."""
    values = {name: (form.get(name) or "").strip() for name in REQUIRED}
    errors = {name: str(message) for name, message in REQUIRED.items() if not values[name]}
    if values["sex"] and values["sex"] not in dict(SEX_CHOICES):
        errors["sex"] = str(REQUIRED["sex"])
    if values["date_of_birth"]:
        values["born_on"] = parse_date(values["date_of_birth"])
        if values["born_on"] is None:
            errors["date_of_birth"] = str(BAD_DATE)
    return values, errors


@bp.get("/kiem-tra")
@public
def check_form():
    """The check form, with the number and code from the QR code already filled in."""
    return _render(values={"so": request.args.get("so", ""), "ma": request.args.get("ma", "")})


@bp.post("/kiem-tra")
@public
@limiter.limit(lambda: current_app.config["LLTP_CHECK_RATE_LIMIT"])
def check_submit():
    """Answer whether the certificate is genuine and its status; the same "not found" for any wrong field."""
    values, errors = _read_form(request.form)
    if errors:
        return _render(values=values, errors=errors, status=422)
    result = check_certificate(
        values["so"],
        values["ma"],
        case_code=values["case_code"],
        full_name=values["full_name"],
        date_of_birth=values["born_on"],
        sex=values["sex"],
        id_number=values["id_number"],
    )
    return _render(result=result, not_found=result is None)
