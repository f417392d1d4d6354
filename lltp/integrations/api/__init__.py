"""`/api/v1`: the intake API of contracts/intake-api.md, for VNeID, the national and provincial portals and
the postal operator, and the record sources of contracts/records-import.md. Token auth, JSON only,
problem+json errors, and an OpenAPI document of it all."""

from flask import Blueprint, current_app

from lltp.extensions import limiter
from lltp.integrations.api import errors
from lltp.integrations.api.auth import rate_limit_key

bp = Blueprint("api", __name__, url_prefix="/api/v1")
errors.register(bp)
limiter.limit(lambda: current_app.config["LLTP_API_RATE_LIMIT"], key_func=rate_limit_key)(bp)

from lltp.integrations import callbacks  # noqa: E402,F401  (the contract's callbacks listen to cases and decisions)
from lltp.integrations.api import record_sources, shipments, verification, views  # noqa: E402,F401  (they attach their routes to bp)
