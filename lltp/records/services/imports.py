"""Importing records-contract documents: a JSON Lines file (`flask records import`) or one document that
an API client posts (`POST /api/v1/record-sources`).

Both go through one `_Plan`. It checks every document before anything is written:
1. the fields of each document, on its own (`lltp.records.validation`);
2. the same agency's reference received before, in the database or earlier in the file: identical content
   is skipped, a prosecution's new status is its next version, anything else is a conflict;
3. the parent each document names (`person_ref`, `judgment_ref`), in the file or in the database, by
   `documents.find_by_ref`'s rule, and the penalty or obligation an event points at inside that judgment.
Then it writes kind by kind (people, judgments, then the rest), so a document may come before its parent,
a thousand documents a batch, each batch's rows inserted together (`documents.Rows`). Through the API a
document whose parent is unknown is kept pending; a parent's arrival, by either way, applies the pending
documents waiting for it, and theirs in turn. It all happens in the caller's transaction: the caller
commits, and an error anywhere leaves nothing behind.

What the plan reads it reads in bulk, a thousand references a query, so a file of 100,000 documents costs
a few hundred queries, not one per document.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.core import audit, clock
from lltp.core.audit import AuditEvent
from lltp.core.errors import DomainError, ValidationFailed
from lltp.extensions import db
from lltp.records import matching
from lltp.records.models import (
    AdditionalPenalty,
    CivilObligation,
    DocumentChannel,
    DocumentKind,
    DocumentStatus,
    Judgment,
    SourceDocument,
)
from lltp.records.services import documents
from lltp.records.validation import PARENT_FIELDS, check_document

DEFAULT_AGENCY = "import"
AGENCY_LENGTH = 80
# People first, then judgments, then what hangs on them: a file may list a child before its parent.
KIND_ORDER = (
    DocumentKind.PERSON,
    DocumentKind.JUDGMENT,
    DocumentKind.ENFORCEMENT,
    DocumentKind.PROSECUTION,
    DocumentKind.BAN,
)
BATCH = 1000
# An event's index into its judgment's lists: (the index field, the list it points into).
INDEXES = (("penalty_index", "additional_penalties"), ("obligation_index", "civil_obligations"))
_STATUS_FIELDS = ("status", "status_on")


def kind_label(kind):
    """The Vietnamese name of a kind of document."""
    return {
        DocumentKind.PERSON: _("người"),
        DocumentKind.JUDGMENT: _("bản án"),
        DocumentKind.ENFORCEMENT: _("thi hành án"),
        DocumentKind.PROSECUTION: _("vụ án đang khởi tố"),
        DocumentKind.BAN: _("cấm đảm nhiệm chức vụ"),
    }[kind]


@dataclass(frozen=True)
class LineError:
    """One problem of a file: its line, the dotted path of the field, and the Vietnamese message."""

    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.message}"


class FileRejected(ValidationFailed):
    """A file with bad lines. Nothing of it was written; `line_errors` lists every problem, by line."""

    def __init__(self, line_errors):
        self.line_errors = tuple(line_errors)
        super().__init__(
            {f"line {error.line}: {error.field}": error.message for error in self.line_errors},
            message=_("Tệp có %(count)d lỗi, không tài liệu nào được ghi.", count=len(self.line_errors)),
        )


class DocumentConflict(DomainError):
    """The agency's reference was received before with other content (records contract: a conflict)."""

    status_code = 409

    def __init__(self, message, *, field="source_ref"):
        super().__init__(message)
        self.field = field


@dataclass
class ImportResult:
    """What an import did, by kind: documents added, skipped (received before, identical), and pending
    documents of earlier API calls that it released by bringing their parent."""

    added: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    released: Counter = field(default_factory=Counter)

    def as_dict(self):
        return {
            name: {str(kind): count for kind, count in getattr(self, name).items()}
            for name in ("added", "skipped", "released")
        }


@dataclass(frozen=True)
class Submission:
    """The outcome of one API document: `added`, `unchanged` (an identical re-post) or `pending`; the
    stored document (the earlier one for a re-post); and the pending documents it released."""

    outcome: str
    document: SourceDocument
    released: int = 0


@dataclass(slots=True)
class _Incoming:
    """One document on its way in, and what the plan decided for it."""

    content: dict
    agency: str
    line: int | None = None
    errors: dict = field(default_factory=dict)
    conflict: str | None = None
    kind: DocumentKind | None = None
    hashed: str | None = None
    action: str | None = None  # add, update (a prosecution's new status), skip, pending
    version: int = 1
    parent: tuple | None = None  # (kind, agency, ref) of the parent row, once resolved
    waiting_for_ref: str | None = None
    document_id: int | None = None

    @property
    def ref(self):
        return self.content["source_ref"]

    @property
    def bad(self):
        return bool(self.errors or self.conflict)


def _incoming(raw, *, agency, line=None):
    """A raw document, NFC, with its fields checked and its agency taken from `source_agency` if given."""
    if not isinstance(raw, dict):
        return _Incoming({}, agency, line, errors=check_document(raw))
    content = documents.normalise(raw)
    errors = check_document(content)
    given = content.pop("source_agency", None)
    item = _Incoming(content, given.strip() if isinstance(given, str) and given.strip() else agency, line)
    if not item.agency.strip() or len(item.agency) > AGENCY_LENGTH:
        errors.setdefault(
            "source_agency", _("Tên cơ quan gửi phải có từ 1 đến %(max)d ký tự.", max=AGENCY_LENGTH)
        )
    item.errors = errors
    if not errors:
        item.kind = DocumentKind(content["kind"])
        item.hashed = documents.content_hash(content)
    return item


def _chunks(values, size=BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _without_status(content):
    return {key: value for key, value in content.items() if key not in _STATUS_FIELDS}


class _Plan:
    """Checks a run of documents as a whole, then writes the good ones (see the module's docstring)."""

    def __init__(self, items, *, channel, actor, api_client=None):
        self.items, self.channel, self.actor, self.api_client = items, channel, actor, api_client
        self.pending_allowed = channel is DocumentChannel.API
        self.applier = documents.Applier(actor=actor)
        self.row_ids = {}  # (kind, agency, ref) -> id of the parent rows, known or written in this run
        self.list_sizes = {}  # judgment (kind, agency, ref) -> {list name: length}
        self.result = ImportResult()

    # --- checking ---------------------------------------------------------------------------------

    def check(self):
        good = [item for item in self.items if not item.bad]
        self._load_previous(good)
        self._classify(good)
        self._load_parents([item for item in good if item.action == "add"])
        self._resolve([item for item in good if item.action == "add"])

    def _load_previous(self, items):
        """The latest version received of each (agency, reference) the run brings, and the hashes of all
        its versions, in one pass."""
        self.previous, self.hashes = {}, defaultdict(set)
        refs = {item.ref for item in items}
        for chunk in _chunks(sorted(refs)):
            rows = db.session.execute(
                sa.select(
                    SourceDocument.id,
                    SourceDocument.source_agency,
                    SourceDocument.source_ref,
                    SourceDocument.version,
                    SourceDocument.content_hash,
                    SourceDocument.kind,
                    SourceDocument.status,
                    SourceDocument.waiting_for_ref,
                ).where(SourceDocument.source_ref.in_(chunk))
            )
            for row in rows:
                key = (row.source_agency, row.source_ref)
                self.hashes[key].add(row.content_hash)
                if key not in self.previous or self.previous[key].version < row.version:
                    self.previous[key] = row

    def _classify(self, items):
        """Add, skip (identical to a version received before, even an older one), update (a prosecution's
        new status) or conflict, in the run's order."""
        latest = {}
        for item in items:
            key = (item.agency, item.ref)
            previous = latest.get(key) or self.previous.get(key)
            if item.hashed in self.hashes[key]:
                item.action = "skip"
                continue
            if previous is None:
                item.action = "add"
            elif previous.status is DocumentStatus.PENDING:
                item.conflict = _(
                    "Tài liệu %(ref)s đã nhận trước đó vẫn đang chờ tài liệu %(parent)s: chưa thể thay đổi.",
                    ref=item.ref,
                    parent=previous.waiting_for_ref,
                )
                continue
            elif self._is_status_update(previous, item):
                item.action, item.version = "update", previous.version + 1
            else:
                item.conflict = self._conflict_message(item, previous)
                continue
            latest[key] = _Seen(item)
            self.hashes[key].add(item.hashed)

    def _is_status_update(self, previous, item):
        if item.kind is not DocumentKind.PROSECUTION or previous.kind is not DocumentKind.PROSECUTION:
            return False
        before = (
            previous.content
            if isinstance(previous, _Seen)
            else db.session.get(SourceDocument, previous.id).content
        )
        return (
            _without_status(before) == _without_status(item.content)
            and (before.get("status") or "pending") != (item.content.get("status") or "pending")
            and item.content.get("status_on") is not None
        )

    def _conflict_message(self, item, previous):
        allowed = _(
            "Chỉ được gửi lại vụ án đang khởi tố với trạng thái mới (status) và ngày của nó (status_on)."
        )
        if isinstance(previous, _Seen) and previous.line is not None:
            said = _("Mã %(ref)s đã có ở dòng %(line)d với nội dung khác.", ref=item.ref, line=previous.line)
        else:
            said = _(
                "Mã %(ref)s của %(agency)s đã được nhận trước đó với nội dung khác.",
                ref=item.ref,
                agency=item.agency,
            )
        return f"{said} {allowed}"

    def _load_parents(self, items):
        """The parent rows already in the database that the run's documents name, by reference."""
        self.in_database = {kind: defaultdict(set) for kind in documents.PARENT_MODELS}
        wanted = defaultdict(set)
        for item in items:
            if item.kind in PARENT_FIELDS:
                name, kind = PARENT_FIELDS[item.kind]
                wanted[kind].add(item.content[name])
        for kind, refs in wanted.items():
            model = documents.PARENT_MODELS[kind]
            for chunk in _chunks(sorted(refs)):
                rows = db.session.execute(
                    sa.select(model.id, model.source_agency, model.source_ref).where(
                        model.source_ref.in_(chunk)
                    )
                )
                for row in rows:
                    self.in_database[kind][row.source_ref].add(row.source_agency)
                    self.row_ids[(kind, row.source_agency, row.source_ref)] = row.id
        self.in_run = {kind: defaultdict(dict) for kind in documents.PARENT_MODELS}
        for item in items:
            if item.kind in self.in_run:
                self.in_run[item.kind][item.ref].setdefault(item.agency, item)

    def _resolve(self, items):
        """Each document's parent, by `find_by_ref`'s rule over the database and the run together."""
        for item in items:
            if item.kind not in PARENT_FIELDS:
                continue
            name, kind = PARENT_FIELDS[item.kind]
            ref = item.content[name]
            agencies = self.in_database[kind][ref] | self.in_run[kind][ref].keys()
            if item.agency in agencies or len(agencies) == 1:
                agency = item.agency if item.agency in agencies else next(iter(agencies))
                item.parent = (kind, agency, ref)
            elif agencies:
                item.errors[name] = _(
                    "Mã %(ref)s có ở nhiều cơ quan (%(agencies)s), không có ở %(agency)s: không rõ của ai.",
                    ref=ref,
                    agencies=", ".join(sorted(agencies)),
                    agency=item.agency,
                )
            elif self.pending_allowed:
                item.action, item.waiting_for_ref = "pending", ref
            else:
                item.errors[name] = _(
                    "Không tìm thấy %(what)s có mã %(ref)s trong tệp hay trong cơ sở dữ liệu.",
                    what=kind_label(kind),
                    ref=ref,
                )
        self._check_indexes([item for item in items if item.parent and item.kind is DocumentKind.ENFORCEMENT])

    def _check_indexes(self, events):
        """An event's penalty or obligation index must fall inside its judgment's list."""
        events = [
            item for item in events if any(item.content.get(name) is not None for name, _list in INDEXES)
        ]
        self._load_list_sizes({item.parent for item in events})
        for item in events:
            for name, list_name in INDEXES:
                index = item.content.get(name)
                size = self.list_sizes[item.parent][list_name]
                if index is not None and index >= size:
                    item.errors[name] = _index_message(list_name, item.parent[2], size)

    def _load_list_sizes(self, parents):
        in_database = {}
        for parent in parents:
            run_item = self.in_run[DocumentKind.JUDGMENT][parent[2]].get(parent[1])
            if run_item is not None:
                self.list_sizes[parent] = {
                    list_name: len(run_item.content.get(list_name) or ()) for _name, list_name in INDEXES
                }
            else:
                in_database[self.row_ids[parent]] = parent
        for chunk in _chunks(in_database):
            sizes = _list_sizes(chunk)
            for judgment_id in chunk:
                self.list_sizes[in_database[judgment_id]] = sizes[judgment_id]

    def errors(self):
        """Every problem found, as LineErrors in line order."""
        found = []
        for item in self.items:
            if item.conflict:
                found.append(LineError(item.line, "source_ref", item.conflict))
            found.extend(LineError(item.line, path, message) for path, message in item.errors.items())
        return sorted(found, key=lambda error: error.line)

    # --- writing ----------------------------------------------------------------------------------

    def write(self):
        """Store and apply the run's documents kind by kind, in batches; then release pending ones."""
        by_kind = defaultdict(list)
        for item in self.items:
            if item.action == "skip":
                self.result.skipped[item.kind] += 1
            elif item.action is not None:
                by_kind[item.kind].append(item)
        self.applier.preload_records(
            self.row_ids[item.parent]
            for item in by_kind[DocumentKind.JUDGMENT]
            if item.parent in self.row_ids
        )
        for kind in KIND_ORDER:
            for chunk in _chunks(by_kind[kind]):
                self._write_batch(chunk)
            if kind in documents.PARENT_MODELS:
                self._release({item.ref for item in by_kind[kind] if item.action == "add"})
        # The matcher's keys and likely duplicates of the new people, in a few set-based statements.
        matching.index_people(self.applier.new_people)
        self.applier.rows.analyze()
        return self.result

    def _write_batch(self, items):
        """One batch of documents and their rows, inserted together (every row's id given up front)."""
        rows, now = self.applier.rows, clock.now()
        for item in items:
            columns = documents.document_columns(
                item.content,
                agency=item.agency,
                channel=self.channel,
                actor=self.actor,
                version=item.version,
                waiting_for_ref=item.waiting_for_ref,
                api_client=self.api_client,
                hashed=item.hashed,
            )
            item.document_id = rows.add(
                SourceDocument, **columns, applied_at=None if item.action == "pending" else now
            )
            source = documents.Source(item.document_id, item.agency, item.ref, item.version)
            if item.action == "pending":
                rows.add(
                    AuditEvent,
                    **audit.values(
                        f"records.{item.kind.value}_pending",
                        self.actor,
                        object_type="source_document",
                        object_id=item.document_id,
                        details={
                            "source_agency": item.agency,
                            "source_ref": item.ref,
                            "waiting_for": item.waiting_for_ref,
                        },
                    ),
                )
                continue
            parent_id = self.row_ids[item.parent] if item.parent else None
            row_id = self.applier.build(item.kind, item.content, source, parent_id)
            self.result.added[item.kind] += 1
            if item.kind in documents.PARENT_MODELS:
                self.row_ids[(item.kind, item.agency, item.ref)] = row_id
        rows.write()

    def _release(self, refs):
        """Apply the pending documents that were waiting for `refs`, and those waiting for them in turn."""
        while refs:
            waiting = []
            for chunk in _chunks(sorted(refs)):
                waiting += db.session.scalars(
                    sa.select(SourceDocument).where(
                        SourceDocument.status == DocumentStatus.PENDING,
                        SourceDocument.waiting_for_ref.in_(chunk),
                    )
                )
            refs = set()
            for document in sorted(waiting, key=lambda document: document.id):
                parent = documents.find_parent(document)
                # A parent still unknown (another agency's same reference), or an index that does not fit
                # it: the document keeps waiting, on the officers' page of pending documents.
                if parent is None or not _fits(document.content, parent):
                    continue
                self.applier.apply(document, parent.id)
                self.result.released[document.kind] += 1
                if document.kind is DocumentKind.JUDGMENT:
                    refs.add(document.source_ref)


class _Seen:
    """A document earlier in the run, as the later versions of its reference compare with it."""

    def __init__(self, item):
        self.content, self.content_hash, self.kind = item.content, item.hashed, item.kind
        self.version, self.line = item.version, item.line
        self.status = DocumentStatus.PENDING if item.action == "pending" else DocumentStatus.APPLIED
        self.waiting_for_ref = item.waiting_for_ref


def _list_sizes(judgment_ids):
    """{judgment id: {list name: length}} for judgments in the database."""
    sizes = {judgment_id: {list_name: 0 for _name, list_name in INDEXES} for judgment_id in judgment_ids}
    for model, list_name in (
        (AdditionalPenalty, "additional_penalties"),
        (CivilObligation, "civil_obligations"),
    ):
        rows = db.session.execute(
            sa.select(model.judgment_id, sa.func.count())
            .where(model.judgment_id.in_(judgment_ids))
            .group_by(model.judgment_id)
        )
        for judgment_id, count in rows:
            sizes[judgment_id][list_name] = count
    return sizes


def _index_message(list_name, ref, size):
    what = _("hình phạt bổ sung") if list_name == "additional_penalties" else _("nghĩa vụ dân sự")
    if not size:
        return _("Bản án %(ref)s không có %(what)s nào.", ref=ref, what=what)
    return _(
        "Bản án %(ref)s chỉ có %(size)d %(what)s: chỉ số từ 0 đến %(last)d.",
        ref=ref,
        size=size,
        what=what,
        last=size - 1,
    )


def _fits(content, parent):
    if not isinstance(parent, Judgment):
        return True
    return all(
        content.get(name) is None or content[name] < len(getattr(parent, list_name))
        for name, list_name in INDEXES
    )


def import_file(lines, *, agency=DEFAULT_AGENCY, actor, name=None):
    """Import a JSON Lines file (an iterable of its lines): every document, or nothing and FileRejected
    with every bad line. Returns the counts by kind."""
    items, bad_json = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            bad_json.append(LineError(number, "document", _("Dòng này không phải JSON hợp lệ.")))
            continue
        items.append(_incoming(raw, agency=agency, line=number))
    plan = _Plan(items, channel=DocumentChannel.FILE, actor=actor)
    plan.check()
    problems = sorted(bad_json + plan.errors(), key=lambda error: error.line)
    if problems:
        raise FileRejected(problems)
    result = plan.write()
    audit.record(
        "records.file_imported",
        actor,
        details={"file": name, "default_agency": agency, **result.as_dict()},
    )
    db.session.flush()
    return result


def submit_document(raw, *, api_client, actor):
    """One document from a record-source API client, whose name is its agency: added, an identical
    re-post (unchanged), or kept pending until its parent arrives. Raises ValidationFailed with every bad
    field, or DocumentConflict."""
    item = _incoming(raw, agency=api_client.name)
    given = raw.get("source_agency") if isinstance(raw, dict) else None
    if given is not None and given != api_client.name:
        item.errors.setdefault(
            "source_agency",
            _("Cơ quan gửi là hệ thống %(name)s: bỏ trường này, hoặc ghi đúng tên đó.", name=api_client.name),
        )
    plan = _Plan([item], channel=DocumentChannel.API, actor=actor, api_client=api_client)
    if not item.errors:
        plan.check()
    if item.conflict:
        raise DocumentConflict(item.conflict)
    if item.errors:
        raise ValidationFailed(item.errors)
    if item.action == "skip":
        earlier = db.session.scalar(
            sa.select(SourceDocument).where(
                SourceDocument.source_agency == item.agency,
                SourceDocument.source_ref == item.ref,
                SourceDocument.content_hash == item.hashed,
            )
        )
        return Submission("pending" if earlier.status is DocumentStatus.PENDING else "unchanged", earlier)
    result = plan.write()
    outcome = "pending" if item.action == "pending" else "added"
    document = db.session.get(SourceDocument, item.document_id)
    return Submission(outcome, document, released=sum(result.released.values()))
