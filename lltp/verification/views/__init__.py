"""The verification pages: each unit's board and task pages, the case page's verification panel, the
administrator's routing rules and due days, and the agencies' performance."""

from flask import Blueprint

bp = Blueprint("verification", __name__)

from lltp.verification.views import admin, board, case_panel, letters, performance  # noqa: E402, F401
