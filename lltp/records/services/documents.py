"""Turning one checked source document into rows of the record database.

`store_document` keeps the document as received; `apply_document` builds (or, for a prosecution's new
status, updates) the rows it describes. Both take content already checked against the records contract
(the imports check it whole first) and only flush: the caller commits. References between documents
(`person_ref`, `judgment_ref`) are resolved by `find_by_ref`.
"""

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from flask import current_app

from lltp.core import audit, clock
from lltp.core.text import fold, nfc
from lltp.extensions import db
from lltp.records.models import (
    AdditionalPenalty,
    Ban,
    CivilObligation,
    DatePrecision,
    DocumentKind,
    DocumentStatus,
    EnforcementEvent,
    Judgment,
    JudicialRecord,
    JudicialRecordCounter,
    NameKind,
    Offence,
    Person,
    PersonIdentity,
    PersonIdNumber,
    PersonName,
    Prosecution,
    ProsecutionStatusChange,
    SourceDocument,
)

# The person fields of a person document that make up an identity (kept in PersonIdentity as given).
IDENTITY_FIELDS = (
    "full_name",
    "other_names",
    "sex",
    "date_of_birth",
    "date_of_birth_precision",
    "place_of_birth",
    "nationality",
    "id_numbers",
    "father_name",
    "mother_name",
    "residence",
)


def normalise(value):
    """NFC every string of a JSON value, recursively (the contract: text is NFC on the way in)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {nfc(key): normalise(item) for key, item in value.items()}
    return value


def content_hash(content):
    """SHA-256 of the canonical JSON of a document: equal content, equal hash, whatever the key order."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_document(content, *, agency, channel, actor, version=1, waiting_for_ref=None, api_client=None):
    """Keep one document as received (NFC), applied or, when `waiting_for_ref` is given, pending."""
    content = normalise(content)
    document = SourceDocument(
        source_agency=agency,
        source_ref=content["source_ref"],
        version=version,
        kind=DocumentKind(content["kind"]),
        content=content,
        content_hash=content_hash(content),
        status=DocumentStatus.PENDING if waiting_for_ref else DocumentStatus.APPLIED,
        channel=channel,
        waiting_for_ref=waiting_for_ref,
        received_by_id=actor.user_id,
        api_client_id=api_client.id if api_client is not None else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def latest_document(agency, source_ref):
    """The latest version received of an agency's reference, or None."""
    return db.session.scalar(
        sa.select(SourceDocument)
        .where(SourceDocument.source_agency == agency, SourceDocument.source_ref == source_ref)
        .order_by(SourceDocument.version.desc())
        .limit(1)
    )


def find_by_ref(model, ref, agency):
    """The row of `model` made from the document `ref`: the sending agency's own first, else the one
    agency that has it. None when no agency has it, or when several do and none is the sender."""
    rows = db.session.scalars(sa.select(model).where(model.source_ref == ref)).all()
    own = [row for row in rows if row.source_agency == agency]
    if own:
        return own[0]
    return rows[0] if len(rows) == 1 else None


def apply_document(document, *, actor):
    """Build the rows that a stored, checked document describes; returns the row made or updated."""
    content = document.content
    apply = _APPLY[document.kind]
    row = apply(content, document)
    document.status = DocumentStatus.APPLIED
    document.waiting_for_ref = None
    document.applied_at = clock.now()
    db.session.flush()
    audit.record(
        f"records.{document.kind.value}_applied",
        actor,
        object_type=type(row).__name__.lower(),
        object_id=row.id,
        details={"source_agency": document.source_agency, "source_ref": document.source_ref},
    )
    return row


def _date(value):
    return None if value is None else date.fromisoformat(value)


def _source(document):
    return {
        "source_agency": document.source_agency,
        "source_ref": document.source_ref,
        "source_document_id": document.id,
    }


def _apply_person(content, document):
    born = _date(content.get("date_of_birth"))
    person = Person(
        **_source(document),
        full_name=content["full_name"],
        name_folded=fold(content["full_name"]),
        sex=content.get("sex"),
        date_of_birth=born,
        date_of_birth_precision=DatePrecision(content.get("date_of_birth_precision") or "day"),
        birth_year=born.year if born else None,
        place_of_birth=content.get("place_of_birth"),
        nationality=content.get("nationality"),
        father_name=content.get("father_name"),
        mother_name=content.get("mother_name"),
        residence=content.get("residence"),
    )
    person.names = [
        PersonName(
            full_name=content["full_name"], name_folded=fold(content["full_name"]), kind=NameKind.PRIMARY
        )
    ]
    for name in dict.fromkeys(content.get("other_names") or ()):
        if name != content["full_name"]:
            person.names.append(PersonName(full_name=name, name_folded=fold(name), kind=NameKind.ALIAS))
    seen = set()
    for id_number in content.get("id_numbers") or ():
        key = (id_number["type"], id_number["number"])
        if key not in seen:
            seen.add(key)
            person.id_numbers.append(PersonIdNumber(type=key[0], number=key[1]))
    person.identities = [
        PersonIdentity(
            source_document_id=document.id,
            data={key: content[key] for key in IDENTITY_FIELDS if key in content},
        )
    ]
    db.session.add(person)
    return person


def open_judicial_record(person, *, authority_code, on):
    """The person's judicial record, numbered `<authority><year>/<5-digit serial>` when first opened; the
    serial starts again each year."""
    if person.judicial_record is not None:
        return person.judicial_record
    counter = db.session.get(JudicialRecordCounter, (authority_code, on.year), with_for_update=True)
    if counter is None:
        counter = JudicialRecordCounter(authority_code=authority_code, year=on.year, last_serial=0)
        db.session.add(counter)
    counter.last_serial += 1
    record = JudicialRecord(
        number=f"{authority_code}{on.year}/{counter.last_serial:05d}",
        authority_code=authority_code,
        year=on.year,
        serial=counter.last_serial,
        person=person,
    )
    db.session.add(record)
    return record


def _apply_judgment(content, document):
    person = find_by_ref(Person, content["person_ref"], document.source_agency)
    penalty = content.get("principal_penalty") or {}
    record = open_judicial_record(
        person, authority_code=current_app.config["LLTP_AUTHORITY_CODE"], on=clock.today()
    )
    judgment = Judgment(
        **_source(document),
        person_id=person.id,
        judicial_record=record,
        number=content["number"],
        pronounced_on=_date(content["pronounced_on"]),
        effective_on=_date(content["effective_on"]),
        court=content["court"],
        principal_type=penalty.get("type"),
        principal_months=penalty.get("months"),
        principal_suspended=bool(penalty.get("suspended")),
        probation_months=penalty.get("probation_months"),
        fine_amount=penalty.get("fine_amount"),
        exempted_from_punishment=bool(content.get("exempted_from_punishment")),
        reform_school=bool(content.get("reform_school")),
        court_fee=content.get("court_fee") or 0,
    )
    judgment.offences = [
        Offence(
            position=index,
            name=offence["name"],
            code=offence.get("code") or "BLHS2015",
            article=offence["article"],
            clause=offence.get("clause"),
            chapter=offence["chapter"],
            severity=offence["severity"],
            intent=offence["intent"],
            committed_on=_date(offence["committed_on"]),
        )
        for index, offence in enumerate(content["offences"])
    ]
    judgment.additional_penalties = [
        AdditionalPenalty(
            position=index,
            type=item["type"],
            months=item.get("months"),
            description=item.get("description") or "",
        )
        for index, item in enumerate(content.get("additional_penalties") or ())
    ]
    judgment.civil_obligations = [
        CivilObligation(position=index, description=item["description"], amount=item.get("amount"))
        for index, item in enumerate(content.get("civil_obligations") or ())
    ]
    db.session.add(judgment)
    return judgment


def _apply_enforcement(content, document):
    judgment = find_by_ref(Judgment, content["judgment_ref"], document.source_agency)
    event = EnforcementEvent(
        **_source(document),
        judgment_id=judgment.id,
        event=content["event"],
        on=_date(content["on"]),
        penalty_index=content.get("penalty_index"),
        obligation_index=content.get("obligation_index"),
        note=content.get("note"),
    )
    db.session.add(event)
    return event


def _apply_prosecution(content, document):
    prosecution = db.session.scalar(
        sa.select(Prosecution).where(
            Prosecution.source_agency == document.source_agency, Prosecution.source_ref == document.source_ref
        )
    )
    if prosecution is None:
        person = find_by_ref(Person, content["person_ref"], document.source_agency)
        prosecution = Prosecution(
            **_source(document),
            person_id=person.id,
            committed_on=_date(content["committed_on"]),
            opened_on=_date(content["opened_on"]),
        )
        db.session.add(prosecution)
    # A later version may only change the status (records contract); the history keeps every one.
    prosecution.status = content.get("status") or "pending"
    prosecution.status_on = _date(content.get("status_on"))
    prosecution.source_document_id = document.id
    prosecution.history.append(
        ProsecutionStatusChange(
            status=prosecution.status, status_on=prosecution.status_on, source_document_id=document.id
        )
    )
    return prosecution


def _apply_ban(content, document):
    person = find_by_ref(Person, content["person_ref"], document.source_agency)
    ban = Ban(
        **_source(document),
        person_id=person.id,
        decision_number=content["decision_number"],
        decided_on=_date(content["decided_on"]),
        court=content["court"],
        post=content["post"],
        starts_on=_date(content["starts_on"]),
        ends_on=_date(content.get("ends_on")),
    )
    db.session.add(ban)
    return ban


_APPLY = {
    DocumentKind.PERSON: _apply_person,
    DocumentKind.JUDGMENT: _apply_judgment,
    DocumentKind.ENFORCEMENT: _apply_enforcement,
    DocumentKind.PROSECUTION: _apply_prosecution,
    DocumentKind.BAN: _apply_ban,
}
