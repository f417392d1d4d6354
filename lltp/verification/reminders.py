"""Chasing late answers: a reminder one working day before a task's due date, the escalation on the due
date, and each day a digest of the overdue tasks for the issuing authority.

Each is recorded once, under a unique key, in the same transaction as its messages (queued through the
outbox), so a scan run again (by the hourly schedule, a restarted worker, or two workers at once) records
and queues nothing more. The messages name the case code, the kind of question, the unit, the due date
and where to answer: never the person's data or the record's content.
"""

from dataclasses import dataclass
from itertools import groupby

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lltp.accounts.models import Role, Unit, UnitKind, User, UserRole
from lltp.core import database, outbox
from lltp.core.calendar import working_calendar
from lltp.core.outbox import OutboxChannel
from lltp.core.text import format_date
from lltp.extensions import db
from lltp.verification import services
from lltp.verification.models import AWAITING_UNIT, AlertKind, TaskAlert, TaskStatus, VerificationTask
from lltp.verification.questions import KIND_LABELS

# The issuing authority's officers who follow late answers.
DIGEST_ROLES = (Role.PROCESSING_OFFICER, Role.UNIT_SUPERVISOR)


@dataclass(frozen=True)
class Address:
    channel: OutboxChannel
    recipient: str


def _record_alert(kind, key, *, on, task=None):
    """Insert the alert under its unique key; False when it was already recorded (nothing to send)."""
    inserted = db.session.execute(
        database.insert(TaskAlert)
        .values(key=key, kind=kind, task_id=task.id if task is not None else None, on=on)
        .on_conflict_do_nothing(index_elements=[TaskAlert.key])
        .returning(TaskAlert.id)
    ).scalar()
    return inserted is not None


def _addresses(holders, *, channels=(OutboxChannel.EMAIL, OutboxChannel.SMS)):
    """The email and phone of each user or unit, once each, in order."""
    found = []
    for holder in holders:
        for channel, recipient in ((OutboxChannel.EMAIL, holder.email), (OutboxChannel.SMS, holder.phone)):
            address = Address(channel, (recipient or "").strip())
            if channel in channels and address.recipient and address not in found:
                found.append(address)
    return found


def _officers(unit_ids, roles):
    return db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(User.unit_id.in_(unit_ids), UserRole.role.in_(roles), User.is_active_account.is_(True))
        .distinct()
        .order_by(User.id)
    ).all()


def _notify(addresses, *, topic, key, subject, body, sms):
    for address in addresses:
        is_email = address.channel is OutboxChannel.EMAIL
        outbox.enqueue(
            address.channel,
            address.recipient,
            subject=subject if is_email else None,
            body=body if is_email else sms,
            topic=topic,
            payload={"alert": key},
        )


def _path(endpoint, **values):
    """The page's path for a message's link; a worker has no request to build a full URL from."""
    return current_app.url_map.bind("").build(endpoint, values)


def _task_words(task):
    return {
        "code": task.case.code,
        "kind": str(KIND_LABELS[task.kind]),
        "unit": task.unit.name,
        "due": format_date(task.due_date),
        "link": _path("verification.task_page", task_id=task.id),
    }


def send_reminders(today):
    """Remind the unit of every task it still owes that falls due on the next working day: its claimant,
    or else its verifiers, and the unit's own address. Returns how many tasks were reminded."""
    last_day = working_calendar().next_working_day(today)
    tasks = db.session.scalars(
        sa.select(VerificationTask)
        .where(
            VerificationTask.status.in_(AWAITING_UNIT),
            # A due date that became a day off since it was set is reminded on the working day before.
            VerificationTask.due_date > today,
            VerificationTask.due_date <= last_day,
        )
        .order_by(VerificationTask.id)
    ).all()
    reminded = 0
    for task in tasks:
        key = f"reminder:{task.id}:{task.due_date.isoformat()}"
        if not _record_alert(AlertKind.REMINDER, key, task=task, on=task.due_date):
            continue
        people = (
            [task.claimed_by] if task.claimed_by is not None else _officers([task.unit_id], (Role.VERIFIER,))
        )
        words = _task_words(task)
        _notify(
            _addresses([*people, task.unit]),
            topic="verification.reminder",
            key=key,
            subject=_("Nhắc hạn trả lời yêu cầu xác minh, hồ sơ %(code)s", **words),
            body=_(
                "Yêu cầu xác minh “%(kind)s” của hồ sơ %(code)s gửi %(unit)s đến hạn trả lời ngày %(due)s.\n"
                "Xem và trả lời tại: %(link)s",
                **words,
            ),
            sms=_("LLTP: yêu cầu xác minh hồ sơ %(code)s đến hạn trả lời ngày %(due)s. %(link)s", **words),
        )
        reminded += 1
    return reminded


def escalate_due(today):
    """Mark every task still open or claimed on or after its due date, and tell the unit's supervisors
    (and the unit's own address). Returns how many tasks were escalated."""
    tasks = db.session.scalars(
        sa.select(VerificationTask)
        .where(
            VerificationTask.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED]),
            VerificationTask.due_date <= today,
        )
        .order_by(VerificationTask.id)
    ).all()
    escalated = 0
    for task in tasks:
        key = f"escalation:{task.id}:{task.due_date.isoformat()}"
        if not _record_alert(AlertKind.ESCALATION, key, task=task, on=task.due_date):
            continue
        services.escalate_task(task)
        words = _task_words(task)
        _notify(
            _addresses([*_officers([task.unit_id], (Role.UNIT_SUPERVISOR,)), task.unit]),
            topic="verification.escalation",
            key=key,
            subject=_("Quá hạn trả lời yêu cầu xác minh, hồ sơ %(code)s", **words),
            body=_(
                "Yêu cầu xác minh “%(kind)s” của hồ sơ %(code)s gửi %(unit)s đến hạn trả lời ngày %(due)s "
                "mà chưa được trả lời. Đề nghị lãnh đạo đơn vị chỉ đạo trả lời ngay.\n"
                "Xem tại: %(link)s",
                **words,
            ),
            sms=_(
                "LLTP: yêu cầu xác minh hồ sơ %(code)s đã đến hạn ngày %(due)s, chưa có trả lời. %(link)s",
                **words,
            ),
        )
        escalated += 1
    return escalated


def _digest_lines(tasks):
    lines = []
    for unit, unit_tasks in groupby(tasks, key=lambda task: task.unit):
        unit_tasks = list(unit_tasks)
        lines.append(
            _(
                "- %(unit)s: %(count)d yêu cầu quá hạn (hồ sơ %(codes)s)",
                unit=unit.name,
                count=len(unit_tasks),
                codes=", ".join(sorted({task.case.code for task in unit_tasks})),
            )
        )
    return lines


def send_digest(today):
    """Once a day, send the issuing authority the overdue tasks, by unit, with their counts and case codes.
    Returns how many overdue tasks it listed (0 when there were none, or it was already sent today)."""
    tasks = db.session.scalars(
        sa.select(VerificationTask)
        .join(VerificationTask.unit)
        .where(VerificationTask.status.in_(AWAITING_UNIT), VerificationTask.due_date < today)
        .order_by(Unit.name, Unit.id, VerificationTask.due_date, VerificationTask.id)
    ).all()
    key = f"digest:{today.isoformat()}"
    if not tasks or not _record_alert(AlertKind.DIGEST, key, on=today):
        return 0
    authority = db.session.scalars(
        sa.select(Unit)
        .where(Unit.kind == UnitKind.ISSUING_AUTHORITY, Unit.is_active.is_(True))
        .order_by(Unit.id)
    ).all()
    day = format_date(today)
    body = "\n".join(
        [
            _(
                "Đến ngày %(day)s có %(count)d yêu cầu xác minh quá hạn chưa được trả lời:",
                day=day,
                count=len(tasks),
            ),
            *_digest_lines(tasks),
            _("Xem chi tiết tại: %(link)s", link=_path("verification.performance")),
        ]
    )
    _notify(
        _addresses(
            [*authority, *_officers([unit.id for unit in authority], DIGEST_ROLES)],
            channels=(OutboxChannel.EMAIL,),
        ),
        topic="verification.digest",
        key=key,
        subject=_("Tổng hợp yêu cầu xác minh quá hạn ngày %(day)s", day=day),
        body=body,
        sms=None,
    )
    return len(tasks)
