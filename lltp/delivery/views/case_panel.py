"""The case page's returns panel: what the issued case owes and what was done, and the returning
officer's forms: the counter handover, the shipment by post (address prefilled from the declaration), and
after a return to sender, shipping again or switching to counter collection. It stands in for the generic
"record return" button: a case is returned only through its returns (`delivery.returns`)."""

from flask import request
from flask_babel import gettext as _

from lltp.accounts.models import Role, UnitKind
from lltp.cases import panels
from lltp.cases.models import CaseStage, DeliveryMethod
from lltp.core import audit
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import current_actor, requires
from lltp.delivery import forms, queries, returns, services
from lltp.delivery.models import ReturnKind, ShipmentStatus
from lltp.delivery.views import bp
from lltp.navigation import AUTHORITY_STAFF

AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)
ANCHOR = "returns-panel"
RETURN_STAGES = frozenset({CaseStage.ISSUED, CaseStage.RETURNED})


def returns_panel(case, user):
    """The returns and what was done; the forms for a returning officer while the case is issued."""
    if (
        case.stage not in RETURN_STAGES
        or not user.is_authority_officer
        or not user.has_role(*AUTHORITY_STAFF)
    ):
        return None
    owed = returns.returns_of(case)
    if not owed:
        return None
    paper = next((r for r in owed if r.kind is ReturnKind.PAPER and not r.is_done), None)
    current = queries.current_shipment(case)
    returned = current is not None and current.status is ShipmentStatus.RETURNED_TO_SENDER
    working = user.has_role(Role.RETURNING_OFFICER) and case.stage is CaseStage.ISSUED and paper is not None
    by_post = working and paper.method is DeliveryMethod.POST
    # The panel shows who collected and where the copies went: a read of the person's data.
    audit.record(
        "delivery.returns_viewed", current_actor(), object_type="case", object_id=case.code, case_id=case.id
    )
    return {
        "returns": owed,
        "handover": queries.handover_of(case),
        "shipments": queries.shipments_of(case),
        "may_hand_over": working and paper.method is DeliveryMethod.COUNTER,
        "may_ship": by_post and (current is None or returned),
        "may_switch": by_post and returned,
        "address": case.declaration.postal_address if case.declaration is not None else "",
        "labels": {
            "kind": forms.RETURN_KIND_LABELS,
            "method": forms.METHOD_LABELS,
            "reason": forms.REASON_LABELS,
            "collector": forms.COLLECTOR_LABELS,
            "status": forms.SHIPMENT_STATUS_LABELS,
        },
        "replaces": ("record_return",),
    }


panels.register(panels.Panel("delivery/case/_returns.html", returns_panel, order=8))


def _on_returns(code, form, fields, act, message):
    """Take one panel action `act(case, values)`: a refusal shows `form` with its errors and values."""
    case = panels.case_or_404(code)
    values = {name: request.form.get(name, "") for name in fields}
    try:
        act(case, values)
    except ValidationFailed as failed:
        return panels.refuse(case, form, failed, values)
    return panels.done(case, message, anchor=ANCHOR)


@bp.post("/ho-so/<code>/tra-ket-qua/giao-tai-quay")
@requires(Role.RETURNING_OFFICER, unit_kinds=AUTHORITY)
def hand_over(code):
    """The returning officer records who collected the paper copies at the counter."""
    return _on_returns(
        code,
        "returns-handover",
        forms.HANDOVER_FIELDS,
        lambda case, values: services.record_handover(case, **values, actor=current_actor()),
        _("Đã ghi nhận trao Phiếu tại bộ phận một cửa."),
    )


@bp.post("/ho-so/<code>/tra-ket-qua/gui-buu-dien")
@requires(Role.RETURNING_OFFICER, unit_kinds=AUTHORITY)
def ship(code):
    """The returning officer sends the paper copies by post under a tracking number."""
    return _on_returns(
        code,
        "returns-shipment",
        forms.SHIPMENT_FIELDS,
        lambda case, values: services.create_shipment(case, **values, actor=current_actor()),
        _("Đã tạo bưu gửi, chờ bưu điện đến nhận."),
    )


@bp.post("/ho-so/<code>/tra-ket-qua/nhan-tai-quay")
@requires(Role.RETURNING_OFFICER, unit_kinds=AUTHORITY)
def switch_to_counter(code):
    """After a return to sender, the applicant will collect the copies at the counter."""
    return _on_returns(
        code,
        "returns-switch",
        (),
        lambda case, values: services.switch_to_counter(case, actor=current_actor()),
        _("Đã chuyển sang trả Phiếu tại bộ phận một cửa."),
    )
