"""Reads of the record database."""

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lltp.core.text import fold
from lltp.extensions import db
from lltp.records.models import (
    Ban,
    DocumentStatus,
    Judgment,
    JudicialRecord,
    Person,
    PersonIdNumber,
    PersonMerge,
    PersonName,
    Prosecution,
    SourceDocument,
)


def surviving(person):
    """The person a merged person now lives on as (following merges), or the person itself."""
    while person.merged_into_id is not None:
        person = db.session.get(Person, person.merged_into_id)
    return person


def cluster_ids(person):
    """The ids of the person and of everyone merged into it, at any depth: one person's whole record."""
    ids, frontier = {person.id}, {person.id}
    while frontier:
        frontier = (
            set(db.session.scalars(sa.select(Person.id).where(Person.merged_into_id.in_(frontier)))) - ids
        )
        ids |= frontier
    return ids


# --- the officers' pages (search, a person's record, documents waiting for their parent) -------------


@dataclass(frozen=True)
class PeoplePage:
    people: list
    total: int
    page: int
    pages: int


def _people_clause(q, *, by_number):
    """People with an ID number or a judicial record number equal to `q`; or, for a name, people with a
    name (any of theirs) starting with `q` or with a word starting with it, diacritics ignored."""
    if by_number:
        number = q.upper()
        # The few owners first, by the two number indexes: an OR of subqueries makes PostgreSQL scan people.
        owners = sa.union(
            sa.select(PersonIdNumber.person_id).where(PersonIdNumber.number == number),
            sa.select(JudicialRecord.person_id).where(JudicialRecord.number == number),
        )
        return Person.id.in_(list(db.session.scalars(owners)))
    folded = fold(q)
    names = sa.select(PersonName.person_id).where(
        sa.or_(
            PersonName.name_folded.startswith(folded, autoescape=True),
            PersonName.name_folded.contains(" " + folded, autoescape=True),
        )
    )
    return Person.id.in_(names)


def _name_order():
    """Names in Vietnamese alphabetical order where the database knows it (PostgreSQL's ICU collation);
    elsewhere, the folded name (diacritics ignored) is the nearest."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Person.full_name.collate("vi-x-icu")
    return Person.name_folded


def search_people(q, *, birth_year=None, by_number=False, page=1, page_size=25):
    """One page of the people matching `q` (a name, or with `by_number` an ID or record number) and the
    birth year, in name order. Merged people are listed too: the page says whom they live on as."""
    clauses = []
    if q:
        clauses.append(_people_clause(q, by_number=by_number))
    if birth_year:
        clauses.append(Person.birth_year == birth_year)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(*clauses))
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    statement = (
        sa.select(Person)
        .where(*clauses)
        .options(selectinload(Person.id_numbers), selectinload(Person.judicial_record))
        .order_by(_name_order(), Person.birth_year, Person.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return PeoplePage(list(db.session.scalars(statement)), total, page, pages)


@dataclass(frozen=True)
class PersonRecord:
    """Everything the record database holds on a person and everyone merged into them."""

    person: Person
    survivor: Person  # the person it lives on as: itself unless merged away
    people: list  # the person and everyone merged into it, the person first
    judicial_records: list
    identities: list
    judgments: list
    prosecutions: list
    bans: list
    documents: list
    merges: list


def person_record(person):
    """A person's whole record for the officer's page: identity history, judgments with their offences,
    penalties, obligations and events, prosecutions with their status history, bans, the source documents
    (every version) they came from, and the merges that touch the person."""
    ids = cluster_ids(person)
    people = sorted(
        db.session.scalars(
            sa.select(Person)
            .where(Person.id.in_(ids))
            .options(
                selectinload(Person.names), selectinload(Person.id_numbers), selectinload(Person.identities)
            )
        ),
        key=lambda row: (row.id != person.id, row.id),
    )
    judgments = judgments_of(ids)
    prosecutions = list(
        db.session.scalars(
            sa.select(Prosecution)
            .where(Prosecution.person_id.in_(ids))
            .options(selectinload(Prosecution.history))
            .order_by(Prosecution.opened_on, Prosecution.id)
        )
    )
    bans = list(
        db.session.scalars(sa.select(Ban).where(Ban.person_id.in_(ids)).order_by(Ban.decided_on, Ban.id))
    )
    sources = {
        (row.source_agency, row.source_ref)
        for row in (*people, *judgments, *(e for j in judgments for e in j.events), *prosecutions, *bans)
        if row.source_ref is not None
    }
    documents = (
        list(
            db.session.scalars(
                sa.select(SourceDocument)
                .where(
                    sa.tuple_(SourceDocument.source_agency, SourceDocument.source_ref).in_(sorted(sources))
                )
                .order_by(SourceDocument.received_at, SourceDocument.id)
            )
        )
        if sources
        else []
    )
    merges = list(
        db.session.scalars(
            sa.select(PersonMerge)
            .where(sa.or_(PersonMerge.kept_person_id.in_(ids), PersonMerge.merged_person_id == person.id))
            .order_by(PersonMerge.merged_at.desc(), PersonMerge.id.desc())
        )
    )
    return PersonRecord(
        person=person,
        survivor=surviving(person),
        people=people,
        judicial_records=[p.judicial_record for p in people if p.judicial_record is not None],
        identities=sorted((i for p in people for i in p.identities), key=lambda i: (i.recorded_at, i.id)),
        judgments=judgments,
        prosecutions=prosecutions,
        bans=bans,
        documents=documents,
        merges=merges,
    )


def pending_documents(*, limit, offset=0):
    """API documents still waiting for their parent, oldest first, and how many there are."""
    pending = SourceDocument.status == DocumentStatus.PENDING
    total = db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument).where(pending))
    rows = db.session.scalars(
        sa.select(SourceDocument)
        .where(pending)
        .order_by(SourceDocument.received_at, SourceDocument.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def judgments_of(person_ids, *, as_of=None):
    """The judgments of these people (in force by `as_of`, when given), oldest first, with everything
    a certificate or a record page prints of them."""
    statement = sa.select(Judgment).where(Judgment.person_id.in_(person_ids))
    if as_of is not None:
        statement = statement.where(Judgment.effective_on <= as_of)
    return db.session.scalars(
        statement.options(
            selectinload(Judgment.offences),
            selectinload(Judgment.additional_penalties),
            selectinload(Judgment.civil_obligations),
            selectinload(Judgment.events),
        ).order_by(Judgment.pronounced_on, Judgment.id)
    ).all()
