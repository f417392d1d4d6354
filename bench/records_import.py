"""Benchmark `flask records import` on a file of 100,000 records-contract documents.

    .venv/bin/python bench/records_import.py [--documents 100000] [--database URL] [--keep-file]

Writes a realistic JSON Lines file under bench/out/: people sent by the police, judgments by the district
courts, enforcement events by the prisons and the civil-judgment enforcement office, prosecutions (some
followed by a new status later in the file) and bankruptcy bans. Each line names its agency
(`source_agency`), so references resolve across agencies as in production. Some events come before their
judgment and some judgments before their person; some names arrive decomposed (NFD).

Then it builds a migrated database of its own (a SQLite file under bench/out/, or a fresh PostgreSQL
database on the server that --database points at) and runs `flask records import` on the file through
Flask's CLI runner (the command's own code path, commit included), twice: the first import, then the same
file again (everything skipped). Prints documents per second, seconds and peak memory (the process's peak
RSS) for each, and the rows made. The database (and the file, without --keep-file) are removed afterwards.
Results go in bench/RESULTS.md.
"""

import argparse
import json
import random
import resource
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from board import GIVEN, MIDDLE, SURNAMES, make_database, pick  # noqa: E402

from lltp.cases.models import Sex  # noqa: E402
from lltp.config import normalise_database_url  # noqa: E402
from lltp.extensions import db  # noqa: E402
from lltp.records.models import (  # noqa: E402
    Ban,
    EnforcementEvent,
    Judgment,
    Person,
    Prosecution,
    ProsecutionStatusChange,
    SourceDocument,
)
from tests.conftest import migrated_app  # noqa: E402

POLICE = "CA-HCM"
COURTS = tuple(f"TAND-{name}" for name in ("HCM", "Q1", "Q3", "Q5", "Q10", "BINHTHANH", "GOVAP", "THUDUC"))
PRISON = "TG-CHIHOA"
THADS = "THADS-HCM"
OFFENCES = (
    # name, article, chapter, severity, intent; weighted by how often courts convict of them
    (("Trộm cắp tài sản", "173", "XVI", "less_serious", "intentional"), 30),
    (("Tàng trữ trái phép chất ma túy", "249", "XX", "serious", "intentional"), 18),
    (("Cố ý gây thương tích", "134", "XIV", "less_serious", "intentional"), 12),
    (("Lừa đảo chiếm đoạt tài sản", "174", "XVI", "serious", "intentional"), 10),
    (("Vi phạm quy định về tham gia giao thông đường bộ", "260", "XXI", "less_serious", "negligent"), 8),
    (("Đánh bạc", "321", "XXI", "less_serious", "intentional"), 8),
    (("Mua bán trái phép chất ma túy", "251", "XX", "very_serious", "intentional"), 5),
    (("Cướp tài sản", "168", "XVI", "very_serious", "intentional"), 4),
    (("Giết người", "123", "XIV", "especially_serious", "intentional"), 1),
    (("Tham ô tài sản", "353", "XXIII", "especially_serious", "intentional"), 1),
    (("Tuyên truyền chống Nhà nước", "117", "XIII", "very_serious", "intentional"), 0.2),
)
COUNTED = (SourceDocument, Person, Judgment, EnforcementEvent, Prosecution, ProsecutionStatusChange, Ban)
DISTRICTS = ("Quận 1", "Quận 3", "Quận 5", "Quận 10", "Bình Thạnh", "Gò Vấp", "Thủ Đức", "Tân Bình")


class Documents:
    """A stream of documents telling the stories of people with convictions."""

    def __init__(self, rng):
        self.rng = rng
        self.serial = 0

    def ref(self, prefix, year):
        self.serial += 1
        return f"{prefix}/{year}/{self.serial:07d}"

    def day(self, start, end):
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def person(self):
        rng = self.rng
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        name = f"{pick(SURNAMES, rng)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}".upper()
        if rng.random() < 0.05:
            name = unicodedata.normalize("NFD", name)  # some systems send decomposed marks
        born = self.day(date(1950, 1, 1), date(2006, 1, 1))
        precision = "year" if born.year < 1975 and rng.random() < 0.4 else "day"
        document = {
            "kind": "person",
            "source_ref": self.ref("CA-HCM", rng.randrange(2005, 2025)),
            "source_agency": POLICE,
            "full_name": name,
            "other_names": [name.split()[0] + " " + name.split()[-1]] if rng.random() < 0.1 else [],
            "sex": str(sex),
            "date_of_birth": (born.replace(month=1, day=1) if precision == "year" else born).isoformat(),
            "date_of_birth_precision": precision,
            "place_of_birth": f"{rng.choice(DISTRICTS)}, TP Hồ Chí Minh",
            "nationality": "VN",
            "id_numbers": [{"type": "cccd", "number": f"079{rng.randrange(10**9):09d}"}],
            "father_name": f"{name.split()[0]} VĂN {rng.choice(GIVEN[Sex.MALE]).upper()}",
            "mother_name": f"{pick(SURNAMES, rng).upper()} THỊ {rng.choice(GIVEN[Sex.FEMALE]).upper()}",
            "residence": f"Số {rng.randrange(1, 300)} đường {rng.randrange(1, 40)}, {rng.choice(DISTRICTS)}",
        }
        if rng.random() < 0.3:
            document["id_numbers"].append({"type": "cmnd", "number": f"02{rng.randrange(10**7):07d}"})
        return document, born

    def judgment(self, person_ref, born, after):
        rng = self.rng
        pronounced = self.day(max(after, born + timedelta(days=18 * 366)), date(2025, 6, 1))
        name, article, chapter, severity, intent = pick(OFFENCES, rng)
        court = rng.choice(COURTS)
        penalty = self.principal_penalty(severity)
        document = {
            "kind": "judgment",
            "source_ref": self.ref(court, pronounced.year),
            "source_agency": court,
            "person_ref": person_ref,
            "number": f"{rng.randrange(1, 999)}/{pronounced.year}/HS-ST",
            "pronounced_on": pronounced.isoformat(),
            "effective_on": (pronounced + timedelta(days=rng.randrange(15, 45))).isoformat(),
            "court": f"Tòa án nhân dân {court.removeprefix('TAND-')}",
            "offences": [
                {
                    "name": name,
                    "code": "BLHS2015",
                    "article": article,
                    "clause": str(rng.randrange(1, 4)),
                    "chapter": chapter,
                    "severity": severity,
                    "intent": intent,
                    "committed_on": (pronounced - timedelta(days=rng.randrange(60, 400))).isoformat(),
                }
            ],
            "principal_penalty": penalty,
            "exempted_from_punishment": False,
            "reform_school": False,
            "additional_penalties": [],
            "court_fee": 200000,
            "civil_obligations": [],
        }
        if rng.random() < 0.2:
            document["additional_penalties"].append(
                {"type": "fine", "months": None, "description": "Phạt tiền bổ sung 5.000.000 đồng"}
            )
        if rng.random() < 0.1:
            document["additional_penalties"].append(
                {"type": "ban_office", "months": 36, "description": "Cấm đảm nhiệm chức vụ kế toán"}
            )
        if rng.random() < 0.35:
            document["civil_obligations"].append(
                {"description": "Bồi thường cho bị hại", "amount": rng.randrange(1, 200) * 500_000}
            )
        return document

    def principal_penalty(self, severity):
        rng = self.rng
        if severity == "less_serious" and rng.random() < 0.3:
            kind = rng.choice(("fine", "non_custodial_reform", "warning"))
            return {
                "type": kind,
                "months": 12 if kind == "non_custodial_reform" else None,
                "suspended": False,
                "probation_months": None,
                "fine_amount": 20_000_000 if kind == "fine" else None,
            }
        months = {"less_serious": 12, "serious": 36, "very_serious": 96, "especially_serious": 180}[severity]
        months = max(3, int(months * rng.uniform(0.5, 1.5)))
        suspended = months <= 36 and rng.random() < 0.3
        return {
            "type": "prison",
            "months": months,
            "suspended": suspended,
            "probation_months": months * 2 if suspended else None,
            "fine_amount": None,
        }

    def events(self, judgment):
        """What the prisons and THADS report after a judgment, when it has happened by mid-2025."""
        rng = self.rng
        effective = date.fromisoformat(judgment["effective_on"])
        penalty = judgment["principal_penalty"]
        found = []

        def event(agency, name, on, **extra):
            if on < date(2025, 6, 1):
                found.append(
                    {
                        "kind": "enforcement",
                        "source_ref": self.ref(agency, on.year),
                        "source_agency": agency,
                        "judgment_ref": judgment["source_ref"],
                        "event": name,
                        "on": on.isoformat(),
                        **extra,
                    }
                )

        if penalty["type"] == "prison" and penalty["suspended"]:
            event(THADS, "probation_completed", effective + timedelta(days=penalty["probation_months"] * 30))
        elif penalty["type"] == "prison" and rng.random() < 0.9:
            served = timedelta(days=penalty["months"] * rng.uniform(24, 30.5))  # remission, special amnesty
            note = "Giấy chứng nhận chấp hành xong án phạt tù"
            event(PRISON, "principal_completed", effective + served, note=note)
        elif penalty["type"] == "fine":
            event(THADS, "fine_paid", self.day(effective, effective + timedelta(days=200)))
        elif penalty["type"] == "non_custodial_reform":
            event(THADS, "principal_completed", effective + timedelta(days=366))
        if rng.random() < 0.85:
            event(THADS, "court_fee_paid", self.day(effective, effective + timedelta(days=400)))
        for index, _penalty in enumerate(judgment["additional_penalties"]):
            if rng.random() < 0.6:
                on = self.day(effective, effective + timedelta(days=1500))
                event(THADS, "additional_completed", on, penalty_index=index)
        for index, _obligation in enumerate(judgment["civil_obligations"]):
            if rng.random() < 0.6:
                on = self.day(effective, effective + timedelta(days=900))
                event(THADS, "civil_obligation_completed", on, obligation_index=index)
        if rng.random() < 0.003:
            event(THADS, "court_expungement_decision", effective + timedelta(days=3000))
        return found

    def prosecution(self, person_ref, born):
        rng = self.rng
        opened = self.day(max(date(2015, 1, 1), born + timedelta(days=18 * 366)), date(2025, 5, 1))
        year = opened.year
        document = {
            "kind": "prosecution",
            "source_ref": self.ref("CA-HCM/KT", year),
            "source_agency": POLICE,
            "person_ref": person_ref,
            "committed_on": (opened - timedelta(days=rng.randrange(10, 120))).isoformat(),
            "opened_on": opened.isoformat(),
            "status": "pending",
        }
        updates = []
        if rng.random() < 0.4:
            status_on = min(opened + timedelta(days=rng.randrange(60, 600)), date(2025, 5, 30))
            status = rng.choice(("dismissed", "acquitted"))
            updates.append({**document, "status": status, "status_on": status_on.isoformat()})
        return document, updates

    def ban(self, person_ref):
        rng = self.rng
        decided = self.day(date(2012, 1, 1), date(2025, 5, 1))
        court = rng.choice(COURTS)
        return {
            "kind": "ban",
            "source_ref": self.ref(f"{court}/PS", decided.year),
            "source_agency": court,
            "person_ref": person_ref,
            "decision_number": f"{rng.randrange(1, 99)}/{decided.year}/QĐ-PS",
            "decided_on": decided.isoformat(),
            "court": f"Tòa án nhân dân {court.removeprefix('TAND-')}",
            "post": "Giám đốc doanh nghiệp",
            "starts_on": decided.isoformat(),
            "ends_on": (decided + timedelta(days=3 * 365)).isoformat(),
        }

    def story(self):
        """One person's documents, mostly in the order they happen; some children come first."""
        rng = self.rng
        person, born = self.person()
        lines, later = [], []
        count = rng.choices((0, 1, 2, 3), weights=(12, 66, 16, 6))[0]
        after = date(2005, 1, 1)
        for _number in range(count):
            judgment = self.judgment(person["source_ref"], born, after)
            after = date.fromisoformat(judgment["pronounced_on"]) + timedelta(days=30)
            events = self.events(judgment)
            # An event that reaches us before its judgment extract does (the contract allows it).
            lines += [*events, judgment] if rng.random() < 0.1 else [judgment, *events]
        if count == 0 or rng.random() < 0.06:
            prosecution, updates = self.prosecution(person["source_ref"], born)
            lines.append(prosecution)
            later += updates
        if rng.random() < 0.04:
            lines.append(self.ban(person["source_ref"]))
        # A judgment that arrives before the police sent the person.
        lines = [*lines, person] if lines and rng.random() < 0.02 else [person, *lines]
        return lines, later


def write_file(path, count, seed=4):
    """Write `count` documents, streaming; returns how many of each kind."""
    stories = Documents(random.Random(seed))
    kinds, written, later = {}, 0, []
    with open(path, "w", encoding="utf-8") as out:
        while written < count:
            lines, updates = stories.story()
            remaining = count - written
            if len(lines) + len(updates) + len(later) > remaining:
                # The end: the status updates still owed, then people alone up to the exact count, so that
                # no reference is cut off from what it names.
                lines, later = later[:remaining], []
                lines += [stories.person()[0] for _person in range(remaining - len(lines))]
            else:
                later += updates
                # Status updates follow their first version some hundred lines later.
                if len(later) > 40:
                    lines, later = lines + later, []
            for document in lines:
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
                kinds[document["kind"]] = kinds.get(document["kind"], 0) + 1
            written += len(lines)
    return kinds


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(app, path):
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["records", "import", str(path)])
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"import failed ({result.exit_code}):\n{result.output[:5000]}")
    return elapsed, result.output


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL URL; a SQLite file under bench/out/ when omitted")
    parser.add_argument("--keep-file", action="store_true")
    args = parser.parse_args()

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"records-import-{args.documents}.jsonl"
    started = time.perf_counter()
    kinds = write_file(path, args.documents)
    print(
        f"file: {path.name}, {args.documents} documents ({', '.join(f'{k} {n}' for k, n in kinds.items())}), "
        f"{path.stat().st_size / 2**20:.1f} MiB, written in {time.perf_counter() - started:.1f} s"
    )

    url, drop = make_database(args.database and normalise_database_url(args.database))
    try:
        app = migrated_app(url)
        with app.app_context():
            dialect = db.engine.dialect.name
        baseline = peak_rss_mb()
        print(f"{dialect}: peak RSS before importing {baseline:.0f} MB")
        for label in ("first import", "re-import (all skipped)"):
            elapsed, output = run_import(app, path)
            print(
                f"{label}: {elapsed:.1f} s, {args.documents / elapsed:,.0f} documents/s, "
                f"peak RSS {peak_rss_mb():.0f} MB"
            )
            print("  " + output.strip().replace("\n", "\n  "))
        with app.app_context():
            counts = {
                model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in COUNTED
            }
            db.session.remove()
            db.engine.dispose()
        print("rows: " + ", ".join(f"{table} {count}" for table, count in counts.items()))
    finally:
        drop()
        if not args.keep_file:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
