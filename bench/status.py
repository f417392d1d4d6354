"""Benchmark the public status lookup (POST /tra-cuu.json) under gunicorn with wrk, against a bare "hello"
endpoint on the same stack as the ceiling.

    .venv/bin/python bench/status.py [--cases 1000000] [--database URL] [--seconds 10] [--rounds 5]
                                     [--connections 8,32] [--workers 2] [--threads 1]

Builds a fresh PostgreSQL database `lltp_bench_*` on the server that --database (or DATABASE_URL) points at,
migrates it and copies in (COPY) the cases: two years of codes `HCM-YYMMDD-NNNN`, most of them closed, the
recent ones open. Starts `gunicorn -w 2 'status:bench_app()'` on a free loopback port: the real app, with
the rate limits switched off, plus two endpoints served only by this factory, never by wsgi.py, through the
same hooks (session, CSP, security headers): `/_bench/hello`, which returns a fixed text (the ceiling), and
`/_bench/round-trip`, which takes the lookup's own request body and answers a fixed JSON after one
`SELECT 1` through the reader (the floor of any lookup that reads the database once). Then runs wrk
(Debian package `wrk`) against each endpoint at each number of connections: the lookup and the round trip
post a random case's code with its date of birth or ID number (one in ten with a wrong fact, as real
traffic has). The endpoints take turns, round after round, so that a slow spell of the machine falls on all
three alike. Prints the median requests per second and p99 of each, the lookup's share of the ceiling,
and each round's range. The server and the database are removed afterwards. Results go in
bench/RESULTS.md.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from board import make_database  # noqa: E402
from flask import jsonify, request  # noqa: E402
from intake_api import free_port, stop_server  # noqa: E402

from lltp import create_app  # noqa: E402
from lltp.cases.models import CaseStage  # noqa: E402
from lltp.config import Config, normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.core.database import ReadQuery, reader  # noqa: E402
from lltp.core.permissions import public  # noqa: E402
from lltp.extensions import csrf, db  # noqa: E402
from tests.conftest import migrated_app  # noqa: E402

DAYS_OF_HISTORY = 730
SAMPLE = 20_000  # the cases the Lua script picks from
WRONG_SHARE = 0.1
CASE_COLUMNS = (
    "id",
    "code",
    "channel",
    "certificate_type",
    "stage",
    "stage_changed_at",
    "is_urgent",
    "delivery_method",
    "include_ban_section",
    "copies",
    "applicant_full_name",
    "applicant_name_folded",
    "applicant_date_of_birth",
    "applicant_sex",
    "applicant_id_number",
    "submitted_at",
    "received_at",
    "is_long",
    "clock_started_on",
    "due_date",
    "closed_at",
    "created_at",
)
OPEN = (CaseStage.RECEIVED, CaseStage.IN_REVIEW, CaseStage.VERIFYING, CaseStage.DRAFTING, CaseStage.ISSUED)
CLOSED = (CaseStage.RETURNED, CaseStage.RETURNED, CaseStage.RETURNED, CaseStage.WITHDRAWN, CaseStage.REFUSED)


class BenchConfig(Config):
    # The benchmark measures the lookup, not the limiter's refusals.
    RATELIMIT_ENABLED = False


def hello():
    return "hello"


ROUND_TRIP = ReadQuery(sa.select(sa.literal(1).label("one")))


def round_trip():
    """What any lookup costs before its own work: its request body read, one SELECT, a JSON answer."""
    request.get_json(silent=True)
    return jsonify({"one": reader().first(ROUND_TRIP).one})


def bench_app():
    """The app as wsgi.py builds it, without rate limits, plus the ceiling and the round trip."""
    app = create_app(BenchConfig)
    app.add_url_rule("/_bench/hello", "bench_hello", public(hello), methods=["GET", "POST"])
    app.add_url_rule(
        "/_bench/round-trip", "bench_round_trip", csrf.exempt(public(round_trip)), methods=["POST"]
    )
    return app


def case_rows(count, rng, sample):
    """`count` cases as COPY rows; every so often one's (code, date of birth, ID number) goes to `sample`."""
    now = clock.now()
    serials = {}
    every = max(1, count // SAMPLE)
    for case_id in range(1, count + 1):
        received_at = now - timedelta(days=DAYS_OF_HISTORY * rng.random(), minutes=rng.randrange(600))
        day = clock.local_date(received_at)
        serials[day] = serials.get(day, 0) + 1
        code = f"HCM-{day:%y%m%d}-{serials[day]:04d}"
        age = (now - received_at).days
        stage = rng.choice(OPEN) if age < 20 else rng.choice(CLOSED)
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
        id_number = f"0{rng.randrange(10**10, 10**11)}"
        if case_id % every == 0:
            sample.append((code, born.isoformat(), id_number))
        is_open = stage in OPEN
        yield (
            case_id,
            code,
            "vneid",
            1,
            str(stage),
            received_at,
            False,
            "electronic",
            False,
            1,
            "NGUYỄN VĂN BENCH",
            "nguyen van bench",
            born,
            "male",
            id_number,
            received_at,
            received_at,
            False,
            day if is_open else None,
            day + timedelta(days=14) if is_open else None,
            None if is_open else received_at + timedelta(days=7),
            received_at,
        )


def copy_cases(url, count):
    """COPY `count` cases into the database; returns the lookup sample and the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(1107)
    sample = []
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY cases ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
                for row in case_rows(count, rng, sample):
                    copy.write_row(row)
            cursor.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        raw.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE cases")
    engine.dispose()
    return sample, time.perf_counter() - started


def start_server(database_url, port, workers, threads):
    """gunicorn serving `bench_app()` from this file; returns once /healthz answers."""
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url, "LLTP_VAR_DIR": str(out)}
    command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--pythonpath", str(ROOT / "bench"), "status:bench_app()"]
    log = open(out / "status-gunicorn.log", "wb")  # noqa: SIM115  (closed with the server)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server, log
        except OSError:
            time.sleep(0.2)
    stop_server(server, log)
    raise SystemExit(f"gunicorn did not start: see {log.name}")


def lua_script(sample, rng, path):
    """A wrk script posting random lookups from `sample` to `path`, one in ten with a wrong fact."""
    bodies = []
    for code, born, id_number in sample:
        if rng.random() < WRONG_SHARE:
            body = {"case_code": code, "id_number": "079000000000"}
        elif rng.random() < 0.5:
            body = {"case_code": code, "date_of_birth": born}
        else:
            body = {"case_code": code, "id_number": id_number}
        bodies.append(json.dumps(body))
    lines = ",\n".join(json.dumps(body) for body in bodies)
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {{
{lines}
}}
-- Each request is formatted once, up front (in init, once wrk has set the Host header), so that the client's
-- work per request stays as small as for the ceiling's.
local requests = {{}}
init = function(args)
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format(nil, "{path}", nil, body)
  end
end
math.randomseed(570)
request = function()
  return requests[math.random(#requests)]
end
"""


def run_wrk(url, *, connections, seconds, script=None):
    """(requests per second, p99 in ms, non-2xx/3xx answers) from one wrk run."""
    command = [
        "wrk",
        "-t",
        str(min(connections, 2)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
    ]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return rate, p99_ms, int(errors.group(1)) if errors else 0, socket_errors and socket_errors.group(0)


def report(results, args):
    """The table of medians: each endpoint's rate and p99, the lookup's share of the ceiling (the median
    lookup over the median hello), and each round's range, since one run alone is at the mercy of a
    noisy machine."""
    kind = f"gthread --threads {args.threads}" if args.threads > 1 else "sync"
    print(
        f"PostgreSQL, {args.cases:,} cases, gunicorn -w {args.workers} ({kind}), "
        f"{args.rounds} rounds of {args.seconds} s runs, the endpoints in turn"
    )
    print("| connections | endpoint | req/s | p99 ms | share of ceiling | rounds' req/s | rounds' shares |")
    print("|---:|---|---:|---:|---:|---|---|")
    for connections, runs in results:
        ceiling = [rate for rate, *_ in runs["hello"]]
        for name, rounds in runs.items():
            rates = [rate for rate, *_ in rounds]
            p99 = median(p99 for _, p99, *_ in rounds)
            share = median(rates) / median(ceiling)
            shares = [rate / hello for rate, hello in zip(rates, ceiling, strict=True)]
            print(
                f"| {connections} | {name} | {median(rates):.0f} | {p99:.1f} | {share:.0%} "
                f"| {span(rates, '{:.0f}')} | {span(shares, '{:.0%}')} |"
            )
            errors = sum(errors for _, _, errors, _ in rounds)
            socket_errors = " ".join({found for *_, found in rounds if found})
            if name == "lookup" and (errors or socket_errors):
                # The wrong facts are meant to be 404s: about one lookup in ten.
                print(f"  lookup at {connections}: {errors} non-2xx (404s expected); {socket_errors}")


def span(values, form):
    """`low–high` of `values`, each written with `form`."""
    return "–".join(form.format(value) for value in (min(values), max(values)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"), help="a PostgreSQL URL")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each endpoint, taken in turn")
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread); 1: sync")
    args = parser.parse_args()
    if not (args.database or "").startswith(("postgres", "postgresql")):
        raise SystemExit("bench/status.py measures PostgreSQL: give --database postgresql+psycopg://...")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")

    url, drop = make_database(normalise_database_url(args.database))
    work = Path(tempfile.mkdtemp(prefix="lltp-bench-status-"))
    try:
        app = migrated_app(url)
        with app.app_context():
            db.engine.dispose()
        sample, seconds = copy_cases(url, args.cases)
        print(f"{args.cases:,} cases copied in {seconds:.1f} s")
        scripts = {}
        for path in ("/tra-cuu.json", "/_bench/round-trip"):
            scripts[path] = work / f"{path.strip('/').replace('/', '-')}.lua"
            scripts[path].write_text(lua_script(sample, random.Random(11), path))
        port = free_port()
        server, log = start_server(url, port, args.workers, args.threads)
        base = f"http://127.0.0.1:{port}"
        try:
            for path, script in scripts.items():  # warm up
                run_wrk(base + path, connections=2, seconds=2, script=str(script))
            endpoints = (
                ("hello", "/_bench/hello", None),
                ("round trip", "/_bench/round-trip", str(scripts["/_bench/round-trip"])),
                ("lookup", "/tra-cuu.json", str(scripts["/tra-cuu.json"])),
            )
            results = []
            for connections in (int(n) for n in args.connections.split(",")):
                runs = {name: [] for name, _, _ in endpoints}
                for _ in range(args.rounds):
                    for name, path, script in endpoints:
                        runs[name].append(
                            run_wrk(base + path, connections=connections, seconds=args.seconds, script=script)
                        )
                results.append((connections, runs))
        finally:
            stop_server(server, log)
        report(results, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        drop()


if __name__ == "__main__":
    main()
