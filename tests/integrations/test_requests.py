"""POST and GET /api/v1/requests: the contract's submission and follow-up parts, answer by answer."""

import copy
from datetime import timedelta

import pytest
import sqlalchemy as sa
from syrupy.extensions.json import JSONSnapshotExtension

from lltp.cases import services as case_services
from lltp.cases.models import Case
from lltp.core import clock
from lltp.core.audit import AuditEvent
from lltp.intake.models import CaseFlag, Declaration, FlagKind, PaymentMethod
from lltp.intake.services import PaymentInput, record_payment
from lltp.integrations.api.schemas import submission_moment
from tests.factories import SYSTEM, local_datetime
from tests.intake.helpers import valid_document

pytestmark = pytest.mark.usefixtures("honour_submission_times")


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def case_count(db):
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def unpaid(body, external_id="VNEID-20261120-000124"):
    body = copy.deepcopy(body)
    body["external_id"] = external_id
    body["fee"] = {"category": "standard", "paid": False, "payment_reference": None}
    return body


# --- submitting ------------------------------------------------------------------------------------


def test_the_contract_example_is_received_and_due_on_30_november(api, contract_request):
    response = api.submit(contract_request)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/requests/HCM-261120-0001"
    assert response.get_json() == {
        "case_code": "HCM-261120-0001",
        "external_id": "VNEID-20261120-000123",
        "status": "received",
        "fee_amount": 200000,
        "received_at": "2026-11-20T09:15:00+07:00",
        # Five working days from Monday 23/11, skipping Tuesday 24/11 (a public holiday from 2026).
        "due_date": "2026-11-30",
        "status_url": "http://localhost/tra-cuu?ma=HCM-261120-0001",
    }


def test_the_submission_answer_is_pinned(api, contract_request, snapshot_json):
    assert api.submit(contract_request).get_json() == snapshot_json


def test_the_case_keeps_the_clients_kind_as_its_channel_and_the_full_declaration(api, contract_request, db):
    api.submit(contract_request)
    case = db.session.scalar(sa.select(Case))
    assert (case.channel, case.applicant_full_name, case.copies) == ("vneid", "NGUYỄN VĂN AN", 2)
    assert case.declaration.api_client_id == api.client.id
    assert [p.address for p in case.declaration.residence_history][-1].startswith("Số 12 đường Lê Lợi")


def test_an_unpaid_request_awaits_payment_with_no_receipt_time_or_due_date(
    api, contract_request, snapshot_json
):
    response = api.submit(unpaid(contract_request))
    assert response.status_code == 201
    answer = response.get_json()
    assert (answer["status"], answer["received_at"], answer["due_date"]) == ("awaiting_payment", None, None)
    assert answer == snapshot_json


def test_a_submission_is_audited_with_the_client_as_actor(api, contract_request, db):
    api.submit(contract_request)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "intake.receive"))
    assert (event.actor_label, event.object_id) == (f"api:{api.client.name}", "HCM-261120-0001")


# --- when a submission counts from -------------------------------------------------------------------


def test_a_recent_submitted_at_dates_the_case(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS", 7)
    submitted = (clock.now() - timedelta(days=2)).replace(microsecond=0)
    body = valid_document(external_id="RECENT-1", submitted_at=submitted.isoformat(), fee__paid=True)
    answer = api.submit(body).get_json()
    assert answer["case_code"].split("-")[1] == f"{clock.local_date(submitted):%y%m%d}"
    assert answer["received_at"] == clock.to_local(submitted).isoformat()


def test_a_submitted_at_older_than_the_window_counts_from_arrival(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS", 7)
    submitted = clock.now() - timedelta(days=8)
    body = valid_document(external_id="OLD-1", submitted_at=submitted.isoformat(), fee__paid=True)
    before = clock.now().replace(microsecond=0)
    answer = api.submit(body).get_json()
    assert answer["case_code"].split("-")[1] == f"{clock.today():%y%m%d}"
    assert answer["received_at"] >= clock.to_local(before).isoformat()


def test_a_submitted_at_ahead_of_our_clock_counts_from_arrival():
    now = local_datetime(2026, 11, 20, 9, 0)
    assert submission_moment(now + timedelta(minutes=5), now=now, max_age=timedelta(days=7)) == now


def test_a_submitted_at_within_the_window_is_kept():
    now = local_datetime(2026, 11, 20, 9, 0)
    submitted = now - timedelta(days=7)
    assert submission_moment(submitted, now=now, max_age=timedelta(days=7)) == submitted


# --- validation ----------------------------------------------------------------------------------------

PROXY = {
    "kind": "proxy",
    "full_name": "TRẦN VĂN BA",
    "relationship": "spouse",
    "id_document": {"type": "cmnd", "number": "123456789"},
}


def _set(path, value):
    def change(body):
        node = body
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


RULES = {
    "external_id": _set("external_id", None),
    "certificate_type": _set("certificate_type", 3),
    "copies": _set("copies", 11),
    "submitted_at": _set("submitted_at", "2026-11-20T09:15:00"),
    "applicant.full_name": _set("applicant.full_name", " "),
    "applicant.sex": _set("applicant.sex", "m"),
    "applicant.date_of_birth": _set("applicant.date_of_birth", "17/05/1990"),
    "applicant.nationality": _set("applicant.nationality", "Vietnam"),
    "applicant.phone": _set("applicant.phone", "12345"),
    "applicant.email": _set("applicant.email", "not-an-email"),
    # A CCCD number whose birth-year digits (91) disagree with the date of birth (1990).
    "applicant.id_document.number": _set("applicant.id_document.number", "079091001234"),
    "applicant.id_document.issued_on": _set("applicant.id_document.issued_on", "2099-01-01"),
    # The history must start on the 14th birthday (17/05/2004)...
    "applicant.residence_history.0.from": _set("applicant.residence_history.0.from", "2006-01-01"),
    # ...and have no gap over 31 days.
    "applicant.residence_history.1.from": _set("applicant.residence_history.1.from", "2012-11-01"),
    "applicant.residence_history.0.to": _set("applicant.residence_history.0.to", None),
    "requester.authorisation_reference": _set("requester", PROXY),
    "requester.authorisation_notarised": _set(
        "requester", {**PROXY, "relationship": "other", "authorisation_reference": "UQ-1"}
    ),
    "fee.category": _set("fee.category", "free"),
    "delivery.postal_address": _set("delivery.method", "post"),
}


@pytest.mark.parametrize("field", RULES)
def test_each_rule_is_a_422_naming_its_field(api, contract_request, db, field):
    RULES[field](contract_request)
    response = api.submit(contract_request)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [error["field"] for error in response.get_json()["errors"]]
    assert case_count(db) == 0


@pytest.mark.parametrize("requester", ["proxy", "parent_of_minor"])
def test_someone_else_may_ask_for_a_phieu_so_2_only_as_the_parent_of_a_minor(
    api, contract_request, requester
):
    contract_request["certificate_type"] = 2
    contract_request["requester"] = {
        **PROXY,
        "kind": requester,
        "relationship": "parent",
        "authorisation_reference": "UQ-1",
    }
    response = api.submit(contract_request)
    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == ["requester.kind"]


def test_every_bad_field_is_in_one_422_sorted_by_field(api, contract_request, db, snapshot_json):
    for change in RULES.values():
        if change is not RULES["applicant.residence_history.0.to"]:
            change(contract_request)
    contract_request["requester"] = None
    response = api.submit(contract_request)
    problem = response.get_json()
    fields = [error["field"] for error in problem["errors"]]
    assert response.status_code == 422
    assert fields == sorted(fields)
    assert {"certificate_type", "copies", "applicant.sex", "fee.category", "delivery.postal_address"} <= set(
        fields
    )
    assert (problem["type"], problem["status"]) == ("tag:lltp,2026:problem:validation-failed", 422)
    assert problem == snapshot_json
    assert case_count(db) == 0


def test_a_body_that_is_not_json_is_a_415_problem(api):
    response = api.http.post("/api/v1/requests", data="external_id=1", headers=api.headers())
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_malformed_json_is_a_400_problem(api):
    response = api.http.post(
        "/api/v1/requests", data="{not json", content_type="application/json", headers=api.headers()
    )
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")


def test_a_json_list_is_a_422_not_a_crash(api):
    response = api.http.post("/api/v1/requests", json=[1, 2], headers=api.headers())
    assert response.status_code == 422


# --- idempotency ---------------------------------------------------------------------------------------


def test_the_same_external_id_and_body_returns_the_first_case_with_200(api, contract_request, db):
    first = api.submit(contract_request)
    again = api.submit(copy.deepcopy(contract_request))
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert case_count(db) == 1


def test_a_replay_may_order_its_keys_differently(api, contract_request):
    first = api.submit(contract_request).get_json()
    reordered = dict(reversed(list(contract_request.items())))
    assert api.submit(reordered).get_json() == first


def test_the_same_external_id_with_another_body_is_a_409(api, contract_request, db, snapshot_json):
    api.submit(contract_request)
    contract_request["copies"] = 3
    response = api.submit(contract_request)
    assert (response.status_code, response.mimetype) == (409, "application/problem+json")
    assert response.get_json() == snapshot_json
    assert case_count(db) == 1


def test_a_used_external_id_with_an_invalid_body_is_a_409_too(api, contract_request):
    api.submit(contract_request)
    contract_request["copies"] = 99
    assert api.submit(contract_request).status_code == 409


def test_two_clients_may_use_the_same_external_id(make_api, contract_request, db):
    first, second = make_api(), make_api("national_portal")
    one = first.submit(contract_request).get_json()
    contract_request["certificate_type"] = 2
    contract_request["include_ban_section"] = True
    other = second.submit(contract_request)
    assert other.status_code == 201
    assert other.get_json()["case_code"] != one["case_code"]
    assert case_count(db) == 2


# --- duplicates ---------------------------------------------------------------------------------------


def test_a_second_open_request_for_the_same_id_is_accepted_and_flagged_revealing_nothing(
    make_api, contract_request, db
):
    other_case = make_api().submit(contract_request).get_json()["case_code"]
    contract_request["external_id"] = "PORTAL-2"
    response = make_api("national_portal").submit(contract_request)
    assert response.status_code == 201
    assert other_case not in response.get_data(as_text=True)
    case = db.session.scalar(sa.select(Case).where(Case.code == response.get_json()["case_code"]))
    flag = db.session.scalar(sa.select(CaseFlag).where(CaseFlag.case_id == case.id))
    assert flag.kind is FlagKind.POSSIBLE_DUPLICATE


# --- following --------------------------------------------------------------------------------------


def test_following_a_case_adds_its_stage_history_and_no_certificate_yet(api, contract_request, snapshot_json):
    code = api.submit(contract_request).get_json()["case_code"]
    response = api.follow(code)
    assert response.status_code == 200
    status = response.get_json()
    assert (status["stage"], status["certificate"]) == ("received", None)
    assert status["history"] == [{"stage": "received", "at": "2026-11-20T09:15:00+07:00"}]
    assert status == snapshot_json


def test_the_history_lists_stage_changes_only(api, contract_request, db, snapshot_json):
    code = api.submit(unpaid(contract_request)).get_json()["case_code"]
    case = db.session.scalar(sa.select(Case).where(Case.code == code))
    paid_at = local_datetime(2026, 11, 20, 10, 0)
    payment = PaymentInput(PaymentMethod.BANK_TRANSFER, 200000, reference="FT26112000001")
    record_payment(case, payment, actor=SYSTEM, at=paid_at)
    case_services.transition(case, "mark_long", actor=SYSTEM, note="Cư trú nhiều tỉnh", at=paid_at)
    status = api.follow(code).get_json()
    assert [entry["stage"] for entry in status["history"]] == ["awaiting_payment", "received"]
    assert status == snapshot_json


def test_reading_a_case_is_audited_with_the_client_as_actor(api, contract_request, db):
    code = api.submit(contract_request).get_json()["case_code"]
    api.follow(code)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api.case.read"))
    assert (event.actor_label, event.object_id) == (f"api:{api.client.name}", code)


def test_another_clients_case_is_not_found_as_if_it_did_not_exist(make_api, contract_request, db):
    owner, other = make_api(), make_api("provincial_portal")
    code = owner.submit(contract_request).get_json()["case_code"]
    hidden, missing = other.follow(code), other.follow("HCM-261120-9999")
    assert (hidden.status_code, hidden.mimetype) == (404, "application/problem+json")
    assert hidden.get_json() == missing.get_json()
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api.case.read")) is None


def test_a_case_from_another_channel_is_not_found(api, db):
    from tests.factories import create_case

    counter_case = create_case()
    assert api.follow(counter_case.code).status_code == 404


def test_a_declaration_row_holds_the_body_hash_for_replays(api, contract_request, db):
    api.submit(contract_request)
    declaration = db.session.scalar(sa.select(Declaration))
    assert (declaration.external_id, len(declaration.body_hash)) == ("VNEID-20261120-000123", 64)
