"""Candidate matching: each kind of evidence and its reason, ranking among look-alikes, merged people, and
the likely duplicates."""

from datetime import date

import sqlalchemy as sa

from lltp.records.matching import Identity, candidates, likely_duplicates
from lltp.records.models import DistinctPeople, PersonMatchKey
from tests.factories import create_user
from tests.records.factories import create_person

BORN = date(1985, 2, 3)


def lan(**overrides):
    """NGUYỄN THỊ NGỌC LAN, born 03/02/1985 at Phường 3, Quận 5: the person most tests look for."""
    return create_person(
        **{
            "full_name": "NGUYỄN THỊ NGỌC LAN",
            "date_of_birth": BORN.isoformat(),
            "id_numbers": [],
            "father_name": "NGUYỄN VĂN TÁM",
            "mother_name": "PHẠM THỊ BẢY",
            **overrides,
        }
    )


def first_for(full_name, **fields):
    found = candidates(Identity(full_name=full_name, **{"date_of_birth": BORN, "sex": "female", **fields}))
    assert found, "no candidate"
    return found[0]


def test_the_same_id_number_finds_the_person_under_any_name(db):
    person = lan(
        id_numbers=[{"type": "cmnd", "number": "024123456"}, {"type": "cccd", "number": "079185001234"}]
    )
    found = first_for("TRẦN THỊ BÍCH", date_of_birth=None, id_numbers=("024123456",))
    assert found.person == person
    assert "Trùng số định danh 024123456" in found.reasons


def test_the_name_as_written_scores_above_the_same_name_without_diacritics(db):
    person = lan()
    exact, folded = first_for("Nguyễn Thị Ngọc Lan"), first_for("NGUYEN THI NGOC LAN")
    assert exact.person == folded.person == person
    assert "Họ tên trùng khớp" in exact.reasons
    assert "Họ tên trùng khi bỏ dấu" in folded.reasons
    assert exact.score > folded.score


def test_swapped_middle_names_find_the_person(db):
    person = lan()
    found = first_for("NGUYỄN NGỌC THỊ LAN")
    assert found.person == person
    assert "Đảo thứ tự tên đệm" in found.reasons


def test_a_missing_middle_name_finds_the_person(db):
    person = lan()
    found = first_for("NGUYỄN NGỌC LAN")
    assert found.person == person
    assert "Thiếu tên đệm" in found.reasons


def test_a_typo_in_the_given_name_finds_the_person(db):
    person = lan()
    found = first_for("NGUYỄN THỊ NGỌC LNA")
    assert found.person == person
    assert "Họ tên gần giống (sai 1 ký tự)" in found.reasons


def test_two_typos_in_the_family_name_find_the_person(db):
    person = lan()
    found = first_for("NGYUN THỊ NGỌC LAN", date_of_birth=None)
    assert found.person == person
    assert "Họ tên gần giống (sai 2 ký tự)" in found.reasons


def test_a_record_that_knows_only_the_year_matches_a_full_date_of_that_year(db):
    person = lan(date_of_birth="1985-01-01", date_of_birth_precision="year")
    found = first_for("NGUYỄN THỊ NGỌC LAN", date_of_birth=date(1985, 7, 19))
    assert found.person == person
    assert "Năm sinh trùng (hồ sơ chỉ ghi năm)" in found.reasons


def test_a_record_that_knows_only_the_month_matches_a_full_date_of_that_month(db):
    person = lan(date_of_birth="1985-02-01", date_of_birth_precision="month")
    found = first_for("NGUYỄN THỊ NGỌC LAN", date_of_birth=date(1985, 2, 17))
    assert found.person == person
    assert "Tháng, năm sinh trùng (hồ sơ chỉ ghi tháng, năm)" in found.reasons


def test_a_query_that_knows_only_the_year_matches_a_full_date_of_that_year(db):
    person = lan()
    found = first_for("NGUYỄN THỊ NGỌC LAN", date_of_birth=date(1985, 1, 1), date_of_birth_precision="year")
    assert found.person == person
    assert "Năm sinh trùng (chỉ biết năm sinh)" in found.reasons


def test_a_year_one_digit_off_still_finds_the_person_by_birthday(db):
    person = lan()
    found = first_for("NGUYỄN THỊ NGỌC LAN", date_of_birth=date(1986, 2, 3))
    assert found.person == person
    assert "Ngày sinh lệch một chữ số" in found.reasons


def test_the_place_of_birth_tells_look_alikes_apart(db):
    lan(place_of_birth="Xã Diễn Châu, Tỉnh Nghệ An")
    person = lan(place_of_birth="Phường 3, Quận 5, TP Hồ Chí Minh")
    found = first_for("NGUYỄN THỊ NGỌC LAN", place_of_birth="TP Hồ Chí Minh")
    assert found.person == person
    assert "Nơi sinh trùng" in found.reasons


def test_the_parents_tell_look_alikes_apart(db):
    lan(father_name="LÊ VĂN HAI", mother_name="TRẦN THỊ BA")
    person = lan()
    found = first_for("NGUYỄN THỊ NGỌC LAN", father_name="NGUYEN VAN TAM", mother_name="PHẠM THỊ BẢY")
    assert found.person == person
    assert {"Tên cha trùng", "Tên mẹ trùng"} <= set(found.reasons)


def test_a_different_sex_counts_against(db):
    woman, man = lan(sex="female"), lan(sex="male")
    found = candidates(Identity(full_name="NGUYỄN THỊ NGỌC LAN", date_of_birth=BORN, sex="male"))
    assert [candidate.person for candidate in found] == [man, woman]
    assert "Khác giới tính" in found[1].reasons


def test_another_name_of_the_person_finds_them(db):
    person = lan(other_names=["NGUYỄN THỊ BÉ"])
    found = first_for("NGUYỄN THỊ BÉ")
    assert found.person == person
    assert "Theo tên khác: NGUYỄN THỊ BÉ" in found.reasons


def test_the_right_person_comes_first_among_look_alikes(db):
    person = lan(place_of_birth="Xã Diễn Châu, Tỉnh Nghệ An")
    lan(date_of_birth="1985-03-02")
    lan(full_name="NGUYỄN THỊ NGỌC LAM")
    lan(full_name="NGUYỄN THỊ MỸ LAN", date_of_birth="1985-01-01", date_of_birth_precision="year")
    found = candidates(
        Identity(
            full_name="NGUYEN THI NGOC LAN",
            date_of_birth=BORN,
            sex="female",
            id_numbers=("001185009999",),
            place_of_birth="Nghệ An",
            father_name="NGUYỄN VĂN TÁM",
        )
    )
    assert found[0].person == person
    assert len(found) == 4
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert all(0 <= c.score <= 100 for c in found)


def test_a_merged_person_is_never_a_candidate_but_finds_the_person_it_was_merged_into(db):
    kept = lan(id_numbers=[{"type": "cccd", "number": "079185001234"}])
    merged = lan(full_name="NGUYỄN THỊ LAN", id_numbers=[{"type": "cmnd", "number": "024123456"}])
    merged.merged_into_id = kept.id
    db.session.flush()
    found = candidates(Identity(full_name="NGUYỄN THỊ LAN", date_of_birth=None, id_numbers=("024123456",)))
    assert [candidate.person for candidate in found] == [kept]
    assert "Trùng số định danh 024123456" in found[0].reasons


def test_people_are_indexed_when_the_transaction_commits(db):
    person = lan()
    db.session.commit()
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(PersonMatchKey).where(PersonMatchKey.person_id == person.id)
    )


def test_the_same_id_number_makes_a_likely_duplicate(db):
    first = lan(id_numbers=[{"type": "cmnd", "number": "024123456"}])
    second = create_person(full_name="LÊ VĂN HAI", id_numbers=[{"type": "cmnd", "number": "024123456"}])
    pairs = likely_duplicates()
    assert [(pair.first, pair.second) for pair in pairs] == [(first, second)]
    assert "Trùng số định danh 024123456" in pairs[0].reasons


def test_a_close_name_and_the_same_date_of_birth_make_a_likely_duplicate(db):
    first, second = lan(), lan(full_name="NGUYEN THI LAN")
    pairs = likely_duplicates()
    assert [(pair.first, pair.second) for pair in pairs] == [(first, second)]
    assert "Thiếu tên đệm" in pairs[0].reasons


def test_look_alikes_born_on_different_days_are_not_likely_duplicates(db):
    lan()
    lan(date_of_birth="1985-02-04")
    assert likely_duplicates() == []


def test_likely_duplicates_come_best_first(db):
    lan(full_name="NGUYỄN THỊ LAN", father_name="LÊ VĂN HAI")
    lan(full_name="NGUYỄN THỊ LAN", father_name="LÊ VĂN HAI")
    lan(id_numbers=[{"type": "cmnd", "number": "024123456"}])
    lan(id_numbers=[{"type": "cmnd", "number": "024123456"}])
    scores = [pair.score for pair in likely_duplicates()]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_people_an_officer_found_distinct_are_not_likely_duplicates(db):
    first, second = lan(), lan()
    db.session.add(
        DistinctPeople(
            first_person_id=second.id,
            second_person_id=first.id,
            reason="Hai chị em sinh đôi",
            decided_by_id=create_user().id,
        )
    )
    db.session.flush()
    assert likely_duplicates() == []


def test_a_merged_person_is_not_in_likely_duplicates(db):
    kept, merged = lan(), lan()
    other = lan()
    merged.merged_into_id = kept.id
    db.session.flush()
    assert [(pair.first, pair.second) for pair in likely_duplicates()] == [(kept, other)]
