"""The intake area's pages: the officers' intake forms (counter, post, agencies), the citizens' online form
at /nop-ho-so, and the case page's intake panels (payment, attachments, flags, one-stop papers)."""

from types import SimpleNamespace

from flask import Blueprint, get_template_attribute, request

from lltp.core.errors import ValidationFailed
from lltp.intake import forms
from lltp.intake.validation import field_label

bp = Blueprint("intake", __name__)
# What every intake template (the officers' form, the online form, the case panels) labels inputs with.
bp.add_app_template_global(forms.field_id, "field_id")
bp.add_app_template_global(field_label, "intake_label")
bp.add_app_template_global(
    SimpleNamespace(
        sex=forms.SEX_CHOICES,
        id_document=forms.ID_DOCUMENT_CHOICES,
        certificate_type=forms.CERTIFICATE_TYPE_CHOICES,
        fee_category=forms.FEE_CATEGORY_CHOICES,
        delivery=forms.DELIVERY_CHOICES,
        requester_kind=forms.REQUESTER_KIND_CHOICES,
        relationship=forms.RELATIONSHIP_CHOICES,
        notified_by=forms.NOTIFIED_BY_CHOICES,
        payment_method=forms.PAYMENT_METHOD_CHOICES,
        attachment_kind=forms.ATTACHMENT_KIND_CHOICES,
    ),
    "intake_choices",
)


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


from lltp.intake.views import admin, case, counter, declaration, online  # noqa: E402,F401  (they attach their routes to bp)
