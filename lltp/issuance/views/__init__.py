"""The issuance pages: the case page's certificate panel (the officer's edits, sending for signature, the
approver's return or approval), the decisions that correct or revoke a certificate, and the administrator's
signing keys."""

from flask import Blueprint

bp = Blueprint("issuance", __name__)

from lltp.issuance.views import case_panel, certificates, decisions, signing_keys  # noqa: E402, F401
