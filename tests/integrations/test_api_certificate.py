"""The certificate in the API: `certificate` of GET /api/v1/requests/<code> once issued, with its current
status, and GET .../certificate, the signed PDF, for the submitting client only."""

import jsonschema
import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.issuance.decisions import record_decision
from lltp.issuance.models import DecisionKind
from tests.factories import create_api_case, create_user, issue_case


@pytest.fixture
def issued(api):
    """A case the client sent, issued with its real signed certificate."""
    case = create_api_case(api.client)
    return case, issue_case(case)


def download(api, case_code):
    return api.http.get(f"/api/v1/requests/{case_code}/certificate", headers=api.headers())


def test_following_an_issued_request_shows_its_certificate(api, issued):
    case, certificate = issued

    answer = api.follow(case.code).get_json()

    assert answer["certificate"] == {
        "number": certificate.number,
        "issued_at": clock.to_local(certificate.issued_at).isoformat(timespec="seconds"),
        "status": "valid",
        "download_url": f"http://localhost/api/v1/requests/{case.code}/certificate",
    }
    document = api.http.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/CaseStatus", "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(answer)


def test_following_shows_the_certificate_revoked_after_a_revocation(api, issued):
    case, certificate = issued
    record_decision(
        certificate,
        kind=DecisionKind.REVOKE,
        number="33/QĐ-PV06",
        decided_on=clock.today(),
        reason="Phiếu được cấp trên cơ sở giấy tờ giả mạo.",
        actor=Actor(user=create_user(roles=(Role.APPROVER,)), ip="127.0.0.1"),
    )

    assert api.follow(case.code).get_json()["certificate"]["status"] == "revoked"


def test_an_unissued_request_has_no_certificate_and_no_download(api):
    case = create_api_case(api.client)

    assert api.follow(case.code).get_json()["certificate"] is None
    response = download(api, case.code)
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")


def test_the_submitting_client_downloads_the_signed_pdf_and_the_download_is_audited(api, issued, db):
    case, certificate = issued

    response = download(api, case.code)

    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert response.data == certificate.pdf
    assert response.data.startswith(b"%PDF")
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.case_id == case.id, AuditEvent.object_id == certificate.number
        )
    ).all()
    assert "api.certificate.downloaded" in actions


def test_another_client_gets_404_for_the_certificate(make_api, issued):
    case, _certificate = issued

    response = download(make_api(), case.code)

    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert b"%PDF" not in response.data


def test_downloading_the_certificate_completes_the_electronic_return_of_a_client_without_callbacks(
    api, issued
):
    case, _certificate = issued
    assert api.client.callback_url is None

    assert download(api, case.code).status_code == 200

    assert case.stage is CaseStage.RETURNED
    assert case.events[-1].note == "Hệ thống gửi yêu cầu đã tải Phiếu điện tử đã ký số."
