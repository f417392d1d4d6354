"""Who may use the record pages: the issuing authority's processing officers and approvers. Everyone
else (the authority's other roles, administrators included, and every verifying agency) is refused, sees
nothing of the person, and changes nothing. `tests/test_access.py` walks every route with missing ids;
this proves the same on real records."""

import pytest

from lltp.accounts.models import Role, UnitKind
from lltp.core.audit import Actor
from lltp.records.services import people
from tests.factories import create_unit, create_user
from tests.records.factories import create_event, create_judgment, create_person

SECRET = "TRỊNH THỊ KÍN ĐÁO"
ALLOWED = [(Role.PROCESSING_OFFICER, UnitKind.ISSUING_AUTHORITY), (Role.APPROVER, UnitKind.ISSUING_AUTHORITY)]
REFUSED = [
    (role, UnitKind.ISSUING_AUTHORITY)
    for role in (
        Role.INTAKE_OFFICER,
        Role.RETURNING_OFFICER,
        Role.REPORT_READER,
        Role.ADMINISTRATOR,
        Role.UNIT_SUPERVISOR,
    )
] + [
    (role, kind)
    for kind in (UnitKind.PROVINCIAL_POLICE, UnitKind.COURT, UnitKind.JUDGMENT_ENFORCEMENT)
    for role in (Role.VERIFIER, Role.UNIT_SUPERVISOR)
]


@pytest.fixture
def record(db):
    person, other = create_person(full_name=SECRET), create_person(full_name=SECRET)
    judgment = create_judgment(person)
    event = create_event(judgment)
    merged = create_person(full_name=SECRET)
    merge = people.merge_people(person, merged, reason="Trùng", actor=Actor(user=create_user()))
    return {"person": person, "other": other, "judgment": judgment, "event": event, "merge": merge}


def pages(r):
    person, other = r["person"].id, r["other"].id
    return [
        f"/ly-lich/nguoi?q={SECRET}",
        f"/ly-lich/nguoi/{person}",
        f"/ly-lich/nguoi/{person}/ban-an/moi",
        f"/ly-lich/ban-an/{r['judgment'].id}/dinh-chinh",
        f"/ly-lich/ban-an/{r['judgment'].id}/thi-hanh/moi",
        f"/ly-lich/thi-hanh/{r['event'].id}/dinh-chinh",
        "/ly-lich/trung-lap",
        f"/ly-lich/so-sanh/{person}/{other}",
        "/ly-lich/cho-ghep",
    ]


def changes(r):
    person, other = r["person"].id, r["other"].id
    return [
        (f"/ly-lich/so-sanh/{person}/{other}/hop-nhat", {"kept": str(person), "reason": "Trùng"}),
        (f"/ly-lich/so-sanh/{person}/{other}/khac-nguoi", {"reason": "Khác"}),
        (f"/ly-lich/hop-nhat/{r['merge'].id}/huy", {"reason": "Nhầm"}),
        (f"/ly-lich/ban-an/{r['judgment'].id}/dinh-chinh", {"number": "1", "reason": "Sửa"}),
    ]


def user_of(role, kind):
    return create_user(roles=(role,), unit=None if kind is UnitKind.ISSUING_AUTHORITY else create_unit(kind))


@pytest.mark.parametrize(("role", "kind"), REFUSED, ids=[f"{r}@{k}" for r, k in REFUSED])
def test_everyone_else_is_refused_every_record_page_and_sees_nothing(login_as, record, role, kind):
    client = login_as(user_of(role, kind))
    for url in pages(record):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 403, url
            assert SECRET not in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "kind"), REFUSED, ids=[f"{r}@{k}" for r, k in REFUSED])
def test_everyone_else_is_refused_every_change_and_nothing_changes(login_as, record, role, kind):
    client = login_as(user_of(role, kind))
    for url, data in changes(record):
        assert client.post(url, data=data).status_code == 403, url
    assert record["other"].merged_into_id is None and record["merge"].undone_at is None
    assert record["judgment"].number != "1"


@pytest.mark.parametrize(("role", "kind"), ALLOWED, ids=[f"{r}@{k}" for r, k in ALLOWED])
def test_processing_officers_and_approvers_open_every_record_page(login_as, record, role, kind):
    client = login_as(user_of(role, kind))
    for url in pages(record):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("role", "kind"), ALLOWED, ids=[f"{r}@{k}" for r, k in ALLOWED])
def test_the_menu_offers_the_record_pages_to_those_who_may_use_them(login_as, db, role, kind):
    body = login_as(user_of(role, kind)).get("/ly-lich/nguoi").get_data(as_text=True)
    assert 'href="/ly-lich/trung-lap"' in body and 'href="/ly-lich/cho-ghep"' in body


def test_the_menu_hides_the_record_pages_from_others(login_as, db):
    client = login_as(user_of(Role.INTAKE_OFFICER, UnitKind.ISSUING_AUTHORITY))
    body = client.get("/tai-khoan").get_data(as_text=True)
    assert 'href="/tai-khoan"' in body and "/ly-lich/" not in body
