"""Applying one checked source document: the rows it makes, the record number, the source kept."""

from datetime import date

from lltp.records.models import DocumentStatus, SourceDocument
from lltp.records.queries import cluster_ids, surviving
from lltp.records.services.documents import content_hash
from tests.records.factories import (
    create_ban,
    create_event,
    create_judgment,
    create_person,
    create_prosecution,
)


def test_a_person_document_gives_a_person_with_names_id_numbers_and_the_identity_as_received(db):
    person = create_person(full_name="LÊ THỊ HOA", other_names=["LÊ HOA"], date_of_birth_precision="year")
    assert person.name_folded == "le thi hoa"
    assert [(n.full_name, n.kind.value) for n in person.names] == [
        ("LÊ THỊ HOA", "primary"),
        ("LÊ HOA", "alias"),
    ]
    assert person.id_numbers[0].type == "cccd"
    assert person.birth_year == 1985 and person.date_of_birth_precision.value == "year"
    assert person.identities[0].data["full_name"] == "LÊ THỊ HOA"


def test_text_is_stored_nfc_whatever_the_source_sent(db):
    person = create_person(full_name="LE\u0302 THI\u0323 HOA")
    assert person.full_name == "LÊ THỊ HOA"
    assert db.session.get(SourceDocument, person.source_document_id).content["full_name"] == "LÊ THỊ HOA"


def test_the_first_judgment_opens_a_record_numbered_by_authority_year_and_serial(db, app):
    first = create_judgment(create_person())
    second = create_judgment(create_person())
    code = app.config["LLTP_AUTHORITY_CODE"]
    year = first.judicial_record.year
    assert first.judicial_record.number.startswith(f"{code}{year}/")
    assert second.judicial_record.serial == first.judicial_record.serial + 1
    assert len(second.judicial_record.number.split("/")[1]) == 5


def test_a_second_judgment_of_the_same_person_joins_the_same_record(db):
    person = create_person()
    assert create_judgment(person).judicial_record_id == create_judgment(person).judicial_record_id


def test_judgment_children_keep_their_contract_order(db):
    judgment = create_judgment(
        create_person(),
        additional_penalties=[{"type": "ban_office", "months": 36, "description": "Cấm"}, {"type": "fine"}],
        civil_obligations=[{"description": "Bồi thường", "amount": 10_000_000}],
    )
    assert [p.type for p in judgment.additional_penalties] == ["ban_office", "fine"]
    assert judgment.civil_obligations[0].amount == 10_000_000
    assert judgment.offences[0].committed_on == date(2018, 11, 2)


def test_events_prosecutions_and_bans_attach_to_their_parents(db):
    person = create_person()
    judgment = create_judgment(person)
    event = create_event(judgment, "court_fee_paid", "2020-01-02")
    assert event.judgment_id == judgment.id and event.on == date(2020, 1, 2)
    prosecution = create_prosecution(person)
    assert prosecution.person_id == person.id and [h.status for h in prosecution.history] == ["pending"]
    assert create_ban(person).ends_on == date(2025, 6, 1)


def test_the_stored_document_is_applied_and_hashed_canonically(db):
    person = create_person()
    document = db.session.get(SourceDocument, person.source_document_id)
    assert document.status is DocumentStatus.APPLIED and document.applied_at is not None
    assert document.content_hash == content_hash(dict(reversed(list(document.content.items()))))


def test_a_merged_person_lives_on_as_the_one_it_was_merged_into(db):
    kept, merged, merged_later = create_person(), create_person(), create_person()
    merged.merged_into_id = kept.id
    merged_later.merged_into_id = merged.id
    db.session.flush()
    assert surviving(merged_later) is kept
    assert cluster_ids(kept) == {kept.id, merged.id, merged_later.id}
