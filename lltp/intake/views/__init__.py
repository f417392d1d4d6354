"""The intake area's pages: the officers' intake forms (counter, post, agencies), the citizens' online form
at /nop-ho-so, and the case page's intake panels (payment, attachments, flags, one-stop papers)."""

from flask import Blueprint, get_template_attribute, request

from lltp.core.errors import ValidationFailed
from lltp.intake.forms import field_id

bp = Blueprint("intake", __name__)
bp.add_app_template_global(field_id)


def field_check_response(check):
    """The inline check of one input (htmx): run `check()` over the whole posted form and return just the
    error slot of the input that changed, empty when that input is fine."""
    name = request.headers.get("HX-Trigger-Name") or request.args.get("field", "")
    try:
        check()
        errors = {}
    except ValidationFailed as failed:
        errors = failed.errors
    return get_template_attribute("intake/_fields.html", "error_slot")(name, errors)


from lltp.intake.views import case, counter, online  # noqa: E402,F401  (they attach their routes to bp)
