"""Benchmark the issuing authority's board on a database of N cases.

    .venv/bin/python bench/board.py [--cases 200000] [--database URL] [--requests 200]

Builds a migrated database of its own (a SQLite file under bench/out/, or a fresh PostgreSQL database on
the server that --database points at), bulk-inserts the cases with one event each, logs an officer in on
the Flask test client and times board pages: median and p95 of the server time, after a warm-up. The
database is dropped afterwards. Results go in bench/RESULTS.md.
"""

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from lltp.accounts.models import Role  # noqa: E402
from lltp.accounts.services import session_stamp  # noqa: E402
from lltp.cases import deadlines  # noqa: E402
from lltp.cases.models import CLOSED_STAGES, Case, CaseEvent, CaseStage, Channel, DeliveryMethod, Sex  # noqa: E402
from lltp.config import normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.core.calendar import working_calendar  # noqa: E402
from lltp.core.text import fold  # noqa: E402
from lltp.extensions import db  # noqa: E402
from tests.conftest import migrated_app  # noqa: E402
from tests.factories import create_user  # noqa: E402

PAGES = {
    "first page": "/ho-so",
    "overdue, Phiếu số 1": "/ho-so?due=overdue&type=1",
    "search q=nguyen": "/ho-so?q=nguyen",
    "at risk": "/ho-so?due=at_risk",
    "all, by name, page 40": "/ho-so?stage=all&sort=name&page=40",
    "htmx poll, first page": "/ho-so",
}
POLL_HEADERS = {"HX-Request": "true", "X-LLTP-Poll": "1"}

# Weighted by how common each is in Vietnam: Nguyễn alone is close to four in ten.
SURNAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
)
MIDDLE = {
    Sex.MALE: ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"),
    Sex.FEMALE: ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh"),
}
GIVEN = {
    Sex.MALE: (
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phong",
        "Quang",
        "Sơn",
        "Tuấn",
        "Việt",
        "Đạt",
    ),
    Sex.FEMALE: (
        "Anh",
        "Chi",
        "Hà",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Phương",
        "Thảo",
        "Trang",
        "Uyên",
        "Yến",
        "Ngân",
    ),
}
CHANNELS = (
    (Channel.VNEID, 45),
    (Channel.COUNTER, 25),
    (Channel.NATIONAL_PORTAL, 10),
    (Channel.PROVINCIAL_PORTAL, 8),
    (Channel.POST, 6),
    (Channel.ONLINE, 4),
    (Channel.AGENCY, 2),
)
OPEN_STAGES = (
    (CaseStage.AWAITING_PAYMENT, 3),
    (CaseStage.RECEIVED, 20),
    (CaseStage.INCOMPLETE, 4),
    (CaseStage.IN_REVIEW, 25),
    (CaseStage.VERIFYING, 25),
    (CaseStage.DRAFTING, 10),
    (CaseStage.AWAITING_SIGNATURE, 8),
    (CaseStage.ISSUED, 5),
)
CLOSED = ((CaseStage.RETURNED, 94), (CaseStage.REFUSED, 3), (CaseStage.WITHDRAWN, 3))
DAYS_OF_HISTORY = 730


def pick(weighted, rng):
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


class DueDates:
    """Due dates by the real profiles and calendar, computed once per receipt day."""

    def __init__(self):
        self.calendar = working_calendar()
        self.cache = {}

    def __call__(self, day, channel):
        key = (day, channel)
        if key not in self.cache:
            profile = deadlines.profile_for(db.session, day, channel)
            due = self.calendar.add_working_days(day, profile.standard_days)
            self.cache[key] = (profile.id, due)
        return self.cache[key]


def make_rows(count, rng):
    """`count` cases over two years: the old ones mostly closed, a few stuck open (overdue), the recent ones
    spread over the open stages."""
    now = clock.now()
    due_dates = DueDates()
    serials = {}
    cases, events = [], []
    for case_id in range(1, count + 1):
        received_at = now - timedelta(days=DAYS_OF_HISTORY * rng.random() ** 1.5, minutes=rng.randrange(600))
        day = clock.local_date(received_at)
        age = (now - received_at).days
        if age > 25:
            stage = pick(OPEN_STAGES, rng) if rng.random() < 0.01 else pick(CLOSED, rng)
        else:
            stage = pick(CLOSED, rng) if rng.random() < age / 40 else pick(OPEN_STAGES, rng)
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        name = f"{pick(SURNAMES, rng)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}".upper()
        channel = pick(CHANNELS, rng)
        clock_runs = stage not in (CaseStage.AWAITING_PAYMENT, CaseStage.INCOMPLETE)
        profile_id, due_date = due_dates(day, channel)
        is_urgent = rng.random() < 0.005
        due_at = received_at + timedelta(hours=24) if is_urgent and clock_runs else None
        serials[day] = serials.get(day, 0) + 1
        cases.append(
            {
                "id": case_id,
                "code": f"HCM-{day:%y%m%d}-{serials[day]:04d}",
                "channel": channel,
                "certificate_type": 2 if rng.random() < 0.2 else 1,
                "stage": stage,
                "stage_changed_at": received_at,
                "is_urgent": is_urgent,
                "delivery_method": DeliveryMethod.ELECTRONIC
                if channel is Channel.VNEID
                else DeliveryMethod.COUNTER,
                "include_ban_section": False,
                "copies": 1,
                "applicant_full_name": name,
                "applicant_name_folded": fold(name),
                "applicant_date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randrange(20000)),
                "applicant_sex": sex,
                "applicant_id_number": f"0{rng.randrange(10**10, 10**11)}",
                "submitted_at": received_at,
                "received_at": received_at,
                "legal_profile_id": profile_id,
                "is_long": False,
                "clock_started_on": day if clock_runs else None,
                "due_date": (clock.local_date(due_at) if due_at else due_date) if clock_runs else None,
                "due_at": due_at,
                "closed_at": received_at + timedelta(days=7) if stage in CLOSED_STAGES else None,
                "created_at": received_at,
            }
        )
        events.append(
            {
                "case_id": case_id,
                "seq": 1,
                "action": "receive",
                "from_stage": None,
                "to_stage": CaseStage.RECEIVED,
                "at": received_at,
                "actor_label": "bench",
            }
        )
    return cases, events


def bulk_insert(count, batch=5000):
    rng = random.Random(570)
    started = time.perf_counter()
    cases, events = make_rows(count, rng)
    for table, rows in ((Case.__table__, cases), (CaseEvent.__table__, events)):
        for offset in range(0, len(rows), batch):
            db.session.execute(sa.insert(table), rows[offset : offset + batch])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Keep the id sequence ahead of the ids given here, as the app's own inserts will need it.
        db.session.execute(sa.text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
        db.session.execute(sa.text("SELECT setval('case_events_id_seq', (SELECT max(id) FROM case_events))"))
        db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def make_database(url):
    """(url, drop): a fresh PostgreSQL database on the server of `url`, or a SQLite file under bench/out/."""
    if url and url.startswith("postgresql"):
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"lltp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

        def drop():
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

        return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False), drop
    path = ROOT / "bench" / "out" / f"board-{uuid.uuid4().hex[:8]}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)

    def drop():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return f"sqlite:///{path}", drop


def measure(client, path, requests, headers=None):
    for _ in range(20):
        client.get(path, headers=headers)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--database", help="a PostgreSQL URL; a SQLite file under bench/out/ when omitted")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    url, drop = make_database(args.database and normalise_database_url(args.database))
    try:
        app = migrated_app(url)
        with app.app_context():
            seconds = bulk_insert(args.cases)
            user = create_user(roles=(Role.PROCESSING_OFFICER,), username="bench")
            db.session.commit()
            login = {"_user_id": str(user.id), "_fresh": True, "auth_stamp": session_stamp(user)}
            dialect = db.engine.dialect.name
        print(f"{dialect}: {args.cases:,} cases inserted in {seconds:.1f} s")
        client = app.test_client()
        with client.session_transaction() as session:
            session.update({**login, "seen_at": clock.now().timestamp()})
        print(f"{'page':<24} {'median ms':>10} {'p95 ms':>8}")
        for label, path in PAGES.items():
            median, p95 = measure(client, path, args.requests, POLL_HEADERS if "poll" in label else None)
            print(f"{label:<24} {median:>10.1f} {p95:>8.1f}")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
