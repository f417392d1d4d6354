"""The matcher's side of the database: the people's profiles read in bulk, their blocking keys and name
vocabulary, and the likely duplicates found when they are indexed.

Whatever writes people marks them with `index_person`; they are indexed together before the transaction
commits (or before the next match in it), in a few set-based statements per thousand people.
"""

from collections import defaultdict
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from lltp.core import database
from lltp.extensions import db
from lltp.records.matching.scoring import FULL_PARTS_GAIN, Profile, compare, name, score
from lltp.records.models import (
    DatePrecision,
    LikelyDuplicate,
    MatchKeyKind,
    NameKind,
    NameToken,
    Person,
    PersonIdNumber,
    PersonMatchKey,
    PersonName,
)

# A pair found through a name key (not an ID number) is a likely duplicate from this score on.
DUPLICATE_MIN_SCORE = 75.0
# A key that more people share than this tells nothing (a default date typed into old records, say):
# it is not followed, so that it cannot flood a search or the duplicates with thousands of people.
CROWDED_KEY = 1000
# Rows per IN (...) list, well under SQLite's limit on bound parameters.
_CHUNK = 900
# Where a session keeps the people marked by `index_person` until they are indexed.
_PENDING = "lltp.records.matching.pending"


def among(column, values):
    """`column IN values`. On PostgreSQL as `= ANY(array)`: one parameter instead of hundreds, which
    cost more to bind, send and plan than the lookup itself."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def chunks(items):
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def profiles_of(person_ids):
    """Each person's own profile, by id, read in three set-based queries per chunk (on the tables: no
    ORM objects are built for what may be hundreds of people)."""
    people, names, numbers = Person.__table__.c, PersonName.__table__.c, PersonIdNumber.__table__.c
    profiles = {}
    for chunk in chunks(person_ids):
        for (
            person_id,
            merged_into_id,
            written,
            folded,
            sex,
            born,
            precision,
            place,
            father,
            mother,
        ) in db.session.execute(
            sa.select(
                people.id,
                people.merged_into_id,
                people.full_name,
                people.name_folded,
                people.sex,
                people.date_of_birth,
                people.date_of_birth_precision,
                people.place_of_birth,
                people.father_name,
                people.mother_name,
            ).where(among(people.id, chunk))
        ):
            primary = name(written, folded)
            profiles[person_id] = Profile(
                names=[primary] if primary else [],
                births=[(born, precision)] if born else [],
                sexes={str(sex)} if sex else set(),
                places=[place] if place else [],
                fathers=[father] if father else [],
                mothers=[mother] if mother else [],
                merged_into_id=merged_into_id,
            )
        # The person's own row holds the primary name: only the other names are read here.
        for person_id, written, folded in db.session.execute(
            sa.select(names.person_id, names.full_name, names.name_folded).where(
                among(names.person_id, chunk), names.kind != NameKind.PRIMARY
            )
        ):
            profile = profiles.get(person_id)
            other = name(written, folded, is_primary=False)
            if profile is not None and other and all(known.written != written for known in profile.names):
                profile.names.append(other)
        for person_id, number in db.session.execute(
            sa.select(numbers.person_id, numbers.number).where(among(numbers.person_id, chunk))
        ):
            if person_id in profiles:
                profiles[person_id].id_numbers.add(number)
    return profiles


def clusters_of(profiles):
    """{surviving person id: profile of the whole cluster} for the people of `profiles`: a merged person
    counts for the person it was merged into, and that person's other merged people come along."""
    profiles = dict(profiles)
    missing = {p.merged_into_id for p in profiles.values() if p.merged_into_id} - profiles.keys()
    while missing:
        profiles.update(profiles_of(missing))
        missing = {p.merged_into_id for p in profiles.values() if p.merged_into_id} - profiles.keys()

    def survivor(person_id):
        while profiles[person_id].merged_into_id is not None:
            person_id = profiles[person_id].merged_into_id
        return person_id

    frontier = {survivor(person_id) for person_id in profiles}
    while frontier:
        members = set()
        for chunk in chunks(frontier):
            members |= set(
                db.session.scalars(sa.select(Person.id).where(among(Person.merged_into_id, chunk)))
            )
        frontier = members - profiles.keys()
        profiles.update(profiles_of(frontier))
    clusters = {}
    # Survivors first, so that each cluster exists before its merged people are added to it.
    for person_id in sorted(profiles, key=lambda pid: profiles[pid].merged_into_id is not None):
        root = survivor(person_id)
        if root == person_id:
            clusters[root] = replace(profiles[root])
        else:
            clusters[root].absorb(profiles[person_id])
    return clusters


def person_keys(names, date_of_birth, precision):
    """The blocking keys `(kind, value)` of a person with these folded names and date of birth: what
    `index_people` writes (and the matching benchmark with it)."""
    keys = set()
    for folded in names:
        parsed = name(folded, folded)
        if parsed is None:
            continue
        keys.add((MatchKeyKind.NAME, parsed.key))
        if date_of_birth is None:
            keys.add((MatchKeyKind.NAME_UNDATED, parsed.key))
            continue
        keys.add((MatchKeyKind.NAME_YEAR, f"{parsed.key} {date_of_birth.year}"))
        if precision != DatePrecision.YEAR:
            keys.add((MatchKeyKind.NAME_MONTH, f"{parsed.key} {date_of_birth:%Y-%m}"))
        if precision == DatePrecision.DAY:
            keys.add((MatchKeyKind.NAME_BIRTHDAY, f"{parsed.key} {date_of_birth:%m-%d}"))
            keys.add((MatchKeyKind.NAME_YEAR_DAY, f"{parsed.key} {date_of_birth:%Y %d}"))
            keys.add((MatchKeyKind.FAMILY_DATE, f"{parsed.family} {date_of_birth:%Y-%m-%d}"))
            keys.add((MatchKeyKind.GIVEN_DATE, f"{parsed.given} {date_of_birth:%Y-%m-%d}"))
        else:
            keys.add((MatchKeyKind.NAME_COARSE_YEAR, f"{parsed.key} {date_of_birth.year}"))
    return keys


def index_person(person):
    """Mark a person for indexing: call it when a person is created, or when their names, ID numbers or
    date of birth change. The people marked in a transaction are indexed together (`index_people`)
    before it commits, or before the next match in it."""
    db.session.info.setdefault(_PENDING, []).append(person)


@sa.event.listens_for(Session, "before_commit")
def index_pending(session):
    """Index the people marked in this session: before it commits, and before a match reads the keys."""
    people = session.info.pop(_PENDING, None)
    if people:
        session.flush()
        index_people([person.id for person in people if person.id is not None])


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_pending(session, transaction):
    # A rolled-back transaction's people are gone; the end of a savepoint leaves the outer one's alone.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def index_people(person_ids):
    """(Re)write the blocking keys, the name vocabulary and the likely duplicates of these people, in a
    few set-based statements per thousand people. Flushes, never commits."""
    person_ids = list(dict.fromkeys(person_ids))
    if not person_ids:
        return
    db.session.flush()
    profiles = profiles_of(person_ids)
    keys, pairs = PersonMatchKey.__table__, LikelyDuplicate.__table__
    for chunk in chunks(person_ids):
        db.session.execute(sa.delete(keys).where(among(keys.c.person_id, chunk)))
        db.session.execute(
            sa.delete(pairs).where(
                sa.or_(among(pairs.c.first_person_id, chunk), among(pairs.c.second_person_id, chunk))
            )
        )
    rows = []
    for person_id, profile in profiles.items():
        born, precision = profile.births[0] if profile.births else (None, None)
        rows += [
            {"kind": kind, "value": value, "person_id": person_id}
            for kind, value in person_keys([known.folded for known in profile.names], born, precision)
        ]
    _insert(keys, rows)
    people = len(profiles)
    _refresh_statistics(
        {
            keys: len(rows),
            **dict.fromkeys((Person.__table__, PersonName.__table__, PersonIdNumber.__table__), people),
        }
    )
    tokens = {
        (is_family, token)
        for profile in profiles.values()
        for known in profile.names
        for is_family, token in ((True, known.family), (False, known.given))
    }
    _insert(
        NameToken.__table__, [{"is_family": is_family, "token": token} for is_family, token in sorted(tokens)]
    )
    _insert(pairs, _duplicates_of(profiles))


def _refresh_statistics(added):
    """On PostgreSQL, analyze each table that gets more rows in this batch than its statistics know of
    (a new database's first import, before autovacuum has been by): without statistics the planner
    reads a whole table for every IN (...) lookup. ANALYZE counts this transaction's own rows. A batch
    smaller than a chunk (one document through the API) is not worth the look."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table, count in added.items():
        if count < _CHUNK:
            continue
        known = db.session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
            {"name": table.name},
        )
        if known is not None and known < count:
            db.session.execute(sa.text(f"ANALYZE {table.name}"))


def _insert(table, rows):
    """Insert rows, skipping those already there: the vocabulary is shared, and two transactions may
    index the same person or pair at once."""
    for start in range(0, len(rows), 5000):
        db.session.execute(database.insert(table).on_conflict_do_nothing(), rows[start : start + 5000])


def key_owners(wanted):
    """{(kind, value): person ids} for the wanted keys, looked up through the key index in one statement
    per chunk of keys; a key shared by more than CROWDED_KEY people is left out."""
    owners = defaultdict(set)
    for chunk in chunks(sorted(wanted)):
        by_kind = defaultdict(list)
        for kind, value in chunk:
            by_kind[kind].append(value)
        for kind, value, person_id in db.session.execute(
            sa.select(PersonMatchKey.kind, PersonMatchKey.value, PersonMatchKey.person_id).where(
                sa.or_(
                    *(
                        sa.and_(PersonMatchKey.kind == kind, among(PersonMatchKey.value, values))
                        for kind, values in by_kind.items()
                    )
                )
            )
        ):
            owners[(kind, value)].add(person_id)
    return {key: found for key, found in owners.items() if len(found) <= CROWDED_KEY}


def number_owners(numbers):
    """{ID number: person ids} for these numbers."""
    owners = defaultdict(set)
    for chunk in chunks(sorted(numbers)):
        for number, person_id in db.session.execute(
            sa.select(PersonIdNumber.number, PersonIdNumber.person_id).where(
                among(PersonIdNumber.number, chunk)
            )
        ):
            owners[number].add(person_id)
    return owners


def _duplicate_keys(profile):
    """The keys under which a person's likely duplicates are: the same date of birth with the same family
    or given name (the score then says whether the names are close), or the same name and year when
    either side knows only the month or year."""
    keys = set()
    for known in profile.names:
        for born, precision in profile.births:
            if precision == DatePrecision.DAY:
                keys.add((MatchKeyKind.FAMILY_DATE, f"{known.family} {born:%Y-%m-%d}"))
                keys.add((MatchKeyKind.GIVEN_DATE, f"{known.given} {born:%Y-%m-%d}"))
                keys.add((MatchKeyKind.NAME_COARSE_YEAR, f"{known.key} {born.year}"))
            else:
                keys.add((MatchKeyKind.NAME_YEAR, f"{known.key} {born.year}"))
    return keys


def _duplicates_of(profiles):
    """Rows of `LikelyDuplicate` pairing these people with anyone likely the same as them."""
    wanted = {person_id: _duplicate_keys(profile) for person_id, profile in profiles.items()}
    by_key = key_owners(set().union(*wanted.values()))
    by_number = number_owners(set().union(*(profile.id_numbers for profile in profiles.values())))
    partners = {}
    for person_id, profile in profiles.items():
        found = set().union(*(by_key.get(key, ()) for key in wanted[person_id]))
        found |= set().union(*(by_number[number] for number in profile.id_numbers))
        partners[person_id] = found - {person_id}
    known = {**profiles_of(set().union(*partners.values()) - profiles.keys()), **profiles}
    rows = {}
    for person_id, found in partners.items():
        for other_id in found:
            pair = (min(person_id, other_id), max(person_id, other_id))
            if pair in rows or other_id not in known:
                continue
            first, second = known[pair[0]], known[pair[1]]
            same_number = bool(first.id_numbers & second.id_numbers)
            # Most people sharing a family name and a birthday are not close: the cheap parts tell.
            if (
                not same_number
                and score(compare(first, second, full=False)[0] + FULL_PARTS_GAIN) < DUPLICATE_MIN_SCORE
            ):
                continue
            pair_score = score(compare(first, second)[0])
            if same_number or pair_score >= DUPLICATE_MIN_SCORE:
                rows[pair] = {"first_person_id": pair[0], "second_person_id": pair[1], "score": pair_score}
    return list(rows.values())
