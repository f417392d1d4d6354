"""The demo's returns: every returned case returned as its request asked (handed over at the counter, to
the applicant or a proxy; delivered by post; electronic), and for the cases issued but not yet returned,
shipments ready for pickup, in transit and returned to sender on the returning officers' board.
"""

from datetime import timedelta

from lltp.cases.models import CaseStage, DeliveryMethod
from lltp.core.audit import Actor
from lltp.delivery import returns, services
from lltp.delivery.models import Collector, ReturnKind, ShipmentStatus

RETURNING_OFFICER = "trakq"
# Where the cases still issued stand with the post, in turn: not posted yet (the board's "to ship" tab),
# waiting for the courier, on the way, and back to the office (the applicant had moved).
OPEN_SHIPMENTS = (
    None,
    (),
    (ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT),
    (ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT, ShipmentStatus.RETURNED_TO_SENDER),
)
NOTES = {
    ShipmentStatus.PICKED_UP: "Bưu cục Sài Gòn đã nhận bưu gửi.",
    ShipmentStatus.IN_TRANSIT: "Đang chuyển đến bưu cục phát.",
    ShipmentStatus.DELIVERED: "Đã phát thành công, người nhận ký nhận.",
    ShipmentStatus.RETURNED_TO_SENDER: "Người nhận không còn ở địa chỉ này; chuyển hoàn.",
}


def _officer(demo):
    return Actor(user=demo.users[RETURNING_OFFICER])


def _issued_at(case):
    return next(event.at for event in case.events if event.action == "approve")


def _ship(demo, case, *, start, end, steps):
    """Post the paper copies a little after `start`, then the postal operator's `steps`, the last at `end`."""
    postal = Actor.system("api:vnpost")
    gap = (end - start) / (len(steps) + 1)
    shipment = services.create_shipment(
        case,
        tracking_number=f"RR{case.id:09d}VN",
        address=case.declaration.postal_address,
        actor=_officer(demo),
        at=start + gap,
    )
    for position, event in enumerate(steps, start=2):
        services.record_shipment_event(
            shipment, event=event, at=start + gap * position, actor=postal, note=NOTES[event]
        )
    return shipment


def return_case(demo, case, *, at):
    """Do every return the issued case owes, the last one at `at`: that moves it to returned."""
    issued_at = _issued_at(case)
    for case_return in returns.returns_of(case):
        if case_return.kind is ReturnKind.ELECTRONIC:
            # What the worker records once the client acknowledges the event, or the notice is sent.
            returns.complete_return(
                case_return,
                reason=returns.electronic_done_by(case),
                actor=Actor.system("worker"),
                at=issued_at + (at - issued_at) / 2,
            )
        elif case_return.method is DeliveryMethod.POST:
            delivered = (ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED)
            _ship(demo, case, start=issued_at, end=at, steps=delivered)
        else:
            by_proxy = demo.rng.random() < 0.2
            services.record_handover(
                case,
                collected_by=str(Collector.PROXY if by_proxy else Collector.APPLICANT),
                copies=case.copies,
                proxy_full_name="NGUYỄN VĂN AN" if by_proxy else None,
                proxy_id_number="079090001234" if by_proxy else None,
                authorisation_reference="Giấy ủy quyền chứng thực ngày hôm trước" if by_proxy else None,
                actor=_officer(demo),
                at=at,
            )


def load_open_shipments(demo):
    """The issued cases waiting for the post: in turn still to ship, ready for pickup, in transit, returned
    to sender."""
    waiting = [
        case
        for case in demo.cases
        if case.stage is CaseStage.ISSUED and case.delivery_method is DeliveryMethod.POST
    ]
    end = demo.now - timedelta(minutes=5)
    for position, case in enumerate(waiting):
        steps = OPEN_SHIPMENTS[position % len(OPEN_SHIPMENTS)]
        if steps is not None:
            _ship(demo, case, start=_issued_at(case), end=end, steps=steps)
