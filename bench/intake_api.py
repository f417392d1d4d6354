"""Benchmark sustained submissions to the intake API (POST /api/v1/requests) under gunicorn.

    .venv/bin/python bench/intake_api.py [--database URL] [--seconds 30] [--connections 4] [--workers 2]
                                         [--threads 1]

Builds a migrated database of its own (a SQLite file under bench/out/, or a fresh PostgreSQL database
`lltp_bench_*` on the server that --database points at), creates a VNeID client, starts
`gunicorn -w 2 wsgi:app` on a free loopback port against that database, and drives it from N threads, each
with its own HTTP/1.1 connection, with distinct valid requests (distinct external_id and CCCD numbers), for
a fixed time after a short warm-up. Prints requests per second, latency p50/p95/p99 and the errors (any
answer but 201). The server and the database are removed afterwards. Results go in bench/RESULTS.md.
"""

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from board import make_database  # noqa: E402

from lltp.accounts.services import create_api_client  # noqa: E402
from lltp.config import normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.extensions import db  # noqa: E402
from tests.conftest import migrated_app  # noqa: E402
from tests.factories import SYSTEM  # noqa: E402
from tests.intake.helpers import cccd_number, date_of_birth, valid_document  # noqa: E402

WARM_UP_SECONDS = 2


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_bodies():
    """Endless distinct, valid, paid VNeID requests: each a different external id and CCCD number."""
    born = date_of_birth()
    submitted_at = clock.to_local(clock.now()).isoformat(timespec="seconds")
    for serial in itertools.count(1):
        body = valid_document(
            external_id=f"BENCH-{serial:09d}",
            submitted_at=submitted_at,
            fee__paid=True,
            fee__payment_reference=f"PAY-{serial}",
            delivery__method="electronic",
            applicant__id_document__number=cccd_number("male", born, serial=f"{serial % 1_000_000:06d}"),
        )
        yield json.dumps(body, ensure_ascii=False).encode()


def start_server(database_url, port, workers, threads):
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LLTP_VAR_DIR": str(out),
        # The limiter stays on (its cost is part of each request) but must not cap the benchmark itself.
        "LLTP_API_RATE_LIMIT": "1000000 per minute",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if threads > 1:
        # Threads overlap one request's database round trips with another's Python, and keep connections
        # alive (sync workers close each one after its answer).
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command.append("wsgi:app")
    log = open(out / "intake-api-gunicorn.log", "wb")  # noqa: SIM115  (closed with the server)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, log
        except OSError:
            time.sleep(0.2)
    stop_server(server, log)
    raise SystemExit(f"gunicorn did not start: see {log.name}")


def stop_server(server, log):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


class Load:
    """Threads posting requests until `stop_at`; latencies (ms) and statuses counted from `count_from`."""

    def __init__(self, port, token, *, count_from, stop_at):
        self.port, self.count_from, self.stop_at = port, count_from, stop_at
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.bodies = request_bodies()
        self.lock = threading.Lock()
        self.latencies, self.statuses = [], Counter()

    def next_body(self):
        with self.lock:
            return next(self.bodies)

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (now := time.monotonic()) < self.stop_at:
            body = self.next_body()
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/requests", body=body, headers=self.headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.will_close:  # gunicorn's sync workers close after each answer
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            if now >= self.count_from:
                with self.lock:
                    self.latencies.append(elapsed)
                    self.statuses[status] += 1
        connection.close()


def drive(port, token, *, seconds, connections):
    start = time.monotonic()
    load = Load(port, token, count_from=start + WARM_UP_SECONDS, stop_at=start + WARM_UP_SECONDS + seconds)
    threads = [threading.Thread(target=load.run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def report(load, *, dialect, seconds, connections, workers, threads):
    total = len(load.latencies)
    quantiles = statistics.quantiles(load.latencies, n=100)
    errors = {status: n for status, n in load.statuses.items() if status != 201}
    warm_up = f"{seconds} s after a {WARM_UP_SECONDS} s warm-up"
    kind = f"gthread --threads {threads}" if threads > 1 else "sync"
    print(f"{dialect}: gunicorn -w {workers} ({kind}), {connections} connections, {warm_up}")
    print(f"requests {total}, {total / seconds:.1f} req/s")
    print(f"latency ms: p50 {quantiles[49]:.1f}, p95 {quantiles[94]:.1f}, p99 {quantiles[98]:.1f}")
    print(f"errors (not 201): {sum(errors.values())} {errors or ''}".rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL; a SQLite file under bench/out/ when omitted")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread); 1: sync")
    args = parser.parse_args()

    url, drop = make_database(args.database and normalise_database_url(args.database))
    try:
        app = migrated_app(url)
        with app.app_context():
            token = create_api_client("bench-vneid", kind="vneid", actor=SYSTEM).token
            db.session.commit()
            dialect = db.engine.dialect.name
            db.engine.dispose()
        port = free_port()
        server, log = start_server(url, port, args.workers, args.threads)
        try:
            load = drive(port, token, seconds=args.seconds, connections=args.connections)
        finally:
            stop_server(server, log)
        report(
            load,
            dialect=dialect,
            seconds=args.seconds,
            connections=args.connections,
            workers=args.workers,
            threads=args.threads,
        )
    finally:
        drop()


if __name__ == "__main__":
    main()
