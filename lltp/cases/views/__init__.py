"""The cases area's pages: the issuing authority's board and case page, and the administrator's
deadline settings (working-day calendar, legal profiles)."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from lltp.cases.views import admin, board  # noqa: E402,F401  (they attach their routes to bp)
