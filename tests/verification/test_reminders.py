"""The chasing scans: a reminder one working day before the due date, the escalation on it, the daily
digest for the issuing authority; each recorded once under its key, its messages queued in the outbox."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.outbox import OutboxChannel, OutboxMessage
from lltp.core.queue import huey
from lltp.extensions import db as _db
from lltp.verification import reminders, services
from lltp.verification import tasks as verification_tasks
from lltp.verification.models import TaskAlert, TaskKind, TaskStatus
from tests.factories import authority_unit, create_case, create_unit, create_user, officer

FRIDAY = date(2026, 12, 4)
THURSDAY = date(2026, 12, 3)
NEXT_MONDAY = date(2026, 12, 7)


@pytest.fixture
def police(db):
    return create_unit(UnitKind.PROVINCIAL_POLICE, email="pc02@congan.vn", phone="0281111111")


@pytest.fixture
def verifiers(police):
    return [
        create_user(roles=(Role.VERIFIER,), unit=police, email=f"xm{n}@congan.vn", phone=f"090000000{n}")
        for n in (1, 2)
    ]


@pytest.fixture
def supervisor(police):
    return create_user(
        roles=(Role.UNIT_SUPERVISOR,), unit=police, email="lanhdao@congan.vn", phone="0909999999"
    )


def police_task(db, due_date, **fields):
    """The police lookup that routing opens for a new case in verification, due on `due_date`."""
    case = create_case(CaseStage.VERIFYING)
    (task,) = services.case_tasks(case)
    task.due_date = due_date
    for name, value in fields.items():
        setattr(task, name, value)
    db.session.flush()
    return task


def messages(topic):
    rows = _db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
    )
    return [(row.channel, row.recipient) for row in rows]


def alert_keys():
    return _db.session.scalars(sa.select(TaskAlert.key).order_by(TaskAlert.id)).all()


def test_a_task_due_on_the_next_working_day_is_reminded_to_the_units_verifiers_and_the_unit(
    db, police, verifiers
):
    task = police_task(db, NEXT_MONDAY)

    assert reminders.send_reminders(FRIDAY) == 1

    assert alert_keys() == [f"reminder:{task.id}:2026-12-07"]
    assert messages("verification.reminder") == [
        (OutboxChannel.EMAIL, "xm1@congan.vn"),
        (OutboxChannel.SMS, "0900000001"),
        (OutboxChannel.EMAIL, "xm2@congan.vn"),
        (OutboxChannel.SMS, "0900000002"),
        (OutboxChannel.EMAIL, "pc02@congan.vn"),
        (OutboxChannel.SMS, "0281111111"),
    ]


def test_a_task_due_two_working_days_later_is_not_reminded_yet(db, police, verifiers):
    police_task(db, NEXT_MONDAY)

    assert reminders.send_reminders(THURSDAY) == 0
    assert messages("verification.reminder") == []


def test_a_second_reminder_scan_records_and_queues_nothing_more(db, police, verifiers):
    police_task(db, NEXT_MONDAY)
    reminders.send_reminders(FRIDAY)
    before = messages("verification.reminder")

    assert reminders.send_reminders(FRIDAY) == 0
    assert len(alert_keys()) == 1
    assert messages("verification.reminder") == before


def test_a_claimed_task_is_reminded_to_its_claimant_and_not_the_other_verifiers(db, police, verifiers):
    police_task(db, NEXT_MONDAY, status=TaskStatus.CLAIMED, claimed_by=verifiers[1])

    reminders.send_reminders(FRIDAY)

    recipients = {recipient for _channel, recipient in messages("verification.reminder")}
    assert recipients == {"xm2@congan.vn", "0900000002", "pc02@congan.vn", "0281111111"}


def test_a_reminder_names_the_case_the_kind_the_unit_the_due_date_and_the_task_page_only(
    db, police, verifiers
):
    task = police_task(db, NEXT_MONDAY)

    reminders.send_reminders(FRIDAY)

    email = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.channel == OutboxChannel.EMAIL, OutboxMessage.topic == "verification.reminder"
        )
    )
    for text in (
        task.case.code,
        "Tra cứu hồ sơ tại Công an",
        police.name,
        "07/12/2026",
        f"/xac-minh/{task.id}",
    ):
        assert text in email.body
    for personal in ("NGUYỄN VĂN AN", "079090001234", "17/05/1990", "an.nguyen@example.vn"):
        assert personal not in email.body
        assert personal not in (email.subject or "")


def test_a_task_reminded_then_given_a_new_due_date_is_reminded_again(db, police, verifiers):
    task = police_task(db, date(2026, 12, 4))
    reminders.send_reminders(THURSDAY)
    task.due_date = NEXT_MONDAY  # clarified: the unit's time started again
    db.session.flush()

    assert reminders.send_reminders(FRIDAY) == 1
    assert alert_keys() == [f"reminder:{task.id}:2026-12-04", f"reminder:{task.id}:2026-12-07"]


def test_a_task_at_its_due_date_is_escalated_marked_and_its_supervisors_told(
    db, police, verifiers, supervisor
):
    task = police_task(db, FRIDAY, status=TaskStatus.CLAIMED, claimed_by=verifiers[0])

    assert reminders.escalate_due(FRIDAY) == 1

    assert task.status is TaskStatus.ESCALATED
    assert task.escalated_at is not None
    assert task.events[-1].action == "escalate"
    assert alert_keys() == [f"escalation:{task.id}:2026-12-04"]
    assert messages("verification.escalation") == [
        (OutboxChannel.EMAIL, "lanhdao@congan.vn"),
        (OutboxChannel.SMS, "0909999999"),
        (OutboxChannel.EMAIL, "pc02@congan.vn"),
        (OutboxChannel.SMS, "0281111111"),
    ]


def test_a_task_due_later_is_not_escalated(db, police, supervisor):
    task = police_task(db, NEXT_MONDAY)

    assert reminders.escalate_due(FRIDAY) == 0
    assert task.status is TaskStatus.OPEN


def test_a_second_escalation_scan_records_and_queues_nothing_more(db, police, supervisor):
    task = police_task(db, THURSDAY)
    reminders.escalate_due(FRIDAY)
    events = len(task.events)

    assert reminders.escalate_due(FRIDAY) == 0
    assert len(alert_keys()) == 1
    assert len(messages("verification.escalation")) == 4
    assert len(task.events) == events


@pytest.mark.parametrize("status", [TaskStatus.ANSWERED, TaskStatus.RETURNED, TaskStatus.CANCELLED])
def test_a_task_the_unit_no_longer_owes_is_neither_reminded_nor_escalated(db, police, verifiers, status):
    police_task(db, NEXT_MONDAY, status=status)
    police_task(db, FRIDAY, status=status)

    assert reminders.send_reminders(FRIDAY) == 0
    assert reminders.escalate_due(FRIDAY) == 0
    assert alert_keys() == []


@pytest.fixture
def authority(db):
    unit = authority_unit()
    unit.email = "pv06@congan.vn"
    processing = create_user(roles=(Role.PROCESSING_OFFICER,), email="xuly@congan.vn", phone="0911111111")
    create_user(roles=(Role.INTAKE_OFFICER,), email="tiepnhan@congan.vn")
    db.session.flush()
    return unit, processing


def court_task(db, due_date):
    court = create_unit(UnitKind.COURT, name="Tòa án nhân dân Khu vực 1")
    case = create_case(CaseStage.VERIFYING)
    task = services.add_task(
        case,
        unit=court,
        kind=TaskKind.JUDGMENT_OUTCOME,
        reason="Thiếu kết quả thi hành án",
        actor=Actor(user=officer()),
    )
    task.due_date = due_date
    db.session.flush()
    return task


def test_the_digest_lists_the_overdue_tasks_by_unit_with_counts_and_case_codes(db, police, authority):
    late = [police_task(db, date(2026, 12, 1)), police_task(db, date(2026, 12, 2))]
    court_late = court_task(db, date(2026, 11, 30))
    police_task(db, FRIDAY)  # due today: not overdue yet

    assert reminders.send_digest(FRIDAY) == 3

    digest = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.topic == "verification.digest"))
    assert digest.subject == "Tổng hợp yêu cầu xác minh quá hạn ngày 04/12/2026"
    codes = ", ".join(sorted(task.case.code for task in late))
    assert f"- {police.name}: 2 yêu cầu quá hạn (hồ sơ {codes})" in digest.body
    assert f"- Tòa án nhân dân Khu vực 1: 1 yêu cầu quá hạn (hồ sơ {court_late.case.code})" in digest.body
    assert "Đến ngày 04/12/2026 có 3 yêu cầu xác minh quá hạn" in digest.body


def test_the_digest_goes_by_email_to_the_issuing_authority_and_its_processing_officers(db, police, authority):
    police_task(db, THURSDAY)

    reminders.send_digest(FRIDAY)

    assert messages("verification.digest") == [
        (OutboxChannel.EMAIL, "pv06@congan.vn"),
        (OutboxChannel.EMAIL, "xuly@congan.vn"),
    ]


def test_the_digest_is_sent_once_a_day(db, police, authority):
    police_task(db, THURSDAY)
    reminders.send_digest(FRIDAY)

    assert reminders.send_digest(FRIDAY) == 0
    assert len(messages("verification.digest")) == 2
    assert alert_keys() == ["digest:2026-12-04"]


def test_no_digest_is_sent_when_nothing_is_overdue(db, police, authority):
    police_task(db, FRIDAY)

    assert reminders.send_digest(FRIDAY) == 0
    assert alert_keys() == []


@pytest.mark.parametrize(
    ("task_name", "minute"),
    [("escalate_due_tasks", 5), ("remind_due_tomorrow", 10), ("send_overdue_digest", 15)],
)
def test_the_worker_runs_each_scan_every_hour_of_the_working_day(app, task_name, minute):
    periodic = {type(task).__name__: task for task in huey._registry.periodic_tasks}

    scan = periodic[task_name]

    # Huey's crontab reads UTC: 07:xx to 17:xx in Vietnam.
    assert scan.validate_datetime(datetime(2026, 12, 4, 0, minute))
    assert scan.validate_datetime(datetime(2026, 12, 4, 10, minute))
    assert not scan.validate_datetime(datetime(2026, 12, 4, 11, minute))
    assert not scan.validate_datetime(datetime(2026, 12, 4, 0, minute + 1))


def test_the_hourly_escalation_escalates_what_is_due_today_and_commits(db, police, supervisor):
    task = police_task(db, clock.today())

    assert verification_tasks.escalate_due_tasks.call_local() == 1
    db.session.expire_all()
    assert task.status is TaskStatus.ESCALATED
