"""Candidate matching: finding a case's applicant among the record database's people, and the people who
are likely one and the same.

Matching is done in two steps, so that it stays fast on a large database:
- An indexed pre-filter. Every person has blocking keys (`PersonMatchKey`, written by `index_people`): the
  folded family and given name of each of their names, alone, with the year, with the date of birth less
  one of its parts (year, month or day), and the whole date with the family or the given name only.
  Middle names are left out of the keys, so a swapped or missing middle name still finds the person, and
  a date with one part mistyped still finds them by the other two. A query's family and given names are
  first widened to the words within a typo or two in the vocabularies of family and given names
  (`NameToken`), and the keys of every such spelling are looked up at once, with the ID numbers.
- Scoring with rapidfuzz (`scoring`): each piece of evidence adds or takes away weight, with the reason an
  officer reads, and the total is mapped onto 0..100.

A merged person is never a candidate, but its names, ID numbers and identity count for the person it was
merged into: a candidate is scored on its whole cluster. Likely duplicates are found when people are
indexed, so the officer's list is one indexed read.
"""

import contextlib
import heapq
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import OSA

from lltp.extensions import db
from lltp.records.matching.index import (
    among,
    clusters_of,
    index_pending,
    index_people,
    index_person,
    key_owners,
    number_owners,
    person_keys,
    profiles_of,
)
from lltp.records.matching.scoring import FULL_PARTS_GAIN, Profile, compare, name, render, score
from lltp.records.models import (
    DatePrecision,
    DistinctPeople,
    LikelyDuplicate,
    MatchKeyKind,
    NameToken,
    Person,
    PersonMatchKey,
)

__all__ = [
    "Candidate",
    "DuplicatePair",
    "Identity",
    "candidates",
    "index_people",
    "index_person",
    "likely_duplicates",
    "person_keys",
]

# A query with no date of birth looks people up by name alone: this many at most.
UNDATED_QUERY_LIMIT = 2000
# Candidates ranked on the cheap parts of the score beyond this many are not scored in full.
FULL_SCORING_LIMIT = 250


@dataclass(frozen=True)
class Identity:
    """Who is looked for: the identity on a case, or what an officer searches by."""

    full_name: str
    date_of_birth: date | None = None
    # "day", "month" or "year": with a coarser precision, the first day of that month or year.
    date_of_birth_precision: str = "day"
    sex: str | None = None
    id_numbers: tuple[str, ...] = ()
    place_of_birth: str | None = None
    father_name: str | None = None
    mother_name: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A surviving person who may be the one looked for, with a score (0..100) and the reasons."""

    person: Person
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DuplicatePair:
    """Two surviving people who are likely one, with a score (0..100) and the reasons."""

    first: Person
    second: Person
    score: float
    reasons: tuple[str, ...]


def candidates(identity, *, limit=10):
    """The surviving people who may be `identity`, best first, each with a score (0..100) and the reasons
    an officer reads. The caller audits showing them."""
    index_pending(db.session())
    query = _query_profile(identity)
    clusters = clusters_of(profiles_of(_hits(query)))
    # Rank everyone on the cheap parts first, then score in full in that order: the place of birth and
    # the parents add at most FULL_PARTS_GAIN, so once a candidate's cheap total is that far behind the
    # last of the best `limit` so far, no one after it can get in.
    quick = sorted(
        ((compare(query, profile, full=False)[0], person_id) for person_id, profile in clusters.items()),
        key=lambda found: (-found[0], found[1]),
    )
    best = []
    for total, person_id in quick[:FULL_SCORING_LIMIT]:
        if len(best) >= limit and total + FULL_PARTS_GAIN < best[0][0]:
            break
        full_total, reasons = compare(query, clusters[person_id])
        entry = (full_total, -person_id, reasons)
        if len(best) < limit:
            heapq.heappush(best, entry)
        elif entry[:2] > best[0][:2]:
            heapq.heapreplace(best, entry)
    ranked = sorted(
        ((total, reasons, -negated) for total, negated, reasons in best), key=lambda f: (-f[0], f[2])
    )
    people = _people(person_id for _, _, person_id in ranked)
    return [
        Candidate(person=people[person_id], score=score(total), reasons=render(reasons))
        for total, reasons, person_id in ranked
    ]


def likely_duplicates(*, limit=50, offset=0):
    """Pairs of surviving people who are likely one, best first, leaving out the pairs an officer found to
    be different people: one indexed read of the pairs found when people were indexed."""
    index_pending(db.session())
    pair, distinct = LikelyDuplicate, DistinctPeople
    # Written as conditions on the pairs alone, so that the database walks the pairs best first by
    # their index and stops at the page, whatever the number of people.
    merged = sa.exists().where(
        Person.id.in_([pair.first_person_id, pair.second_person_id]), Person.merged_into_id.is_not(None)
    )
    found_distinct = sa.exists().where(
        sa.or_(
            sa.and_(
                distinct.first_person_id == pair.first_person_id,
                distinct.second_person_id == pair.second_person_id,
            ),
            sa.and_(
                distinct.first_person_id == pair.second_person_id,
                distinct.second_person_id == pair.first_person_id,
            ),
        )
    )
    rows = db.session.execute(
        sa.select(pair.first_person_id, pair.second_person_id, pair.score)
        .where(~merged, ~found_distinct)
        .order_by(pair.score.desc(), pair.first_person_id, pair.second_person_id)
        .limit(limit)
        .offset(offset)
    ).all()
    ids = {person_id for row in rows for person_id in row[:2]}
    profiles, people = profiles_of(ids), _people(ids)
    return [
        DuplicatePair(
            first=people[first_id],
            second=people[second_id],
            score=pair_score,
            reasons=render(compare(profiles[first_id], profiles[second_id])[1]),
        )
        for first_id, second_id, pair_score in rows
    ]


def _people(person_ids):
    person_ids = list(person_ids)
    return {
        person.id: person
        for person in db.session.scalars(sa.select(Person).where(among(Person.id, person_ids)))
    }


def _query_profile(identity):
    asked = name(identity.full_name or "")
    return Profile(
        names=[asked] if asked else [],
        id_numbers={number.strip() for number in identity.id_numbers if number and number.strip()},
        births=[(identity.date_of_birth, DatePrecision(identity.date_of_birth_precision or "day"))]
        if identity.date_of_birth
        else [],
        sexes={str(identity.sex)} if identity.sex else set(),
        places=[identity.place_of_birth] if identity.place_of_birth else [],
        fathers=[identity.father_name] if identity.father_name else [],
        mothers=[identity.mother_name] if identity.mother_name else [],
    )


def _near(token, vocabulary):
    """The vocabulary's words within two typos of `token`, and the token itself. From a word of three
    letters or fewer, two typos only reach longer words (letters dropped: "phn" for "phong"): two
    letters changed out of three leave nothing to go by."""
    found = process.extract(token, vocabulary, scorer=OSA.distance, score_cutoff=2, limit=None)
    near = {word for word, typos, _ in found if typos <= 1 or len(token) > 3 or len(word) > len(token)}
    return near | {token}


def _birthdays(born):
    """The day-and-month keys to try: as given, and with day and month swapped when that is a date."""
    found = {f"{born:%m-%d}"}
    with contextlib.suppress(ValueError):
        found.add(f"{date(2000, born.day, born.month):%m-%d}")
    return found


def _close_years(year):
    """The years one digit or one year away: what a mistyped year may have been."""
    digits = f"{year:04d}"
    close = {year - 1, year + 1}
    close |= {int(digits[:at] + digit + digits[at + 1 :]) for at in range(4) for digit in "0123456789"}
    return close - {year}


def _dated_keys(asked, spellings, families, givens, born, precision):
    """The keys a dated query looks up. Every spelling goes with the keys that leave one part of the
    date out (a part may be mistyped), and with the year for records that know only the year. The name
    as given goes with the year alone, and with the close years for those records (over every spelling
    that would cost more time than the few people it finds)."""
    wanted = {(MatchKeyKind.NAME_COARSE_YEAR, f"{spelling} {born.year}") for spelling in spellings}
    wanted |= {(MatchKeyKind.NAME_COARSE_YEAR, f"{asked.key} {year}") for year in _close_years(born.year)}
    if precision == DatePrecision.YEAR:
        return wanted | {(MatchKeyKind.NAME_YEAR, f"{spelling} {born.year}") for spelling in spellings}
    wanted.add((MatchKeyKind.NAME_YEAR, f"{asked.key} {born.year}"))
    wanted |= {(MatchKeyKind.NAME_MONTH, f"{spelling} {born:%Y-%m}") for spelling in spellings}
    if precision == DatePrecision.MONTH:
        return wanted
    wanted |= {(MatchKeyKind.NAME_YEAR_DAY, f"{spelling} {born:%Y %d}") for spelling in spellings}
    wanted |= {
        (MatchKeyKind.NAME_BIRTHDAY, f"{spelling} {birthday}")
        for spelling in spellings
        for birthday in _birthdays(born)
    }
    wanted |= {(MatchKeyKind.FAMILY_DATE, f"{family} {born:%Y-%m-%d}") for family in families}
    return wanted | {(MatchKeyKind.GIVEN_DATE, f"{given} {born:%Y-%m-%d}") for given in givens}


def _hits(query):
    """The ids of the people (merged ones included) whose keys or ID numbers a query reaches."""
    wanted, undated = set(), set()
    vocabulary = {True: [], False: []}
    if query.names:
        for is_family, token in db.session.execute(sa.select(NameToken.is_family, NameToken.token)):
            vocabulary[is_family].append(token)
    for asked in query.names:
        families, givens = _near(asked.family, vocabulary[True]), _near(asked.given, vocabulary[False])
        spellings = {f"{family} {given}" for family in families for given in givens}
        if not query.births:
            undated |= spellings
            continue
        wanted |= {(MatchKeyKind.NAME_UNDATED, spelling) for spelling in spellings}
        for born, precision in query.births:
            wanted |= _dated_keys(asked, spellings, families, givens, born, precision)
    hits = set().union(*key_owners(wanted).values(), *number_owners(query.id_numbers).values())
    if undated:
        hits |= set(
            db.session.scalars(
                sa.select(PersonMatchKey.person_id)
                .where(PersonMatchKey.kind == MatchKeyKind.NAME, among(PersonMatchKey.value, sorted(undated)))
                .limit(UNDATED_QUERY_LIMIT)
            )
        )
    return hits
