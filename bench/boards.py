"""Benchmark the verification boards on PostgreSQL with 1,000,000 tasks across 300 units.

    .venv/bin/python bench/boards.py [--tasks 1000000] [--units 300] [--requests 200] [--database URL]

Builds a fresh PostgreSQL database on the server that --database (or DATABASE_URL) points at, migrates it,
creates the units (one provincial police, courts, procuracies, enforcement offices, a population register
and communes) with a verifier each, and copies in (COPY) the cases, the tasks and their events. The
police get one task per case; the other units share the rest, a few large and many small. Tasks older
than three weeks are mostly answered or cancelled, a few stuck open (long overdue); recent ones are spread
over the open statuses. Then it logs each unit's verifier in on the Flask test client and times the real
board view (server time inside the WSGI call: the queries, rendering and the audit insert): median and
p95 after a warm-up. It prints the statements the first page runs, with their plans. The database is
dropped afterwards. Results go in bench/RESULTS.md.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from enum import Enum
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from board import make_database, make_rows, measure, pick  # noqa: E402

from lltp.accounts.models import Role, UnitKind  # noqa: E402
from lltp.accounts.services import session_stamp  # noqa: E402
from lltp.cases.models import Case  # noqa: E402
from lltp.config import normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.core.calendar import working_calendar  # noqa: E402
from lltp.extensions import db  # noqa: E402
from lltp.verification import queries  # noqa: E402
from lltp.verification.models import TaskEvent, TaskKind, TaskStatus, VerificationTask  # noqa: E402
from tests.conftest import migrated_app  # noqa: E402
from tests.factories import create_unit, create_user  # noqa: E402

# The units besides the one provincial police and the one population register.
UNIT_MIX = ((UnitKind.COURT, 30), (UnitKind.PROCURACY, 15), (UnitKind.JUDGMENT_ENFORCEMENT, 20))
KIND_OF_UNIT = {
    UnitKind.PROVINCIAL_POLICE: TaskKind.POLICE_LOOKUP,
    UnitKind.COURT: TaskKind.JUDGMENT_OUTCOME,
    UnitKind.PROCURACY: TaskKind.JUDGMENT_OUTCOME,
    UnitKind.JUDGMENT_ENFORCEMENT: TaskKind.ENFORCEMENT_STATUS,
    UnitKind.COMMUNE_COMMITTEE: TaskKind.EXPUNGEMENT_CONDITIONS,
    UnitKind.POPULATION_REGISTER: TaskKind.IDENTITY_MISMATCH,
}
DUE_DAYS = {
    kind: 3 if kind in (TaskKind.POLICE_LOOKUP, TaskKind.IDENTITY_MISMATCH) else 5 for kind in TaskKind
}
RECENT_STATUSES = (
    (TaskStatus.OPEN, 30),
    (TaskStatus.CLAIMED, 20),
    (TaskStatus.ANSWERED, 44),
    (TaskStatus.RETURNED, 3),
    (TaskStatus.CANCELLED, 3),
)
OLD_STATUSES = ((TaskStatus.ANSWERED, 95), (TaskStatus.CANCELLED, 4), (TaskStatus.OPEN, 1))
TASK_COLUMNS = (
    "id",
    "case_id",
    "unit_id",
    "kind",
    "status",
    "question",
    "routing_key",
    "due_date",
    "created_at",
    "claimed_by_id",
    "claimed_at",
    "escalated_at",
    "outcome",
    "answered_by_id",
    "answered_at",
    "answered_on_paper",
    "cancelled_at",
    "updated_at",
)
EVENT_COLUMNS = ("task_id", "action", "from_status", "to_status", "at", "actor_id", "actor_label")


def make_units(count):
    """The units with one verifier each: [(unit, verifier)], the police first."""
    kinds = [UnitKind.PROVINCIAL_POLICE, UnitKind.POPULATION_REGISTER]
    kinds += [kind for kind, n in UNIT_MIX for _ in range(n)]
    kinds += [UnitKind.COMMUNE_COMMITTEE] * (count - len(kinds))
    units = []
    for number, kind in enumerate(kinds, 1):
        fields = {"admin_unit_code": f"{number:05d}"} if kind is UnitKind.COMMUNE_COMMITTEE else {}
        unit = create_unit(kind, name=f"{kind.value} {number:03d}", **fields)
        user = create_user(
            roles=(Role.VERIFIER,), unit=unit, username=f"xm{number:03d}", full_name=f"Cán bộ {number}"
        )
        units.append((unit, user))
    db.session.commit()
    return units


def copy_rows(table, columns, rows):
    """COPY `rows` into `table`: the bulk load PostgreSQL is fastest at."""
    connection = db.engine.raw_connection()
    try:
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        connection.commit()
    finally:
        connection.close()


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def insert_cases(count, rng):
    cases, _events = make_rows(count, rng)
    columns = tuple(cases[0])
    copy_rows(Case.__tablename__, columns, ([_plain(case[c]) for c in columns] for case in cases))
    return [(case["id"], case["applicant_full_name"], case["applicant_date_of_birth"]) for case in cases]


def task_rows(tasks, cases, units, rng):
    """`tasks` tasks: one per case for the police, the rest shared by the other units with a long tail, a
    few large and many small. Yields (task row, event rows)."""
    now = clock.now()
    calendar = working_calendar()
    due_dates = {}
    police, others = units[0], units[1:]
    weights = [1 / (rank**0.9) for rank in range(1, len(others) + 1)]
    per_case = max(0, tasks - len(cases)) / len(cases)
    task_id = 0
    for case_id, name, born in cases:
        chosen = [police]
        extra = int(per_case) + (rng.random() < per_case - int(per_case))
        chosen += rng.choices(others, weights=weights, k=extra)
        for position, (unit, verifier) in enumerate(chosen):
            task_id += 1
            if task_id > tasks:
                return
            kind = KIND_OF_UNIT[unit.kind]
            created_at = now - timedelta(days=730 * rng.random() ** 2, minutes=rng.randrange(600))
            day = clock.local_date(created_at)
            if (day, kind) not in due_dates:
                due_dates[day, kind] = calendar.add_working_days(day, DUE_DAYS[kind])
            due = due_dates[day, kind]
            status = pick(RECENT_STATUSES if (now - created_at).days < 21 else OLD_STATUSES, rng)
            if status in (TaskStatus.OPEN, TaskStatus.CLAIMED) and due < clock.local_date(now):
                status = TaskStatus.ESCALATED
            claimed = status in (TaskStatus.CLAIMED, TaskStatus.ANSWERED) or (
                status is TaskStatus.ESCALATED and rng.random() < 0.5
            )
            answered_at = created_at + timedelta(hours=rng.randrange(4, 120))
            question = {"person": {"full_name": name, "date_of_birth": born.isoformat()}}
            yield (
                (
                    task_id,
                    case_id,
                    unit.id,
                    kind.value,
                    status.value,
                    json.dumps(question, ensure_ascii=False),
                    f"bench:{position}",
                    due,
                    created_at,
                    verifier.id if claimed else None,
                    created_at + timedelta(hours=1) if claimed else None,
                    now if status is TaskStatus.ESCALATED else None,
                    "nothing_found" if status is TaskStatus.ANSWERED else None,
                    verifier.id if status is TaskStatus.ANSWERED else None,
                    answered_at if status is TaskStatus.ANSWERED else None,
                    False,
                    answered_at if status is TaskStatus.CANCELLED else None,
                    answered_at if status in (TaskStatus.ANSWERED, TaskStatus.CANCELLED) else created_at,
                ),
                [(task_id, "create", None, TaskStatus.OPEN.value, created_at, None, "bench")]
                + (
                    [(task_id, "answer", "claimed", "answered", answered_at, verifier.id, verifier.username)]
                    if status is TaskStatus.ANSWERED
                    else []
                ),
            )


def bulk_insert(tasks, cases, units):
    rng = random.Random(5)
    started = time.perf_counter()
    case_rows = insert_cases(cases, rng)
    events = []

    def tasks_only():
        for task, task_events in task_rows(tasks, case_rows, units, rng):
            events.extend(task_events)
            yield task

    copy_rows(VerificationTask.__tablename__, TASK_COLUMNS, tasks_only())
    copy_rows(TaskEvent.__tablename__, EVENT_COLUMNS, events)
    # A transaction left open by the session would keep VACUUM from marking the new rows all-visible.
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("cases", "verification_tasks", "verification_task_events"):
            connection.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        # What autovacuum does to a loaded table: statistics, and the visibility map for index-only scans.
        connection.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def login_of(user):
    """What a completed login leaves in the session (inside the app context, where `user` is loaded)."""
    return {"_user_id": str(user.id), "_fresh": True, "auth_stamp": session_stamp(user)}


def logged_in_client(app, login):
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({**login, "seen_at": clock.now().timestamp()})
    return client


def explain(app, client, path):
    """The statements one request of `path` runs, each with its plan."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "verification_tasks" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
            print("\n" + " ".join(statement.split())[:400])
            print("\n".join("    " + line for (line,) in plan))
    return len(statements)


def unit_sizes():
    rows = db.session.execute(
        sa.select(VerificationTask.unit_id, sa.func.count()).group_by(VerificationTask.unit_id)
    ).all()
    return dict(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"), help="a PostgreSQL URL")
    args = parser.parse_args()
    url = normalise_database_url(args.database or "")
    if not url.startswith("postgresql"):
        parser.error("give a PostgreSQL URL with --database or DATABASE_URL")

    url, drop = make_database(url)
    try:
        app = migrated_app(url)
        with app.app_context():
            units = make_units(args.units)
            seconds = bulk_insert(args.tasks, args.cases, units)
            sizes = unit_sizes()
            ranked = sorted(units, key=lambda pair: sizes.get(pair[0].id, 0), reverse=True)
            picks = {
                "largest unit (police)": ranked[0],
                "median unit": ranked[len(ranked) // 2],
                "smallest unit": ranked[-1],
            }
            boards = [(label, sizes.get(unit.id, 0), login_of(user)) for label, (unit, user) in picks.items()]
            reader = create_user(roles=(Role.PROCESSING_OFFICER,), username="xuly.bench")
            db.session.commit()
            authority = login_of(reader)
            total = sum(sizes.values())
        print(f"{total:,} tasks in {len(units)} units and {args.cases:,} cases inserted in {seconds:.1f} s")
        print(f"{'board':<48} {'tasks':>9} {'p50 ms':>8} {'p95 ms':>8}")

        def report(label, size, client, path, headers=None):
            median, p95 = measure(client, path, args.requests, headers)
            print(f"{label:<48} {size:>9,} {median:>8.1f} {p95:>8.1f}")

        clients = {label: logged_in_client(app, login) for label, _size, login in boards}
        for label, size, _login in boards:
            report(f"{label}, first page", size, clients[label], "/xac-minh")
            report(f"{label}, overdue", size, clients[label], "/xac-minh?due=overdue")
        police_label, police_size, _login = boards[0]
        police = clients[police_label]
        report(f"{police_label}, answered tab", police_size, police, "/xac-minh?status=answered")
        with app.app_context():
            # A board drawn a busy minute ago: a hundred trail entries since.
            since = max(0, queries.last_event_id() - 100)
        poll = {"HX-Request": "true", "X-LLTP-Poll": "1"}
        report(f"{police_label}, htmx poll", police_size, police, f"/xac-minh?since={since}", poll)
        report(
            "issuing authority, every unit, first page", total, logged_in_client(app, authority), "/xac-minh"
        )
        for path in ("/xac-minh", "/xac-minh?due=overdue"):
            count = explain(app, police, path)
            print(f"\n{police_label}: {path} ran {count} statements on verification_tasks")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
