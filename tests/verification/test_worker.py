"""The worker against the real queues, SqliteHuey and RedisHuey (acceptance 3): each reminder and each
escalation is recorded and queued once however often its scan runs, and a `flask worker` killed while
sending loses nothing once restarted, every repeat carrying the same message id."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.calendar import working_calendar
from lltp.core.db import utcnow
from lltp.core.outbox import OutboxMessage, OutboxStatus
from lltp.core.queue import make_huey
from lltp.extensions import db as _db
from lltp.verification import reminders, services
from lltp.verification.models import TaskAlert
from tests.conftest import need_server
from tests.factories import create_case, create_unit, create_user
from tests.integrations.outbox_helpers import SmsGateway, SmtpSink, queued_deliveries, use_queue

CHECKOUT = Path(__file__).resolve().parents[2]
# A database of its own, apart from the health check's (15); the test empties only the queue's keys.
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request, tmp_path):
    """Each test runs on a SqliteHuey file of its own, then on Redis."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.sqlite3'}"
        return
    probe = make_huey(REDIS_URL)
    try:
        probe.storage.conn.ping()
    except redis.ConnectionError as error:
        need_server(f"Redis is not reachable at {REDIS_URL}: {error}")
    probe.storage.flush_all()
    yield REDIS_URL
    probe.storage.flush_all()
    probe.storage.conn.connection_pool.disconnect()


@pytest.fixture
def queue(queue_url, monkeypatch):
    queue = use_queue(monkeypatch, queue_url)
    yield queue
    if hasattr(queue.storage, "conn") and hasattr(queue.storage.conn, "connection_pool"):
        queue.storage.conn.connection_pool.disconnect()


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sms_gateway():
    with SmsGateway() as gateway:
        yield gateway


def police_with_staff():
    police = create_unit(UnitKind.PROVINCIAL_POLICE, email="pc02@congan.vn", phone="0281111111")
    create_user(roles=(Role.VERIFIER,), unit=police, email="xm1@congan.vn", phone="0900000001")
    create_user(roles=(Role.UNIT_SUPERVISOR,), unit=police, email="lanhdao@congan.vn", phone="0909999999")
    return police


def task_due(due_date):
    # No contact on file: the applicant's own notices would be queued beside the reminders.
    case = create_case(CaseStage.VERIFYING, applicant_email=None, applicant_phone=None)
    (task,) = services.case_tasks(case)
    task.due_date = due_date
    _db.session.flush()
    return task


def scan_often(scan, today, times=3):
    for _run in range(times):
        scan(today)
        _db.session.commit()


def outbox_ids(topic):
    return _db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
    ).all()


def test_a_reminder_is_recorded_and_queued_once_however_often_the_scan_runs(db, queue):
    police_with_staff()
    today = clock.today()
    task = task_due(working_calendar().next_working_day(today))

    scan_often(reminders.send_reminders, today)

    assert db.session.scalars(sa.select(TaskAlert.key)).all() == [f"reminder:{task.id}:{task.due_date}"]
    ids = outbox_ids("verification.reminder")
    assert len(ids) == 4  # the verifier's and the unit's email and phone
    assert queued_deliveries(queue) == ids


def test_an_escalation_is_recorded_and_queued_once_however_often_the_scan_runs(db, queue):
    police_with_staff()
    today = clock.today()
    task = task_due(today)

    scan_often(reminders.escalate_due, today)

    assert db.session.scalars(sa.select(TaskAlert.key)).all() == [f"escalation:{task.id}:{task.due_date}"]
    assert [event.action for event in task.events].count("escalate") == 1
    ids = outbox_ids("verification.escalation")
    assert len(ids) == 4  # the supervisor's and the unit's email and phone
    assert queued_deliveries(queue) == ids


class Worker:
    """A real `flask worker` process on the test's database and queue, its output kept in a file."""

    def __init__(self, env, log_path):
        self.env, self.log_path = env, log_path

    def __enter__(self):
        self.log = open(self.log_path, "ab")  # closed in __exit__
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi.py", "worker", "--workers", "2"],
            cwd=CHECKOUT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL, as the OOM killer or a pulled plug would: no clean-up of any kind."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # Huey's graceful stop
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def worker_env(app, queue_url, tmp_path, smtp_sink, sms_gateway, *, timeout):
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LLTP_QUEUE_URL": queue_url,
        "LLTP_VAR_DIR": str(tmp_path / "var"),
        "LLTP_SMTP_HOST": "127.0.0.1",
        "LLTP_SMTP_PORT": str(smtp_sink.port),
        "LLTP_SMTP_STARTTLS": "0",
        "LLTP_SMTP_FROM": "lltp@congan.hcm.vn",
        "LLTP_SMS_GATEWAY_URL": sms_gateway.url,
        "LLTP_DELIVERY_TIMEOUT_SECONDS": str(timeout),
        # The lease of a killed worker's message runs out after a second, not a minute.
        "LLTP_OUTBOX_RETRY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }


def outbox_rows(app):
    with app.app_context():
        return {row.id: row for row in _db.session.scalars(sa.select(OutboxMessage))}


def wait_until(condition, *, timeout, log_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out; the worker said:\n{log_path.read_text(errors='replace')[-3000:]}")


def test_a_worker_killed_while_sending_loses_nothing_and_repeats_carry_the_same_id(
    isolated_db, queue_url, queue, tmp_path, smtp_sink, sms_gateway
):
    app = isolated_db()
    with app.app_context():
        police_with_staff()
        today = clock.today()
        task_due(working_calendar().next_working_day(today))
        scan_often(reminders.send_reminders, today)
    rows = outbox_rows(app)
    log_path = tmp_path / "worker.log"

    # The SMTP server takes each email, then never answers: the worker is killed while it waits.
    smtp_sink.stalling.set()
    with Worker(worker_env(app, queue_url, tmp_path, smtp_sink, sms_gateway, timeout=30), log_path) as first:
        wait_until(lambda: smtp_sink.wait_for(1, timeout=0), timeout=20, log_path=log_path)
        first.kill()
    # Whatever the killed worker had taken, or left queued, is gone: only the sweep can bring it back.
    queue.flush()
    held = [row for row in outbox_rows(app).values() if row.status is OutboxStatus.PENDING and row.attempts]
    assert held  # the killed worker's message is neither sent nor lost, only held until its lease ends

    smtp_sink.release()
    wait_until(lambda: all(row.next_attempt_at <= utcnow() for row in held), timeout=5, log_path=log_path)
    with Worker(worker_env(app, queue_url, tmp_path, smtp_sink, sms_gateway, timeout=5), log_path):
        wait_until(
            lambda: all(row.status is OutboxStatus.SENT for row in outbox_rows(app).values()),
            timeout=30,
            log_path=log_path,
        )

    sent = outbox_rows(app)
    emailed = [received["message_id"] for received in smtp_sink.received]
    texted = [received["json"]["message_id"] for received in sms_gateway.received]
    assert len(emailed) > len(set(emailed))  # the killed worker's email went twice...
    assert sorted(set(emailed) | set(texted)) == sorted(  # ...each repeat under its row's own id
        {f"<{row.message_id}@congan.hcm.vn>" for row in sent.values() if row.channel == "email"}
        | {row.message_id for row in sent.values() if row.channel == "sms"}
    )
    assert set(sent) == set(rows)
