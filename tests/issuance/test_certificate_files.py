"""An issued certificate's files on the case page: the signed PDF exactly as stored, and each paper copy
"bản số k/n" printed from the frozen snapshot; both audited, and refused to officers without the need."""

import io

import pypdf
import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core.audit import Actor, AuditEvent
from lltp.extensions import db as _db
from lltp.issuance import services
from tests.factories import create_user
from tests.issuance.approvals import awaiting_signature, signing_approver


@pytest.fixture
def certificate(db):
    case = awaiting_signature(copies=2)
    return services.approve(case, actor=Actor(user=signing_approver(), ip="127.0.0.1"))


def text_of(data):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_electronic_certificate_is_the_signed_pdf_as_stored(client, login_as, certificate):
    login_as(create_user(roles=(Role.RETURNING_OFFICER,)))
    response = client.get(f"/ho-so/{certificate.case.code}/phieu/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == certificate.pdf


@pytest.mark.parametrize("copy_number", [1, 2])
def test_each_paper_copy_is_numbered_of_the_copies(client, login_as, certificate, copy_number):
    login_as(create_user(roles=(Role.RETURNING_OFFICER,)))
    response = client.get(f"/ho-so/{certificate.case.code}/phieu/{certificate.id}/ban-giay/{copy_number}.pdf")
    assert response.status_code == 200
    text = text_of(response.data)
    assert f"Bản số {copy_number}/2" in text and certificate.number in text


def test_a_copy_beyond_the_copies_is_not_found(client, login_as, certificate):
    login_as(create_user(roles=(Role.RETURNING_OFFICER,)))
    assert (
        client.get(f"/ho-so/{certificate.case.code}/phieu/{certificate.id}/ban-giay/3.pdf").status_code == 404
    )


def test_downloading_is_audited(client, login_as, certificate):
    login_as(create_user(roles=(Role.APPROVER,)))
    client.get(f"/ho-so/{certificate.case.code}/phieu/{certificate.id}.pdf")
    actions = _db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.case_id == certificate.case_id)
    )
    assert "issuance.certificate_downloaded" in actions.all()


def test_an_intake_officer_may_not_download_it(client, login_as, certificate):
    login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    assert client.get(f"/ho-so/{certificate.case.code}/phieu/{certificate.id}.pdf").status_code == 403


def test_the_case_page_links_the_files_for_the_returning_officer(client, login_as, certificate):
    login_as(create_user(roles=(Role.RETURNING_OFFICER,)))
    page = client.get(f"/ho-so/{certificate.case.code}").get_data(as_text=True)
    assert f"/phieu/{certificate.id}.pdf" in page and f"/phieu/{certificate.id}/ban-giay/2.pdf" in page
    assert "/quyet-dinh" not in page
