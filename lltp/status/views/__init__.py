"""The public pages: the certificate check at /kiem-tra, where a certificate's QR code leads; the case
status at /tra-cuu, its embeddable widget and its JSON twin; and the applicant's follow-up from it."""

from datetime import datetime

from flask import Blueprint, make_response

bp = Blueprint("status", __name__)


def no_store(response):
    """Public answers about a person are never kept by a browser or a proxy."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def parse_date(text):
    """A date typed dd/mm/yyyy, or None."""
    try:
        return datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


# Imported for their routes, once `bp` exists.
from lltp.status.views import case_status, check, follow_up  # noqa: E402, F401
