"""The Case aggregate, its append-only events, case-code counters and the dated legal profiles."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class CaseStage(StrEnum):
    """The stage names of the intake API contract, in order, then the two ends."""

    AWAITING_PAYMENT = "awaiting_payment"
    RECEIVED = "received"
    INCOMPLETE = "incomplete"
    IN_REVIEW = "in_review"
    VERIFYING = "verifying"
    DRAFTING = "drafting"
    AWAITING_SIGNATURE = "awaiting_signature"
    ISSUED = "issued"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CLOSED_STAGES = frozenset({CaseStage.RETURNED, CaseStage.REFUSED, CaseStage.WITHDRAWN})
# Listed rather than "not closed", so that SQL filters on them can use the (stage, due_date) index.
OPEN_STAGES = frozenset(CaseStage) - CLOSED_STAGES


class Channel(StrEnum):
    COUNTER = "counter"
    POST = "post"
    AGENCY = "agency"
    ONLINE = "online"  # our own public form, /nop-ho-so
    VNEID = "vneid"
    NATIONAL_PORTAL = "national_portal"
    PROVINCIAL_PORTAL = "provincial_portal"


# The national systems that push requests through the API (intake contract): each is one client kind.
API_CHANNELS = frozenset({Channel.VNEID, Channel.NATIONAL_PORTAL, Channel.PROVINCIAL_PORTAL})


class DeliveryMethod(StrEnum):
    ELECTRONIC = "electronic"
    COUNTER = "counter"
    POST = "post"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Case(db.Model):
    """One request for a certificate, from submission to its end.

    `stage` and the deadline fields are kept on the row so the boards can filter and sort 200,000 cases by
    index; they are only ever written by `cases.services`, which derives them from the events.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), index=True)
    certificate_type: Mapped[int] = mapped_column(sa.SmallInteger, index=True)
    stage: Mapped[CaseStage] = mapped_column(str_enum(CaseStage))
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_urgent: Mapped[bool] = mapped_column(default=False)
    delivery_method: Mapped[DeliveryMethod] = mapped_column(
        str_enum(DeliveryMethod), default=DeliveryMethod.ELECTRONIC
    )
    include_ban_section: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str | None] = mapped_column(sa.String(255))
    copies: Mapped[int] = mapped_column(sa.SmallInteger, default=1)

    applicant_full_name: Mapped[str] = mapped_column(sa.String(120))
    # Lower-case, without diacritics: what the board's free-text search matches on.
    applicant_name_folded: Mapped[str] = mapped_column(sa.String(120), index=True)
    applicant_date_of_birth: Mapped[date] = mapped_column(sa.Date)
    applicant_sex: Mapped[Sex] = mapped_column(str_enum(Sex))
    applicant_id_number: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(sa.String(20))
    applicant_email: Mapped[str | None] = mapped_column(sa.String(255))

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    legal_profile_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_profiles.id"))
    is_long: Mapped[bool] = mapped_column(default=False)
    # The day the legal count started from: receipt, or the return of a completed dossier.
    clock_started_on: Mapped[date | None] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    legal_profile: Mapped["LegalProfile | None"] = relationship()
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.seq", cascade="all", passive_deletes=True
    )

    __table_args__ = (
        sa.Index("ix_cases_stage_due_date", "stage", "due_date"),
        sa.Index("ix_cases_due_date", "due_date"),
        sa.CheckConstraint("certificate_type IN (1, 2)", name="certificate_type"),
        sa.CheckConstraint("copies BETWEEN 1 AND 10", name="copies"),
    )

    @property
    def is_open(self):
        return self.stage not in CLOSED_STAGES


class CaseEvent(db.Model):
    """One thing that happened to a case. Append-only: replaying the events gives the case's stage."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(40))
    from_stage: Mapped[CaseStage | None] = mapped_column(str_enum(CaseStage))
    to_stage: Mapped[CaseStage] = mapped_column(str_enum(CaseStage))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)


@sa.event.listens_for(CaseEvent, "before_update")
@sa.event.listens_for(CaseEvent, "before_delete")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("case events are append-only")


class CaseCodeCounter(db.Model):
    """The last serial handed out for one authority code and day. It only ever goes up."""

    __tablename__ = "case_code_counters"

    authority_code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    last_serial: Mapped[int] = mapped_column()


class LegalProfile(db.Model):
    """A dated legal regime of deadlines (domain §6), kept as data that an administrator edits."""

    __tablename__ = "legal_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.String(255))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    # The channels the profile covers; null covers every channel.
    channels: Mapped[list | None] = mapped_column(sa.JSON)
    standard_days: Mapped[int] = mapped_column()
    # Null when the law's longer limit is not confirmed: a long case then keeps the standard limit.
    long_days: Mapped[int | None] = mapped_column()
    urgent_hours: Mapped[int | None] = mapped_column()
    paper_return_extra_days: Mapped[int] = mapped_column(default=0)
    long_conditions: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
