"""Benchmark issuing certificates: render the PDF and sign it twice (approver, then seal), per second.

    .venv/bin/python bench/issuance.py [--certificates 400] [--workers 2] [--database URL]

Builds a fresh PostgreSQL database of its own on the server that --database points at (the production
database: on SQLite every transaction takes the write lock, so approvals, which render and sign inside
theirs, run one at a time whatever the number of workers), with one approver, self-signed EC P-256 keys
for them and for the seal, and N certificates of a Phiếu số 2 with two convictions (one expunged) and a
ban: the longest content the form prints. Then W worker processes, each with its own app, split the
certificates; each renders and signs one to warm up, and all start together. Throughput is the
certificates done divided by the wall time from the start to the last worker's end. The database is
dropped afterwards. Results go in bench/RESULTS.md (target: 20 a second with 2 workers).
"""

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.board import make_database  # noqa: E402
from lltp.accounts.models import Role  # noqa: E402
from lltp.config import normalise_database_url  # noqa: E402
from lltp.core import clock  # noqa: E402
from lltp.extensions import db  # noqa: E402
from lltp.issuance import keys  # noqa: E402
from lltp.issuance.codes import check_code  # noqa: E402
from lltp.issuance.content import TEMPLATE_VERSION, compose  # noqa: E402
from lltp.issuance.models import Certificate, SigningKeyKind  # noqa: E402
from lltp.issuance.pdf import render_certificate  # noqa: E402
from lltp.issuance.signing import sign_certificate, verify_pdf  # noqa: E402
from tests.conftest import make_app, migrated_app  # noqa: E402
from tests.factories import SYSTEM, create_user  # noqa: E402
from tests.issuance.test_pdf import SIGNER_TITLE, matched_case  # noqa: E402

KEY_PASSWORD = "bench-key-password"
DEFAULT_DATABASE = "postgresql+psycopg://root@127.0.0.1:5432/test"


def prepare(count, key_dir):
    """The approver, their key and the seal's, and `count` certificates of one rich Phiếu số 2; their ids."""
    approver = create_user(roles=(Role.APPROVER,), full_name="Trần Quốc Hưng", username="bench-approver")
    for kind, name, user in (
        (SigningKeyKind.APPROVER, "Trần Quốc Hưng", approver),
        (SigningKeyKind.SEAL, "Công an Thành phố Hồ Chí Minh", None),
    ):
        path = keys.make_self_signed(
            key_dir / f"{kind}.p12", common_name=name, organisation=name, password=KEY_PASSWORD
        )
        keys.register_signing_key(
            kind=kind, path=str(path), password=KEY_PASSWORD, user=user, label=name, actor=SYSTEM
        )
    case = matched_case(2, with_ban=True)
    content = compose(case)
    year = clock.today().year
    certificates = []
    for serial in range(1, count + 1):
        number = f"HCM/{year}/{serial:06d}"
        certificates.append(
            Certificate(
                case_id=case.id,
                number=number,
                authority_code="HCM",
                year=year,
                serial=serial,
                certificate_type=2,
                content=content,
                template_version=TEMPLATE_VERSION,
                issued_on=clock.today(),
                signer_id=approver.id,
                signer_name=approver.full_name,
                signer_title=SIGNER_TITLE,
                copies=2,
                check_code=check_code(number),
            )
        )
    db.session.add_all(certificates)
    db.session.commit()
    return [certificate.id for certificate in certificates]


def issue(certificate):
    """Render and sign `certificate`, and end the transaction that loaded it and the keys, as an approval
    does (on SQLite each transaction takes the write lock: see lltp.core.database)."""
    signed = sign_certificate(render_certificate(certificate), approver=certificate.signer)
    db.session.rollback()
    return signed


def worker(url, ids, ready, start, results):
    """Warm up on the first certificate, wait for the start, then load, render and sign each of `ids`."""
    app = make_app(url)
    with app.app_context():
        try:
            issue(db.session.get(Certificate, ids[0]))
        finally:
            ready.release()
        start.wait()
        started = time.perf_counter()
        timings = []
        for id_ in ids:
            one = time.perf_counter()
            issue(db.session.get(Certificate, id_))
            timings.append((time.perf_counter() - one) * 1000)
        results.put((started, time.perf_counter(), timings))
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="a PostgreSQL server's URL")
    args = parser.parse_args()

    url, drop = make_database(normalise_database_url(args.database))
    key_dir = ROOT / "bench" / "out" / f"keys-{time.time_ns()}"
    try:
        app = migrated_app(url)
        with app.app_context():
            ids = prepare(args.certificates, key_dir)
            sample = issue(db.session.get(Certificate, ids[0]))
            report = verify_pdf(sample)
            assert report["signatures_ok"], report
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
        print(f"{dialect}: {len(ids)} certificates of {len(sample):,} bytes each, signed, checked once")

        context = multiprocessing.get_context("spawn")
        ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
        processes = [
            context.Process(target=worker, args=(url, ids[n :: args.workers], ready, start, results))
            for n in range(args.workers)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            ready.acquire()
        start.set()
        # A worker that fails prints its traceback and never answers: stop waiting rather than hang.
        outcomes = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join()
        began = min(started for started, _ended, _timings in outcomes)
        ended = max(ended for _started, ended, _timings in outcomes)
        timings = [timing for _started, _ended, worker_timings in outcomes for timing in worker_timings]
        seconds = ended - began
        print(f"{args.workers} workers: {len(timings)} certificates in {seconds:.2f} s")
        print(f"throughput: {len(timings) / seconds:.1f} certificates a second")
        print(
            f"one certificate (render + 2 signatures): median {statistics.median(timings):.1f} ms, "
            f"p95 {statistics.quantiles(timings, n=20)[18]:.1f} ms"
        )
    finally:
        for path in key_dir.glob("*.p12"):
            path.unlink()
        if key_dir.exists():
            key_dir.rmdir()
        drop()


if __name__ == "__main__":
    main()
