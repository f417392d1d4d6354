"""Bearer-token authentication of the API's clients. The routes declare `access = {"api": True}`: no browser
login ever reaches them, a client's token does."""

from functools import wraps

from flask import g, request

from lltp.accounts.models import ApiClientKind
from lltp.accounts.services import authenticate_api_client
from lltp.core.audit import Actor
from lltp.core.crypto import token_hash
from lltp.integrations.api.errors import Problem


def bearer_token():
    """The token of the request's `Authorization: Bearer` header, or None."""
    authorization = request.authorization
    if authorization is None or authorization.type != "bearer":
        return None
    return authorization.token or None


def rate_limit_key():
    """Limits count per client (by its token's hash), or per address for a call without a token."""
    token = bearer_token()
    return f"api-token:{token_hash(token)}" if token else f"api-ip:{request.remote_addr}"


def _client_of_kind(allowed, refusal):
    """A decorator: only an active client for which `allowed(client)` holds may call the view; it is
    `g.api_client`. Otherwise 401 (no or bad token) or 403 with `refusal(client)`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = bearer_token()
            if token is None:
                raise Problem(
                    401, "Thiếu API token: gửi kèm tiêu đề Authorization: Bearer <token>.", headers=_CHALLENGE
                )
            client = authenticate_api_client(token)
            if client is None:
                raise Problem(401, "API token không đúng hoặc đã bị thu hồi.", headers=_CHALLENGE)
            if not allowed(client):
                raise Problem(403, refusal(client))
            g.api_client = client
            return view(*args, **kwargs)

        wrapper.access = {"api": True}
        return wrapper

    return decorator


# The intake routes: clients that submit requests (not the postal operator, not a record source).
client_required = _client_of_kind(
    lambda client: client.submits_requests,
    lambda client: f"Hệ thống loại {client.kind} không gửi và không theo dõi yêu cầu cấp phiếu.",
)
# The record database's sources: courts, procuracies, enforcement offices, prisons, the police.
record_source_required = _client_of_kind(
    lambda client: client.kind is ApiClientKind.RECORD_SOURCE,
    lambda client: f"Hệ thống loại {client.kind} không gửi tài liệu lý lịch tư pháp.",
)
# A verifying agency's own system, bound to its unit: the unit's verification tasks.
verifying_agency_required = _client_of_kind(
    lambda client: client.kind is ApiClientKind.VERIFYING_AGENCY and client.unit_id is not None,
    lambda client: f"Hệ thống loại {client.kind} không trả lời yêu cầu xác minh.",
)


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lltp"'}


def client_actor(client):
    """The client as the actor of services and audit rows: `api:<name>`, from the request's address."""
    return Actor(
        user=None,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
        source=f"api:{client.name}",
    )
