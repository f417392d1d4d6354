"""The declaration panel on the case page: the whole tờ khai as accepted, and what its channel added."""

from datetime import date

from lltp.accounts.models import Role
from lltp.cases.models import Channel
from lltp.core import clock
from tests.factories import create_case
from tests.intake.helpers import valid_document
from tests.intake.test_case_panels import intake_case, officer, page
from tests.intake.test_channels_equal import api_request, counter_form

PROXY = {
    "kind": "proxy",
    "full_name": "LÊ THỊ HOA",
    "relationship": "spouse",
    "id_document": {"type": "cccd", "number": "079191001235", "issued_on": "2021-04-02"},
    "authorisation_reference": "Giấy ủy quyền ngày 01/11/2026",
    "authorisation_notarised": True,
}


def shown(client, case):
    """The case page, its whitespace collapsed."""
    return " ".join(page(client, case).split())


def test_a_counter_case_shows_its_residence_history_and_parents(login_as, db):
    client = login_as(officer(Role.INTAKE_OFFICER))
    document = valid_document()
    body = shown(client, counter_form(client, document))
    assert 'id="declaration-panel"' in body
    first, last = document["applicant"]["residence_history"]
    assert (
        f'<th scope="row">1</th> <td>{date.fromisoformat(first["from"]):%d/%m/%Y}</td>'
        f" <td>{date.fromisoformat(first['to']):%d/%m/%Y}</td>"
    ) in body
    assert f'<th scope="row">2</th> <td>{date.fromisoformat(last["from"]):%d/%m/%Y}</td> <td>nay</td>' in body
    assert "<td>Trường THPT Tân Phú</td>" in body and "<td>Công ty TNHH ABC</td>" in body
    father, mother = document["applicant"]["father"], document["applicant"]["mother"]
    assert f"<dt>Họ tên cha</dt><dd>{father['full_name']}</dd>" in body
    assert f"<dt>Năm sinh của cha</dt><dd>{father['birth_year']}</dd>" in body
    assert f"<dt>Họ tên mẹ</dt><dd>{mother['full_name']}</dd>" in body
    assert "<dt>Họ tên vợ/chồng</dt><dd>—</dd>" in body
    assert "<dd>Căn cước / Căn cước công dân</dd>" in body


def test_an_agency_case_shows_its_letter(login_as, db):
    agency = {
        "name": "Sở Kế hoạch và Đầu tư",
        "letter_number": "15/SKHĐT",
        "letter_date": clock.today().isoformat(),
        "notified_by": "paper",
    }
    case = intake_case(Channel.AGENCY, agency=agency)
    body = shown(login_as(officer(Role.PROCESSING_OFFICER)), case)
    assert "<dt>Tên cơ quan yêu cầu</dt><dd>Sở Kế hoạch và Đầu tư</dd>" in body
    assert "<dt>Số văn bản yêu cầu</dt><dd>15/SKHĐT</dd>" in body
    assert f"<dt>Ngày văn bản yêu cầu</dt><dd>{clock.today():%d/%m/%Y}</dd>" in body
    assert "<dd>Công văn giấy</dd>" in body


def test_a_postal_case_shows_its_parcel(login_as, db):
    postal = {
        "tracking_number": "EB123456789VN",
        "arrived_on": clock.today().isoformat(),
        "certified_signature": True,
        "certified_signature_reference": "Số chứng thực 45/2026",
    }
    case = intake_case(Channel.POST, postal=postal)
    body = shown(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert "<dt>Số hiệu bưu gửi</dt><dd>EB123456789VN</dd>" in body
    assert f"<dt>Ngày nhận bưu gửi</dt><dd>{clock.today():%d/%m/%Y}</dd>" in body
    assert "<dt>Chứng thực chữ ký trên tờ khai</dt><dd>Có</dd>" in body
    assert "<dd>Số chứng thực 45/2026</dd>" in body


def test_a_proxy_is_shown_with_the_forms_labels(login_as, db):
    case = intake_case(requester=PROXY)
    body = shown(login_as(officer(Role.APPROVER)), case)
    assert "<dd>Ủy quyền cho người khác làm thủ tục (chỉ Phiếu số 1)</dd>" in body
    assert "<dt>Quan hệ với người được cấp phiếu</dt><dd>Vợ, chồng</dd>" in body
    assert "<dd>079191001235</dd>" in body and "<dd>02/04/2021</dd>" in body
    assert "<dt>Công chứng, chứng thực văn bản ủy quyền</dt><dd>Có</dd>" in body


def test_an_api_case_shows_the_clients_own_id(login_as, db):
    client = login_as(officer(Role.INTAKE_OFFICER))
    body = shown(client, api_request(client, valid_document(), external_id="VNEID-PANEL-0001"))
    assert "<dt>Mã yêu cầu của hệ thống gửi</dt><dd>VNEID-PANEL-0001</dd>" in body


def test_a_case_without_a_declaration_still_renders(login_as, db):
    case = create_case()
    response = login_as(officer(Role.PROCESSING_OFFICER)).get(f"/ho-so/{case.code}")
    assert response.status_code == 200
    assert 'id="declaration-panel"' not in response.get_data(as_text=True)
