"""The audit log: who read or changed what, about which case, when, from which address, and why.

Audit rows are data, written in the same transaction as the action they record.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lltp.core.db import UTCDateTime, utcnow
from lltp.extensions import db


@dataclass(frozen=True)
class Actor:
    """Who does an action, and from where. Views build it from the request; the CLI uses `system()`."""

    user: Any
    ip: str | None = None
    user_agent: str | None = None
    # Who acts when no user does: "anonymous" on the web, "cli", "worker", an API client's name...
    source: str = "system"

    @property
    def user_id(self):
        return self.user.id if self.user is not None else None

    @property
    def label(self):
        return self.user.username if self.user is not None else self.source

    @classmethod
    def system(cls, source="cli"):
        return cls(user=None, source=source)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[dict | None] = mapped_column(sa.JSON)


def record(action, actor, *, object_type=None, object_id=None, case_id=None, reason=None, details=None):
    """Append one audit row to the current transaction and return it."""
    event = AuditEvent(
        **values(
            action,
            actor,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id,
            reason=reason,
            details=details,
        )
    )
    db.session.add(event)
    return event


def values(action, actor, *, object_type=None, object_id=None, case_id=None, reason=None, details=None):
    """The columns of one audit row, for a bulk insert of many (an import) instead of `record`."""
    return {
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "case_id": case_id,
        "reason": reason,
        "ip": actor.ip,
        "user_agent": (actor.user_agent or "")[:255] or None,
        "details": details,
    }


def changes(before, after):
    """What an edit changed, as {field: [before, after]}, for an audit row's details."""
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
