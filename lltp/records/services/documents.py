"""Turning checked source documents into rows of the record database.

`store_document` keeps a document as received; `apply_document` builds (or, for a prosecution's new
status, updates) the rows it describes. Both take content already checked against the records contract
(`lltp.records.validation`, and the imports for what needs the database) and only flush: the caller
commits. References between documents (`person_ref`, `judgment_ref`) are resolved by `find_by_ref`.

An `Applier` does the work, into `Rows`: plain rows with their ids given up front, inserted one
executemany per table (the ORM's unit of work costs more than the database for a file of 100,000
documents). The imports keep one applier for a whole run, so each judicial record, record counter and
prosecution is looked up once. The columns each document gives are mapped once (`*_columns`), for new
rows and for an officer's correction of an ORM row (`set_judgment`, `set_event`).
"""

import hashlib
import itertools
import json
import sys
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from lltp.core import audit, clock, database
from lltp.core.audit import AuditEvent
from lltp.core.text import fold, nfc
from lltp.extensions import db
from lltp.records import matching
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
from lltp.records.validation import PARENT_FIELDS

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
# The rows a parent reference points at, by the parent's kind.
PARENT_MODELS = {DocumentKind.PERSON: Person, DocumentKind.JUDGMENT: Judgment}
# The row each kind of document makes.
MODELS = {
    DocumentKind.PERSON: Person,
    DocumentKind.JUDGMENT: Judgment,
    DocumentKind.ENFORCEMENT: EnforcementEvent,
    DocumentKind.PROSECUTION: Prosecution,
    DocumentKind.BAN: Ban,
}


def normalise(value):
    """NFC every string of a JSON value, recursively (the contract: text is NFC on the way in)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        # Interned keys: a file's 100,000 documents share one copy of each field name.
        return {sys.intern(nfc(key)): normalise(item) for key, item in value.items()}
    return value


def content_hash(content):
    """SHA-256 of the canonical JSON of a document: equal content, equal hash, whatever the key order."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_columns(
    content, *, agency, channel, actor, version=1, waiting_for_ref=None, api_client=None, hashed=None
):
    """The columns of a SourceDocument for content already NFC (`hashed`: its content_hash, if known)."""
    return {
        "source_agency": agency,
        "source_ref": content["source_ref"],
        "version": version,
        "kind": DocumentKind(content["kind"]),
        "content": content,
        "content_hash": hashed or content_hash(content),
        "status": DocumentStatus.PENDING if waiting_for_ref else DocumentStatus.APPLIED,
        "channel": channel,
        "waiting_for_ref": waiting_for_ref,
        "received_by_id": actor.user_id,
        "api_client_id": api_client.id if api_client is not None else None,
    }


def store_document(content, *, agency, channel, actor, version=1, waiting_for_ref=None, api_client=None):
    """Keep one document as received (NFC), applied or, when `waiting_for_ref` is given, pending."""
    document = SourceDocument(
        **document_columns(
            normalise(content),
            agency=agency,
            channel=channel,
            actor=actor,
            version=version,
            waiting_for_ref=waiting_for_ref,
            api_client=api_client,
        )
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


def parent_of(content):
    """(the parent's kind, its reference) for a document that names a parent, else None."""
    field = PARENT_FIELDS.get(DocumentKind(content["kind"]))
    return None if field is None else (field[1], content[field[0]])


def find_parent(document):
    """The row a stored document's parent reference resolves to (see `find_by_ref`), or None."""
    kind, ref = parent_of(document.content)
    return find_by_ref(PARENT_MODELS[kind], ref, document.source_agency)


def apply_document(document, *, actor):
    """Build the rows that a stored, checked document describes; returns the row made or updated."""
    return Applier(actor=actor).apply(document)


# --- the columns each document gives ---------------------------------------------------------------


def _date(value):
    return None if value is None else date.fromisoformat(value)


def person_columns(content):
    """A person's own columns, from a person document."""
    precision = DatePrecision(content.get("date_of_birth_precision") or "day")
    born = _date(content.get("date_of_birth"))
    # With a month or year precision the model keeps that month's or year's first day.
    if born is not None and precision is DatePrecision.MONTH:
        born = born.replace(day=1)
    elif born is not None and precision is DatePrecision.YEAR:
        born = born.replace(month=1, day=1)
    return {
        "full_name": content["full_name"],
        "name_folded": fold(content["full_name"]),
        "sex": content.get("sex"),
        "date_of_birth": born,
        "date_of_birth_precision": precision,
        "birth_year": born.year if born else None,
        "place_of_birth": content.get("place_of_birth"),
        "nationality": content.get("nationality"),
        "father_name": content.get("father_name"),
        "mother_name": content.get("mother_name"),
        "residence": content.get("residence"),
    }


def person_names(content):
    """(full name, kind) of every name a person document gives, once each, the primary one first."""
    names = [(content["full_name"], NameKind.PRIMARY)]
    names += [
        (name, NameKind.ALIAS)
        for name in dict.fromkeys(content.get("other_names") or ())
        if name != content["full_name"]
    ]
    return names


def person_id_numbers(content):
    """(type, number) of every ID number a person document gives, once each."""
    return list(dict.fromkeys((item["type"], item["number"]) for item in content.get("id_numbers") or ()))


def judgment_columns(content):
    """A judgment's own columns (facts and principal penalty), from a judgment document."""
    penalty = content.get("principal_penalty") or {}
    return {
        "number": content["number"],
        "pronounced_on": _date(content["pronounced_on"]),
        "effective_on": _date(content["effective_on"]),
        "court": content["court"],
        "principal_type": penalty.get("type"),
        "principal_months": penalty.get("months"),
        "principal_suspended": bool(penalty.get("suspended")),
        "probation_months": penalty.get("probation_months"),
        "fine_amount": penalty.get("fine_amount"),
        "exempted_from_punishment": bool(content.get("exempted_from_punishment")),
        "reform_school": bool(content.get("reform_school")),
        "court_fee": content.get("court_fee") or 0,
    }


def judgment_children(content):
    """{model: [columns of each child, in contract order]}: offences, additional penalties, obligations."""
    return {
        Offence: [
            {
                "position": index,
                "name": offence["name"],
                "code": offence.get("code") or "BLHS2015",
                "article": offence["article"],
                "clause": offence.get("clause"),
                "chapter": offence["chapter"],
                "severity": offence["severity"],
                "intent": offence["intent"],
                "committed_on": _date(offence["committed_on"]),
            }
            for index, offence in enumerate(content["offences"])
        ],
        AdditionalPenalty: [
            {
                "position": index,
                "type": item["type"],
                "months": item.get("months"),
                "description": item.get("description") or "",
            }
            for index, item in enumerate(content.get("additional_penalties") or ())
        ],
        CivilObligation: [
            {"position": index, "description": item["description"], "amount": item.get("amount")}
            for index, item in enumerate(content.get("civil_obligations") or ())
        ],
    }


def event_columns(content):
    """An enforcement event's own columns, from an enforcement document."""
    return {
        "event": content["event"],
        "on": _date(content["on"]),
        "penalty_index": content.get("penalty_index"),
        "obligation_index": content.get("obligation_index"),
        "note": content.get("note"),
    }


def ban_columns(content):
    """A ban's own columns, from a ban document."""
    return {
        "decision_number": content["decision_number"],
        "decided_on": _date(content["decided_on"]),
        "court": content["court"],
        "post": content["post"],
        "starts_on": _date(content["starts_on"]),
        "ends_on": _date(content.get("ends_on")),
    }


def status_columns(content):
    """A prosecution's status and its date, from a prosecution document (any version)."""
    return {"status": content.get("status") or "pending", "status_on": _date(content.get("status_on"))}


def set_judgment(judgment, content):
    """Set a judgment's facts, offences, penalties and obligations from its document: a new judgment's,
    or an officer's correction (whose caller has removed the old offences, penalties and obligations)."""
    for name, value in judgment_columns(content).items():
        setattr(judgment, name, value)
    children = judgment_children(content)
    judgment.offences = [Offence(**columns) for columns in children[Offence]]
    judgment.additional_penalties = [AdditionalPenalty(**columns) for columns in children[AdditionalPenalty]]
    judgment.civil_obligations = [CivilObligation(**columns) for columns in children[CivilObligation]]


def set_event(event, content):
    """Set an enforcement event's facts from its document (new or corrected)."""
    for name, value in event_columns(content).items():
        setattr(event, name, value)


# --- writing rows in bulk ------------------------------------------------------------------------------


class IdAllocator:
    """Primary keys handed out before the insert: rows that all carry their id go in as one executemany
    per table. Otherwise each id must come back (RETURNING), which SQLite does row by row and psycopg by
    parsing one huge statement per thousand rows.

    PostgreSQL ids come from the table's sequence, reserved in blocks that double from 4 to 1,000: a file
    takes its ids a thousand at a time, one API document wastes a few at most. SQLite ids follow the
    largest in the table."""

    FIRST_BLOCK, LAST_BLOCK = 4, 1000

    def __init__(self):
        self.free = {}
        self.blocks = defaultdict(lambda: self.FIRST_BLOCK // 2)

    def take(self, table):
        free = self.free.get(table)
        if free is None:
            free = self.free[table] = self._reserve(table)
        if isinstance(free, deque):
            if not free:
                free.extend(self._reserve(table))
            return free.popleft()
        return next(free)

    def _reserve(self, table):
        # No autoflush while ids are out and their rows not yet written: on SQLite a flushed ORM insert
        # would take the next id, which may be one of ours.
        with db.session.no_autoflush:
            return self._reserve_now(table)

    def _reserve_now(self, table):
        if db.session.get_bind().dialect.name == "postgresql":
            self.blocks[table] = size = min(self.blocks[table] * 2, self.LAST_BLOCK)
            ids = db.session.connection().scalar(
                sa.text(
                    "SELECT array_agg(nextval(pg_get_serial_sequence(:table, 'id'))) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": size},
            )
            return deque(ids)
        # SQLite: the transaction holds the write lock from its start (BEGIN IMMEDIATE), so no one else can
        # take ids after the largest; `written` forgets them, since plain inserts may follow ours.
        return itertools.count((db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1)

    def written(self):
        """The rows given ids are in: on SQLite, read the largest id again next time."""
        self.free = {table: free for table, free in self.free.items() if isinstance(free, deque)}


class Rows:
    """Rows waiting to be written, by table, each with its id given when it is added. `write` inserts them
    in foreign-key order, then runs the updates: one executemany per table on SQLite, one COPY on
    PostgreSQL (psycopg's executemany costs about 0.1 ms a row, COPY a few µs)."""

    def __init__(self):
        self.ids = IdAllocator()
        self.inserts = defaultdict(list)
        self.updates = []
        self.counts = Counter()  # rows written, by table

    def add(self, model, **columns):
        """Queue one row of `model`; returns its id."""
        table = model.__table__
        if "id" in table.c:
            columns["id"] = self.ids.take(table)
        self.inserts[table].append(columns)
        return columns.get("id")

    def update(self, model, row_id, **columns):
        """Queue an update of one row, run after the inserts."""
        self.updates.append((model, row_id, columns))

    def write(self):
        with db.session.no_autoflush:
            connection = db.session.connection()
            for table in db.metadata.sorted_tables:
                rows = self.inserts.pop(table, None)
                self.counts[table] += len(rows or ())
                if rows and connection.dialect.name == "postgresql":
                    _copy(connection, table, rows)
                elif rows:
                    connection.execute(sa.insert(table), rows)
            for model, row_id, columns in self.updates:
                connection.execute(sa.update(model).where(model.id == row_id).values(**columns))
        self.updates = []
        self.ids.written()

    def analyze(self, at_least=10_000):
        """On PostgreSQL, refresh the planner's statistics of the tables that got `at_least` rows: until
        autovacuum does, it plans the next import's look-ups for the tables as they were (empty, say) and
        scans them whole for each thousand references."""
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            for table, count in self.counts.items():
                if count >= at_least:
                    connection.exec_driver_sql(
                        f"ANALYZE {connection.dialect.identifier_preparer.quote(table.name)}"
                    )


def _copy(connection, table, rows):
    """COPY rows into a PostgreSQL table, each value as SQLAlchemy would bind it, absent columns taking
    their Python-side defaults (the columns here have no server-side ones)."""
    dialect, quote = connection.dialect, connection.dialect.identifier_preparer.quote
    columns = [
        (column.key, column.default, column.type._cached_bind_processor(dialect)) for column in table.columns
    ]
    names = ", ".join(quote(column.name) for column in table.columns)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for key, default, process in columns:
                if key in row:
                    value = row[key]
                elif default is None:
                    value = None
                else:
                    value = default.arg(None) if default.is_callable else default.arg
                values.append(value if process is None or value is None else process(value))
            copy.write_row(values)


@dataclass(frozen=True)
class Source:
    """The document a row is made from: its id, agency, reference and version."""

    id: int
    agency: str
    ref: str
    version: int = 1

    @classmethod
    def of(cls, document):
        return cls(document.id, document.source_agency, document.source_ref, document.version)

    def columns(self):
        return {"source_agency": self.agency, "source_ref": self.ref, "source_document_id": self.id}


class Applier:
    """Builds the rows of stored documents into `rows`, remembering across one run the judicial records,
    record counters and prosecutions it has looked up or made."""

    def __init__(self, *, actor):
        self.actor = actor
        self.rows = Rows()
        self.authority_code = current_app.config["LLTP_AUTHORITY_CODE"]
        self.records = {}  # person id -> its judicial record's id, or None when it has none yet
        self.counters = {}  # year -> JudicialRecordCounter
        self.prosecutions = {}  # (agency, ref) -> prosecution id
        self.new_people = []

    def apply(self, document, parent_id=None):
        """Build and write one stored document's rows, mark it applied; returns its row (the parent is looked
        up unless its id is given)."""
        if parent_id is None and document.kind in PARENT_FIELDS:
            parent_id = find_parent(document).id
        row_id = self.build(document.kind, document.content, Source.of(document), parent_id)
        document.status = DocumentStatus.APPLIED
        document.waiting_for_ref = None
        document.applied_at = clock.now()
        self.rows.write()
        row = db.session.get(MODELS[document.kind], row_id)
        # The caller may hold this very object (a prosecution whose status changed) as it was before.
        db.session.expire(row)
        if document.kind is DocumentKind.PERSON:
            matching.index_person(row)
        return row

    def build(self, kind, content, source, parent_id):
        """Queue the rows a document makes (or the prosecution update it is) and its audit row; returns the
        id of its row."""
        with db.session.no_autoflush:  # see IdAllocator._reserve
            row_id = getattr(self, f"_build_{kind.value}")(content, source, parent_id)
        self.rows.add(
            AuditEvent,
            **audit.values(
                f"records.{kind.value}_applied",
                self.actor,
                object_type=MODELS[kind].__name__.lower(),
                object_id=row_id,
                details={"source_agency": source.agency, "source_ref": source.ref},
            ),
        )
        return row_id

    def preload_records(self, person_ids):
        """Look up at once the judicial records of the people a run's judgments belong to."""
        missing = sorted(set(person_ids) - self.records.keys())
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            self.records.update(dict.fromkeys(chunk))
            found = db.session.execute(
                sa.select(JudicialRecord.person_id, JudicialRecord.id).where(
                    JudicialRecord.person_id.in_(chunk)
                )
            )
            self.records.update(dict(found.all()))

    def _build_person(self, content, source, parent_id):
        person_id = self.rows.add(Person, **source.columns(), **person_columns(content))
        for name, kind in person_names(content):
            self.rows.add(PersonName, person_id=person_id, full_name=name, name_folded=fold(name), kind=kind)
        for type_, number in person_id_numbers(content):
            self.rows.add(PersonIdNumber, person_id=person_id, type=type_, number=number)
        self.rows.add(
            PersonIdentity,
            person_id=person_id,
            source_document_id=source.id,
            data={key: content[key] for key in IDENTITY_FIELDS if key in content},
        )
        self.records[person_id] = None
        self.new_people.append(person_id)
        return person_id

    def _record(self, person_id):
        """The person's judicial record, numbered `<authority><year>/<5-digit serial>` when first opened;
        the serial starts again each year."""
        if person_id not in self.records:
            self.preload_records([person_id])
        if self.records[person_id] is None:
            counter = self._counter(clock.today().year)
            counter.last_serial += 1
            self.records[person_id] = self.rows.add(
                JudicialRecord,
                number=f"{self.authority_code}{counter.year}/{counter.last_serial:05d}",
                authority_code=self.authority_code,
                year=counter.year,
                serial=counter.last_serial,
                person_id=person_id,
            )
        return self.records[person_id]

    def _counter(self, year):
        if year not in self.counters:
            # The year's row is made if missing (a second import making it at the same time waits, then
            # finds it), then locked until the commit: two imports at once never hand out the same serial.
            db.session.execute(
                database.insert(JudicialRecordCounter)
                .values(authority_code=self.authority_code, year=year, last_serial=0)
                .on_conflict_do_nothing(index_elements=["authority_code", "year"])
            )
            self.counters[year] = db.session.get(
                JudicialRecordCounter,
                (self.authority_code, year),
                with_for_update=True,
                populate_existing=True,
            )
        return self.counters[year]

    def _build_judgment(self, content, source, parent_id):
        judgment_id = self.rows.add(
            Judgment,
            **source.columns(),
            person_id=parent_id,
            judicial_record_id=self._record(parent_id),
            **judgment_columns(content),
        )
        for model, children in judgment_children(content).items():
            for columns in children:
                self.rows.add(model, judgment_id=judgment_id, **columns)
        return judgment_id

    def _build_enforcement(self, content, source, parent_id):
        return self.rows.add(
            EnforcementEvent, **source.columns(), judgment_id=parent_id, **event_columns(content)
        )

    def _build_prosecution(self, content, source, parent_id):
        key = (source.agency, source.ref)
        status = status_columns(content)
        prosecution_id = self.prosecutions.get(key)
        if prosecution_id is None and source.version > 1:
            prosecution_id = db.session.scalar(
                sa.select(Prosecution.id).where(
                    Prosecution.source_agency == key[0], Prosecution.source_ref == key[1]
                )
            )
        if prosecution_id is None:
            prosecution_id = self.rows.add(
                Prosecution,
                **source.columns(),
                person_id=parent_id,
                committed_on=_date(content["committed_on"]),
                opened_on=_date(content["opened_on"]),
                **status,
            )
            self.prosecutions[key] = prosecution_id
        else:
            # A later version may only change the status (records contract); the history keeps every one.
            self.rows.update(Prosecution, prosecution_id, source_document_id=source.id, **status)
        self.rows.add(
            ProsecutionStatusChange, prosecution_id=prosecution_id, source_document_id=source.id, **status
        )
        return prosecution_id

    def _build_ban(self, content, source, parent_id):
        return self.rows.add(Ban, **source.columns(), person_id=parent_id, **ban_columns(content))
