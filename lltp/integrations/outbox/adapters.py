"""The channels' adapters: email by SMTP, SMS by an HTTP gateway, and the log for development.

Each passes a timeout and raises `DeliveryError` only, so the delivery attempt handles every channel
alike. Every message carries its outbox `message_id` (the email's Message-ID, the SMS request's JSON and
Idempotency-Key), the same on every attempt, so a receiver can drop a repeat.
"""

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from lltp.core.outbox import OutboxChannel

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


_ADAPTERS = {OutboxChannel.EMAIL: _email_adapter, OutboxChannel.SMS: _sms_adapter}
# The channels delivered here; the others (callbacks) stay queued until their adapter lands.
DELIVERED_CHANNELS = tuple(_ADAPTERS)


def adapter_for(channel, config):
    """The adapter that sends `channel` under this configuration (the log, outside production, when its
    server is not configured)."""
    return _ADAPTERS[OutboxChannel(channel)](config)
