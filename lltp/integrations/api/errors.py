"""Every API error as `application/problem+json` (RFC 9457), never the HTML error page."""

from flask import request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from lltp.core.errors import DomainError, ValidationFailed
from lltp.extensions import db
from lltp.integrations.api.schemas import json_response

PROBLEM_MIMETYPE = "application/problem+json"
# Problems of this API's own, beyond the plain HTTP statuses (which use "about:blank"). Tag URIs name them
# without promising a page to dereference.
VALIDATION_FAILED = "tag:lltp,2026:problem:validation-failed"
IDEMPOTENCY_CONFLICT = "tag:lltp,2026:problem:idempotency-conflict"
DOCUMENT_CONFLICT = "tag:lltp,2026:problem:document-conflict"

DETAILS = {
    400: "Yêu cầu không hợp lệ.",
    401: "Thiếu API token, hoặc token không đúng hoặc đã bị thu hồi.",
    403: "Hệ thống kết nối không được phép thực hiện thao tác này.",
    404: "Không tìm thấy nội dung yêu cầu.",
    405: "Phương thức không được hỗ trợ tại địa chỉ này.",
    409: "Yêu cầu xung đột với dữ liệu hiện có.",
    413: "Nội dung gửi lên quá lớn.",
    415: "Nội dung gửi lên phải là JSON (Content-Type: application/json).",
    422: "Dữ liệu chưa hợp lệ.",
    429: "Gửi quá nhiều yêu cầu. Vui lòng thử lại sau.",
    500: "Hệ thống gặp lỗi. Vui lòng thử lại sau.",
}
HANDLED_STATUSES = tuple(DETAILS)


class Problem(Exception):
    """An API answer of `status` with a Vietnamese `detail`, raised from a view or its decorators."""

    def __init__(self, status, detail=None, *, type_="about:blank", title=None, headers=None, **extra):
        super().__init__(detail or DETAILS[status])
        self.status, self.detail, self.type, self.title = status, detail or DETAILS[status], type_, title
        self.headers, self.extra = headers or {}, extra


def problem_response(problem):
    db.session.rollback()
    body = {
        "type": problem.type,
        "title": problem.title or HTTP_STATUS_CODES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    response = json_response(body, problem.status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(problem.headers)
    return response


def validation_problem(failed):
    """A 422 naming every bad field at once, sorted by field."""
    return Problem(
        422,
        failed.message,
        type_=VALIDATION_FAILED,
        title="Dữ liệu không hợp lệ",
        errors=[
            {"field": field, "message": str(message)} for field, message in sorted(failed.errors.items())
        ],
    )


def _http_problem(error):
    headers = {}
    if error.code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lltp"'
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return Problem(error.code, DETAILS.get(error.code), headers=headers)


def register(bp):
    """Answer every error of the blueprint's routes, and every unknown URL under it, as problem+json."""

    @bp.errorhandler(Problem)
    def problem(error):
        return problem_response(error)

    @bp.errorhandler(ValidationFailed)
    def validation_failed(error):
        return problem_response(validation_problem(error))

    @bp.errorhandler(DomainError)
    def domain_error(error):
        return problem_response(Problem(error.status_code, error.message))

    @bp.errorhandler(IntegrityError)
    def integrity_error(error):
        return problem_response(Problem(409))

    for status in HANDLED_STATUSES:
        bp.register_error_handler(status, lambda error: problem_response(_http_problem(error)))

    @bp.before_app_request
    def unrouted():
        # A URL under the prefix that no route matches (404), or a method a route lacks (405), never
        # reaches the blueprint, so its error handlers cannot answer it: do it here.
        error = request.routing_exception
        if (
            isinstance(error, HTTPException)
            and error.code >= 400
            and (request.path + "/").startswith(bp.url_prefix + "/")
        ):
            return problem_response(_http_problem(error))
        return None
