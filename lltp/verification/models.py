"""Verification tasks, their trail and attachments, the routing rules, the due days per kind, the
reminders and escalations recorded once each, and the request letters' numbers."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class TaskKind(StrEnum):
    POLICE_LOOKUP = "police_lookup"
    JUDGMENT_OUTCOME = "judgment_outcome"
    ENFORCEMENT_STATUS = "enforcement_status"
    EXPUNGEMENT_CONDITIONS = "expungement_conditions"
    IDENTITY_MISMATCH = "identity_mismatch"


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    RETURNED = "returned"  # returned to the issuing authority for clarification
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


# The statuses in which the unit still owes an answer (an escalated task is still open, and marked).
AWAITING_UNIT = frozenset({TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.ESCALATED})
UNRESOLVED = AWAITING_UNIT | {TaskStatus.RETURNED}
DONE = frozenset({TaskStatus.ANSWERED, TaskStatus.CANCELLED})


class AnswerOutcome(StrEnum):
    NOTHING_FOUND = "nothing_found"
    FOUND = "found"
    CANNOT_DETERMINE = "cannot_determine"


class RoutingCondition(StrEnum):
    """When a rule asks its question (the facts come from the case and the record database)."""

    EVERY_CASE_IN_PROFILES = "every_case_in_profiles"
    RECORD_BEFORE_2010 = "record_before_2010"
    MISSING_OUTCOME = "missing_outcome"
    MISSING_ENFORCEMENT = "missing_enforcement"
    OPEN_PROSECUTION = "open_prosecution"
    EXPUNGEMENT_CONDITIONS = "expungement_conditions"
    IDENTITY_CONFLICT = "identity_conflict"


class RoutingTarget(StrEnum):
    """Which unit gets the question: one of a kind, or the one the facts point at."""

    PROVINCIAL_POLICE = "provincial_police"
    SENTENCING_COURT = "sentencing_court"
    PROCURACY = "procuracy"
    JUDGMENT_ENFORCEMENT = "judgment_enforcement"
    RESIDENCE_COMMUNE = "residence_commune"
    POPULATION_REGISTER = "population_register"
    FIXED_UNIT = "fixed_unit"


class TaskKindSetting(db.Model):
    """How many working days a unit has to answer each kind of question; an administrator sets them."""

    __tablename__ = "verification_task_kinds"

    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind), primary_key=True)
    due_working_days: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RoutingRule(db.Model):
    """One row of the routing table: on `condition`, ask a `kind` question of the `target` unit."""

    __tablename__ = "verification_routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    condition: Mapped[RoutingCondition] = mapped_column(str_enum(RoutingCondition))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind))
    target: Mapped[RoutingTarget] = mapped_column(str_enum(RoutingTarget))
    # The unit for FIXED_UNIT, and the fallback when the facts point at no unit on the system.
    target_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    # For EVERY_CASE_IN_PROFILES: the legal profiles' codes.
    profile_codes: Mapped[list | None] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    target_unit = relationship("Unit")


class VerificationTask(db.Model):
    """One question to one unit about one case, with its answer and its trail."""

    __tablename__ = "verification_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.OPEN)
    # Only the fields this kind of question needs (see `verification.questions`).
    question: Mapped[dict] = mapped_column(sa.JSON)
    # What asks it: a rule's code and the judgment it is about, or "manual"; routing never asks twice.
    routing_key: Mapped[str] = mapped_column(sa.String(80))
    routing_rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("verification_routing_rules.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    due_date: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[AnswerOutcome | None] = mapped_column(str_enum(AnswerOutcome))
    # The structured answer: for a judgment, a records-contract document under "document".
    answer: Mapped[dict | None] = mapped_column(sa.JSON)
    answer_note: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An answer that came back on paper, typed in by an issuing-authority officer.
    answered_on_paper: Mapped[bool] = mapped_column(default=False)
    # When the found judgment or event was taken into the record database, and as which document.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The request letter (công văn) for a unit not yet on the system.
    letter_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    letter_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case = relationship("Case", lazy="joined", innerjoin=True)
    unit = relationship("Unit", lazy="joined", innerjoin=True)
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    events: Mapped[list["TaskEvent"]] = relationship(
        back_populates="task", order_by="TaskEvent.id", cascade="all", passive_deletes=True
    )
    attachments: Mapped[list["TaskAttachment"]] = relationship(
        back_populates="task", order_by="TaskAttachment.id", cascade="all", passive_deletes=True
    )

    __table_args__ = (
        # A unit's board: its tasks by status, soonest due first.
        sa.Index("ix_verification_tasks_unit_status_due", "unit_id", "status", "due_date", "id"),
        sa.Index("ix_verification_tasks_status_due", "status", "due_date"),
        # The agencies' performance: answers within a period.
        sa.Index("ix_verification_tasks_answered_at", "answered_at"),
        sa.UniqueConstraint("case_id", "routing_key", name="uq_verification_tasks_case_routing_key"),
    )

    @property
    def is_unresolved(self):
        return self.status in UNRESOLVED


class TaskEvent(db.Model):
    """One thing done to a task. Append-only: the task's trail."""

    __tablename__ = "verification_task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("verification_tasks.id", ondelete="RESTRICT"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[TaskStatus | None] = mapped_column(str_enum(TaskStatus))
    to_status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    # Which unit the actor belonged to, for the trail's "who": a verifying unit or the authority.
    actor_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    task: Mapped[VerificationTask] = relationship(back_populates="events")
    actor = relationship("User", lazy="joined")


@sa.event.listens_for(TaskEvent, "before_update")
@sa.event.listens_for(TaskEvent, "before_delete")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("verification task events are append-only")


class TaskAttachment(db.Model):
    """A scan attached to a task (the question's papers, or the answer's proof), stored by its hash."""

    __tablename__ = "verification_task_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("verification_tasks.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_by_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[VerificationTask] = relationship(back_populates="attachments")


class AlertKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"


class TaskAlert(db.Model):
    """A reminder, escalation or daily digest, recorded once under its key however often the scan runs."""

    __tablename__ = "verification_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("verification_tasks.id"), index=True)
    # The due date it was about (a task's due date can move when it comes back from clarification).
    on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LetterCounter(db.Model):
    """The last request-letter serial handed out in a year. It only ever goes up."""

    __tablename__ = "verification_letter_counters"

    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column()
