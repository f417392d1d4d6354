"""The officers' pages on people: the search, a person's record, and the judgment and enforcement-event
forms, used as plain POSTs (no JavaScript) and through htmx. Every read of a person's data is audited."""

import re

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core.audit import Actor, AuditEvent
from lltp.extensions import db as _db
from lltp.records.models import DocumentChannel, EnforcementEvent, Judgment, SourceDocument
from lltp.records.services import people
from tests.factories import create_user
from tests.records.factories import (
    create_ban,
    create_event,
    create_judgment,
    create_person,
    create_prosecution,
    update_prosecution,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def officer(db):
    return create_user(roles=(Role.PROCESSING_OFFICER,), full_name="Cán Bộ Xử Lý")


@pytest.fixture
def web(login_as, officer):
    return login_as(officer)


def audit_rows(action):
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def error_of(body, name):
    """The error shown under the input named `name`."""
    field_id = "f-" + name.replace(".", "-").replace("_", "-")
    match = re.search(rf'id="{field_id}-error">([^<]*)<', body)
    return match.group(1) if match else None


def filled(page):
    """What a browser would post from a form page as it is filled: text inputs, selects, ticked boxes."""
    values = dict(re.findall(r'<input id="[^"]*" name="([a-z_.0-9]+)" value="([^"]*)"', page))
    for name, options in re.findall(
        r'<select id="[^"]*" name="([a-z_.0-9]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = chosen.group(1) if chosen else ""
    values.update(
        (name, "1")
        for name in re.findall(r'type="checkbox" id="[^"]*" name="([^"]+)" value="1" checked', page)
    )
    return values


# --- search -------------------------------------------------------------------------------------------


def test_a_name_typed_without_diacritics_finds_the_person_and_the_search_is_audited(web):
    person = create_person(full_name="NGUYỄN THỊ ĐÀO")
    create_person(full_name="TRẦN VĂN AN")
    response = web.get("/ly-lich/nguoi?q=thi dao")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "NGUYỄN THỊ ĐÀO" in body and "TRẦN VĂN AN" not in body
    [row] = audit_rows("records.people_searched")
    assert row.object_type == "person" and row.details["person_ids"] == [person.id]


def test_an_id_number_finds_its_owner(web):
    person = create_person(full_name="LÊ VĂN MINH", id_numbers=[{"type": "cmnd", "number": "024999111"}])
    create_person(full_name="LÊ VĂN MINH")
    body = web.get("/ly-lich/nguoi?q=024999111").get_data(as_text=True)
    assert body.count("LÊ VĂN MINH") == 1
    assert f"/ly-lich/nguoi/{person.id}" in body


def test_a_judicial_record_number_finds_its_person(web):
    judgment = create_judgment(create_person(full_name="PHAN VĂN HÙNG"))
    body = web.get(f"/ly-lich/nguoi?q={judgment.judicial_record.number}").get_data(as_text=True)
    assert "PHAN VĂN HÙNG" in body


def test_the_birth_year_narrows_the_search(web):
    create_person(full_name="ĐỖ THỊ LAN", date_of_birth="1970-01-01")
    create_person(full_name="ĐỖ THỊ LAN", date_of_birth="1990-01-01", place_of_birth="Huế")
    body = web.get("/ly-lich/nguoi?q=do thi lan&nam_sinh=1990").get_data(as_text=True)
    assert body.count("ĐỖ THỊ LAN") == 1 and "Huế" in body


def test_a_search_with_nothing_typed_lists_nobody_and_reads_nothing(web):
    create_person(full_name="NGÔ VĂN TÂM")
    body = web.get("/ly-lich/nguoi").get_data(as_text=True)
    assert "NGÔ VĂN TÂM" not in body
    assert audit_rows("records.people_searched") == []


def test_the_results_are_paginated_with_the_filters_kept_in_the_links(web):
    for _ in range(26):
        create_person(full_name="VŨ VĂN NAM", date_of_birth="1980-05-05")
    body = web.get("/ly-lich/nguoi?q=vu van nam").get_data(as_text=True)
    assert body.count("VŨ VĂN NAM</a>") == 25
    assert "q=vu+van+nam&amp;trang=2" in body
    assert web.get("/ly-lich/nguoi?q=vu+van+nam&trang=2").get_data(as_text=True).count("VŨ VĂN NAM</a>") == 1


def test_an_htmx_search_returns_only_the_results(web):
    create_person(full_name="HỒ VĂN SƠN")
    response = web.get("/ly-lich/nguoi?q=ho van son", headers=HTMX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="people-results"') and "<html" not in body
    assert "HỒ VĂN SƠN" in body and "HX-Request" in response.headers["Vary"]


def test_the_approximate_search_ranks_look_alikes_with_their_reasons(web):
    person = create_person(full_name="NGUYỄN VĂN THÀNH", date_of_birth="1984-07-07")
    body = web.get("/ly-lich/nguoi?q=nguyen thanh&nam_sinh=1984&gan_dung=1").get_data(as_text=True)
    assert f"/ly-lich/nguoi/{person.id}" in body
    assert audit_rows("records.people_searched")[0].details["person_ids"][0] == person.id


def test_a_merged_person_is_listed_as_merged(web, officer):
    kept, merged = create_person(full_name="LƯU VĂN ĐẠT"), create_person(full_name="LƯU VĂN ĐẠT")
    people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    assert "Đã hợp nhất" in web.get("/ly-lich/nguoi?q=luu van dat").get_data(as_text=True)


# --- a person's record --------------------------------------------------------------------------------


def test_the_record_page_shows_everything_held_on_the_person_and_reading_it_is_audited(web):
    person = create_person(full_name="BÙI THỊ MAI", other_names=["BÙI MAI"])
    judgment = create_judgment(
        person,
        number="77/2019/HS-ST",
        additional_penalties=[{"type": "ban_office", "months": 24, "description": "Cấm làm kế toán"}],
        civil_obligations=[{"description": "Bồi thường cho bị hại", "amount": 5000000}],
    )
    create_event(judgment, "court_fee_paid", "2020-01-02", note="Biên lai 12")
    prosecution = create_prosecution(person)
    update_prosecution(prosecution, "dismissed", "2022-02-02")
    create_ban(person, post="Giám đốc hợp tác xã")
    body = web.get(f"/ly-lich/nguoi/{person.id}").get_data(as_text=True)
    for shown in (
        "BÙI MAI",
        "77/2019/HS-ST",
        "Trộm cắp tài sản",
        "Cấm làm kế toán",
        "Bồi thường cho bị hại: 5.000.000 đ",
        "200.000 đ",
        "Nộp xong án phí",
        "Biên lai 12",
        "Đình chỉ (02/02/2022)",
        "Giám đốc hợp tác xã",
        judgment.judicial_record.number,
        judgment.source_ref,
    ):
        assert shown in body, shown
    [row] = audit_rows("records.person_viewed")
    assert (row.object_type, row.object_id) == ("person", str(person.id))


def test_a_merged_away_person_says_whom_they_live_on_as(web, officer):
    kept, merged = create_person(full_name="LÝ VĂN KHOA"), create_person(full_name="LÝ VĂN KHOA")
    people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    body = web.get(f"/ly-lich/nguoi/{merged.id}").get_data(as_text=True)
    assert "đã được hợp nhất vào" in body and f'href="/ly-lich/nguoi/{kept.id}"' in body


def test_the_survivor_shows_the_judgments_of_everyone_merged_into_it(web, officer):
    kept, merged = create_person(), create_person()
    create_judgment(merged, number="9/2018/HS-ST")
    people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    assert "9/2018/HS-ST" in web.get(f"/ly-lich/nguoi/{kept.id}").get_data(as_text=True)


def test_a_missing_person_is_not_found(web):
    assert web.get("/ly-lich/nguoi/999999").status_code == 404


# --- entering a judgment -------------------------------------------------------------------------------

JUDGMENT_FORM = {
    "paper.agency": "TAND-Q5",
    "paper.ref": "88/2021/HS-ST",
    "paper.received_on": "05/06/2021",
    "number": "88/2021/HS-ST",
    "pronounced_on": "10/05/2021",
    "effective_on": "10/06/2021",
    "court": "Tòa án nhân dân Quận 5",
    "offences.0.name": "Lừa đảo chiếm đoạt tài sản",
    "offences.0.code": "BLHS2015",
    "offences.0.article": "174",
    "offences.0.clause": "1",
    "offences.0.chapter": "xvi",
    "offences.0.severity": "less_serious",
    "offences.0.intent": "intentional",
    "offences.0.committed_on": "01/01/2021",
    "principal_penalty.type": "prison",
    "principal_penalty.months": "18",
    "court_fee": "200.000",
    "civil_obligations.0.description": "Trả lại tiền",
    "civil_obligations.0.amount": "15.000.000",
}


def test_the_judgment_form_is_shown_with_a_blank_row_for_each_table(web):
    person = create_person()
    body = web.get(f"/ly-lich/nguoi/{person.id}/ban-an/moi").get_data(as_text=True)
    for name in (
        "paper.agency",
        "offences.0.name",
        "additional_penalties.0.type",
        "civil_obligations.0.amount",
    ):
        assert f'name="{name}"' in body
    assert 'name="csrf_token"' in body


def test_a_judgment_entered_by_a_plain_post_is_saved_and_the_officer_sent_to_the_record(web):
    person = create_person()
    response = web.post(f"/ly-lich/nguoi/{person.id}/ban-an/moi", data=JUDGMENT_FORM)
    assert response.status_code == 303
    judgment = _db.session.scalar(sa.select(Judgment).where(Judgment.number == "88/2021/HS-ST"))
    assert response.headers["Location"].endswith(f"/ly-lich/nguoi/{person.id}#judgment-{judgment.id}")
    assert (
        judgment.person_id == person.id and judgment.principal_months == 18 and judgment.court_fee == 200000
    )
    assert judgment.offences[0].chapter == "XVI" and judgment.civil_obligations[0].amount == 15000000
    document = _db.session.get(SourceDocument, judgment.source_document_id)
    assert document.channel == DocumentChannel.OFFICER and document.source_agency == "TAND-Q5"


def test_a_refused_judgment_shows_each_error_beside_its_input_keeps_what_was_typed_and_writes_nothing(web):
    person = create_person()
    documents = _db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument))
    form = {
        **JUDGMENT_FORM,
        "number": "",
        "effective_on": "31/02/2021",
        "offences.0.article": "",
        "principal_penalty.months": "",
    }
    response = web.post(f"/ly-lich/nguoi/{person.id}/ban-an/moi", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(body, "number") == "Bắt buộc, không được để trống."
    assert "dd/mm/yyyy" in error_of(body, "effective_on")
    assert error_of(body, "offences.0.article")
    assert error_of(body, "principal_penalty.months")
    assert 'name="number" value="" type="text" aria-describedby="f-number-error" aria-invalid="true"' in body
    assert 'value="Lừa đảo chiếm đoạt tài sản"' in body
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(SourceDocument)) == documents


def test_a_blank_row_before_a_typed_one_does_not_misplace_its_error(web):
    person = create_person()
    form = {
        **JUDGMENT_FORM,
        "offences.1.name": "Cố ý gây thương tích",
        "offences.1.committed_on": "02/01/2021",
    }
    form = {key.replace("offences.0.", "offences.5."): value for key, value in form.items()}
    body = web.post(f"/ly-lich/nguoi/{person.id}/ban-an/moi", data=form).get_data(as_text=True)
    # The typed rows are shown first and second; the second has no article.
    assert 'name="offences.0.name" value="Cố ý gây thương tích"' in body
    assert error_of(body, "offences.0.article") and not error_of(body, "offences.1.article")


def test_adding_a_row_is_a_plain_post_that_keeps_what_was_typed(web):
    person = create_person()
    response = web.post(
        f"/ly-lich/nguoi/{person.id}/ban-an/moi", data={**JUDGMENT_FORM, "_add_row": "offences"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="offences.2.name"' in body and 'value="Lừa đảo chiếm đoạt tài sản"' in body
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Judgment)) == 0


def test_the_judgment_form_of_a_merged_person_goes_to_the_survivor(web, officer):
    kept, merged = create_person(), create_person()
    people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    response = web.get(f"/ly-lich/nguoi/{merged.id}/ban-an/moi")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/ly-lich/nguoi/{kept.id}/ban-an/moi"
    )


# --- corrections and events ----------------------------------------------------------------------------


def test_the_correction_form_starts_from_the_judgment_as_it_stands(web):
    judgment = create_judgment(create_person(), number="31/2019/HS-ST", court_fee=200000)
    body = web.get(f"/ly-lich/ban-an/{judgment.id}/dinh-chinh").get_data(as_text=True)
    assert 'name="number" value="31/2019/HS-ST"' in body
    assert 'name="court_fee" value="200.000"' in body
    assert 'name="pronounced_on" value="12/03/2019"' in body
    assert 'name="reason"' in body and 'name="paper.agency"' not in body
    assert audit_rows("records.person_viewed")[0].details == {
        "for": "judgment_edit",
        "judgment_id": judgment.id,
    }


def test_a_correction_posted_with_its_reason_updates_the_judgment(web):
    judgment = create_judgment(create_person(), court_fee=200000)
    values = web.get(f"/ly-lich/ban-an/{judgment.id}/dinh-chinh").get_data(as_text=True)
    form = filled(values)
    form.update({"court_fee": "0", "reason": "Được miễn án phí theo quyết định 5"})
    response = web.post(f"/ly-lich/ban-an/{judgment.id}/dinh-chinh", data=form)
    assert response.status_code == 303
    assert judgment.court_fee == 0
    assert audit_rows("records.judgment_corrected")[0].reason == "Được miễn án phí theo quyết định 5"


def test_a_correction_without_a_reason_is_refused_beside_the_reason(web):
    judgment = create_judgment(create_person(), court_fee=200000)
    values = web.get(f"/ly-lich/ban-an/{judgment.id}/dinh-chinh").get_data(as_text=True)
    form = {**filled(values), "court_fee": "0"}
    response = web.post(f"/ly-lich/ban-an/{judgment.id}/dinh-chinh", data=form)
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "reason")
    assert judgment.court_fee == 200000


def test_an_event_entered_by_a_plain_post_is_saved(web):
    judgment = create_judgment(
        create_person(), civil_obligations=[{"description": "Bồi thường", "amount": 1000}]
    )
    form = {
        "paper.agency": "THADS-Q5",
        "paper.ref": "TB/2022/1",
        "paper.received_on": "03/03/2022",
        "event": "civil_obligation_completed",
        "on": "01/03/2022",
        "obligation_index": "0",
        "note": "Đã trả đủ",
    }
    response = web.post(f"/ly-lich/ban-an/{judgment.id}/thi-hanh/moi", data=form)
    assert response.status_code == 303
    [event] = judgment.events
    assert (event.event, event.obligation_index, event.note) == ("civil_obligation_completed", 0, "Đã trả đủ")


def test_a_refused_event_shows_its_errors_beside_the_inputs(web):
    judgment = create_judgment(create_person())
    response = web.post(f"/ly-lich/ban-an/{judgment.id}/thi-hanh/moi", data={"event": "", "on": "hôm qua"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(body, "on") and error_of(body, "paper.agency") and error_of(body, "paper.received_on")
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(EnforcementEvent)) == 0


def test_an_event_is_corrected_with_its_reason(web):
    event = create_event(create_judgment(create_person()), "principal_completed", "2021-03-11")
    body = web.get(f"/ly-lich/thi-hanh/{event.id}/dinh-chinh").get_data(as_text=True)
    assert 'name="on" value="11/03/2021"' in body
    form = {"event": "principal_completed", "on": "10/03/2021", "reason": "Giấy chứng nhận ghi ngày 10"}
    assert web.post(f"/ly-lich/thi-hanh/{event.id}/dinh-chinh", data=form).status_code == 303
    assert event.on.isoformat() == "2021-03-10"
