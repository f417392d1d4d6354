"""Benchmark candidate matching on 200,000 people and 2,000 queries carrying realistic errors.

    .venv/bin/python bench/matching.py [--people 200000] [--queries 2000] [--database URL]

Builds a migrated database of its own (a SQLite file under bench/out/, or a fresh PostgreSQL database on
the server that --database points at) and bulk-inserts the people with SQLAlchemy Core: households of
brothers and sisters (the hardest look-alikes: same family name, parents and place of birth; some are
twins), Vietnamese names weighted by how common they are, dates of birth of which some are known only by
month or year, places of birth, parents, and none, one or two ID numbers (CMND and CCCD). The matcher's
keys and likely duplicates are then written by `matching.index_people`, the same function the app uses.

Each query is the identity an applicant would give for one known person (the name, the full date of birth,
sex, the current ID number, and often the place of birth and parents), with one to three errors: missing
or wrong diacritics, swapped or missing middle name, one- or two-letter typos, a date known only by year
or one digit off, a wrong or missing ID number, or a CCCD that replaced the CMND on record. Prints recall
and precision at rank 1 and 5, recall at rank 5 by kind of error, and the median and p95 time of
`matching.candidates` (10 candidates, a fresh session per query as in a request), then the time of the
likely-duplicates page. The database is dropped afterwards. Results go in bench/RESULTS.md.
"""

import argparse
import gc
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from board import SURNAMES, make_database, pick  # noqa: E402

from lltp.config import normalise_database_url  # noqa: E402
from lltp.core.text import fold  # noqa: E402
from lltp.extensions import db  # noqa: E402
from lltp.records import matching  # noqa: E402
from lltp.records.models import (  # noqa: E402
    DatePrecision,
    LikelyDuplicate,
    NameKind,
    Person,
    PersonIdNumber,
    PersonName,
)
from tests.conftest import migrated_app  # noqa: E402
from tests.intake.helpers import cccd_number  # noqa: E402

MIDDLE = {
    "male": (
        ("Văn", 30), ("Hữu", 8), ("Đức", 8), ("Minh", 8), ("Đình", 5), ("Quốc", 5), ("Thanh", 5),
        ("Công", 5), ("Xuân", 4), ("Ngọc", 4), ("Quang", 4), ("Hoàng", 3), ("Anh", 3), ("Trọng", 3),
        ("Tuấn", 2),
    ),
    "female": (
        ("Thị", 45), ("Ngọc", 8), ("Thu", 5), ("Thanh", 5), ("Kim", 5), ("Minh", 4), ("Mỹ", 4),
        ("Hồng", 4), ("Thùy", 4), ("Phương", 3), ("Bảo", 3), ("Diệu", 2), ("Hoài", 2), ("Khánh", 2),
        ("Tuyết", 2),
    ),
}  # fmt: skip
# One string a list, as they are read aloud: one item a line would be a page of names.
GIVEN = {
    "male": (  # noqa: SIM905
        "Hùng Dũng Tuấn Nam Minh Hải Long Sơn Thành Cường Huy Đức Quang Phong Trung Bình Hưng Khánh Việt "
        "Hoàng Tùng Thắng Vinh Hiếu Duy Đạt An Anh Bảo Chiến Công Dương Định Đông Giang Hào Hiệp Hòa Khang "
        "Khoa Kiên Lâm Lộc Luân Mạnh Nghĩa Nhân Phát Phúc Phương Quân Quốc Sang Tài Tân Thiện Thịnh Toàn "
        "Trí Tú Vũ"
    ).split(),
    "female": (  # noqa: SIM905
        "Lan Hương Linh Mai Trang Hoa Hà Thảo Ngọc Huyền Nga Phương Anh Hằng Thủy Yến Dung Hạnh Hiền Nhung "
        "Thu Vân Loan Oanh Ánh Bích Châu Chi Diệp Duyên Giang Hân Hòa Hồng Huệ Hường Khánh Liên Ly My Ngân "
        "Nguyệt Nhi Quyên Quỳnh Tâm Thanh Thơ Thúy Thư Trâm Trinh Tuyết Uyên Vy Xuân"
    ).split(),
}
PROVINCES = (
    ("Hà Nội", "001", "Thành phố"), ("Hải Phòng", "031", "Thành phố"), ("Nam Định", "036", "Tỉnh"),
    ("Thái Bình", "034", "Tỉnh"), ("Thanh Hóa", "038", "Tỉnh"), ("Nghệ An", "040", "Tỉnh"),
    ("Hà Tĩnh", "042", "Tỉnh"), ("Quảng Nam", "049", "Tỉnh"), ("Đà Nẵng", "048", "Thành phố"),
    ("Bình Định", "052", "Tỉnh"), ("Đắk Lắk", "066", "Tỉnh"), ("Đồng Nai", "075", "Tỉnh"),
    ("Bình Dương", "074", "Tỉnh"), ("Hồ Chí Minh", "079", "Thành phố"), ("Long An", "080", "Tỉnh"),
    ("Tiền Giang", "082", "Tỉnh"), ("Cần Thơ", "092", "Thành phố"), ("An Giang", "089", "Tỉnh"),
)  # fmt: skip
DISTRICTS = (  # noqa: SIM905
    "Đông Anh|Gia Lâm|Thủ Đức|Bình Chánh|Củ Chi|Hóc Môn|Nhà Bè|Cần Giờ|Diễn Châu|Quỳnh Lưu|Nghi Lộc|"
    "Hưng Nguyên|Thọ Xuân|Hoằng Hóa|Tiên Lãng|Kiến Thụy|Hải Hậu|Giao Thủy|Tiền Hải|Kiến Xương"
).split("|")
TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
ERRORS = (
    ("no diacritics", 3),
    ("wrong diacritics", 2),
    ("middle names swapped", 1.5),
    ("middle name missing", 2),
    ("one-letter typo", 3),
    ("two-letter typo", 1.5),
    ("year-only date", 1.5),
    ("date one digit off", 2),
    ("wrong ID number", 1),
    ("no ID number", 1.5),
    ("CMND replaced by CCCD", 1.5),
)
EXCLUSIVE = (
    {"wrong ID number", "no ID number", "CMND replaced by CCCD"},
    {"year-only date", "date one digit off"},
    {"middle names swapped", "middle name missing"},
)
FIRST_YEAR, LAST_YEAR = 1950, 2006


def zipf(names):
    return [(name, 1 / (rank + 3)) for rank, name in enumerate(names)]


GIVEN_WEIGHTED = {sex: zipf(names) for sex, names in GIVEN.items()}


def person_name(family, sex, rng):
    middles = [pick(MIDDLE[sex], rng)]
    if rng.random() < (0.3 if sex == "female" else 0.12):
        middles.append(pick(MIDDLE[sex], rng))
    return " ".join([family, *dict.fromkeys(middles), pick(GIVEN_WEIGHTED[sex], rng)]).upper()


def random_date(rng, first=FIRST_YEAR, last=LAST_YEAR):
    return date(first, 1, 1) + timedelta(days=rng.randrange((date(last, 12, 31) - date(first, 1, 1)).days))


def make_people(count, rng):
    """People in households: brothers and sisters share the family name, parents and place of birth."""
    people = []
    while len(people) < count:
        family = pick(SURNAMES, rng)
        province, code, level = rng.choice(PROVINCES)
        commune, district = rng.choice(DISTRICTS), rng.choice(DISTRICTS)
        place = f"Xã {commune} {rng.randrange(1, 9)}, Huyện {district}, {level} {province}"
        father = person_name(family, "male", rng)
        mother = person_name(pick(SURNAMES, rng), "female", rng)
        first_born = random_date(rng)
        previous = None
        for _ in range(min(rng.choice((1, 1, 1, 2, 2, 3, 4)), count - len(people))):
            sex = rng.choice(("male", "female"))
            twin = previous is not None and rng.random() < 0.05
            born = previous if twin else first_born + timedelta(days=rng.randrange(0, 4000))
            if born.year > LAST_YEAR:
                born = random_date(rng)
            previous = born
            people.append(
                {
                    "sex": sex,
                    "full_name": person_name(family, sex, rng),
                    "born": born,
                    "precision": pick(
                        ((DatePrecision.DAY, 85), (DatePrecision.MONTH, 4), (DatePrecision.YEAR, 11)), rng
                    ),
                    "place": place,
                    "province_code": code,
                    "father": father,
                    "mother": mother,
                }
            )
    for index, person in enumerate(people, start=1):
        person["id"] = index
        person["cmnd"] = f"{int(person['province_code']) % 100:02d}{index:07d}"
        person["cccd"] = cccd_number(person["sex"], person["born"], person["province_code"], f"{index:06d}")
        person["numbers"] = pick(((("cccd",), 45), (("cmnd",), 15), (("cmnd", "cccd"), 20), ((), 20)), rng)
        person["alias"] = None
        if rng.random() < 0.03:
            parts = person["full_name"].split()
            person["alias"] = (
                " ".join([parts[0], parts[-1]]) if len(parts) > 2 else f"{parts[0]} {parts[-1]} EM"
            )
    return people


def stored_date(person):
    born, precision = person["born"], person["precision"]
    if precision is DatePrecision.YEAR:
        return born.replace(month=1, day=1)
    return born.replace(day=1) if precision is DatePrecision.MONTH else born


def bulk_insert(people, batch=5000):
    """Core inserts of the people, their names and numbers, then the matcher's index by its own code."""
    started = time.perf_counter()
    persons, names, numbers = [], [], []
    for person in people:
        born = stored_date(person)
        persons.append(
            {
                "id": person["id"],
                "source_agency": "bench",
                "source_ref": f"P{person['id']}",
                "full_name": person["full_name"],
                "name_folded": fold(person["full_name"]),
                "sex": person["sex"],
                "date_of_birth": born,
                "date_of_birth_precision": person["precision"],
                "birth_year": born.year,
                "place_of_birth": person["place"],
                "nationality": "VN",
                "father_name": person["father"],
                "mother_name": person["mother"],
            }
        )
        names.append(
            {
                "person_id": person["id"],
                "full_name": person["full_name"],
                "name_folded": fold(person["full_name"]),
                "kind": NameKind.PRIMARY,
            }
        )
        if person["alias"]:
            names.append(
                {
                    "person_id": person["id"],
                    "full_name": person["alias"],
                    "name_folded": fold(person["alias"]),
                    "kind": NameKind.ALIAS,
                }
            )
        numbers += [
            {"person_id": person["id"], "type": kind, "number": person[kind]} for kind in person["numbers"]
        ]
    for table, rows in (
        (Person.__table__, persons),
        (PersonName.__table__, names),
        (PersonIdNumber.__table__, numbers),
    ):
        for offset in range(0, len(rows), batch):
            db.session.execute(sa.insert(table), rows[offset : offset + batch])
    db.session.commit()
    inserted = time.perf_counter() - started
    for offset in range(0, len(people), batch):
        matching.index_people([person["id"] for person in people[offset : offset + batch]])
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("persons", "person_names", "person_id_numbers"):
            db.session.execute(sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    return inserted, time.perf_counter() - started - inserted


# --- queries ---------------------------------------------------------------------------------------


def typo(name, rng, letters=1):
    tokens = name.split()
    for _ in range(letters):
        index = rng.choices(range(len(tokens)), weights=[len(token) for token in tokens])[0]
        token = list(tokens[index])
        at = rng.randrange(len(token))
        operation = rng.choice(("substitute", "delete", "insert", "transpose"))
        if operation == "substitute":
            token[at] = rng.choice("ABCDEGHIKLMNOPQRSTUVXY")
        elif operation == "delete" and len(token) > 1:
            del token[at]
        elif operation == "insert":
            token.insert(at, rng.choice("ABCDEGHIKLMNOPQRSTUVXY"))
        elif at + 1 < len(token):
            token[at], token[at + 1] = token[at + 1], token[at]
        tokens[index] = "".join(token)
    return " ".join(tokens)


def wrong_diacritics(name, rng):
    """One syllable with another tone mark, as a hurried typist or an old typewriter gives it."""
    tokens = name.split()
    index = rng.randrange(len(tokens))
    decomposed = [ch for ch in unicodedata.normalize("NFD", tokens[index]) if ch not in TONES]
    vowels = [at for at, ch in enumerate(decomposed) if ch in "AEIOUY"]
    if vowels:
        decomposed.insert(vowels[-1] + 1, rng.choice(TONES))
    tokens[index] = unicodedata.normalize("NFC", "".join(decomposed))
    return " ".join(tokens)


def digit_off(born, rng):
    for _ in range(50):
        digits = list(f"{born:%d%m%Y}")
        at = rng.randrange(8)
        digits[at] = rng.choice([digit for digit in "0123456789" if digit != digits[at]])
        text = "".join(digits)
        try:
            changed = date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            continue
        if 1900 <= changed.year <= 2025:
            return changed
    return born


def applies(error, person):
    middles = len(person["full_name"].split()) - 2
    return not (
        (error == "middle names swapped" and middles < 2)
        or (error == "middle name missing" and middles < 1)
        or (error == "CMND replaced by CCCD" and person["numbers"] != ("cmnd",))
        or (error == "wrong ID number" and not person["numbers"])
    )


def choose_errors(person, rng):
    count = pick(((1, 35), (2, 45), (3, 20)), rng)
    chosen = []
    while len(chosen) < count:
        error = pick(ERRORS, rng)
        exclusive = any(error in group and group & set(chosen) for group in EXCLUSIVE)
        if error not in chosen and not exclusive and applies(error, person):
            chosen.append(error)
    return chosen


def make_query(person, rng, unused_numbers):
    """(identity, errors): what the applicant declares, with errors, for a known person."""
    errors = choose_errors(person, rng)
    name = person["full_name"]
    born, precision = person["born"], "day"
    # The applicant's current number: the CCCD on record, or a new one when there is none on record.
    numbers = (person["cccd"],) if "cccd" in person["numbers"] else (next(unused_numbers),)
    if person["numbers"] == ("cmnd",) and "CMND replaced by CCCD" not in errors:
        numbers = (person["cmnd"],)
    for error in errors:
        if error == "no diacritics":
            name = fold(name).upper()
        elif error == "wrong diacritics":
            name = wrong_diacritics(name, rng)
        elif error == "middle names swapped":
            parts = name.split()
            parts[1], parts[2] = parts[2], parts[1]
            name = " ".join(parts)
        elif error == "middle name missing":
            parts = name.split()
            del parts[rng.randrange(1, len(parts) - 1)]
            name = " ".join(parts)
        elif error == "one-letter typo":
            name = typo(name, rng)
        elif error == "two-letter typo":
            name = typo(name, rng, letters=2)
        elif error == "year-only date":
            born, precision = born.replace(month=1, day=1), "year"
        elif error == "date one digit off":
            born = digit_off(born, rng)
        elif error == "wrong ID number":
            numbers = (f"{rng.randrange(10**11, 10**12)}",)
        elif error == "no ID number":
            numbers = ()
    place = person["place"]
    if rng.random() < 0.3:
        place = place.split(", ")[-1]
    identity = matching.Identity(
        full_name=name,
        date_of_birth=born,
        date_of_birth_precision=precision,
        sex=person["sex"],
        id_numbers=numbers,
        place_of_birth=place if rng.random() < 0.7 else None,
        father_name=person["father"] if rng.random() < 0.6 else None,
        mother_name=person["mother"] if rng.random() < 0.6 else None,
    )
    return identity, errors


def run_queries(app, people, count, rng):
    unused = (f"0{n:011d}" for n in range(10**10, 10**11, 7919))
    queries = [(person, *make_query(person, rng, unused)) for person in rng.sample(people, count)]
    # The 200,000 generated people stay in this process's memory, as nothing does in a web worker: keep
    # them out of the garbage collector's full passes, which would otherwise stall a query now and then.
    gc.freeze()
    timings, ranks, tops = [], [], []
    with app.app_context():
        for _, identity, _ in queries[:20]:
            matching.candidates(identity)
            db.session.remove()
        for person, identity, _ in queries:
            started = time.perf_counter()
            found = matching.candidates(identity)
            timings.append((time.perf_counter() - started) * 1000)
            ids = [candidate.person.id for candidate in found]
            ranks.append(ids.index(person["id"]) + 1 if person["id"] in ids else None)
            tops.append((found[0].score, ids[0] == person["id"]) if found else (0, False))
            db.session.remove()
    return queries, timings, ranks, tops


def report(queries, timings, ranks, tops):
    total = len(ranks)
    within = {k: sum(1 for rank in ranks if rank is not None and rank <= k) for k in (1, 5)}
    for k in (1, 5):
        print(f"recall@{k}     {within[k] / total:.4f}  ({within[k]} of {total}: true in first {k})")
    print(f"precision@1  {within[1] / total:.4f}  (the first candidate shown is the true person)")
    print(f"precision@5  {within[5] / (5 * total):.4f}  (share of the first five shown that is the true one)")
    for bar in (90, 75):
        sure = [right for top, right in tops if top >= bar]
        print(
            f"first candidate scored {bar} or more: {len(sure)} queries, right in {sum(sure) / len(sure):.4f}"
        )
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
    print(f"per query: median {median:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms")
    by_error = defaultdict(list)
    for (person, identity, errors), rank in zip(queries, ranks, strict=True):
        for error in errors:
            by_error[error].append(rank is not None and rank <= 5)
        if not set(identity.id_numbers) & {person[kind] for kind in person["numbers"]}:
            by_error["(no ID number on record)"].append(rank is not None and rank <= 5)
    print(f"{'error':<28} {'queries':>8} {'recall@5':>9}")
    for error, hits in sorted(by_error.items()):
        print(f"{error:<28} {len(hits):>8} {sum(hits) / len(hits):>9.4f}")
    print("errors per query:", dict(sorted(Counter(len(errors) for _, _, errors in queries).items())))


def time_duplicates(app):
    with app.app_context():
        pairs = db.session.scalar(sa.select(sa.func.count()).select_from(LikelyDuplicate))
        for label, offset in (("first page", 0), ("page 20", 950)):
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                matching.likely_duplicates(limit=50, offset=offset)
                timings.append((time.perf_counter() - started) * 1000)
                db.session.remove()
            median, slowest = statistics.median(timings), max(timings)
            print(f"likely duplicates ({pairs:,} pairs), {label}: median {median:.1f}, max {slowest:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--database", help="a PostgreSQL URL; a SQLite file under bench/out/ when omitted")
    args = parser.parse_args()

    rng = random.Random(2026)
    people = make_people(args.people, rng)
    url, drop = make_database(args.database and normalise_database_url(args.database))
    try:
        app = migrated_app(url)
        with app.app_context():
            inserted, indexed = bulk_insert(people)
            dialect = db.engine.dialect.name
            print(
                f"{dialect}: {len(people):,} people inserted in {inserted:.1f} s, indexed in {indexed:.1f} s"
            )
        report(*run_queries(app, people, args.queries, rng))
        time_duplicates(app)
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
