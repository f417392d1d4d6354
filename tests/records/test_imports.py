"""Importing a JSON Lines file of records-contract documents: checked whole first, every bad line named,
nothing half written, a re-import changes nothing, children may come before their parents."""

import json
import unicodedata

import pytest
import sqlalchemy as sa

from lltp.accounts import services as account_services
from lltp.core.audit import AuditEvent
from lltp.records.models import (
    Ban,
    DocumentKind,
    DocumentStatus,
    EnforcementEvent,
    Judgment,
    JudicialRecord,
    Person,
    Prosecution,
    ProsecutionStatusChange,
    SourceDocument,
)
from lltp.records.services.imports import FileRejected, import_file, submit_document
from tests.factories import SYSTEM
from tests.records.factories import (
    ban_document,
    create_judgment,
    create_person,
    enforcement_document,
    judgment_document,
    person_document,
    prosecution_document,
)

TABLES = (
    SourceDocument,
    Person,
    Judgment,
    JudicialRecord,
    EnforcementEvent,
    Prosecution,
    ProsecutionStatusChange,
    Ban,
)


def run(*documents, agency="CA-HCM"):
    """Import the documents as the lines of one file (a string is a raw line)."""
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in documents]
    return import_file(lines, agency=agency, actor=SYSTEM, name="test.jsonl")


def rejected(*documents, agency="CA-HCM"):
    """The errors of a file that must be refused, as (line, field) pairs, and their messages."""
    with pytest.raises(FileRejected) as refusal:
        run(*documents, agency=agency)
    errors = refusal.value.line_errors
    return [(error.line, error.field) for error in errors], [error.message for error in errors]


def counts(db):
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in TABLES
    }


def story():
    """A person, a judgment with an additional penalty and a civil obligation, and an event of each."""
    person = person_document()
    judgment = judgment_document(
        person["source_ref"],
        additional_penalties=[{"type": "ban_office", "months": 36, "description": "Cấm đảm nhiệm chức vụ"}],
        civil_obligations=[{"description": "Bồi thường cho bị hại", "amount": 10_000_000}],
    )
    events = [
        enforcement_document(judgment["source_ref"], "principal_completed", "2021-03-11"),
        enforcement_document(judgment["source_ref"], "additional_completed", "2023-01-02", penalty_index=0),
        enforcement_document(
            judgment["source_ref"], "civil_obligation_completed", "2022-05-06", obligation_index=0
        ),
    ]
    return person, judgment, events


def test_a_good_file_adds_every_document_and_counts_them_by_kind(db):
    person, judgment, events = story()
    result = run(
        person,
        judgment,
        *events,
        prosecution_document(person["source_ref"]),
        ban_document(person["source_ref"]),
    )
    assert dict(result.added) == {
        DocumentKind.PERSON: 1,
        DocumentKind.JUDGMENT: 1,
        DocumentKind.ENFORCEMENT: 3,
        DocumentKind.PROSECUTION: 1,
        DocumentKind.BAN: 1,
    }
    row = db.session.scalar(sa.select(Judgment).where(Judgment.source_ref == judgment["source_ref"]))
    assert row.person.source_ref == person["source_ref"]
    assert sorted(event.event for event in row.events) == [
        "additional_completed",
        "civil_obligation_completed",
        "principal_completed",
    ]
    assert row.judicial_record.person_id == row.person_id


def test_blank_lines_are_ignored_and_line_numbers_count_them(db):
    person = person_document()
    lines, _messages = rejected(person, "", "   ", judgment_document("nobody"))
    assert lines == [(4, "person_ref")]


def _bad(kind_document, **changes):
    """A builder of one bad line: `kind_document` with `changes` (dotted keys reach into lists)."""

    def build(person, judgment):
        document = kind_document(person, judgment)
        for key, value in changes.items():
            *path, last = key.split(".")
            target = document
            for part in path:
                target = target[int(part)] if isinstance(target, list) else target[part]
            if value is _DELETE:
                del target[last]
            else:
                target[last] = value
        return document

    return build


_DELETE = object()
_person = lambda person, judgment: person_document()  # noqa: E731
_judgment = lambda person, judgment: judgment_document(person["source_ref"])  # noqa: E731
_event = lambda person, judgment: enforcement_document(judgment["source_ref"])  # noqa: E731
_prosecution = lambda person, judgment: prosecution_document(person["source_ref"])  # noqa: E731
_ban = lambda person, judgment: ban_document(person["source_ref"])  # noqa: E731

BAD_LINES = {
    "unknown kind": (_bad(_person, kind="verdict"), "kind", "một trong"),
    "no source_ref": (_bad(_person, source_ref=_DELETE), "source_ref", "Bắt buộc"),
    "blank name": (_bad(_person, full_name="  "), "full_name", "Bắt buộc"),
    "name too long": (_bad(_person, full_name="A" * 121), "full_name", "120"),
    "sex": (_bad(_person, sex="m"), "sex", "male, female"),
    "date of birth": (_bad(_person, date_of_birth="03/02/1985"), "date_of_birth", "YYYY-MM-DD"),
    "no such day": (_bad(_person, date_of_birth="1985-02-30"), "date_of_birth", "YYYY-MM-DD"),
    "precision": (_bad(_person, date_of_birth_precision="decade"), "date_of_birth_precision", "year"),
    "id number": (_bad(_person, **{"id_numbers.0.number": None}), "id_numbers.0.number", "Bắt buộc"),
    "other names not a list": (_bad(_person, other_names="LÊ HOA"), "other_names", "danh sách"),
    "no offences": (_bad(_judgment, offences=[]), "offences", "ít nhất"),
    "severity": (_bad(_judgment, **{"offences.0.severity": "minor"}), "offences.0.severity", "less_serious"),
    "intent": (_bad(_judgment, **{"offences.0.intent": "reckless"}), "offences.0.intent", "negligent"),
    "chapter": (_bad(_judgment, **{"offences.0.chapter": "16"}), "offences.0.chapter", "La Mã"),
    "offence after the judgment": (
        _bad(_judgment, **{"offences.0.committed_on": "2019-05-01"}),
        "offences.0.committed_on",
        "sau ngày tuyên án",
    ),
    "effective before pronounced": (_bad(_judgment, effective_on="2019-01-01"), "effective_on", "trước"),
    "penalty type": (
        _bad(_judgment, **{"principal_penalty.type": "jail"}),
        "principal_penalty.type",
        "prison",
    ),
    "months not an integer": (
        _bad(_judgment, **{"principal_penalty.months": "24"}),
        "principal_penalty.months",
        "số nguyên",
    ),
    "prison without months": (
        _bad(_judgment, **{"principal_penalty.months": None}),
        "principal_penalty.months",
        "Bắt buộc",
    ),
    "suspended without probation": (
        _bad(_judgment, **{"principal_penalty.suspended": True}),
        "principal_penalty.probation_months",
        "án treo",
    ),
    "suspended not a boolean": (
        _bad(_judgment, **{"principal_penalty.suspended": "no"}),
        "principal_penalty.suspended",
        "true",
    ),
    "no principal penalty": (_bad(_judgment, principal_penalty=None), "principal_penalty", "miễn hình phạt"),
    "additional penalty type": (
        _bad(_judgment, additional_penalties=[{"type": "exile"}]),
        "additional_penalties.0.type",
        "expulsion",
    ),
    "negative court fee": (_bad(_judgment, court_fee=-1), "court_fee", "số nguyên"),
    "civil obligation": (
        _bad(_judgment, civil_obligations=[{"amount": 5}]),
        "civil_obligations.0.description",
        "Bắt buộc",
    ),
    "event": (_bad(_event, event="released"), "event", "principal_completed"),
    "event date": (_bad(_event, on="2021-3-11"), "on", "YYYY-MM-DD"),
    "additional completed without index": (
        _bad(_event, event="additional_completed"),
        "penalty_index",
        "Bắt buộc",
    ),
    "penalty index outside the judgment": (
        _bad(_event, event="additional_completed", penalty_index=1),
        "penalty_index",
        "có 1 hình phạt bổ sung",
    ),
    "obligation index outside the judgment": (
        _bad(_event, event="civil_obligation_completed", obligation_index=0),
        "obligation_index",
        "không có nghĩa vụ dân sự",
    ),
    "status": (_bad(_prosecution, status="closed"), "status", "dismissed"),
    "dismissed without its date": (_bad(_prosecution, status="dismissed"), "status_on", "Bắt buộc"),
    "opened before committed": (
        _bad(_prosecution, opened_on="2021-01-01"),
        "opened_on",
        "trước ngày phạm tội",
    ),
    "ban ends before it starts": (_bad(_ban, ends_on="2020-01-01"), "ends_on", "trước ngày bắt đầu"),
    "ban without a post": (_bad(_ban, post=_DELETE), "post", "Bắt buộc"),
    "unknown person": (_bad(_ban, person_ref="CA-HCM/khong-co"), "person_ref", "Không tìm thấy người"),
    "unknown judgment": (_bad(_event, judgment_ref="TAND/khong-co"), "judgment_ref", "Không tìm thấy bản án"),
    "agency too long": (_bad(_person, source_agency="X" * 81), "source_agency", "80"),
}


@pytest.mark.parametrize("case", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_bad_line_is_reported_with_its_line_number_and_field(db, case):
    build, field, fragment = case
    person = person_document()
    judgment = judgment_document(person["source_ref"], additional_penalties=[{"type": "fine"}])
    lines, messages = rejected(person, judgment, build(person, judgment))
    assert lines == [(3, field)]
    assert fragment in messages[0]


def test_a_line_that_is_not_json_or_not_an_object_is_reported(db):
    lines, _messages = rejected(person_document(), "{not json", "[1, 2]")
    assert lines == [(2, "document"), (3, "document")]


def test_every_bad_line_is_listed_and_nothing_is_written(db):
    before = counts(db)
    person = person_document()
    lines, _messages = rejected(
        person,
        judgment_document(person["source_ref"], court=None),
        person_document(sex="x"),
        enforcement_document("TAND/khong-co"),
        ban_document(person["source_ref"]),
    )
    assert lines == [(2, "court"), (3, "sex"), (4, "judgment_ref")]
    assert counts(db) == before


def test_one_line_reports_every_bad_field(db):
    person = person_document()
    document = judgment_document(person["source_ref"], number="", pronounced_on="hôm qua")
    document["offences"][0]["severity"] = "x"
    lines, _messages = rejected(person, document)
    assert lines == [(2, "number"), (2, "pronounced_on"), (2, "offences.0.severity")]


def test_re_importing_the_same_file_changes_nothing(db):
    person, judgment, events = story()
    documents = (*events, judgment, person, prosecution_document(person["source_ref"]))
    run(*documents)
    before = counts(db)
    result = run(*documents)
    assert counts(db) == before
    assert sum(result.added.values()) == 0
    assert result.skipped[DocumentKind.ENFORCEMENT] == 3 and result.skipped[DocumentKind.PERSON] == 1


def test_the_same_line_twice_in_a_file_is_added_once(db):
    person = person_document()
    result = run(person, person)
    assert result.added[DocumentKind.PERSON] == 1 and result.skipped[DocumentKind.PERSON] == 1


def test_the_same_reference_with_other_content_is_a_conflict_and_nothing_is_written(db):
    person = person_document()
    run(person)
    before = counts(db)
    lines, messages = rejected({**person, "full_name": "LÊ THỊ HOA MAI"}, person_document())
    assert lines == [(1, "source_ref")]
    assert "nội dung khác" in messages[0]
    assert counts(db) == before


def test_a_conflict_inside_one_file_names_the_earlier_line(db):
    person = person_document()
    lines, messages = rejected(person, {**person, "residence": "Hà Nội"})
    assert lines == [(2, "source_ref")]
    assert "dòng 1" in messages[0]


def test_the_same_reference_from_another_agency_is_another_document(db):
    person = person_document()
    run(person, agency="CA-HCM")
    result = run({**person, "full_name": "TRẦN VĂN BA"}, agency="CA-HN")
    assert result.added[DocumentKind.PERSON] == 1


def test_a_prosecutions_new_status_is_its_next_version_and_keeps_the_history(db):
    person = person_document()
    prosecution = prosecution_document(person["source_ref"])
    run(person, prosecution)
    result = run({**prosecution, "status": "dismissed", "status_on": "2022-02-01"})
    assert result.added[DocumentKind.PROSECUTION] == 1
    row = db.session.scalar(sa.select(Prosecution).where(Prosecution.source_ref == prosecution["source_ref"]))
    assert (row.status, row.status_on.isoformat()) == ("dismissed", "2022-02-01")
    history = [(change.status, change.status_on and change.status_on.isoformat()) for change in row.history]
    assert history == [("pending", None), ("dismissed", "2022-02-01")]
    versions = db.session.scalars(
        sa.select(SourceDocument.version)
        .where(SourceDocument.source_ref == prosecution["source_ref"])
        .order_by(SourceDocument.version)
    ).all()
    assert versions == [1, 2]
    assert db.session.get(SourceDocument, row.source_document_id).version == 2


def test_a_status_update_may_follow_its_first_version_in_the_same_file(db):
    person = person_document()
    prosecution = prosecution_document(person["source_ref"])
    run(person, prosecution, {**prosecution, "status": "acquitted", "status_on": "2022-03-01"})
    row = db.session.scalar(sa.select(Prosecution).where(Prosecution.source_ref == prosecution["source_ref"]))
    assert [change.status for change in row.history] == ["pending", "acquitted"]


@pytest.mark.parametrize(
    "change",
    [
        {"opened_on": "2021-05-01", "status": "dismissed", "status_on": "2022-02-01"},
        {"status_on": "2022-02-01"},
    ],
    ids=["another fact changed too", "the same status"],
)
def test_any_other_change_to_a_prosecution_is_a_conflict(db, change):
    person = person_document()
    prosecution = prosecution_document(person["source_ref"])
    run(person, prosecution)
    lines, _messages = rejected({**prosecution, **change})
    assert lines == [(1, "source_ref")]


def test_an_older_version_sent_again_changes_nothing(db):
    person = person_document()
    prosecution = prosecution_document(person["source_ref"])
    run(person, prosecution, {**prosecution, "status": "dismissed", "status_on": "2022-02-01"})
    result = run(prosecution)
    assert result.skipped[DocumentKind.PROSECUTION] == 1
    row = db.session.scalar(sa.select(Prosecution).where(Prosecution.source_ref == prosecution["source_ref"]))
    assert row.status == "dismissed"


def test_events_may_come_before_their_judgment_and_judgments_before_their_person(db):
    person, judgment, events = story()
    run(*events, judgment, ban_document(person["source_ref"]), person)
    row = db.session.scalar(sa.select(Judgment).where(Judgment.source_ref == judgment["source_ref"]))
    assert len(row.events) == 3


def test_a_reference_resolves_to_what_the_database_already_holds(db):
    person = create_person()
    judgment = create_judgment(person)
    # A court and an enforcement office send their documents under their own names.
    run(judgment_document(person.source_ref), agency="TAND-Q1")
    run(enforcement_document(judgment.source_ref, "court_fee_paid", "2020-01-02"), agency="THADS-HCM")
    assert [event.event for event in judgment.events] == ["court_fee_paid"]
    assert db.session.scalar(sa.select(sa.func.count()).where(Judgment.person_id == person.id)) == 2


def test_a_reference_prefers_the_senders_own_document(db):
    ref = "CA/2019/1"
    run(person_document(source_ref=ref, full_name="NGƯỜI CỦA CA HCM"), agency="CA-HCM")
    run(person_document(source_ref=ref, full_name="NGƯỜI CỦA CA HN"), agency="CA-HN")
    run(ban_document(ref), agency="CA-HN")
    ban = db.session.scalar(sa.select(Ban).order_by(Ban.id.desc()))
    assert db.session.get(Person, ban.person_id).full_name == "NGƯỜI CỦA CA HN"


def test_a_reference_two_other_agencies_hold_is_an_error(db):
    ref = "CA/2019/2"
    run(person_document(source_ref=ref), agency="CA-HCM")
    run(person_document(source_ref=ref), agency="CA-HN")
    lines, messages = rejected(ban_document(ref), agency="TAND-Q1")
    assert lines == [(1, "person_ref")]
    assert "CA-HCM, CA-HN" in messages[0]


def test_a_source_agency_on_the_line_is_its_agency(db):
    person = {**person_document(), "source_agency": "CA-DN"}
    run(person, agency="import")
    row = db.session.scalar(sa.select(Person).where(Person.source_ref == person["source_ref"]))
    assert row.source_agency == "CA-DN"
    assert "source_agency" not in db.session.get(SourceDocument, row.source_document_id).content


def test_text_is_nfc_normalised_so_a_decomposed_resend_is_the_same_document(db):
    decomposed = unicodedata.normalize("NFD", "LÊ THỊ HOA")
    person = person_document(full_name=decomposed)
    run(person)
    row = db.session.scalar(sa.select(Person).where(Person.source_ref == person["source_ref"]))
    assert row.full_name == "LÊ THỊ HOA" and row.names[0].full_name == "LÊ THỊ HOA"
    assert run({**person, "full_name": "LÊ THỊ HOA"}).skipped[DocumentKind.PERSON] == 1


def test_a_year_only_birth_date_is_kept_as_the_first_day_of_that_year(db):
    person = person_document(date_of_birth="1960-07-01", date_of_birth_precision="year")
    run(person)
    row = db.session.scalar(sa.select(Person).where(Person.source_ref == person["source_ref"]))
    assert (row.date_of_birth.isoformat(), row.birth_year) == ("1960-01-01", 1960)


def test_every_applied_document_and_the_file_are_audited(db):
    person, judgment, events = story()
    run(person, judgment, *events)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_label == SYSTEM.label)
    ).all()
    assert actions.count("records.enforcement_applied") == 3
    assert {"records.person_applied", "records.judgment_applied", "records.file_imported"} <= set(actions)


def test_a_file_applies_the_api_documents_waiting_for_its_person(db):
    client = account_services.create_api_client("tand-hcm", kind="record_source", actor=SYSTEM).client
    person, judgment, events = story()
    for document in (judgment, events[0]):
        assert submit_document(document, api_client=client, actor=SYSTEM).outcome == "pending"
    result = run(person)
    assert dict(result.released) == {DocumentKind.JUDGMENT: 1, DocumentKind.ENFORCEMENT: 1}
    statuses = db.session.scalars(
        sa.select(SourceDocument.status).where(SourceDocument.source_agency == "tand-hcm")
    ).all()
    assert statuses == [DocumentStatus.APPLIED] * 2


# --- the command ------------------------------------------------------------------------------------


@pytest.fixture
def jsonl(tmp_path):
    def write(*documents):
        path = tmp_path / "records.jsonl"
        path.write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8"
        )
        return str(path)

    return write


def test_flask_records_import_prints_what_it_added_and_skipped_by_kind(app, db, jsonl):
    person, judgment, events = story()
    path = jsonl(person, judgment, *events)
    first = app.test_cli_runner().invoke(args=["records", "import", path])
    again = app.test_cli_runner().invoke(args=["records", "import", path])
    assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
    assert "người: thêm 1, bỏ qua 0" in first.output and "thi hành án: thêm 3, bỏ qua 0" in first.output
    assert "người: thêm 0, bỏ qua 1" in again.output and "thi hành án: thêm 0, bỏ qua 3" in again.output


def test_flask_records_import_takes_the_agency_from_source(app, db, jsonl):
    person = person_document()
    result = app.test_cli_runner().invoke(args=["records", "import", jsonl(person), "--source", "CA-HCM"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(
        sa.select(Person.source_agency).where(Person.source_ref == person["source_ref"])
    ) == ("CA-HCM")


def test_flask_records_import_defaults_the_agency_to_import(app, db, jsonl):
    person = person_document()
    app.test_cli_runner().invoke(args=["records", "import", jsonl(person)])
    assert db.session.scalar(
        sa.select(Person.source_agency).where(Person.source_ref == person["source_ref"])
    ) == ("import")


def test_flask_records_import_lists_every_bad_line_and_exits_1(app, db, jsonl):
    before = counts(db)
    person = person_document()
    path = jsonl(person, judgment_document(person["source_ref"], court=""), ban_document("CA/khong-co"))
    result = app.test_cli_runner().invoke(args=["records", "import", path])
    assert result.exit_code == 1
    assert "line 2: court: Bắt buộc, không được để trống." in result.output
    assert "line 3: person_ref: Không tìm thấy người có mã CA/khong-co" in result.output
    assert "không tài liệu nào được ghi" in result.output
    assert counts(db) == before
