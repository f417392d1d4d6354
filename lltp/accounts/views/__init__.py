"""The accounts area's pages: login and the second factor, the user's own account, and the
administrator's pages for users, units and the audit log."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from lltp.accounts.views import admin, auth  # noqa: E402,F401  (they attach their routes to bp)
