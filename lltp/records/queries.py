"""Reads of the record database."""

import sqlalchemy as sa

from lltp.extensions import db
from lltp.records.models import Person


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
