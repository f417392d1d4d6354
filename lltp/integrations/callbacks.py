"""The contract's callbacks (contracts/intake-api.md, "Callbacks"): a case sent by an API client with a
callback URL tells that client when its stage changes and when its certificate changes status.

Each event is written to the outbox in the transaction of the change, its body serialised once, so that
every attempt sends the same bytes under the same `id` (the outbox row's `message_id`). A case's events
share an ordering key, so they reach the client in the order they happened. The adapter signs the body
with the client's secret when it sends it.
"""

import json
import uuid

from lltp.accounts.models import ApiClient
from lltp.cases import services as case_services
from lltp.core import clock
from lltp.core.outbox import OutboxChannel, enqueue
from lltp.extensions import db
from lltp.issuance import decisions
from lltp.issuance.queries import certificate_of

TOPIC = "api.callback"
STAGE_CHANGED = "stage_changed"
CERTIFICATE_STATUS_CHANGED = "certificate_status_changed"


def ordering_key(case):
    return f"case:{case.id}"


def subscriber(case):
    """The active API client that sent `case` and has a callback URL, or None."""
    declaration = case.declaration
    if declaration is None or declaration.api_client_id is None:
        return None
    client = db.session.get(ApiClient, declaration.api_client_id)
    return client if client.is_active and client.callback_url else None


def queue_callback(case, client, event, *, at, certificate_status):
    """Queue one event about `case` for `client`; returns the outbox row."""
    message_id = str(uuid.uuid4())
    body = {
        "id": message_id,
        "event": event,
        "case_code": case.code,
        "external_id": case.declaration.external_id,
        "stage": str(case.stage),
        "certificate_status": certificate_status,
        "at": clock.to_local(at).isoformat(timespec="seconds"),
    }
    return enqueue(
        OutboxChannel.CALLBACK,
        client.callback_url,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        topic=TOPIC,
        payload={
            "api_client_id": client.id,
            "case_id": case.id,
            "event": event,
            "stage": body["stage"],
            "certificate_status": certificate_status,
        },
        message_id=message_id,
        ordering_key=ordering_key(case),
    )


def on_case_transition(case, event, actor):
    """A real change of stage (not one that keeps it, as marking a case long does) is a `stage_changed`,
    with the status of the case's certificate once there is one. The submission itself is not: the client
    has its answer, and the new case has no declaration yet (looking for one would cost a query)."""
    if event.from_stage is None or event.from_stage == event.to_stage:
        return
    client = subscriber(case)
    if client is None:
        return
    certificate = certificate_of(case)
    queue_callback(
        case,
        client,
        STAGE_CHANGED,
        at=event.at,
        certificate_status=None if certificate is None else str(certificate.status),
    )


def on_decision(certificate, decision, actor):
    """A decision on a certificate is a `certificate_status_changed` for its case, with its new status.

    A supplement or correction names a replacement, which stays `valid`; the event carries the status of
    the certificate the decision changed (`supplemented`, `corrected`), on that certificate's case.
    """
    client = subscriber(certificate.case)
    if client is not None:
        queue_callback(
            certificate.case,
            client,
            CERTIFICATE_STATUS_CHANGED,
            at=clock.now(),
            certificate_status=str(certificate.status),
        )


case_services.after_transition.append(on_case_transition)
decisions.after_decision.append(on_decision)
