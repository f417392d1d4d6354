"""Acceptance 1: equal data gives equal cases, whatever channel the request came by.

Each submitter takes the same person's request (`helpers.valid_document()`, in the contract's shape) in
through one channel, adding only what that channel itself asks for, and returns the case it made. The
stored identity (the case's applicant and request fields, the declaration, the residence history) must
equal what the same request gives when received directly. To add a channel, add one line to SUBMITTERS.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import Case
from lltp.cases.services import CASE_FIELDS
from lltp.core import clock
from lltp.extensions import db
from lltp.intake.services import receive_request
from lltp.intake.validation import validate_request
from tests.factories import SYSTEM, create_user
from tests.intake.helpers import cccd_number, form_data, valid_document

DECLARATION_FIELDS = (
    "other_names",
    "place_of_birth",
    "nationality",
    "ethnicity",
    "id_document_type",
    "id_issued_on",
    "id_issued_by",
    "permanent_address",
    "temporary_address",
    "father",
    "mother",
    "spouse",
    "requester",
    "postal_address",
)
PERIOD_FIELDS = ("position", "from_date", "to_date", "address", "occupation", "workplace")
TRACKING_NUMBER = "EB123456789VN"


def postal():
    return {"tracking_number": TRACKING_NUMBER, "arrived_on": clock.today().isoformat()}


def agency():
    return {
        "name": "Sở Kế hoạch và Đầu tư",
        "letter_number": "15/SKHĐT",
        "letter_date": clock.today().isoformat(),
    }


def projection(case):
    """What the applicant declared, as stored: the same on every channel."""
    declaration = case.declaration
    return {
        "case": {name: getattr(case, name) for name in CASE_FIELDS},
        "declaration": {name: getattr(declaration, name) for name in DECLARATION_FIELDS},
        "residence_history": [
            {name: getattr(period, name) for name in PERIOD_FIELDS}
            for period in declaration.residence_history
        ],
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


SUBMITTERS = [
    pytest.param(counter_form, id="counter-form"),
    pytest.param(post_form, id="post-form"),
    pytest.param(lambda client, document: received({**document, "postal": postal()}, "post"), id="post"),
    pytest.param(lambda client, document: received({**document, "agency": agency()}, "agency"), id="agency"),
]


@pytest.fixture
def client_as_officer(client, login_as):
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
    )
    born = date.fromisoformat(document["applicant"]["date_of_birth"])
    document["applicant"]["id_document"]["number"] = cccd_number("female", born)
    return document


@pytest.mark.parametrize("submit", SUBMITTERS)
def test_equal_data_gives_equal_cases(client_as_officer, submit):
    document = applicant_with_everything()
    expected = projection(received(document, "counter"))
    assert projection(submit(client_as_officer, document)) == expected
