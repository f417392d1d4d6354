"""`flask records preview`, through the CLI, exactly as the records contract says."""

import json

import pytest
import sqlalchemy as sa

from lltp.core import clock
from lltp.core.audit import AuditEvent
from tests.records.factories import create_ban, create_event, create_judgment, create_person

ID_NUMBER = "079185001234"


@pytest.fixture
def preview(app, db):
    """Run the command; returns the click result."""
    runner = app.test_cli_runner()

    def run(*args, id_number=ID_NUMBER):
        return runner.invoke(args=["records", "preview", "--id-number", id_number, *args])

    return run


def preview_json(preview, *args):
    result = preview(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def contract_person(db):
    """The contract's example person, judgment and enforcement event."""
    person = create_person(
        source_ref="CA-HCM/2019/55123",
        other_names=["LÊ HOA"],
        id_numbers=[{"type": "cccd", "number": ID_NUMBER}, {"type": "cmnd", "number": "024123456"}],
    )
    judgment = create_judgment(
        person,
        source_ref="TAND-Q1/2019/123-HS-ST",
        number="123/2019/HS-ST",
        additional_penalties=[
            {"type": "ban_office", "months": 36, "description": "Cấm đảm nhiệm chức vụ kế toán"}
        ],
        civil_obligations=[{"description": "Bồi thường cho bị hại", "amount": 10_000_000}],
    )
    create_event(
        judgment, "principal_completed", "2021-03-11", note="Giấy chứng nhận chấp hành xong án phạt tù số 45"
    )
    return person


def test_the_json_has_exactly_the_contract_shape(preview, contract_person):
    output = preview_json(preview, "--type", "1", "--as-of", "2023-03-01")
    explanation = output["convictions"][0].pop("explanation")
    assert output == {
        "as_of": "2023-03-01",
        "certificate_type": 1,
        "person": {"full_name": "LÊ THỊ HOA", "date_of_birth": "1985-02-03", "id_number": ID_NUMBER},
        "conviction_status": "has_convictions",
        "convictions": [
            {
                "judgment_number": "123/2019/HS-ST",
                "judgment_date": "2019-03-12",
                "court": "Tòa án nhân dân Quận 1, TP Hồ Chí Minh",
                "offences": ["Trộm cắp tài sản (Điều 173 khoản 1 BLHS 2015)"],
                "principal_penalty": "02 năm tù",
                "additional_penalties": ["Cấm đảm nhiệm chức vụ kế toán (03 năm)"],
                "expunged": False,
                "expunged_on": None,
                "never_a_record": False,
                "basis": "Điều 70 khoản 2 điểm b BLHS 2015",
            }
        ],
        "bans": [],
    }
    assert isinstance(explanation, str) and "11/03/2021" in explanation


def test_phieu_2_lists_an_expunged_conviction_with_its_date_and_the_bans(preview, contract_person):
    judgment = create_judgment(
        contract_person, pronounced_on="2010-09-01", effective_on="2010-10-01", court_fee=0
    )
    create_event(judgment, "principal_completed", "2012-10-01")
    create_ban(contract_person)
    output = preview_json(preview, "--type", "2", "--as-of", "2023-03-01")
    assert [(c["expunged"], c["expunged_on"]) for c in output["convictions"]] == [
        (True, "2014-10-02"),
        (False, None),
    ]
    assert output["bans"] == [
        {
            "decision_number": "12/2022/QĐ-PS",
            "decided_on": "2022-06-01",
            "court": "Tòa án nhân dân TP Hồ Chí Minh",
            "post": "Giám đốc doanh nghiệp",
            "starts_on": "2022-06-01",
            "ends_on": "2025-06-01",
        }
    ]


def test_phieu_1_lists_the_bans_only_with_the_option(preview, contract_person):
    create_ban(contract_person)
    assert preview_json(preview, "--type", "1", "--as-of", "2023-03-01")["bans"] == []
    assert len(preview_json(preview, "--type", "1", "--as-of", "2023-03-01", "--with-bans")["bans"]) == 1


def test_any_of_the_persons_id_numbers_finds_them(preview, contract_person):
    result = preview("--type", "1", "--as-of", "2023-03-01", "--json", id_number="024123456")
    assert json.loads(result.stdout)["person"]["id_number"] == ID_NUMBER


def test_the_preview_ignores_whatever_came_after_the_date(preview, contract_person):
    create_ban(contract_person)
    output = preview_json(preview, "--type", "2", "--as-of", "2019-04-11")
    assert (output["conviction_status"], output["convictions"], output["bans"]) == ("none", [], [])


def test_without_a_date_the_preview_is_as_of_today(preview, contract_person):
    assert preview_json(preview, "--type", "1")["as_of"] == clock.today().isoformat()


def test_nobody_with_that_number_exits_2_with_a_message(preview, db):
    result = preview("--type", "1", id_number="000000000000")
    assert result.exit_code == 2
    assert "Không tìm thấy người nào có số giấy tờ 000000000000" in result.output


def test_several_people_with_that_number_exit_3_listing_them(preview, db):
    first = create_person(full_name="LÊ THỊ HOA", id_numbers=[{"type": "cccd", "number": ID_NUMBER}])
    second = create_person(full_name="LÊ THỊ HÒA", id_numbers=[{"type": "cmnd", "number": ID_NUMBER}])
    result = preview("--type", "1")
    assert result.exit_code == 3
    assert f"#{first.id}\tLÊ THỊ HOA" in result.output
    assert f"#{second.id}\tLÊ THỊ HÒA" in result.output


def test_a_merged_person_resolves_to_the_person_it_was_merged_into(preview, db):
    kept = create_person(full_name="LÊ THỊ HOA", id_numbers=[{"type": "cccd", "number": ID_NUMBER}])
    merged = create_person(full_name="LÊ THI HOA", id_numbers=[{"type": "cmnd", "number": ID_NUMBER}])
    create_judgment(merged)
    merged.merged_into_id = kept.id
    db.session.flush()
    output = preview_json(preview, "--type", "1", "--as-of", "2023-03-01")
    assert output["person"]["full_name"] == "LÊ THỊ HOA"
    assert len(output["convictions"]) == 1


def test_without_json_it_prints_the_certificate_as_text(preview, contract_person):
    result = preview("--type", "2", "--as-of", "2023-03-01")
    assert result.exit_code == 0
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2" in result.output
    assert "Tình trạng án tích: Có án tích" in result.output
    assert "Họ và tên mẹ: PHẠM THỊ BẢY" in result.output
    assert "1. Bản án số 123/2019/HS-ST ngày 12/03/2019" in result.output


def test_reading_a_persons_record_from_the_shell_is_audited(preview, contract_person, db):
    preview("--type", "2", "--as-of", "2023-03-01")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "records.previewed"))
    assert (event.actor_label, event.object_id) == ("cli", str(contract_person.id))
    assert event.details["certificate_type"] == 2
