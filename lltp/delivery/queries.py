"""Reads for returning: a case's shipments, and the returning officers' "to post" board.

The board's shipment tabs are one GROUP BY on the shipments' status and one page of rows on the index
(status, status changed at); the "to ship" tab lists the paper returns by post still waiting for a
shipment.
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa

from lltp.cases.models import Case, CaseStage, DeliveryMethod
from lltp.delivery.models import CaseReturn, Handover, ReturnKind, Shipment, ShipmentStatus
from lltp.extensions import db

TO_SHIP_TAB = "to_ship"
# The board's tabs: what each shows. A shipment returned to sender is a task until the officer resolves it.
TAB_STATUSES = {
    TO_SHIP_TAB: (),
    "ready_for_pickup": (ShipmentStatus.READY_FOR_PICKUP,),
    "in_transit": (ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT),
    "returned_to_sender": (ShipmentStatus.RETURNED_TO_SENDER,),
    "delivered": (ShipmentStatus.DELIVERED,),
}


def latest_shipment(case_id, *columns):
    """The SELECT of the latest shipment of the case `case_id` (a value or a correlated column): the one
    a case's return by post is about. `columns` narrows it to those columns."""
    return (
        sa.select(*(columns or (Shipment,)))
        .where(Shipment.case_id == case_id)
        .order_by(Shipment.id.desc())
        .limit(1)
    )


def current_shipment(case):
    """The case's latest shipment, or None."""
    return db.session.scalar(latest_shipment(case.id))


def shipments_of(case):
    """Every shipment of the case, the latest first."""
    return db.session.scalars(
        sa.select(Shipment).where(Shipment.case_id == case.id).order_by(Shipment.id.desc())
    ).all()


def shipment_by_tracking_number(tracking_number):
    return db.session.scalar(sa.select(Shipment).where(Shipment.tracking_number == tracking_number))


def shipments_in(status, *, limit):
    """Shipments in `status`, oldest first (for the postal operator's pickup list)."""
    return db.session.scalars(
        sa.select(Shipment)
        .where(Shipment.status == status)
        .order_by(Shipment.status_changed_at, Shipment.id)
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class BoardFilters:
    tab: str = TO_SHIP_TAB
    q: str = ""  # a case code or a tracking number, or its beginning
    page: int = 1


@dataclass(frozen=True)
class BoardRow:
    case: Case
    shipment: Shipment | None


@dataclass(frozen=True)
class BoardPage:
    rows: list
    counts: dict
    total: int
    page: int
    pages: int


def _to_ship():
    """The paper returns by post that wait for a shipment: none yet, or the last one returned to sender
    and not yet resolved (that one is the returned-to-sender tab's task)."""
    has_open = (
        sa.select(Shipment.id)
        .where(
            Shipment.case_return_id == CaseReturn.id,
            sa.or_(Shipment.status != ShipmentStatus.RETURNED_TO_SENDER, Shipment.resolved_at.is_(None)),
        )
        .exists()
    )
    return sa.and_(
        CaseReturn.kind == ReturnKind.PAPER,
        CaseReturn.method == DeliveryMethod.POST,
        CaseReturn.done_at.is_(None),
        Case.stage == CaseStage.ISSUED,
        ~has_open,
    )


def _search(filters, *, shipments):
    if not filters.q:
        return []
    prefix = filters.q.strip().upper()
    clause = Case.code.startswith(prefix, autoescape=True)
    if shipments:
        clause = sa.or_(clause, Shipment.tracking_number.startswith(prefix, autoescape=True))
    return [clause]


def _shipment_clauses(tab):
    clauses = [Shipment.status.in_(TAB_STATUSES[tab])]
    if tab == "returned_to_sender":
        clauses.append(Shipment.resolved_at.is_(None))
    return clauses


def tab_counts(filters):
    """Rows per tab under the search."""
    counts = {
        TO_SHIP_TAB: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseReturn)
            .join(Case, Case.id == CaseReturn.case_id)
            .where(_to_ship(), *_search(filters, shipments=False))
        )
    }
    for tab in TAB_STATUSES:
        if tab != TO_SHIP_TAB:
            counts[tab] = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Shipment)
                .join(Case, Case.id == Shipment.case_id)
                .where(*_shipment_clauses(tab), *_search(filters, shipments=True))
            )
    return counts


def board_page(filters, *, page_size):
    """One page of the tab, the longest waiting first, with the counts of every tab."""
    counts = tab_counts(filters)
    total = counts[filters.tab]
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    offset = (page - 1) * page_size
    if filters.tab == TO_SHIP_TAB:
        statement = (
            sa.select(Case, sa.null())
            .join(CaseReturn, CaseReturn.case_id == Case.id)
            .where(_to_ship(), *_search(filters, shipments=False))
            .order_by(Case.stage_changed_at, Case.id)
            # The row shows the declaration's postal address.
            .options(sa.orm.selectinload(Case.declaration))
        )
    else:
        statement = (
            sa.select(Case, Shipment)
            .join(Shipment, Shipment.case_id == Case.id)
            .where(*_shipment_clauses(filters.tab), *_search(filters, shipments=True))
            .order_by(Shipment.status_changed_at, Shipment.id)
        )
    rows = [
        BoardRow(case, shipment)
        for case, shipment in db.session.execute(statement.limit(page_size).offset(offset))
    ]
    return BoardPage(rows, counts, total, page, pages)


def handover_of(case):
    """The counter handover of the case's paper copies, or None."""
    return db.session.scalar(
        sa.select(Handover)
        .join(CaseReturn, CaseReturn.id == Handover.case_return_id)
        .where(CaseReturn.case_id == case.id)
    )
