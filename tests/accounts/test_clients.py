"""API clients: `flask clients create|list|revoke`, hashed tokens, and encrypted callback secrets."""

import hashlib
import re

import pytest
import sqlalchemy as sa

from lltp.accounts import services
from lltp.accounts.models import ApiClient
from lltp.core import crypto
from lltp.core.audit import AuditEvent
from lltp.core.errors import InvalidTransition, ValidationFailed
from tests.conftest import make_app
from tests.factories import SYSTEM


@pytest.fixture
def cli(app, db):
    return app.test_cli_runner()


def create_by_cli(cli, *args):
    result = cli.invoke(args=["clients", "create", *args])
    assert result.exit_code == 0, result.output
    token = re.search(r"API token: (\S+)", result.output)[1]
    secret = re.search(r"Khóa ký callback: (\S+)", result.output)[1]
    return result.output, token, secret


def test_create_prints_a_token_that_authenticates_the_client(cli, db):
    _, token, _ = create_by_cli(cli, "vneid", "--kind", "vneid")
    client = services.authenticate_api_client(token)
    assert (client.name, client.kind, client.is_active) == ("vneid", "vneid", True)


def test_only_the_tokens_sha256_is_stored(cli, db):
    _, token, _ = create_by_cli(cli, "vneid", "--kind", "vneid")
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "vneid"))
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(sa.select(ApiClient.__table__).where(ApiClient.id == client.id)).one()
    assert not any(token in str(value) for value in row)


def test_the_callback_secret_is_stored_encrypted_and_decrypts_back(cli, db):
    _, _, secret = create_by_cli(
        cli, "portal", "--kind", "national_portal", "--callback-url", "https://dvc.example.vn/cb"
    )
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "portal"))
    assert secret not in client.callback_secret_encrypted
    assert services.callback_secret(client) == secret
    assert client.callback_url == "https://dvc.example.vn/cb"


def test_each_secret_is_printed_once(cli, db):
    output, token, secret = create_by_cli(cli, "vneid", "--kind", "vneid")
    assert (output.count(token), output.count(secret)) == (1, 1)
    assert token.startswith("lltp_") and token != secret


def test_list_shows_clients_but_never_their_secrets(cli, db):
    _, token, secret = create_by_cli(cli, "vneid", "--kind", "vneid")
    output = cli.invoke(args=["clients", "list"]).output
    assert "vneid" in output
    assert token not in output and secret not in output


def test_revoke_stops_the_token_working(cli, db):
    _, token, _ = create_by_cli(cli, "vneid", "--kind", "vneid")
    result = cli.invoke(args=["clients", "revoke", "vneid"])
    assert result.exit_code == 0, result.output
    assert services.authenticate_api_client(token) is None


def test_revoking_twice_is_refused(cli, db):
    create_by_cli(cli, "vneid", "--kind", "vneid")
    cli.invoke(args=["clients", "revoke", "vneid"])
    result = cli.invoke(args=["clients", "revoke", "vneid"])
    assert result.exit_code != 0
    assert "thu hồi" in result.output


def test_an_unknown_kind_is_refused_by_the_cli(cli, db):
    result = cli.invoke(args=["clients", "create", "x1", "--kind", "bank"])
    assert result.exit_code != 0


def test_a_name_is_taken_once(db):
    services.create_api_client("vneid", kind="vneid", actor=SYSTEM)
    with pytest.raises(ValidationFailed) as failed:
        services.create_api_client("vneid", kind="vneid", actor=SYSTEM)
    assert set(failed.value.errors) == {"name"}


def test_a_callback_url_must_be_http(db):
    with pytest.raises(ValidationFailed) as failed:
        services.create_api_client("vneid", kind="vneid", callback_url="ftp://x.vn/cb", actor=SYSTEM)
    assert set(failed.value.errors) == {"callback_url"}


def test_creating_and_revoking_are_audited(db):
    created = services.create_api_client("vneid", kind="vneid", actor=SYSTEM)
    services.revoke_api_client(created.client, actor=SYSTEM)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "api_client").order_by(AuditEvent.id)
    ).all()
    assert actions == ["api_client.create", "api_client.revoke"]


def test_a_revoked_client_cannot_be_revoked_again(db):
    created = services.create_api_client("vneid", kind="vneid", actor=SYSTEM)
    services.revoke_api_client(created.client, actor=SYSTEM)
    with pytest.raises(InvalidTransition):
        services.revoke_api_client(created.client, actor=SYSTEM)


# --- core.crypto ----------------------------------------------------------------------------------------


def test_encrypted_text_decrypts_back(app):
    with app.app_context():
        token = crypto.encrypt("bí mật")
        assert token != "bí mật"
        assert crypto.decrypt(token) == "bí mật"


def test_text_encrypted_under_another_secret_key_is_refused(app):
    with app.app_context():
        token = crypto.encrypt("bí mật")
    other = make_app("sqlite://", SECRET_KEY="another-secret-key")
    with other.app_context(), pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)
