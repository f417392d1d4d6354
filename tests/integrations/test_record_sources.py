"""POST /api/v1/record-sources: one records-contract document a call, from a record_source client, whose
name is the sending agency. Added 201, the same again 200, a conflict 409, bad fields 422, and a document
whose parent is unknown kept pending (202) until the parent arrives, by the API or by a file."""

import json
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from syrupy.extensions.json import JSONSnapshotExtension

from lltp.records.models import (
    DocumentStatus,
    EnforcementEvent,
    Judgment,
    Person,
    Prosecution,
    SourceDocument,
)
from lltp.records.queries import pending_documents
from lltp.records.services.imports import import_file
from tests.factories import SYSTEM
from tests.integrations.test_auth_and_errors import assert_problem
from tests.integrations.test_openapi import check
from tests.records.factories import (
    enforcement_document,
    judgment_document,
    person_document,
    prosecution_document,
)

# The contract's own examples (contracts/records-import.md), verbatim.
CONTRACT_EXAMPLES = json.loads(
    (Path(__file__).parents[1] / "records" / "contract_documents.json").read_text()
)
PERSON, JUDGMENT, EVENT, PROSECUTION, BAN = CONTRACT_EXAMPLES


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


class Source:
    """A record_source client's calls."""

    def __init__(self, api):
        self.api = api
        self.name = api.client.name

    def post(self, document):
        return self.api.http.post("/api/v1/record-sources", json=document, headers=self.api.headers())


@pytest.fixture
def source(make_api):
    return Source(make_api("record_source", name="tand-q1"))


def test_a_call_without_a_token_is_a_401(client):
    assert_problem(client.post("/api/v1/record-sources", json=PERSON), 401)


@pytest.mark.parametrize("kind", ["vneid", "national_portal", "provincial_portal", "postal_operator"])
def test_a_client_of_another_kind_gets_403(make_api, db, kind):
    api = make_api(kind)
    problem = assert_problem(api.http.post("/api/v1/record-sources", json=PERSON, headers=api.headers()), 403)
    assert "không gửi tài liệu lý lịch tư pháp" in problem["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == 0


def test_a_record_source_may_not_submit_certificate_requests(source, contract_request):
    assert_problem(source.api.submit(contract_request), 403)


def test_a_new_document_is_applied_201_under_the_clients_name(source, db):
    response = source.post(PERSON)
    assert response.status_code == 201
    person = db.session.scalar(sa.select(Person).where(Person.source_ref == PERSON["source_ref"]))
    assert (person.source_agency, person.full_name) == ("tand-q1", "LÊ THỊ HOA")
    document = db.session.get(SourceDocument, person.source_document_id)
    assert (document.channel.value, document.api_client_id) == ("api", source.api.client.id)


def test_the_answers_are_pinned(source, snapshot_json):
    answers = {"201": source.post(PERSON).get_json(), "200": source.post(PERSON).get_json()}
    answers["202"] = source.post(EVENT).get_json()
    assert answers == snapshot_json


def test_the_same_document_again_is_200_and_changes_nothing(source, db):
    source.post(PERSON)
    response = source.post(dict(reversed(list(PERSON.items()))))
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == 1


def test_other_content_under_the_same_reference_is_a_409_naming_the_field(source, db, snapshot_json):
    source.post(PERSON)
    response = source.post({**PERSON, "residence": "Hà Nội"})
    problem = assert_problem(response, 409)
    assert problem["errors"][0]["field"] == "source_ref"
    assert problem == snapshot_json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == 1


def test_bad_fields_are_one_422_naming_each_by_its_path(source, db, snapshot_json):
    source.post(PERSON)
    document = json.loads(json.dumps(JUDGMENT))
    document["offences"][0]["severity"] = "minor"
    document["court"] = ""
    document["principal_penalty"]["months"] = "24"
    problem = assert_problem(source.post(document), 422)
    assert [error["field"] for error in problem["errors"]] == [
        "court",
        "offences.0.severity",
        "principal_penalty.months",
    ]
    assert problem == snapshot_json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Judgment)) == 0


def test_an_index_outside_its_judgment_is_a_422(source):
    source.post(PERSON)
    source.post(JUDGMENT)
    problem = assert_problem(
        source.post({**EVENT, "event": "civil_obligation_completed", "obligation_index": 1}), 422
    )
    assert problem["errors"][0]["field"] == "obligation_index"


def test_a_source_agency_other_than_the_client_is_a_422(source):
    problem = assert_problem(source.post({**PERSON, "source_agency": "ca-hcm"}), 422)
    assert problem["errors"][0]["field"] == "source_agency"


def test_a_body_that_is_not_a_json_object_is_a_422(source):
    problem = assert_problem(source.post([PERSON]), 422)
    assert problem["errors"][0]["field"] == "document"


def test_documents_before_their_parent_wait_and_are_applied_when_it_arrives(source, db):
    assert source.post(EVENT).status_code == 202
    answer = source.post(JUDGMENT).get_json()
    assert (answer["status"], answer["waiting_for_ref"]) == ("pending", PERSON["source_ref"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Judgment)) == 0

    answer = source.post(PERSON).get_json()
    assert answer["released"] == 2
    judgment = db.session.scalar(sa.select(Judgment).where(Judgment.source_ref == JUDGMENT["source_ref"]))
    assert [event.source_ref for event in judgment.events] == [EVENT["source_ref"]]
    assert pending_documents(limit=10) == ([], 0)


def test_a_pending_event_that_does_not_fit_its_judgment_keeps_waiting(source):
    source.post({**EVENT, "event": "additional_completed", "penalty_index": 3})
    source.post(PERSON)
    assert source.post(JUDGMENT).get_json()["released"] == 0
    documents, total = pending_documents(limit=10)
    assert (total, documents[0].source_ref) == (1, EVENT["source_ref"])


def test_a_pending_document_sent_again_is_still_202(source, db):
    source.post(EVENT)
    response = source.post(EVENT)
    assert (response.status_code, response.get_json()["status"]) == (202, "pending")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == 1


def test_pending_documents_are_listed_oldest_first(source):
    source.post(JUDGMENT)
    source.post(EVENT)
    documents, total = pending_documents(limit=10)
    assert total == 2
    assert [(d.source_ref, d.waiting_for_ref) for d in documents] == [
        (JUDGMENT["source_ref"], PERSON["source_ref"]),
        (EVENT["source_ref"], JUDGMENT["source_ref"]),
    ]


def test_a_file_import_brings_the_parent_of_pending_documents(source, db):
    source.post(BAN)
    import_file([json.dumps(PERSON, ensure_ascii=False)], agency="ca-hcm", actor=SYSTEM)
    document = db.session.scalar(
        sa.select(SourceDocument).where(SourceDocument.source_ref == BAN["source_ref"])
    )
    assert document.status is DocumentStatus.APPLIED


def test_another_agencys_parent_is_found_when_only_it_has_the_reference(make_api, db):
    police, court, enforcement = (
        Source(make_api("record_source", name=n)) for n in ("ca-hcm", "tand", "thads")
    )
    police.post(PERSON)
    court.post(JUDGMENT)
    assert enforcement.post(EVENT).status_code == 201
    event = db.session.scalar(
        sa.select(EnforcementEvent).where(EnforcementEvent.source_ref == EVENT["source_ref"])
    )
    assert (event.source_agency, event.judgment.source_agency) == ("thads", "tand")


def test_a_prosecutions_new_status_is_201_as_its_next_version(source, db):
    source.post(PERSON)
    source.post(PROSECUTION)
    answer = source.post({**PROSECUTION, "status": "dismissed", "status_on": "2022-01-05"}).get_json()
    assert (answer["version"], answer["status"]) == (2, "applied")
    prosecution = db.session.scalar(sa.select(Prosecution))
    assert [change.status for change in prosecution.history] == ["pending", "dismissed"]


def test_text_arrives_nfc(source, db):
    source.post({**PERSON, "full_name": unicodedata.normalize("NFD", PERSON["full_name"])})
    assert db.session.scalar(sa.select(Person.full_name)) == "LÊ THỊ HOA"


def test_every_applied_document_is_audited_as_the_client(source, db):
    from lltp.core.audit import AuditEvent

    source.post(PERSON)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "records.person_applied"))
    assert event.actor_label == "api:tand-q1"


def test_the_contract_examples_match_the_document_schemas(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for example in CONTRACT_EXAMPLES:
        check(document, "RecordSourceDocument", example)


def test_the_real_answers_match_their_schemas(client, source):
    document = client.get("/api/v1/openapi.json").get_json()
    check(document, "RecordSourceAnswer", source.post(PERSON).get_json())
    check(document, "RecordSourceAnswer", source.post(EVENT).get_json())
    check(document, "Problem", source.post({**PERSON, "sex": "x"}).get_json())
    assert set(document["paths"]["/record-sources"]["post"]["responses"]) >= {
        "200",
        "201",
        "202",
        "409",
        "422",
    }


def test_factory_documents_are_accepted(source):
    person = person_document()
    judgment = judgment_document(person["source_ref"])
    for document in (
        person,
        judgment,
        enforcement_document(judgment["source_ref"]),
        prosecution_document(person["source_ref"]),
    ):
        assert source.post(document).status_code == 201
