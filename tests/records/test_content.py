"""Composing what a Phiếu số 1 or 2 says about a person of the record database on a date."""

from datetime import date

import pytest

from lltp.records.content import compose
from tests.records.factories import (
    create_ban,
    create_event,
    create_judgment,
    create_person,
    create_prosecution,
    update_prosecution,
)

D = date
AS_OF = D(2023, 3, 1)


def served(judgment, on="2019-06-01"):
    """The principal penalty and the court fee both done on `on`."""
    create_event(judgment, "principal_completed", on)
    create_event(judgment, "court_fee_paid", on)
    return judgment


def expunged_judgment(person, **overrides):
    """A six-month prison sentence of 2012, served and paid: expunged on 02/03/2015."""
    fields = {
        "pronounced_on": "2012-03-01",
        "effective_on": "2012-04-01",
        "principal_penalty__months": 6,
        "offences": [
            {
                "name": "Cố ý gây thương tích",
                "article": "134",
                "clause": "1",
                "chapter": "XIV",
                "severity": "less_serious",
                "intent": "intentional",
                "committed_on": "2011-10-01",
            }
        ],
    }
    return served(create_judgment(person, **fields | overrides), on="2013-03-01")


def negligent_offence():
    return {
        "name": "Vô ý làm chết người",
        "article": "128",
        "clause": "1",
        "chapter": "XIV",
        "severity": "serious",
        "intent": "negligent",
        "committed_on": "2018-11-02",
    }


# The identity block.


def test_phieu_1_prints_the_identity_without_the_parents(db):
    person = create_person(
        other_names=["LÊ HOA"],
        id_numbers=[{"type": "cmnd", "number": "024123456"}, {"type": "cccd", "number": "079185009999"}],
    )
    block = compose(person, 1, as_of=AS_OF).person
    assert block == {
        "full_name": "LÊ THỊ HOA",
        "other_names": ("LÊ HOA",),
        "sex": "Nữ",
        "date_of_birth": D(1985, 2, 3),
        "date_of_birth_precision": "day",
        "date_of_birth_text": "03/02/1985",
        "place_of_birth": "Phường 3, Quận 5, TP Hồ Chí Minh",
        "nationality": "Việt Nam",
        "residence": "Số 5 Nguyễn Trãi, phường Chợ Quán, TP Hồ Chí Minh",
        "id_number": "079185009999",
    }


def test_phieu_2_adds_the_names_of_father_and_mother(db):
    block = compose(create_person(), 2, as_of=AS_OF).person
    assert (block["father_name"], block["mother_name"]) == ("LÊ VĂN TÁM", "PHẠM THỊ BẢY")


def test_a_birth_date_known_only_by_year_prints_only_the_year(db):
    person = create_person(date_of_birth="1985-01-01", date_of_birth_precision="year")
    content = compose(person, 1, as_of=AS_OF)
    assert content.person["date_of_birth_text"] == "1985"
    assert content.to_preview()["person"]["date_of_birth"] == "1985"


# The convictions shown.


def test_phieu_1_shows_only_the_convictions_in_force_oldest_first(db):
    person = create_person()
    newer = create_judgment(person, pronounced_on="2020-05-01", effective_on="2020-06-01")
    older = create_judgment(person)
    expunged_judgment(person)
    content = compose(person, 1, as_of=AS_OF)
    assert content.conviction_status == "has_convictions"
    assert [c.judgment_id for c in content.convictions] == [older.id, newer.id]
    assert len(content.all_decisions) == 3


def test_phieu_2_shows_every_conviction_with_the_date_an_expunged_one_was_expunged_from(db):
    person = create_person()
    old = expunged_judgment(person)
    current = create_judgment(person)
    content = compose(person, 2, as_of=AS_OF)
    assert [(c.judgment_id, c.expunged, c.expunged_on) for c in content.convictions] == [
        (old.id, True, D(2015, 3, 2)),
        (current.id, False, None),
    ]


def test_only_expunged_convictions_leave_no_conviction_on_either_type(db):
    person = create_person()
    expunged_judgment(person)
    assert compose(person, 1, as_of=AS_OF).conviction_status == "none"
    assert compose(person, 1, as_of=AS_OF).convictions == ()
    assert compose(person, 2, as_of=AS_OF).conviction_status == "none"


def test_a_conviction_that_was_never_a_record_appears_on_phieu_2_with_the_note_and_the_article(db):
    person = create_person()
    create_judgment(person, offences=[negligent_offence()])
    (conviction,) = compose(person, 2, as_of=AS_OF).convictions
    assert (conviction.never_a_record, conviction.expunged, conviction.in_force) == (True, False, False)
    assert conviction.note == "Không bị coi là có án tích (Điều 69 khoản 2 BLHS 2015)"
    assert compose(person, 1, as_of=AS_OF).convictions == ()


def test_a_conviction_shows_its_offences_and_penalties_as_papers_write_them(db):
    person = create_person()
    create_judgment(
        person,
        number="123/2019/HS-ST",
        additional_penalties=[
            {"type": "ban_office", "months": 36, "description": "Cấm đảm nhiệm chức vụ kế toán"},
            {"type": "confiscation"},
        ],
    )
    (conviction,) = compose(person, 1, as_of=AS_OF).convictions
    assert conviction.judgment_number == "123/2019/HS-ST"
    assert conviction.judgment_date == D(2019, 3, 12)
    assert conviction.offences == ("Trộm cắp tài sản (Điều 173 khoản 1 BLHS 2015)",)
    assert conviction.principal_penalty == "02 năm tù"
    assert conviction.additional_penalties == ("Cấm đảm nhiệm chức vụ kế toán (03 năm)", "Tịch thu tài sản")


@pytest.mark.parametrize(
    ("penalty", "text"),
    [
        ({"type": "prison", "months": 30}, "02 năm 06 tháng tù"),
        (
            {"type": "prison", "months": 6, "suspended": True, "probation_months": 12},
            "06 tháng tù cho hưởng án treo, thời gian thử thách 01 năm",
        ),
        ({"type": "fine", "months": None, "fine_amount": 20_000_000}, "Phạt tiền 20.000.000 đồng"),
        ({"type": "warning", "months": None}, "Cảnh cáo"),
        ({"type": "non_custodial_reform", "months": 18}, "01 năm 06 tháng cải tạo không giam giữ"),
        ({"type": "life", "months": None}, "Tù chung thân"),
        ({"type": "death", "months": None}, "Tử hình"),
    ],
)
def test_the_principal_penalty_is_written_as_pronounced(db, penalty, text):
    person = create_person()
    create_judgment(person, principal_penalty={"suspended": False, "probation_months": None, **penalty})
    assert compose(person, 2, as_of=AS_OF).convictions[0].principal_penalty == text


def test_phieu_2_adds_court_fee_civil_obligations_and_enforcement_which_phieu_1_leaves_out(db):
    person = create_person()
    judgment = create_judgment(
        person, civil_obligations=[{"description": "Bồi thường cho bị hại", "amount": 10_000_000}]
    )
    create_event(judgment, "principal_completed", "2021-03-11", note="Giấy chứng nhận số 45")
    full = compose(person, 2, as_of=AS_OF).convictions[0]
    assert full.court_fee == "200.000 đồng"
    assert full.civil_obligations == ("Bồi thường cho bị hại: 10.000.000 đồng",)
    assert full.enforcement == ("11/03/2021: Chấp hành xong hình phạt chính (Giấy chứng nhận số 45)",)
    short = compose(person, 1, as_of=AS_OF).convictions[0]
    assert (short.court_fee, short.civil_obligations, short.enforcement) == (None, (), ())


def test_a_person_without_judgments_has_no_conviction(db):
    content = compose(create_person(), 2, as_of=AS_OF)
    assert (content.conviction_status, content.convictions, content.needs_verification) == ("none", (), ())


# The record as it stood on the date.


def test_a_judgment_counts_only_from_the_day_it_takes_effect(db):
    person = create_person()
    create_judgment(person, effective_on="2019-04-12")
    assert compose(person, 2, as_of=D(2019, 4, 11)).convictions == ()
    assert len(compose(person, 2, as_of=D(2019, 4, 12)).convictions) == 1


def test_an_enforcement_event_counts_only_from_its_day(db):
    person = create_person()
    create_event(create_judgment(person), "general_amnesty", "2022-01-01")
    assert compose(person, 1, as_of=D(2021, 12, 31)).conviction_status == "has_convictions"
    assert compose(person, 1, as_of=D(2022, 1, 1)).conviction_status == "none"


def test_a_prosecution_counts_from_its_opening_and_its_dismissal_from_the_day_it_took_effect(db):
    person = create_person()
    served(create_judgment(person))  # expunged from 02/06/2021 unless a new offence comes first
    prosecution = create_prosecution(person, committed_on="2020-05-01", opened_on="2022-02-01")
    update_prosecution(prosecution, "dismissed", "2022-06-01")

    def status(day):
        return compose(person, 1, as_of=day).conviction_status

    assert status(D(2022, 1, 31)) == "none"
    assert status(D(2022, 2, 1)) == "has_convictions"
    assert status(D(2022, 5, 31)) == "has_convictions"
    assert status(D(2022, 6, 1)) == "none"


def test_a_ban_counts_from_its_decision_and_while_it_runs(db):
    person = create_person()
    create_ban(person, decided_on="2022-07-01", starts_on="2022-06-01", ends_on="2025-06-01")

    def bans(day):
        return len(compose(person, 2, as_of=day).bans)

    assert (bans(D(2022, 6, 30)), bans(D(2022, 7, 1)), bans(D(2025, 6, 1)), bans(D(2025, 6, 2))) == (
        0,
        1,
        1,
        0,
    )


# The ban section.


def test_phieu_1_prints_the_bans_only_when_asked(db):
    person = create_person()
    create_ban(person)
    without = compose(person, 1, as_of=AS_OF)
    assert (without.ban_section, without.bans) == (False, ())
    with_bans = compose(person, 1, as_of=AS_OF, with_bans=True)
    assert with_bans.ban_section
    assert [(b.decision_number, b.post) for b in with_bans.bans] == [
        ("12/2022/QĐ-PS", "Giám đốc doanh nghiệp")
    ]


def test_phieu_2_always_prints_the_bans(db):
    person = create_person()
    create_ban(person)
    content = compose(person, 2, as_of=AS_OF)
    assert content.ban_section and len(content.bans) == 1


# Officer overrides.


def test_an_override_to_no_conviction_removes_it_from_phieu_1_and_says_why(db):
    person = create_person()
    judgment = create_judgment(person)
    overrides = {judgment.id: (False, "Xác minh: bản án đã được hủy")}
    short = compose(person, 1, as_of=AS_OF, overrides=overrides)
    assert (short.conviction_status, short.convictions) == ("none", ())
    (full,) = compose(person, 2, as_of=AS_OF, overrides=overrides).convictions
    assert (full.overridden, full.in_force, full.expunged) == (True, False, True)
    assert full.explanation[-1] == (
        "Cán bộ điều chỉnh kết luận: coi là không có án tích. Lý do: Xác minh: bản án đã được hủy"
    )


def test_an_override_to_in_force_puts_an_expunged_conviction_back_on_phieu_1(db):
    person = create_person()
    judgment = expunged_judgment(person)
    content = compose(person, 1, as_of=AS_OF, overrides={judgment.id: (True, "Phạm tội mới chưa cập nhật")})
    assert content.conviction_status == "has_convictions"
    assert [(c.judgment_id, c.expunged_on) for c in content.convictions] == [(judgment.id, None)]


# Why the answer needs verification.


def test_a_missing_completion_that_decides_the_answer_needs_verification(db):
    person = create_person()
    create_judgment(person, number="77/2019/HS-ST", principal_penalty__months=6)
    (reason,) = compose(person, 1, as_of=AS_OF).needs_verification
    assert reason.startswith(
        "Bản án số 77/2019/HS-ST ngày 12/03/2019: "
        "chưa có thông tin về chấp hành xong hình phạt chính; nộp án phí 200.000 đồng."
    )


def test_a_sentence_that_cannot_have_ended_yet_needs_no_verification(db):
    person = create_person()
    create_judgment(person, principal_penalty__months=120)
    assert compose(person, 1, as_of=AS_OF).needs_verification == ()


def test_an_unpaid_court_fee_that_blocks_expungement_needs_verification(db):
    person = create_person()
    create_event(create_judgment(person), "principal_completed", "2019-06-01")
    (reason,) = compose(person, 1, as_of=AS_OF).needs_verification
    assert "nộp án phí 200.000 đồng" in reason


def test_an_open_prosecution_that_blocks_expungement_needs_its_outcome(db):
    person = create_person()
    served(create_judgment(person))
    create_prosecution(person, committed_on="2020-05-01", opened_on="2020-06-01")
    (reason,) = compose(person, 1, as_of=AS_OF).needs_verification
    assert "kết quả vụ án khởi tố ngày 01/06/2020" in reason


def test_a_judgment_from_before_july_2010_needs_verification_with_the_police(db):
    person = create_person()
    create_event(
        create_judgment(person, pronounced_on="2009-05-04", effective_on="2009-06-04"),
        "general_amnesty",
        "2010-01-01",
    )
    (reason,) = compose(person, 2, as_of=AS_OF).needs_verification
    assert "có từ trước ngày 01/07/2010" in reason


def test_an_automatic_expungement_needs_the_commune_and_police_to_confirm_its_conditions(db):
    person = create_person()
    expunged_judgment(person)
    (reason,) = compose(person, 1, as_of=AS_OF).needs_verification
    assert "đương nhiên được xóa án tích từ ngày 02/03/2015" in reason
    assert "UBND cấp xã" in reason


def test_an_overridden_conviction_needs_no_verification_of_its_enforcement(db):
    person = create_person()
    judgment = create_judgment(person, principal_penalty__months=6)
    content = compose(person, 1, as_of=AS_OF, overrides={judgment.id: (True, "Đã xác minh")})
    assert content.needs_verification == ()


# A merged person.


def test_a_merged_cluster_counts_the_judgments_and_names_of_everyone_merged_in(db):
    kept = create_person()
    merged = create_person(full_name="LÊ THI HOA")
    create_judgment(kept)
    create_judgment(merged, pronounced_on="2020-01-10", effective_on="2020-02-10")
    merged.merged_into_id = kept.id
    db.session.flush()
    content = compose(kept, 2, as_of=AS_OF)
    assert len(content.all_decisions) == 2
    assert "LÊ THI HOA" in content.person["other_names"]
    assert len(compose(merged, 2, as_of=AS_OF).all_decisions) == 2
