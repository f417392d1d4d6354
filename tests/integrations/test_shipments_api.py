"""The postal operator's API: shipment events in order, repeats, refusals, and the pickup list."""

import jsonschema
import pytest

from lltp.cases.models import CaseStage
from lltp.delivery import services
from tests.delivery.helpers import returning_officer
from tests.factories import create_issued_case

AT = "2026-11-25T09:30:00+07:00"


@pytest.fixture
def postal(make_api):
    return make_api("postal_operator")


@pytest.fixture
def shipment(db):
    case = create_issued_case("post", applicant_phone="0912345678")
    return services.create_shipment(
        case, tracking_number="EB300000001VN", address="Số 1 Lê Lợi", actor=returning_officer()
    )


def post_event(api, number, event, at=AT, note=None):
    return api.http.post(
        f"/api/v1/shipments/{number}/events",
        json={"event": event, "at": at, "note": note},
        headers=api.headers(),
    )


def test_delivered_through_the_api_returns_the_case(postal, shipment):
    assert (
        post_event(postal, shipment.tracking_number, "picked_up", "2026-11-25T08:00:00+07:00").status_code
        == 201
    )
    response = post_event(postal, shipment.tracking_number, "delivered", note="Người nhận ký")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "delivered"
    assert [event["event"] for event in body["events"]] == ["picked_up", "delivered"]
    assert shipment.case.stage is CaseStage.RETURNED


def test_the_same_event_at_the_same_time_again_changes_nothing(postal, shipment):
    post_event(postal, shipment.tracking_number, "picked_up")
    repeat = post_event(postal, shipment.tracking_number, "picked_up")
    assert repeat.status_code == 200
    assert len(repeat.get_json()["events"]) == 1


def test_an_event_out_of_order_is_a_conflict(postal, shipment):
    response = post_event(postal, shipment.tracking_number, "delivered")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert shipment.status.value == "ready_for_pickup"


def test_delivered_after_a_return_to_sender_is_a_conflict(postal, shipment):
    post_event(postal, shipment.tracking_number, "picked_up", "2026-11-25T08:00:00+07:00")
    post_event(postal, shipment.tracking_number, "returned_to_sender")
    assert (
        post_event(postal, shipment.tracking_number, "delivered", "2026-11-26T08:00:00+07:00").status_code
        == 409
    )
    assert shipment.case.stage is CaseStage.ISSUED


def test_bad_fields_are_named_all_at_once(postal, shipment):
    response = postal.http.post(
        f"/api/v1/shipments/{shipment.tracking_number}/events",
        json={"event": "lost", "at": "2026-11-25T09:30:00", "note": 5},
        headers=postal.headers(),
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == ["at", "event", "note"]


def test_an_unknown_tracking_number_is_not_found(postal, db):
    response = post_event(postal, "EB999999999VN", "picked_up")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")


@pytest.mark.parametrize("kind", ["vneid", "record_source"])
def test_another_kind_of_client_is_forbidden(make_api, shipment, kind):
    other = make_api(kind)
    assert post_event(other, shipment.tracking_number, "picked_up").status_code == 403
    assert other.http.get("/api/v1/shipments", headers=other.headers()).status_code == 403


def test_no_token_is_unauthorised(client, shipment):
    assert client.get("/api/v1/shipments").status_code == 401


def test_the_pickup_list_shows_what_the_courier_needs_only(postal, shipment):
    response = postal.http.get("/api/v1/shipments?status=ready_for_pickup", headers=postal.headers())
    assert response.status_code == 200
    (listed,) = response.get_json()["shipments"]
    assert listed["tracking_number"] == "EB300000001VN"
    assert listed["recipient"] == {"full_name": "NGUYỄN VĂN AN", "phone": "0912345678"}
    assert set(listed) == {
        "tracking_number",
        "status",
        "recipient",
        "address",
        "copies",
        "created_at",
        "status_changed_at",
        "events",
    }


def test_a_picked_up_shipment_leaves_the_pickup_list(postal, shipment):
    post_event(postal, shipment.tracking_number, "picked_up")
    response = postal.http.get("/api/v1/shipments", headers=postal.headers())
    assert response.get_json() == {"shipments": []}


def test_an_unknown_status_filter_is_a_validation_error(postal, db):
    response = postal.http.get("/api/v1/shipments?status=lost", headers=postal.headers())
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "status"


def test_the_answers_match_the_openapi_schemas(postal, shipment):
    document = postal.http.get("/api/v1/openapi.json").get_json()
    answer = post_event(postal, shipment.tracking_number, "picked_up").get_json()
    listed = postal.http.get("/api/v1/shipments?status=picked_up", headers=postal.headers()).get_json()
    for name, instance in (("Shipment", answer), ("ShipmentList", listed)):
        schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)
