"""The data-cleaning pages: likely duplicates, two people side by side, merging and undoing it, "two
different people", and the API documents waiting for their parent. Forms work as plain POSTs."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.extensions import db as _db
from lltp.records.models import DistinctPeople, DocumentChannel, PersonMerge, RecordMatch
from lltp.records.services import people
from lltp.records.services.documents import store_document
from tests.factories import SYSTEM, create_case, create_user
from tests.records.factories import create_judgment, create_person, enforcement_document, judgment_document

HTMX = {"HX-Request": "true"}


@pytest.fixture
def officer(db):
    return create_user(roles=(Role.APPROVER,), full_name="Lãnh Đạo Duyệt")


@pytest.fixture
def web(login_as, officer):
    return login_as(officer)


def look_alikes():
    first = create_person(full_name="HOÀNG VĂN LONG", date_of_birth="1975-03-03", place_of_birth="Nghệ An")
    second = create_person(full_name="HOÀNG VĂN LONG", date_of_birth="1975-03-03", place_of_birth="Hà Tĩnh")
    return first, second


def audit_rows(action):
    return list(_db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_duplicates_page_lists_look_alikes_with_a_link_to_compare_them_and_is_audited(web):
    first, second = look_alikes()
    body = web.get("/ly-lich/trung-lap").get_data(as_text=True)
    assert (
        f"/ly-lich/so-sanh/{first.id}/{second.id}" in body
        or f"/ly-lich/so-sanh/{second.id}/{first.id}" in body
    )
    [row] = audit_rows("records.duplicates_viewed")
    assert sorted(row.details["person_ids"][0]) == sorted([first.id, second.id])


def test_an_htmx_duplicates_page_returns_only_the_list(web):
    look_alikes()
    body = web.get("/ly-lich/trung-lap", headers=HTMX).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="duplicates-results"') and "<html" not in body


def test_the_comparison_shows_both_people_marks_what_differs_and_audits_each_read(web):
    first, second = look_alikes()
    body = web.get(f"/ly-lich/so-sanh/{first.id}/{second.id}").get_data(as_text=True)
    assert "Nghệ An" in body and "Hà Tĩnh" in body
    assert '<tr class="differs">\n      <th scope="row">Nơi sinh' in body
    assert sorted(int(row.object_id) for row in audit_rows("records.people_compared")) == sorted(
        [first.id, second.id]
    )


def test_a_person_is_not_compared_with_itself(web):
    person = create_person()
    assert web.get(f"/ly-lich/so-sanh/{person.id}/{person.id}").status_code == 404


def test_merging_by_a_plain_post_keeps_the_chosen_person(web):
    first, second = look_alikes()
    response = web.post(
        f"/ly-lich/so-sanh/{first.id}/{second.id}/hop-nhat",
        data={"kept": str(second.id), "reason": "Cùng CMND"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/ly-lich/nguoi/{second.id}"
    )
    assert first.merged_into_id == second.id


def test_a_merge_without_a_reason_or_a_choice_is_refused_beside_the_field(web):
    first, second = look_alikes()
    url = f"/ly-lich/so-sanh/{first.id}/{second.id}/hop-nhat"
    response = web.post(url, data={"kept": str(first.id), "reason": ""})
    assert response.status_code == 422
    assert 'id="merge-reason-error">Vui lòng ghi lý do hợp nhất' in response.get_data(as_text=True)
    response = web.post(url, data={"reason": "Trùng"})
    assert response.status_code == 422
    assert 'id="merge-kept-error">Chọn người được giữ lại.' in response.get_data(as_text=True)
    assert second.merged_into_id is None and first.merged_into_id is None


def test_merging_into_a_person_already_merged_is_refused_with_the_reason(web, officer):
    first, second = look_alikes()
    third = create_person()
    people.merge_people(third, first, reason="Trùng", actor=Actor(user=officer))
    response = web.post(
        f"/ly-lich/so-sanh/{first.id}/{second.id}/hop-nhat", data={"kept": str(first.id), "reason": "x"}
    )
    assert response.status_code == 409
    assert "đã được hợp nhất vào người khác" in response.get_data(as_text=True)
    assert second.merged_into_id is None


def test_two_different_people_leave_the_list_by_a_plain_post(web):
    first, second = look_alikes()
    response = web.post(
        f"/ly-lich/so-sanh/{first.id}/{second.id}/khac-nguoi", data={"reason": "Khác quê quán"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/ly-lich/trung-lap")
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(DistinctPeople)) == 1
    assert f"/ly-lich/so-sanh/{first.id}/{second.id}" not in web.get("/ly-lich/trung-lap").get_data(
        as_text=True
    )


def test_two_different_people_need_a_reason(web):
    first, second = look_alikes()
    response = web.post(f"/ly-lich/so-sanh/{first.id}/{second.id}/khac-nguoi", data={"reason": " "})
    assert response.status_code == 422
    assert 'id="distinct-reason-error">Vui lòng ghi lý do' in response.get_data(as_text=True)


def test_a_merge_is_undone_from_the_record_page_by_a_plain_post(web, officer):
    kept, merged = look_alikes()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    body = web.get(f"/ly-lich/nguoi/{kept.id}").get_data(as_text=True)
    assert f'action="/ly-lich/hop-nhat/{merge.id}/huy"' in body
    response = web.post(f"/ly-lich/hop-nhat/{merge.id}/huy", data={"reason": "Nhầm người"})
    assert response.status_code == 303
    assert merged.merged_into_id is None and merge.undo_reason == "Nhầm người"


def test_an_undo_without_a_reason_is_refused_beside_the_reason(web, officer):
    kept, merged = look_alikes()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    response = web.post(f"/ly-lich/hop-nhat/{merge.id}/huy", data={"reason": ""})
    assert response.status_code == 422
    assert f'id="undo-{merge.id}-reason-error">Vui lòng ghi lý do hủy hợp nhất.' in response.get_data(
        as_text=True
    )
    assert merged.merged_into_id == kept.id


def test_once_a_certificate_is_issued_from_the_merged_record_the_undo_is_refused(web, officer):
    kept, merged = look_alikes()
    merge = people.merge_people(kept, merged, reason="Trùng", actor=Actor(user=officer))
    case = create_case(CaseStage.ISSUED)
    _db.session.add(RecordMatch(case_id=case.id, person_id=kept.id, decided_by_id=officer.id))
    body = web.get(f"/ly-lich/nguoi/{kept.id}").get_data(as_text=True)
    assert f'action="/ly-lich/hop-nhat/{merge.id}/huy"' not in body and "Không thể hủy" in body
    response = web.post(f"/ly-lich/hop-nhat/{merge.id}/huy", data={"reason": "Nhầm"})
    assert response.status_code == 409 and merged.merged_into_id == kept.id
    assert _db.session.scalar(sa.select(PersonMerge.undone_at).where(PersonMerge.id == merge.id)) is None


def pending_document(content, *, waiting_for, days_ago):
    document = store_document(
        content, agency="api-client", channel=DocumentChannel.API, actor=SYSTEM, waiting_for_ref=waiting_for
    )
    document.received_at = clock.now() - timedelta(days=days_ago)
    return document


def test_the_pending_page_lists_documents_waiting_for_their_parent_oldest_first_with_their_age(web):
    judgment = create_judgment(create_person())
    pending_document(
        enforcement_document("TAND/cho-1", source_ref="THA/moi"), waiting_for="TAND/cho-1", days_ago=1
    )
    pending_document(judgment_document("CA/cho-2", source_ref="TAND/cu"), waiting_for="CA/cho-2", days_ago=5)
    body = web.get("/ly-lich/cho-ghep").get_data(as_text=True)
    assert body.index("TAND/cu") < body.index("THA/moi")
    assert "CA/cho-2" in body and "5 ngày" in body and "1 ngày" in body
    assert "Trích lục bản án" in body and "Thông báo thi hành án" in body
    assert judgment.source_ref not in body


def test_an_htmx_pending_page_returns_only_the_list(web):
    body = web.get("/ly-lich/cho-ghep", headers=HTMX).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="pending-results"') and "Không có văn bản nào đang chờ." in body
