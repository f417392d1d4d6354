"""Acceptance 1: equal data gives equal cases, whatever channel the request came by.

Each submitter takes the same person's request (`helpers.valid_document()`, in the contract's shape) in
through one channel, the way that channel really sends it (the officers' forms, the citizens' online form
step by step, the national API), adding only what that channel itself asks for, and returns the case it
made. Every stored column of the case, its declaration and its residence history must equal what the same
request gives when received directly, except the few that legitimately depend on the channel (below). To
add a channel, add one line to SUBMITTERS.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.accounts.models import ApiClientKind, Role
from lltp.accounts.services import create_api_client
from lltp.cases.models import Case
from lltp.core import clock
from lltp.extensions import db
from lltp.intake.models import AttachmentKind, Declaration, ResidencePeriod
from lltp.intake.services import receive_request
from lltp.intake.validation import validate_request
from tests.factories import SYSTEM, create_user
from tests.intake.helpers import cccd_number, form_data, valid_document
from tests.intake.test_online import fill_in, upload

# What differs by channel and so is left out of the comparison:
CHANNEL_SPECIFIC = {
    Case: {
        # who the case is, and how it came;
        "id",
        "code",
        "channel",
        # its timestamps;
        "submitted_at",
        "created_at",
        "stage_changed_at",
        # and its stage and clock: a request paid at intake (the API's, the counter's) is received and its
        # deadline runs; one still to pay (online, or typed in before the money) waits without a clock.
        "stage",
        "received_at",
        "closed_at",
        "legal_profile_id",
        "is_long",
        "clock_started_on",
        "due_date",
        "due_at",
    },
    Declaration: {
        "id",
        "case_id",
        # The fee: its schedule depends on the channel (online costs less, agencies pay nothing), and a
        # proof is checked at the desk or confirmed later.
        "fee_category",
        "fee_amount",
        "fee_breakdown",
        "fee_proof_checked_at",
        "fee_proof_checked_by_id",
        # The parcel of a postal request.
        "postal_tracking_number",
        "postal_arrived_on",
        "certified_signature",
        "certified_signature_reference",
        # The letter of an agency's request.
        "agency_name",
        "agency_letter_number",
        "agency_letter_date",
        "agency_notified_by",
        "follow_up_due_on",
        "follow_up_received_at",
        # The national system that pushed it, its own id, and the hash of the body it sent.
        "api_client_id",
        "external_id",
        "body_hash",
    },
    ResidencePeriod: {"id", "declaration_id"},
}
TRACKING_NUMBER = "EB123456789VN"
PROXY = {
    "kind": "proxy",
    "full_name": "Lê thị Hoa",
    "relationship": "other",
    "id_document": {
        "type": "cccd",
        "number": "079191001235",
        "issued_on": "2021-04-02",
        "issued_by": "Bộ Công an",
    },
    "authorisation_reference": "Giấy ủy quyền số 12, công chứng ngày 01/11/2025",
    "authorisation_notarised": True,
}


def postal():
    return {"tracking_number": TRACKING_NUMBER, "arrived_on": clock.today().isoformat()}


def agency():
    return {
        "name": "Sở Kế hoạch và Đầu tư",
        "letter_number": "15/SKHĐT",
        "letter_date": clock.today().isoformat(),
    }


def columns(row):
    """Every stored column of `row` but its channel's own."""
    model = type(row)
    keys = [column.key for column in sa.inspect(model).column_attrs]
    return {key: getattr(row, key) for key in keys if key not in CHANNEL_SPECIFIC[model]}


def projection(case):
    """What the applicant declared, as stored: the same on every channel."""
    declaration = case.declaration
    return {
        "case": columns(case),
        "declaration": columns(declaration),
        "residence_history": [columns(period) for period in declaration.residence_history],
    }


def received(document, channel):
    """The request received straight through the service, as the API and the CLI do."""
    request = validate_request(document, channel=channel, today=clock.today())
    return receive_request(request, channel=channel, actor=SYSTEM)


def newest_case():
    return db.session.scalars(sa.select(Case).order_by(Case.id.desc()).limit(1)).one()


def counter_form(client, document):
    data = {**form_data(document), "payment.method": "cash", "payment.receipt_number": "BL-1"}
    response = client.post("/tiep-nhan/tai-quay", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest_case()


def post_form(client, document):
    extra = {"postal.tracking_number": TRACKING_NUMBER, "postal.arrived_on": f"{clock.today():%d/%m/%Y}"}
    response = client.post("/tiep-nhan/buu-chinh", data={**form_data(document), **extra})
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest_case()


def online_form(client, document):
    """The citizen's steps, the scans of the ID document and of the proxy's authorisation, then the submit."""
    fill_in(client, document)
    upload(client)
    upload(client, kind=AttachmentKind.AUTHORISATION, filename="giay-uy-quyen.pdf")
    client.post("/nop-ho-so/tai-lieu", data={})
    response = client.post("/nop-ho-so/xem-lai", data={})
    assert response.status_code == 303, response.get_data(as_text=True)
    return newest_case()


def api_request(client, document, *, external_id="VNEID-EQUAL-0001"):
    """POST /api/v1/requests from a VNeID client, with what the contract adds: the client's id for the
    request, when it was submitted, and the fee already paid in VNeID."""
    token = create_api_client("vneid", kind=ApiClientKind.VNEID, actor=SYSTEM).token
    body = {
        **document,
        "external_id": external_id,
        "submitted_at": clock.now().isoformat(),
        "fee": {**document["fee"], "paid": True, "payment_reference": "VNEID-PAY-0001"},
    }
    response = client.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    return newest_case()


SUBMITTERS = [
    pytest.param(counter_form, id="counter-form"),
    pytest.param(post_form, id="post-form"),
    pytest.param(online_form, id="online-form"),
    pytest.param(api_request, id="api"),
    pytest.param(lambda client, document: received({**document, "postal": postal()}, "post"), id="post"),
    pytest.param(lambda client, document: received({**document, "agency": agency()}, "agency"), id="agency"),
]


@pytest.fixture
def client_as_officer(app, client, login_as, monkeypatch, tmp_path):
    """The test client, logged in as an intake officer; the online form without its minimum wait, and
    with uploads in a directory of the test's."""
    monkeypatch.setitem(app.config, "LLTP_ONLINE_MIN_SECONDS", 0)
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_DIR", str(tmp_path / "uploads"))
    login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    return client


def applicant_with_everything():
    """One person, with every optional part of the tờ khai filled in and typed as an officer might."""
    document = valid_document(
        copies=2,
        applicant__full_name="Trần thị Bích Ngọc",
        applicant__sex="female",
        applicant__other_names=["Ngọc"],
        applicant__temporary_address="Phường Tân Định, Thành phố Hồ Chí Minh",
        applicant__spouse={"full_name": "Lê Văn Cường", "birth_year": 1985},
        requester=PROXY,
    )
    born = date.fromisoformat(document["applicant"]["date_of_birth"])
    document["applicant"]["id_document"]["number"] = cccd_number("female", born)
    return document


@pytest.mark.parametrize("submit", SUBMITTERS)
def test_equal_data_gives_equal_cases(client_as_officer, submit):
    document = applicant_with_everything()
    expected = projection(received(document, "counter"))
    assert projection(submit(client_as_officer, document)) == expected
