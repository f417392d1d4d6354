"""Benchmark the leadership reports on a database of N cases.

    .venv/bin/python bench/reports.py [--cases 1000000] [--database URL] [--requests 10]

Builds a migrated database of its own (as bench/board.py does, with its two years of cases), spreads the
closed cases' return dates over 1 to 20 calendar days after receipt so that some are late, builds the
daily summary as the worker does (timed: the worker's first backfill), logs a report reader in on the
Flask test client, and times the dashboard for the last 365 days (the page, one chart image, and the page
with every chart image it shows, loaded one after the other as a browser would with the production cache
time), and the periodic report of the same year as XLSX and as PDF: median and max server time, after a
warm-up. The database is dropped afterwards. Results go in bench/RESULTS.md.

Targets (issue 8): with 1,000,000 cases on PostgreSQL, the dashboard for a year under 1 s, the periodic
report for a year under 5 s.
"""

import argparse
import html
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import board  # noqa: E402
from lltp.accounts.models import Role  # noqa: E402
from lltp.accounts.services import session_stamp  # noqa: E402
from lltp.cases.models import CLOSED_STAGES, Case, CaseEvent  # noqa: E402
from lltp.config import Config, normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.extensions import db  # noqa: E402
from lltp.reports import views as report_views  # noqa: E402
from lltp.reports.tasks import refresh_summary  # noqa: E402
from tests.conftest import migrated_app  # noqa: E402
from tests.factories import create_user  # noqa: E402


def bulk_insert(count, batch=5000):
    """board.py's cases, with return dates 1–20 days after receipt instead of always 7."""
    rng = random.Random(8)
    started = time.perf_counter()
    cases, events = board.make_rows(count, rng)
    for row in cases:
        if row["stage"] in CLOSED_STAGES:
            row["closed_at"] = row["received_at"] + timedelta(
                days=rng.choice((1, 2, 3, 5, 7, 9, 12, 14, 16, 20))
            )
    for table, rows in ((Case.__table__, cases), (CaseEvent.__table__, events)):
        for offset in range(0, len(rows), batch):
            db.session.execute(sa.insert(table), rows[offset : offset + batch])
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def measure(client, path, requests, warm_up=2):
    for _ in range(warm_up):
        client.get(path)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings), max(timings)


def measure_whole_dashboard(app, client, path, requests):
    """The page and every chart image it shows, one after the other, as a browser on one connection loads
    them, with the production cache time: each round starts with the cache empty."""
    app.config["LLTP_REPORT_CACHE_SECONDS"] = Config.LLTP_REPORT_CACHE_SECONDS
    timings = []
    for _ in range(requests):
        report_views._recent.clear()
        started = time.perf_counter()
        page = client.get(path).get_data(as_text=True)
        images = [html.unescape(src) for src in re.findall(r'<img src="([^"]+\.svg[^"]*)"', page)]
        assert images, "the dashboard shows no chart"
        for src in images:
            assert client.get(src).status_code == 200, src
        timings.append((time.perf_counter() - started) * 1000)
    app.config["LLTP_REPORT_CACHE_SECONDS"] = 0
    return statistics.median(timings), max(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", help="a PostgreSQL URL; a SQLite file under bench/out/ when omitted")
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()

    url, drop = board.make_database(args.database and normalise_database_url(args.database))
    try:
        app = migrated_app(url)
        with app.app_context():
            seconds = bulk_insert(args.cases)
            started = time.perf_counter()
            rows = refresh_summary(date(2000, 1, 1), clock.today())
            db.session.commit()
            summary_seconds = time.perf_counter() - started
            user = create_user(roles=(Role.REPORT_READER,), username="bench")
            db.session.commit()
            login = {"_user_id": str(user.id), "_fresh": True, "auth_stamp": session_stamp(user)}
            dialect = db.engine.dialect.name
            today = clock.today()
        print(f"{dialect}: {args.cases:,} cases inserted in {seconds:.1f} s")
        print(f"daily summary of the whole history: {rows:,} rows in {summary_seconds:.1f} s")
        period = f"from={today - timedelta(days=364):%d/%m/%Y}&to={today:%d/%m/%Y}"
        pages = {
            "dashboard, a year": f"/bao-cao?{period}",
            "chart image, a year": f"/bao-cao/bieu-do/so-ngay-tre.svg?{period}",
            "periodic report XLSX": f"/bao-cao/dinh-ky.xlsx?{period}",
            "periodic report PDF": f"/bao-cao/dinh-ky.pdf?{period}",
        }
        client = app.test_client()
        with client.session_transaction() as session:
            session.update({**login, "seen_at": clock.now().timestamp()})
        print(f"{'page':<32} {'median ms':>10} {'max ms':>8}")
        for label, path in pages.items():
            median, worst = measure(client, path, args.requests)
            print(f"{label:<32} {median:>10.1f} {worst:>8.1f}")
        median, worst = measure_whole_dashboard(app, client, pages["dashboard, a year"], args.requests)
        print(f"{'dashboard and its chart images':<32} {median:>10.1f} {worst:>8.1f}")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
