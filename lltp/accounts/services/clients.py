"""API clients: the outside systems of contracts/intake-api.md, which call /api/v1.

A client's token and callback signing secret are shown once, when it is created: only the token's SHA-256
is kept, and the secret is kept encrypted, because the app signs its callbacks with it.
"""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.accounts.models import ApiClient, ApiClientKind, UnitKind
from lltp.accounts.services.admin import _clean
from lltp.core import audit, clock, crypto
from lltp.core.errors import InvalidTransition, ValidationFailed
from lltp.extensions import db

API_TOKEN_PREFIX = "lltp_"
CALLBACK_SECRET_PREFIX = "lltpcb_"
API_CLIENT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,119}")


@dataclass(frozen=True)
class NewApiClient:
    """A client just created, with its two secrets in clear, to be shown once."""

    client: ApiClient
    token: str
    callback_secret: str


def _api_client_errors(name, kind, callback_url, unit):
    errors = {}
    if not API_CLIENT_NAME.fullmatch(name or ""):
        errors["name"] = _(
            "Tên hệ thống chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch nối, gạch dưới (2–120 ký tự)."
        )
    elif db.session.scalar(sa.select(ApiClient.id).where(ApiClient.name == name)) is not None:
        errors["name"] = _("Đã có hệ thống kết nối tên %(name)s.", name=name)
    if kind not in {k.value for k in ApiClientKind}:
        errors["kind"] = _("Loại hệ thống kết nối không hợp lệ.")
    if callback_url is not None:
        parts = urlsplit(callback_url)
        if parts.scheme not in ("https", "http") or not parts.netloc or len(callback_url) > 500:
            errors["callback_url"] = _("Địa chỉ nhận thông báo (callback) phải là một URL http(s) hợp lệ.")
    if kind == ApiClientKind.VERIFYING_AGENCY:
        if (
            unit is None
            or not unit.is_active
            or unit.kind in (UnitKind.ISSUING_AUTHORITY, UnitKind.POSTAL_OPERATOR)
        ):
            errors["unit_id"] = _(
                "Hệ thống của cơ quan xác minh phải gắn với một đơn vị xác minh đang hoạt động."
            )
    elif unit is not None:
        errors["unit_id"] = _("Chỉ hệ thống của cơ quan xác minh được gắn với một đơn vị.")
    return errors


def create_api_client(name, *, kind, actor, callback_url=None, unit=None):
    """Register an outside system; returns it with its API token and callback signing secret in clear. A
    verifying agency's system is bound to its `unit`, and acts for that unit only."""
    name, callback_url = _clean(name), _clean(callback_url)
    errors = _api_client_errors(name, kind, callback_url, unit)
    if errors:
        raise ValidationFailed(errors)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    callback_secret = CALLBACK_SECRET_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        kind=ApiClientKind(kind),
        token_hash=crypto.token_hash(token),
        callback_url=callback_url,
        unit_id=unit.id if unit is not None else None,
        callback_secret_encrypted=crypto.encrypt(callback_secret),
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        "api_client.create",
        actor,
        object_type="api_client",
        object_id=client.id,
        details={
            "name": name,
            "kind": str(client.kind),
            "callback_url": callback_url,
            "unit_id": client.unit_id,
        },
    )
    return NewApiClient(client=client, token=token, callback_secret=callback_secret)


def authenticate_api_client(token):
    """The active client whose token this is, or None."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(ApiClient).where(ApiClient.token_hash == crypto.token_hash(token), ApiClient.is_active)
    )


def callback_secret(client):
    """The client's callback signing secret, in clear, to sign a callback with."""
    return crypto.decrypt(client.callback_secret_encrypted)


def revoke_api_client(client, *, actor):
    """Stop a client's token from working, for good: a new client (and token) replaces it."""
    if not client.is_active:
        raise InvalidTransition(
            _("Hệ thống kết nối %(name)s đã bị thu hồi quyền truy cập.", name=client.name)
        )
    client.is_active, client.revoked_at = False, clock.now()
    db.session.flush()
    audit.record("api_client.revoke", actor, object_type="api_client", object_id=client.id)
    return client
