"""The returns panel on the case page and its forms, as the returning officer uses them; who is refused."""

import pytest

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core.audit import AuditEvent
from lltp.delivery import services
from lltp.delivery.models import ShipmentStatus
from lltp.extensions import db
from tests.delivery.helpers import POSTAL, report, returning_officer
from tests.factories import create_issued_case, create_unit, create_user

ADDRESS = "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh"


@pytest.fixture
def returning(login_as):
    return login_as(returning_officer().user)


def page(client, case):
    response = client.get(f"/ho-so/{case.code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_returning_officer_records_a_handover_from_the_case_page(returning):
    case = create_issued_case("counter")
    assert "Trao Phiếu tại bộ phận một cửa" in page(returning, case)
    response = returning.post(
        f"/ho-so/{case.code}/tra-ket-qua/giao-tai-quay", data={"collected_by": "applicant", "copies": "1"}
    )
    assert response.status_code == 303
    assert case.stage is CaseStage.RETURNED
    assert "Đã trả kết quả" in page(returning, case)


def test_a_proxy_without_authorisation_is_shown_next_to_the_field(returning):
    case = create_issued_case("counter")
    response = returning.post(
        f"/ho-so/{case.code}/tra-ket-qua/giao-tai-quay",
        data={
            "collected_by": "proxy",
            "proxy_full_name": "Trần Thị Cúc",
            "proxy_id_number": "079190001111",
            "copies": "1",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert (
        'id="returns-handover-authorisation_reference-error">Vui lòng nhập số, ngày của văn bản ủy quyền.'
        in body
    )
    assert 'value="Trần Thị Cúc"' in body
    assert case.stage is CaseStage.ISSUED


def test_the_shipment_form_is_prefilled_with_the_declarations_postal_address(returning):
    case = create_issued_case("post", postal_address=ADDRESS)
    assert f'name="address" value="{ADDRESS}"' in page(returning, case)


def test_the_returning_officer_creates_a_shipment_from_the_case_page(returning):
    case = create_issued_case("post", postal_address=ADDRESS)
    response = returning.post(
        f"/ho-so/{case.code}/tra-ket-qua/gui-buu-dien",
        data={"tracking_number": "EB100000001VN", "address": ADDRESS},
    )
    assert response.status_code == 303
    body = page(returning, case)
    assert "Bưu gửi EB100000001VN" in body
    assert "Tạo bưu gửi" not in body


def test_a_return_to_sender_offers_reshipping_and_counter_collection(returning):
    case = create_issued_case("post", postal_address=ADDRESS)
    shipment = services.create_shipment(
        case, tracking_number="EB100000002VN", address=ADDRESS, actor=returning_officer()
    )
    report(shipment, "picked_up", "returned_to_sender")
    body = page(returning, case)
    assert "Chuyển sang nhận tại bộ phận một cửa" in body and "Tạo bưu gửi" in body
    assert returning.post(f"/ho-so/{case.code}/tra-ket-qua/nhan-tai-quay").status_code == 303
    assert "Trao Phiếu tại bộ phận một cửa" in page(returning, case)


def test_the_generic_record_return_button_is_replaced_by_the_panel(returning):
    case = create_issued_case("counter")
    assert "/thao-tac/record_return" not in page(returning, case)


def test_reading_the_panel_is_audited(returning):
    case = create_issued_case("counter")
    page(returning, case)
    assert (
        db.session.query(AuditEvent).filter_by(action="delivery.returns_viewed", case_id=case.id).count() == 1
    )


@pytest.mark.parametrize(
    "who",
    [
        lambda: create_user(roles=(Role.PROCESSING_OFFICER, Role.INTAKE_OFFICER, Role.APPROVER)),
        lambda: create_user(roles=(Role.VERIFIER,), unit=create_unit(UnitKind.PROVINCIAL_POLICE)),
        lambda: create_user(roles=(Role.UNIT_SUPERVISOR,), unit=create_unit(UnitKind.POSTAL_OPERATOR)),
    ],
    ids=["other-authority-roles", "police-verifier", "postal-operator-supervisor"],
)
def test_only_the_authoritys_returning_officers_may_record_a_handover(login_as, who):
    case = create_issued_case("counter")
    client = login_as(who())
    response = client.post(
        f"/ho-so/{case.code}/tra-ket-qua/giao-tai-quay", data={"collected_by": "applicant", "copies": "1"}
    )
    assert response.status_code == 403
    assert case.stage is CaseStage.ISSUED


def test_a_verifier_cannot_open_the_case_page_or_the_board(login_as):
    case = create_issued_case("counter")
    client = login_as(create_user(roles=(Role.VERIFIER,), unit=create_unit(UnitKind.PROVINCIAL_POLICE)))
    assert client.get(f"/ho-so/{case.code}").status_code == 403
    assert client.get("/tra-ket-qua").status_code == 403


def test_a_handover_for_an_unknown_case_is_not_found(returning):
    assert returning.post("/ho-so/XX-000000-0000/tra-ket-qua/giao-tai-quay", data={}).status_code == 404


def test_other_officers_see_the_returns_without_the_forms(login_as):
    case = create_issued_case("counter")
    body = page(login_as(create_user(roles=(Role.PROCESSING_OFFICER,))), case)
    assert "Trả kết quả" in body and "Ghi nhận đã trao Phiếu" not in body


def test_the_postal_event_actor_is_the_system(returning):
    case = create_issued_case("post")
    shipment = services.create_shipment(
        case, tracking_number="EB100000003VN", address=ADDRESS, actor=returning_officer()
    )
    report(shipment, "picked_up", "delivered")
    assert shipment.status is ShipmentStatus.DELIVERED
    assert case.events[-1].actor_label == POSTAL.label
