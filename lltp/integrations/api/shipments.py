"""/api/v1/shipments: the postal operator's system reports each shipment's events (picked up, in
transit, delivered, returned to sender) and reads the shipments waiting for pickup (contracts/intake-api.md,
"Postal operator"). A shipment shows what the courier needs: the tracking number, the recipient's name,
phone and address, the number of copies; nothing else of the case."""

from datetime import datetime

from flask import g, request

from lltp.accounts.models import ApiClientKind
from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.delivery import queries, services
from lltp.delivery.models import ShipmentStatus
from lltp.extensions import db
from lltp.integrations.api import bp, schemas
from lltp.integrations.api.auth import _client_of_kind, client_actor
from lltp.integrations.api.errors import Problem
from lltp.integrations.api.views import json_body

PAGE_SIZE = 500
postal_operator_required = _client_of_kind(
    lambda client: client.kind is ApiClientKind.POSTAL_OPERATOR,
    lambda client: f"Hệ thống loại {client.kind} không báo cáo bưu gửi.",
)
EVENTS = tuple(str(event) for event in services.REPORTED_EVENTS)


def _moment(value):
    return None if value is None else clock.to_local(value).isoformat(timespec="seconds")


def shipment_answer(shipment):
    """A shipment as the postal operator sees it."""
    case = shipment.case
    return {
        "tracking_number": shipment.tracking_number,
        "status": str(shipment.status),
        "recipient": {"full_name": case.applicant_full_name, "phone": case.applicant_phone},
        "address": shipment.address,
        "copies": case.copies,
        "created_at": _moment(shipment.created_at),
        "status_changed_at": _moment(shipment.status_changed_at),
        "events": [
            {"event": str(event.event), "at": _moment(event.at), "note": event.note}
            for event in shipment.events
        ],
    }


def _event_fields(body):
    """The event, its moment (aware) and its note from the body, or one 422 naming every bad field."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "Nội dung gửi lên phải là một đối tượng JSON."})
    event, at, note = body.get("event"), body.get("at"), body.get("note")
    errors = {}
    if event not in EVENTS:
        errors["event"] = "Sự kiện phải là một trong: " + ", ".join(EVENTS) + "."
    moment = None
    if isinstance(at, str):
        try:
            moment = datetime.fromisoformat(at.strip())
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        errors["at"] = "Thời điểm phải theo ISO 8601, có múi giờ (ví dụ 2026-11-25T09:30:00+07:00)."
    if note is not None and (not isinstance(note, str) or len(note) > services.NOTE_LENGTH):
        errors["note"] = f"Ghi chú phải là một chuỗi ký tự, tối đa {services.NOTE_LENGTH} ký tự."
    if errors:
        raise ValidationFailed(errors)
    return event, moment, note


@bp.post("/shipments/<tracking_number>/events")
@postal_operator_required
def report_shipment_event(tracking_number):
    """Record one event of a shipment: 201 when new, 200 for a repeat of the same event at the same time,
    409 out of order, 404 for an unknown tracking number."""
    shipment = queries.shipment_by_tracking_number(tracking_number)
    if shipment is None:
        raise Problem(404, f"Không có bưu gửi số hiệu {tracking_number}.")
    event, at, note = _event_fields(json_body())
    recorded = services.record_shipment_event(
        shipment, event=event, at=at, note=note, actor=client_actor(g.api_client)
    )
    body = shipment_answer(shipment)
    db.session.commit()
    return schemas.json_response(body, 201 if recorded else 200)


@bp.get("/shipments")
@postal_operator_required
def list_shipments():
    """The shipments in one status (`ready_for_pickup` by default: what to collect), oldest first."""
    status = request.args.get("status", str(ShipmentStatus.READY_FOR_PICKUP))
    if status not in {str(s) for s in ShipmentStatus}:
        raise ValidationFailed(
            {"status": "Trạng thái phải là một trong: " + ", ".join(map(str, ShipmentStatus)) + "."}
        )
    shipments = queries.shipments_in(ShipmentStatus(status), limit=PAGE_SIZE)
    body = {"shipments": [shipment_answer(shipment) for shipment in shipments]}
    if shipments:
        audit.record(
            "api.shipment.list",
            client_actor(g.api_client),
            object_type="shipment",
            details={"tracking_numbers": [s.tracking_number for s in shipments]},
        )
    db.session.commit()
    return schemas.json_response(body)
