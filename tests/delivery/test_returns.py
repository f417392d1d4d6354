"""Which returns an issued case owes, and each path by which it reaches `returned` (issue 7, acceptance 1)."""

import pytest
import sqlalchemy as sa

from lltp.cases.models import CaseStage, Channel, DeliveryMethod
from lltp.core import clock
from lltp.core.errors import InvalidTransition, ValidationFailed
from lltp.core.outbox import OutboxChannel, OutboxMessage, enqueue, on_sent
from lltp.delivery import returns, services
from lltp.delivery.models import ReturnKind, ReturnReason
from lltp.extensions import db
from tests.delivery.helpers import report, returning_officer
from tests.factories import create_issued_case

pytestmark = pytest.mark.usefixtures("db")


def owed(case):
    return [(str(r.kind), str(r.method)) for r in returns.returns_of(case)]


def sent(topic, payload):
    """An outbox message as the worker leaves it once sent, passed to the `on_sent` listeners."""
    message = enqueue(
        OutboxChannel.CALLBACK, "https://client.example/cb", body="{}", topic=topic, payload=payload
    )
    message.sent_at = clock.now()
    for listener in on_sent:
        listener(message)
    return message


def db_messages(topic, case):
    return [
        message
        for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == topic))
        if message.payload.get("case_id") == case.id
    ]


def api_issued(case):
    return {"event": "stage_changed", "stage": "issued", "case_id": case.id}


@pytest.mark.parametrize(
    ("channel", "method", "expected"),
    [
        (Channel.COUNTER, "counter", [("paper", "counter")]),
        (Channel.POST, "post", [("paper", "post")]),
        (Channel.COUNTER, "electronic", [("electronic", "electronic")]),
        (Channel.ONLINE, "electronic", [("electronic", "electronic")]),
        (Channel.ONLINE, "post", [("electronic", "electronic"), ("paper", "post")]),
        (Channel.VNEID, "electronic", [("electronic", "electronic")]),
        (Channel.VNEID, "counter", [("electronic", "electronic"), ("paper", "counter")]),
    ],
)
def test_an_issued_case_owes_the_returns_of_its_channel_and_method(channel, method, expected):
    assert owed(create_issued_case(method, channel=channel)) == expected


def test_the_applicant_collecting_at_the_counter_returns_the_case():
    case = create_issued_case("counter", copies=2)
    handover = services.record_handover(case, collected_by="applicant", copies="2", actor=returning_officer())
    assert case.stage is CaseStage.RETURNED
    assert (handover.copies, handover.proxy_full_name) == (2, None)
    assert returns.return_of(case, ReturnKind.PAPER).done_reason is ReturnReason.COLLECTED
    assert case.events[-1].action == "record_return"


def test_a_proxy_with_id_and_authorisation_collecting_returns_the_case():
    case = create_issued_case("counter")
    handover = services.record_handover(
        case,
        collected_by="proxy",
        proxy_full_name="Trần Thị Cúc",
        proxy_id_number="079190001111",
        authorisation_reference="Giấy ủy quyền số 12/2026, ngày 20/11/2026",
        copies="1",
        actor=returning_officer(),
    )
    assert case.stage is CaseStage.RETURNED
    assert (handover.proxy_full_name, handover.proxy_id_number) == ("Trần Thị Cúc", "079190001111")


def test_a_proxy_without_name_id_or_authorisation_is_refused_field_by_field():
    case = create_issued_case("counter")
    with pytest.raises(ValidationFailed) as refused:
        services.record_handover(
            case, collected_by="proxy", proxy_id_number="12", copies="1", actor=returning_officer()
        )
    assert set(refused.value.errors) == {"proxy_full_name", "proxy_id_number", "authorisation_reference"}
    assert case.stage is CaseStage.ISSUED


def test_more_copies_than_issued_cannot_be_handed_over():
    case = create_issued_case("counter", copies=1)
    with pytest.raises(ValidationFailed) as refused:
        services.record_handover(case, collected_by="applicant", copies="3", actor=returning_officer())
    assert set(refused.value.errors) == {"copies"}


def test_a_case_going_by_post_cannot_be_handed_over_at_the_counter():
    case = create_issued_case("post")
    with pytest.raises(InvalidTransition):
        services.record_handover(case, collected_by="applicant", copies="1", actor=returning_officer())


def test_a_shipment_delivered_returns_the_case():
    case = create_issued_case("post")
    shipment = services.create_shipment(
        case, tracking_number="eb123456789vn", address="Số 1 Lê Lợi", actor=returning_officer()
    )
    assert shipment.tracking_number == "EB123456789VN"
    report(shipment, "picked_up", "in_transit")
    assert case.stage is CaseStage.ISSUED
    report(shipment, "delivered")
    assert case.stage is CaseStage.RETURNED
    assert returns.return_of(case, ReturnKind.PAPER).done_reason is ReturnReason.DELIVERED


def test_a_return_to_sender_keeps_the_case_issued_until_it_is_shipped_again_and_delivered():
    case = create_issued_case("post")
    officer = returning_officer()
    first = services.create_shipment(
        case, tracking_number="EB000000001VN", address="Số 1 Lê Lợi", actor=officer
    )
    report(first, "picked_up", "returned_to_sender")
    assert case.stage is CaseStage.ISSUED
    second = services.create_shipment(
        case, tracking_number="EB000000002VN", address="Số 3 Lê Lợi", actor=officer
    )
    assert first.resolved_at is not None
    report(second, "picked_up", "delivered")
    assert case.stage is CaseStage.RETURNED


def test_a_return_to_sender_switched_to_the_counter_is_returned_when_collected():
    case = create_issued_case("post")
    officer = returning_officer()
    shipment = services.create_shipment(
        case, tracking_number="EB000000003VN", address="Số 1 Lê Lợi", actor=officer
    )
    report(shipment, "picked_up", "in_transit", "returned_to_sender")
    services.switch_to_counter(case, actor=officer)
    services.record_handover(case, collected_by="applicant", copies="1", actor=officer)
    assert case.stage is CaseStage.RETURNED
    assert returns.return_of(case, ReturnKind.PAPER).method is DeliveryMethod.COUNTER


def test_a_second_shipment_while_one_is_on_its_way_is_refused():
    case = create_issued_case("post")
    officer = returning_officer()
    services.create_shipment(case, tracking_number="EB000000004VN", address="Số 1 Lê Lợi", actor=officer)
    with pytest.raises(InvalidTransition):
        services.create_shipment(case, tracking_number="EB000000005VN", address="Số 1 Lê Lợi", actor=officer)


def test_a_tracking_number_already_used_is_refused():
    officer = returning_officer()
    first = create_issued_case("post")
    services.create_shipment(first, tracking_number="EB000000006VN", address="Số 1 Lê Lợi", actor=officer)
    with pytest.raises(ValidationFailed) as refused:
        services.create_shipment(
            create_issued_case("post"), tracking_number="eb000000006vn", address="x", actor=officer
        )
    assert set(refused.value.errors) == {"tracking_number"}


def test_the_api_clients_acknowledgement_of_issued_returns_an_electronic_api_case():
    case = create_issued_case("electronic", channel=Channel.VNEID)
    sent("api.callback", api_issued(case))
    assert case.stage is CaseStage.RETURNED
    assert returns.return_of(case, ReturnKind.ELECTRONIC).done_reason is ReturnReason.CALLBACK_ACKNOWLEDGED


def test_an_acknowledged_callback_for_another_stage_does_not_count():
    case = create_issued_case("electronic", channel=Channel.VNEID)
    sent("api.callback", {**api_issued(case), "stage": "awaiting_signature"})
    assert case.stage is CaseStage.ISSUED


def test_an_api_case_asking_for_paper_waits_for_both_returns():
    case = create_issued_case("counter", channel=Channel.NATIONAL_PORTAL)
    sent("api.callback", api_issued(case))
    assert case.stage is CaseStage.ISSUED
    services.record_handover(case, collected_by="applicant", copies="1", actor=returning_officer())
    assert case.stage is CaseStage.RETURNED


def test_notifying_the_online_applicant_with_the_link_returns_the_case():
    case = create_issued_case("electronic", channel=Channel.ONLINE)
    sent("notify.issued", {"case_id": case.id})
    assert case.stage is CaseStage.RETURNED
    assert returns.return_of(case, ReturnKind.ELECTRONIC).done_reason is ReturnReason.APPLICANT_NOTIFIED


def test_a_notice_to_an_api_cases_applicant_is_not_the_clients_acknowledgement():
    case = create_issued_case("electronic", channel=Channel.VNEID)
    sent("notify.issued", {"case_id": case.id})
    assert case.stage is CaseStage.ISSUED


def test_a_repeated_acknowledgement_changes_nothing():
    case = create_issued_case("electronic", channel=Channel.VNEID)
    sent("api.callback", api_issued(case))
    events = len(case.events)
    sent("api.callback", api_issued(case))
    assert len(case.events) == events


@pytest.mark.parametrize(
    ("channel", "contact"),
    [
        (Channel.COUNTER, {"applicant_email": None, "applicant_phone": None}),
        (Channel.AGENCY, {}),
    ],
    ids=["no-contact", "agency"],
)
def test_an_electronic_result_nobody_can_be_sent_is_collected_at_the_counter(channel, contact):
    case = create_issued_case("electronic", channel=channel, **contact)
    assert owed(case) == [("paper", "counter")]


def test_the_applicant_is_told_when_the_post_picks_the_copies_up():
    case = create_issued_case("post")
    shipment = services.create_shipment(
        case, tracking_number="EB000000007VN", address="Số 1 Lê Lợi", actor=returning_officer()
    )
    report(shipment, "picked_up")
    told = db_messages("notify.dispatched", case)
    assert told and all("EB000000007VN" in message.body for message in told)
