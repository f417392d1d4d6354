"""What each issued case owes the applicant (its returns), and what was done: the counter handover, the
shipments by post with their events."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.cases.models import DeliveryMethod
from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class ReturnKind(StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"


class ReturnReason(StrEnum):
    """Why a return counts as done."""

    CALLBACK_ACKNOWLEDGED = "callback_acknowledged"  # the API client answered 2xx to the `issued` event
    CLIENT_DOWNLOADED = "client_downloaded"  # the API client fetched the signed PDF itself
    APPLICANT_NOTIFIED = "applicant_notified"  # the notification with the download link was sent
    COLLECTED = "collected"  # handed over at the counter
    DELIVERED = "delivered"  # the postal operator delivered it


class CaseReturn(db.Model):
    """One return a case owes, opened when the case is issued: the electronic one, the paper one, or both.

    The paper return's `method` starts as the case's delivery method; a shipment returned to sender may
    switch it to counter collection.
    """

    __tablename__ = "case_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ReturnKind] = mapped_column(str_enum(ReturnKind))
    method: Mapped[DeliveryMethod] = mapped_column(str_enum(DeliveryMethod))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_reason: Mapped[ReturnReason | None] = mapped_column(str_enum(ReturnReason))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case")

    __table_args__ = (sa.UniqueConstraint("case_id", "kind"),)

    @property
    def is_done(self):
        return self.done_at is not None


class Collector(StrEnum):
    APPLICANT = "applicant"
    PROXY = "proxy"


class Handover(db.Model):
    """The paper copies handed over at the counter: to whom, by which officer, how many, when."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_return_id: Mapped[int] = mapped_column(sa.ForeignKey("case_returns.id"), unique=True)
    collected_by: Mapped[Collector] = mapped_column(str_enum(Collector))
    proxy_full_name: Mapped[str | None] = mapped_column(sa.String(120))
    proxy_id_number: Mapped[str | None] = mapped_column(sa.String(20))
    authorisation_reference: Mapped[str | None] = mapped_column(sa.String(120))
    copies: Mapped[int] = mapped_column(sa.SmallInteger)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    handed_over_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case_return = relationship("CaseReturn")
    officer = relationship("User")


class ShipmentStatus(StrEnum):
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RETURNED_TO_SENDER = "returned_to_sender"


class Shipment(db.Model):
    """The paper copies sent by post under one tracking number. A shipment returned to sender stays; the
    officer resolves it by shipping again (a new shipment) or by switching to counter collection."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_return_id: Mapped[int] = mapped_column(sa.ForeignKey("case_returns.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    address: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus), default=ShipmentStatus.READY_FOR_PICKUP
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the officer dealt with a return to sender: the task leaves the board.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")
    case_return = relationship("CaseReturn")
    events: Mapped[list["ShipmentEvent"]] = relationship(
        back_populates="shipment", order_by="ShipmentEvent.id", cascade="all"
    )

    __table_args__ = (sa.Index("ix_shipments_status_status_changed_at", "status", "status_changed_at"),)


class ShipmentEvent(db.Model):
    """One event the postal operator reported. The same event at the same time is recorded once."""

    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipments.id", ondelete="CASCADE"))
    event: Mapped[ShipmentStatus] = mapped_column(str_enum(ShipmentStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")

    __table_args__ = (sa.UniqueConstraint("shipment_id", "event", "at"),)
