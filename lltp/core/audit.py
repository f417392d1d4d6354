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


def before_after(before, after):
    """An audit row's details for an edit: what changed, before and after (everything, for a new row)."""
    changed = sorted(name for name in after if before is None or before[name] != after[name])
    return {
        "before": None if before is None else {name: before[name] for name in changed},
        "after": {name: after[name] for name in changed},
    }


def save_row(model, row, values, *, snapshot, action, object_type, object_id, actor):
    """Create (when `row` is None) or change a settings row from checked `values`, with one audit row
    `<action>.create|update` of what changed; `snapshot(row)` gives its audited values, `object_id(row)`
    the id the audit names."""
    before = None if row is None else snapshot(row)
    if row is None:
        row = model()
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
    record(
        f"{action}.create" if before is None else f"{action}.update",
        actor,
        object_type=object_type,
        object_id=object_id(row),
        details=before_after(before, snapshot(row)),
    )
    return row


def changes(before, after):
    """What an edit changed, as {field: [before, after]}, for an audit row's details."""
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
