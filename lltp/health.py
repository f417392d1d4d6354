"""`GET /healthz`: whether the database and the job queue answer, for monitoring."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from lltp.core import queue
from lltp.core.permissions import public
from lltp.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    """200 when the database and the queue both answer, 503 otherwise, with each check's result."""
    checks = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as error:  # any failure is what monitoring wants to see
        db.session.rollback()
        checks["database"] = {"ok": False, "error": type(error).__name__}
    checks["queue"] = queue.check()
    healthy = all(check["ok"] for check in checks.values())
    response = jsonify(status="ok" if healthy else "unavailable", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
