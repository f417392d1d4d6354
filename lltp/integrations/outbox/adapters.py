"""The channels' adapters: email by SMTP, SMS by an HTTP gateway, callbacks to the API clients, and the
log for development.

Each passes a timeout and raises `DeliveryError` only, so the delivery attempt handles every channel
alike. Every message carries its outbox `message_id` (the email's Message-ID, the SMS request's JSON and
Idempotency-Key, the callback body's `id`), the same on every attempt, so a receiver can drop a repeat.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate

from lltp.accounts.models import ApiClient
from lltp.accounts.services import callback_secret
from lltp.core.outbox import OutboxChannel
from lltp.extensions import db

log = logging.getLogger(__name__)

# Gateway answers that no retry will change (a malformed request, a refused token, an unknown number).
PERMANENT_HTTP_STATUSES = frozenset({400, 401, 403, 404, 410, 422})


class DeliveryError(Exception):
    """A message could not be handed over; `permanent` when trying again cannot help."""

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Envelope:
    """What an adapter sends: a copy of the outbox row, so that no transaction stays open while sending."""

    id: int
    message_id: str
    channel: OutboxChannel
    recipient: str
    subject: str | None
    body: str
    attempts: int
    payload: dict | None = None
    created_at: datetime | None = None


class LogAdapter:
    """Development: the message goes to the log instead of the outside world."""

    def send(self, envelope):
        log.info(
            "outbox %s to %s [%s] %s\n%s",
            envelope.channel,
            envelope.recipient,
            envelope.message_id,
            envelope.subject or "",
            envelope.body,
        )


class EmailAdapter:
    """Email by SMTP, with STARTTLS or implicit TLS, and a login when a user is configured."""

    def __init__(
        self, host, port, *, sender, user=None, password=None, starttls=False, use_ssl=False, timeout
    ):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password
        self.starttls, self.use_ssl, self.timeout = starttls, use_ssl, timeout

    def message(self, envelope):
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = envelope.recipient
        message["Subject"] = envelope.subject or ""
        message["Date"] = formatdate()
        message["Message-ID"] = f"<{envelope.message_id}@{self.sender.rpartition('@')[2] or 'lltp'}>"
        # Quoted-printable: Vietnamese text passes through servers that refuse 8-bit bodies.
        message.set_content(envelope.body, cte="quoted-printable")
        # The applicant's notifications carry an HTML part; the plain text stays for mail readers without it.
        html = (envelope.payload or {}).get("html")
        if html:
            message.add_alternative(html, subtype="html", cte="quoted-printable")
        return message

    def send(self, envelope):
        message = self.message(envelope)
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.starttls and not self.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"SMTP refused the recipient: {error.recipients}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {type(error).__name__}: {error}") from error


class SmsAdapter:
    """SMS through the operator's HTTP gateway: one JSON POST per message, with a bearer token."""

    def __init__(self, url, *, token=None, timeout):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, envelope):
        body = {"message_id": envelope.message_id, "to": envelope.recipient, "text": envelope.body}
        headers = {"Content-Type": "application/json", "Idempotency-Key": envelope.message_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise DeliveryError(
                f"SMS gateway answered {error.code}", permanent=error.code in PERMANENT_HTTP_STATUSES
            ) from error
        except OSError as error:  # URLError, refused connections and timeouts are all OSErrors
            raise DeliveryError(f"SMS gateway {self.url}: {type(error).__name__}: {error}") from error


def signature(body, secret):
    """The `X-LLTP-Signature` of a callback body: HMAC-SHA256 of the raw bytes with the client's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would follow a 301/302/303 with a GET and no body: a redirect is a failed delivery instead.
    def redirect_request(self, *args, **kwargs):
        return None


class CallbackAdapter:
    """The contract's callbacks: the body as written at enqueue time, POSTed to the client's callback URL
    with its signature. The URL and secret are the client's current ones; any 2xx is an acknowledgement."""

    def __init__(self, *, timeout):
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _client(self, api_client_id):
        """The client's URL and secret, read in a transaction closed before sending."""
        client = db.session.get(ApiClient, api_client_id) if api_client_id is not None else None
        address = None
        if client is not None and client.is_active and client.callback_url:
            address = client.callback_url, callback_secret(client)
        db.session.commit()
        if address is None:
            raise DeliveryError(
                f"API client {api_client_id} is revoked or has no callback URL", permanent=True
            )
        return address

    def send(self, envelope):
        url, secret = self._client((envelope.payload or {}).get("api_client_id"))
        body = envelope.body.encode()
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": "application/json", "X-LLTP-Signature": signature(body, secret)},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.close()
            # Every refusal is retried for the whole window: a client's receiver may be down or redeploying.
            raise DeliveryError(f"callback {url} answered {error.code}") from error
        except OSError as error:
            raise DeliveryError(f"callback {url}: {type(error).__name__}: {error}") from error


class _Unconfigured:
    """Production without the channel's server: the message waits, failing visibly, until it is set."""

    def __init__(self, setting):
        self.setting = setting

    def send(self, envelope):
        raise DeliveryError(f"{self.setting} is not set")


def _unconfigured(config, setting):
    return _Unconfigured(setting) if config["LLTP_ENV"] == "production" else LogAdapter()


def _email_adapter(config):
    if not config["LLTP_SMTP_HOST"]:
        return _unconfigured(config, "LLTP_SMTP_HOST")
    return EmailAdapter(
        config["LLTP_SMTP_HOST"],
        config["LLTP_SMTP_PORT"],
        sender=config["LLTP_SMTP_FROM"],
        user=config["LLTP_SMTP_USER"],
        password=config["LLTP_SMTP_PASSWORD"],
        starttls=config["LLTP_SMTP_STARTTLS"],
        use_ssl=config["LLTP_SMTP_SSL"],
        timeout=config["LLTP_DELIVERY_TIMEOUT_SECONDS"],
    )


def _sms_adapter(config):
    if not config["LLTP_SMS_GATEWAY_URL"]:
        return _unconfigured(config, "LLTP_SMS_GATEWAY_URL")
    return SmsAdapter(
        config["LLTP_SMS_GATEWAY_URL"],
        token=config["LLTP_SMS_GATEWAY_TOKEN"],
        timeout=config["LLTP_DELIVERY_TIMEOUT_SECONDS"],
    )


def _callback_adapter(config):
    return CallbackAdapter(timeout=config["LLTP_DELIVERY_TIMEOUT_SECONDS"])


_ADAPTERS = {
    OutboxChannel.EMAIL: _email_adapter,
    OutboxChannel.SMS: _sms_adapter,
    OutboxChannel.CALLBACK: _callback_adapter,
}


def adapter_for(channel, config):
    """The adapter that sends `channel` under this configuration (the log, outside production, when its
    server is not configured)."""
    return _ADAPTERS[OutboxChannel(channel)](config)
