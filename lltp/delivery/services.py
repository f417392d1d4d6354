"""Changing returns: the counter handover, shipping by post, the postal operator's events, and what the
returning officer does with a shipment returned to sender. Services flush; the caller commits."""

import logging
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.cases.models import CaseStage, DeliveryMethod
from lltp.core import audit, clock
from lltp.core.errors import InvalidTransition, ValidationFailed
from lltp.core.text import nfc
from lltp.delivery import notifications, queries, returns
from lltp.delivery.models import (
    Collector,
    Handover,
    ReturnKind,
    ReturnReason,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from lltp.extensions import db

log = logging.getLogger(__name__)

S = ShipmentStatus
# The order the postal operator may report events in: from each status, the events that may follow.
# A parcel may be scanned in transit many times; delivered and returned to sender end it.
NEXT_EVENTS = {
    S.READY_FOR_PICKUP: frozenset({S.PICKED_UP}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.DELIVERED, S.RETURNED_TO_SENDER}),
    S.IN_TRANSIT: frozenset({S.IN_TRANSIT, S.DELIVERED, S.RETURNED_TO_SENDER}),
    S.DELIVERED: frozenset(),
    S.RETURNED_TO_SENDER: frozenset(),
}
REPORTED_EVENTS = (S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED, S.RETURNED_TO_SENDER)
TRACKING_NUMBER = re.compile(r"^[A-Z0-9-]{6,40}$")
# The proxy's CCCD or CMND, or a passport (a foreigner's too).
ID_NUMBER = re.compile(r"\d{9}|\d{12}|(?=.*[A-Z])[A-Z0-9]{6,20}")
NOTE_LENGTH = 1000


def _paper_return_by(case, method):
    """The case's pending paper return by `method`, or InvalidTransition saying why there is none."""
    if case.stage is not CaseStage.ISSUED:
        raise InvalidTransition(_("Hồ sơ %(code)s chưa cấp Phiếu hoặc đã trả kết quả.", code=case.code))
    case_return = returns.return_of(case, ReturnKind.PAPER)
    if case_return is None or case_return.is_done or case_return.method is not method:
        raise InvalidTransition(
            _("Hồ sơ %(code)s không chờ trả Phiếu bản giấy theo cách này.", code=case.code)
        )
    return case_return


def _text(value):
    return nfc((value or "").strip())


def record_handover(
    case,
    *,
    collected_by,
    copies,
    actor,
    proxy_full_name=None,
    proxy_id_number=None,
    authorisation_reference=None,
    at=None,
):
    """The returning officer records who collected the paper copies at the counter: the applicant, or a
    proxy with their name, ID number and authorisation. The paper return is then done."""
    case_return = _paper_return_by(case, DeliveryMethod.COUNTER)
    errors = {}
    proxy = {
        "proxy_full_name": _text(proxy_full_name),
        "proxy_id_number": _text(proxy_id_number),
        "authorisation_reference": _text(authorisation_reference),
    }
    if collected_by not in {str(c) for c in Collector}:
        errors["collected_by"] = _("Vui lòng chọn người nhận kết quả.")
    elif collected_by == Collector.PROXY:
        if not proxy["proxy_full_name"]:
            errors["proxy_full_name"] = _("Vui lòng nhập họ và tên người được ủy quyền.")
        if not ID_NUMBER.fullmatch(proxy["proxy_id_number"].upper()):
            errors["proxy_id_number"] = _(
                "Số CCCD, CMND gồm 9 hoặc 12 chữ số; số hộ chiếu gồm 6 đến 20 chữ cái và chữ số."
            )
        if not proxy["authorisation_reference"]:
            errors["authorisation_reference"] = _("Vui lòng nhập số, ngày của văn bản ủy quyền.")
    else:
        proxy = dict.fromkeys(proxy)
    count = int(copies) if str(copies or "").strip().isdigit() else None
    if count is None or not 1 <= count <= case.copies:
        errors["copies"] = _("Số bản giao phải từ 1 đến %(n)d.", n=case.copies)
    if errors:
        raise ValidationFailed(errors)
    at = at or clock.now()
    if proxy["proxy_id_number"]:
        proxy["proxy_id_number"] = proxy["proxy_id_number"].upper()
    handover = Handover(
        case_return=case_return,
        collected_by=Collector(collected_by),
        copies=count,
        officer_id=actor.user_id,
        handed_over_at=at,
        **proxy,
    )
    db.session.add(handover)
    db.session.flush()
    audit.record(
        "delivery.handover",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        details={"collected_by": collected_by, "copies": count},
    )
    returns.complete_return(case_return, reason=ReturnReason.COLLECTED, actor=actor, at=at)
    return handover


def create_shipment(case, *, tracking_number, address, actor, at=None):
    """The returning officer sends the paper copies by post under a tracking number; the shipment waits
    for the postal operator's pickup. Shipping again after a return to sender resolves that task."""
    case_return = _paper_return_by(case, DeliveryMethod.POST)
    current = queries.current_shipment(case)
    if current is not None and current.status is not ShipmentStatus.RETURNED_TO_SENDER:
        raise InvalidTransition(
            _("Hồ sơ %(code)s đã có bưu gửi %(number)s.", code=case.code, number=current.tracking_number)
        )
    number, address = _text(tracking_number).upper(), _text(address)
    errors = {}
    if not TRACKING_NUMBER.fullmatch(number):
        errors["tracking_number"] = _("Số hiệu bưu gửi gồm 6 đến 40 chữ cái, chữ số hoặc dấu gạch ngang.")
    elif queries.shipment_by_tracking_number(number) is not None:
        errors["tracking_number"] = _("Số hiệu bưu gửi này đã được dùng cho một bưu gửi khác.")
    if not address:
        errors["address"] = _("Vui lòng nhập địa chỉ nhận.")
    elif len(address) > 500:
        errors["address"] = _("Địa chỉ nhận dài quá 500 ký tự.")
    if errors:
        raise ValidationFailed(errors)
    at = at or clock.now()
    if current is not None:
        current.resolved_at = at
    shipment = Shipment(
        case_return=case_return,
        case_id=case.id,
        tracking_number=number,
        address=address,
        status=ShipmentStatus.READY_FOR_PICKUP,
        status_changed_at=at,
        created_by_id=actor.user_id,
        created_at=at,
    )
    db.session.add(shipment)
    db.session.flush()
    audit.record(
        "delivery.shipment_created",
        actor,
        object_type="shipment",
        object_id=number,
        case_id=case.id,
        details={"reshipped_from": current.tracking_number if current is not None else None},
    )
    return shipment


def switch_to_counter(case, *, actor, at=None):
    """After a return to sender, the applicant will collect the copies at the counter instead."""
    case_return = _paper_return_by(case, DeliveryMethod.POST)
    current = queries.current_shipment(case)
    if current is None or current.status is not ShipmentStatus.RETURNED_TO_SENDER:
        raise InvalidTransition(_("Chỉ chuyển sang nhận tại quầy khi bưu gửi đã bị chuyển hoàn."))
    at = at or clock.now()
    current.resolved_at = at
    case_return.method = DeliveryMethod.COUNTER
    db.session.flush()
    audit.record(
        "delivery.switched_to_counter",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        details={"tracking_number": current.tracking_number},
    )
    return case_return


def record_shipment_event(shipment, *, event, at, actor, note=None):
    """Record an event the postal operator reported. The same event at the same time again changes
    nothing (returns False); an event out of order is refused. Delivered completes the paper return;
    returned to sender puts a task on the returning officers' board. The applicant is told when the post
    picks the copies up."""
    event = ShipmentStatus(event)
    repeat = db.session.scalar(
        sa.select(ShipmentEvent).where(
            ShipmentEvent.shipment_id == shipment.id, ShipmentEvent.event == event, ShipmentEvent.at == at
        )
    )
    if repeat is not None:
        return False
    if event not in NEXT_EVENTS[shipment.status]:
        raise InvalidTransition(
            _(
                "Bưu gửi %(number)s đang ở trạng thái %(status)s: không thể ghi nhận sự kiện %(event)s.",
                number=shipment.tracking_number,
                status=shipment.status,
                event=event,
            )
        )
    db.session.add(
        ShipmentEvent(shipment=shipment, event=event, at=at, note=_text(note) or None, source=actor.label)
    )
    shipment.status = event
    shipment.status_changed_at = at
    db.session.flush()
    audit.record(
        "delivery.shipment_event",
        actor,
        object_type="shipment",
        object_id=shipment.tracking_number,
        case_id=shipment.case_id,
        details={"event": str(event), "at": at.isoformat()},
    )
    if event is ShipmentStatus.PICKED_UP:
        # Dispatched: the tracking number now means something at the post office's own tracking page.
        notifications.notify(shipment.case, "dispatched", shipment=shipment)
    elif event is ShipmentStatus.DELIVERED:
        returns.complete_return(shipment.case_return, reason=ReturnReason.DELIVERED, actor=actor, at=at)
    return True
