"""The judicial-record database: people, their records, judgments, enforcement events, prosecutions, bans,
the source documents they were built from, merges, and what each case found in it.

Source documents are kept exactly as received (`SourceDocument`, one row per version received) and the
domain rows point back at the document that made them. A person's identity as each source knew it is kept
too (`PersonIdentity`), so the identity history survives merges. Merging never moves rows: the merged
person points at the one it was merged into (`merged_into_id`), and undoing the merge clears it.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.cases.models import Sex
from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class DocumentKind(StrEnum):
    PERSON = "person"
    JUDGMENT = "judgment"
    ENFORCEMENT = "enforcement"
    PROSECUTION = "prosecution"
    BAN = "ban"


class DocumentStatus(StrEnum):
    APPLIED = "applied"
    # Through the API a document may arrive before its parent (records contract): it waits.
    PENDING = "pending"


class DocumentChannel(StrEnum):
    FILE = "file"
    API = "api"
    OFFICER = "officer"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class SourceDocument(db.Model):
    """One document as received from a source agency: its JSON as sent, and which version of the agency's
    reference it is. Re-sending the same content adds nothing; only a prosecution's status may change."""

    __tablename__ = "source_documents"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_agency: Mapped[str] = mapped_column(sa.String(80))
    source_ref: Mapped[str] = mapped_column(sa.String(120))
    version: Mapped[int] = mapped_column(default=1)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind), index=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    # SHA-256 of the canonical JSON (sorted keys, NFC): equal content, equal hash.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus), default=DocumentStatus.APPLIED)
    channel: Mapped[DocumentChannel] = mapped_column(str_enum(DocumentChannel))
    # The reference this document waits for while pending (its person_ref or judgment_ref).
    waiting_for_ref: Mapped[str | None] = mapped_column(sa.String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    api_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id"))


sa.Index("ix_source_documents_ref", SourceDocument.source_ref)
sa.Index("ix_source_documents_pending", SourceDocument.status, SourceDocument.received_at)


class Person(db.Model):
    """A person of the record database, with the identity currently held for them."""

    __tablename__ = "persons"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person document that made this person; none for a person an officer entered.
    source_agency: Mapped[str | None] = mapped_column(sa.String(80))
    source_ref: Mapped[str | None] = mapped_column(sa.String(120))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    # fold(full_name): lower case, no diacritics, single spaces; the matcher's pre-filter keys on it.
    name_folded: Mapped[str] = mapped_column(sa.String(120), index=True)
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex))
    # With a month or year precision, the first day of that month or year.
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    date_of_birth_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision), default=DatePrecision.DAY
    )
    birth_year: Mapped[int | None] = mapped_column(index=True)
    place_of_birth: Mapped[str | None] = mapped_column(sa.String(255))
    nationality: Mapped[str | None] = mapped_column(sa.String(8))
    father_name: Mapped[str | None] = mapped_column(sa.String(120))
    mother_name: Mapped[str | None] = mapped_column(sa.String(120))
    residence: Mapped[str | None] = mapped_column(sa.String(255))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    source_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    names: Mapped[list["PersonName"]] = relationship(
        back_populates="person", order_by="PersonName.id", cascade="all, delete-orphan"
    )
    id_numbers: Mapped[list["PersonIdNumber"]] = relationship(
        back_populates="person", order_by="PersonIdNumber.id", cascade="all, delete-orphan"
    )
    identities: Mapped[list["PersonIdentity"]] = relationship(
        back_populates="person", order_by="PersonIdentity.id", cascade="all, delete-orphan"
    )
    judicial_record: Mapped["JudicialRecord | None"] = relationship(back_populates="person", uselist=False)


class NameKind(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"
    # A name the person was known by before a change of identity.
    FORMER = "former"


class PersonName(db.Model):
    """Every name a person is known by: the primary one, other names, and former ones."""

    __tablename__ = "person_names"
    __table_args__ = (sa.UniqueConstraint("person_id", "full_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    name_folded: Mapped[str] = mapped_column(sa.String(120), index=True)
    kind: Mapped[NameKind] = mapped_column(str_enum(NameKind), default=NameKind.ALIAS)

    person: Mapped[Person] = relationship(back_populates="names")


class PersonIdNumber(db.Model):
    """One of a person's ID numbers (CCCD, CMND, passport...): a person may have had several."""

    __tablename__ = "person_id_numbers"
    __table_args__ = (sa.UniqueConstraint("person_id", "type", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    number: Mapped[str] = mapped_column(sa.String(20), index=True)

    person: Mapped[Person] = relationship(back_populates="id_numbers")


class PersonIdentity(db.Model):
    """The identity of a person as one source document (or one officer's correction) gave it: the
    identity history. Never changed."""

    __tablename__ = "person_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    source_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))
    data: Mapped[dict] = mapped_column(sa.JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    person: Mapped[Person] = relationship(back_populates="identities")


class JudicialRecord(db.Model):
    """A convicted person's judicial record (lý lịch tư pháp), numbered `<authority><year>/<serial>`."""

    __tablename__ = "judicial_records"
    __table_args__ = (sa.UniqueConstraint("authority_code", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    authority_code: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="judicial_record")


class JudicialRecordCounter(db.Model):
    """The last serial given to a judicial record of one authority in one year: serials restart yearly."""

    __tablename__ = "judicial_record_counters"

    authority_code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column()


class SourceMixin:
    """Where a row came from: the agency's reference, and the document (latest applied version)."""

    source_agency: Mapped[str] = mapped_column(sa.String(80))
    source_ref: Mapped[str] = mapped_column(sa.String(120))
    source_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))


class Judgment(SourceMixin, db.Model):
    """A final criminal judgment (trích lục bản án). Its months are the pronounced sentence."""

    __tablename__ = "judgments"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    judicial_record_id: Mapped[int] = mapped_column(sa.ForeignKey("judicial_records.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(60))
    pronounced_on: Mapped[date] = mapped_column(sa.Date)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    court: Mapped[str] = mapped_column(sa.String(255))
    principal_type: Mapped[str | None] = mapped_column(sa.String(32))
    principal_months: Mapped[int | None] = mapped_column()
    principal_suspended: Mapped[bool] = mapped_column(default=False)
    probation_months: Mapped[int | None] = mapped_column()
    fine_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    exempted_from_punishment: Mapped[bool] = mapped_column(default=False)
    reform_school: Mapped[bool] = mapped_column(default=False)
    court_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    judicial_record: Mapped[JudicialRecord] = relationship()
    offences: Mapped[list["Offence"]] = relationship(
        order_by="Offence.position", cascade="all, delete-orphan", back_populates="judgment"
    )
    additional_penalties: Mapped[list["AdditionalPenalty"]] = relationship(
        order_by="AdditionalPenalty.position", cascade="all, delete-orphan", back_populates="judgment"
    )
    civil_obligations: Mapped[list["CivilObligation"]] = relationship(
        order_by="CivilObligation.position", cascade="all, delete-orphan", back_populates="judgment"
    )
    events: Mapped[list["EnforcementEvent"]] = relationship(
        order_by="EnforcementEvent.on, EnforcementEvent.id", back_populates="judgment"
    )


class Offence(db.Model):
    __tablename__ = "offences"
    __table_args__ = (sa.UniqueConstraint("judgment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(sa.ForeignKey("judgments.id"))
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(255))
    code: Mapped[str] = mapped_column(sa.String(16), default="BLHS2015")
    article: Mapped[str] = mapped_column(sa.String(16))
    clause: Mapped[str | None] = mapped_column(sa.String(16))
    chapter: Mapped[str] = mapped_column(sa.String(8))
    severity: Mapped[str] = mapped_column(sa.String(24))
    intent: Mapped[str] = mapped_column(sa.String(16))
    committed_on: Mapped[date] = mapped_column(sa.Date)

    judgment: Mapped[Judgment] = relationship(back_populates="offences")


class AdditionalPenalty(db.Model):
    __tablename__ = "additional_penalties"
    __table_args__ = (sa.UniqueConstraint("judgment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(sa.ForeignKey("judgments.id"))
    position: Mapped[int] = mapped_column()
    type: Mapped[str] = mapped_column(sa.String(32))
    months: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(sa.String(255), default="")

    judgment: Mapped[Judgment] = relationship(back_populates="additional_penalties")


class CivilObligation(db.Model):
    __tablename__ = "civil_obligations"
    __table_args__ = (sa.UniqueConstraint("judgment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(sa.ForeignKey("judgments.id"))
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.String(255))
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)

    judgment: Mapped[Judgment] = relationship(back_populates="civil_obligations")


class EnforcementEvent(SourceMixin, db.Model):
    """What happened after a judgment: completion, payments, amnesty, a court's expungement decision."""

    __tablename__ = "enforcement_events"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(sa.ForeignKey("judgments.id"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    on: Mapped[date] = mapped_column(sa.Date)
    penalty_index: Mapped[int | None] = mapped_column()
    obligation_index: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judgment: Mapped[Judgment] = relationship(back_populates="events")


class Prosecution(SourceMixin, db.Model):
    """A new criminal case not yet finally judged; its status may change (dismissed, acquitted)."""

    __tablename__ = "prosecutions"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    committed_on: Mapped[date] = mapped_column(sa.Date)
    opened_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    status_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    history: Mapped[list["ProsecutionStatusChange"]] = relationship(
        order_by="ProsecutionStatusChange.id", cascade="all, delete-orphan", back_populates="prosecution"
    )


class ProsecutionStatusChange(db.Model):
    """Every status a prosecution has had, with the document that said so: a preview as of a past date
    reads the status of that date."""

    __tablename__ = "prosecution_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    prosecution_id: Mapped[int] = mapped_column(sa.ForeignKey("prosecutions.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    status_on: Mapped[date | None] = mapped_column(sa.Date)
    source_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    prosecution: Mapped[Prosecution] = relationship(back_populates="history")


class Ban(SourceMixin, db.Model):
    """A court's bankruptcy ban on holding posts or managing enterprises."""

    __tablename__ = "bans"
    __table_args__ = (sa.UniqueConstraint("source_agency", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    decision_number: Mapped[str] = mapped_column(sa.String(60))
    decided_on: Mapped[date] = mapped_column(sa.Date)
    court: Mapped[str] = mapped_column(sa.String(255))
    post: Mapped[str] = mapped_column(sa.String(255))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonMerge(db.Model):
    """An officer's merge of two people found to be one, and its undoing."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    merged_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    undo_reason: Mapped[str | None] = mapped_column(sa.Text)

    kept_person: Mapped[Person] = relationship(foreign_keys=[kept_person_id])
    merged_person: Mapped[Person] = relationship(foreign_keys=[merged_person_id])


class DistinctPeople(db.Model):
    """An officer's finding that two look-alike people are different: the duplicates list leaves them out."""

    __tablename__ = "distinct_people"
    __table_args__ = (sa.UniqueConstraint("first_person_id", "second_person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    second_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))


class RecordMatch(db.Model):
    """What a processing officer found for a case in the record database: the person picked among the
    candidates, or "no match" with a reason. The latest row of a case is the one that counts."""

    __tablename__ = "record_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    score: Mapped[float | None] = mapped_column(sa.Float)
    reasons: Mapped[list | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    person: Mapped[Person | None] = relationship()


class ConvictionOverride(db.Model):
    """An officer's decision, for one case, that a judgment is (or is not) a conviction in force, against
    what the engine says: allowed only with a written reason (domain §9, the registries' own cases)."""

    __tablename__ = "conviction_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    judgment_id: Mapped[int] = mapped_column(sa.ForeignKey("judgments.id"))
    in_force: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MatchKeyKind(StrEnum):
    """The kinds of blocking key the matcher looks people up by (`lltp.records.matching`). Each is made of
    the folded family and given name of one of the person's names, and some of the date of birth."""

    NAME = "name"
    # For a person with no date of birth: a dated query must still find them.
    NAME_UNDATED = "name_undated"
    NAME_YEAR = "name_year"
    # The year, for a person whose month or year only is known: compatible with any day of that year.
    NAME_COARSE_YEAR = "name_coarse_year"
    # The date with one of its parts left out (the year, the day, the month): a date with one part
    # mistyped still finds the person by the other two.
    NAME_BIRTHDAY = "name_birthday"
    NAME_MONTH = "name_month"
    NAME_YEAR_DAY = "name_year_day"
    # The whole date with the family name only, or the given name only: a name typed past recognition
    # on one side still finds the person (and a likely duplicate) when the date is right.
    FAMILY_DATE = "family_date"
    GIVEN_DATE = "given_date"


class PersonMatchKey(db.Model):
    """One blocking key of a person, kept by `matching.index_people` whenever people are written. The
    keys of a merged person stay: they find the person it was merged into."""

    __tablename__ = "person_match_keys"

    kind: Mapped[MatchKeyKind] = mapped_column(str_enum(MatchKeyKind), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True, index=True)


class NameToken(db.Model):
    """Every folded family name and given name of every person's names, each vocabulary apart: what the
    matcher corrects a query's family and given names against before it looks keys up."""

    __tablename__ = "name_tokens"

    is_family: Mapped[bool] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(120), primary_key=True)


class LikelyDuplicate(db.Model):
    """Two people the matcher found likely to be one when either was indexed (the same ID number, or the
    same name key with a compatible date of birth), with its score: the duplicates page reads these, best
    first, leaving out merged people and pairs an officer found distinct."""

    __tablename__ = "likely_duplicates"

    first_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True)
    second_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(sa.Float)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


sa.Index(
    "ix_likely_duplicates_rank",
    LikelyDuplicate.score,
    LikelyDuplicate.first_person_id,
    LikelyDuplicate.second_person_id,
)

# Documents name their parent by its reference alone (`find_by_ref`): look it up without a scan.
sa.Index("ix_persons_source_ref", Person.source_ref)
sa.Index("ix_judgments_source_ref", Judgment.source_ref)
