"""An approver's decisions on an issued certificate: each kind sets the status, a supplement or correction
links the new certificate, a reason is required, only approvers decide, and each decision has its PDF."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.issuance.decisions import record_decision
from lltp.issuance.models import CertificateStatus, DecisionKind
from tests.core.test_pdf import pdf_text
from tests.factories import create_user
from tests.issuance.certificate_rows import check_answers, create_certificate


@pytest.fixture
def approver(db):
    return create_user(roles=(Role.APPROVER,), full_name="Trần Văn Ký")


@pytest.fixture
def certificate(db):
    return create_certificate()


def decide(certificate, approver, **overrides):
    fields = {
        "kind": DecisionKind.REVOKE,
        "number": "15/QĐ-PV06",
        "decided_on": clock.today(),
        "reason": "Phiếu được cấp trên cơ sở giấy tờ giả mạo.",
        "actor": Actor(user=approver, ip="127.0.0.1"),
    }
    return record_decision(certificate, **(fields | overrides))


def replacement_for(certificate):
    """A new certificate for the same case, as a re-issue after a correction leaves it."""
    return create_certificate(certificate.case)


@pytest.mark.parametrize(
    ("kind", "status", "replaced"),
    [
        (DecisionKind.SUPPLEMENT, CertificateStatus.SUPPLEMENTED, True),
        (DecisionKind.CORRECT, CertificateStatus.CORRECTED, True),
        (DecisionKind.REVOKE, CertificateStatus.REVOKED, False),
        (DecisionKind.CANCEL, CertificateStatus.CANCELLED, False),
    ],
)
def test_each_kind_of_decision_sets_the_status(certificate, approver, kind, status, replaced):
    replacement = replacement_for(certificate) if replaced else None
    decision = decide(certificate, approver, kind=kind.value, replacement=replacement)
    assert certificate.status is status
    assert decision.kind is kind
    assert decision.certificate_id == certificate.id


def test_correction_links_the_new_certificate_to_the_old(certificate, approver):
    replacement = replacement_for(certificate)
    decision = decide(certificate, approver, kind=DecisionKind.CORRECT, replacement=replacement)
    assert replacement.replaces_id == certificate.id
    assert certificate.replaced_by is replacement
    assert decision.replacement_id == replacement.id
    assert replacement.status is CertificateStatus.VALID


@pytest.mark.parametrize("kind", [DecisionKind.SUPPLEMENT, DecisionKind.CORRECT])
def test_supplement_or_correction_needs_a_replacement(certificate, approver, kind):
    with pytest.raises(ValidationFailed) as failed:
        decide(certificate, approver, kind=kind)
    assert set(failed.value.errors) == {"replacement"}
    assert certificate.status is CertificateStatus.VALID


def test_replacement_must_be_for_the_same_person(certificate, approver):
    stranger = create_certificate(applicant_id_number="001099000111")
    with pytest.raises(ValidationFailed) as failed:
        decide(certificate, approver, kind=DecisionKind.CORRECT, replacement=stranger)
    assert "replacement" in failed.value.errors


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(certificate, approver, reason):
    with pytest.raises(ValidationFailed) as failed:
        decide(certificate, approver, reason=reason)
    assert set(failed.value.errors) == {"reason"}


def test_number_date_and_kind_are_checked(certificate, approver):
    with pytest.raises(ValidationFailed) as failed:
        decide(certificate, approver, kind="burn", number="", decided_on=clock.today() + timedelta(days=1))
    assert set(failed.value.errors) == {"kind", "number", "decided_on"}


def test_a_decision_number_is_used_once(certificate, approver):
    decide(certificate, approver)
    with pytest.raises(ValidationFailed) as failed:
        decide(create_certificate(), approver)
    assert set(failed.value.errors) == {"number"}


def test_only_approvers_decide(certificate):
    officer = create_user(roles=(Role.PROCESSING_OFFICER,))
    with pytest.raises(NotAllowed):
        decide(certificate, officer)
    assert certificate.status is CertificateStatus.VALID


def test_a_certificate_no_longer_valid_takes_no_new_decision(certificate, approver):
    decide(certificate, approver)
    with pytest.raises(InvalidTransition):
        decide(certificate, approver, kind=DecisionKind.CANCEL, number="16/QĐ-PV06")


def test_decision_has_its_own_pdf_with_its_sha256(certificate, approver):
    replacement = replacement_for(certificate)
    decision = decide(certificate, approver, kind=DecisionKind.CORRECT, replacement=replacement)
    text = " ".join(pdf_text(decision.pdf).split())
    assert decision.pdf_sha256 == hashlib.sha256(decision.pdf).hexdigest()
    assert "QUYẾT ĐỊNH" in text
    assert "Số: 15/QĐ-PV06" in text
    assert f"Về việc đính chính Phiếu lý lịch tư pháp số {certificate.number}" in text
    assert "Phiếu được cấp trên cơ sở giấy tờ giả mạo." in text
    assert replacement.number in text
    assert "Trần Văn Ký" in text


def test_decision_is_audited_with_its_reason(certificate, approver):
    decide(certificate, approver)
    row = _audit("issuance.decision_recorded")
    assert row.reason == "Phiếu được cấp trên cơ sở giấy tờ giả mạo."
    assert row.details["status"] == {"before": "valid", "after": "revoked"}
    assert row.case_id == certificate.case_id


def _audit(action):
    from lltp.extensions import db

    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).one()


# --- the approver's page -------------------------------------------------------------------------------


def page_url(certificate):
    return f"/ho-so/{certificate.case.code}/phieu/{certificate.id}/quyet-dinh"


def form(**overrides):
    return {
        "kind": "revoke",
        "number": "15/QĐ-PV06",
        "decided_on": clock.today().strftime("%d/%m/%Y"),
        "reason": "Giấy tờ giả mạo.",
    } | overrides


def test_approver_records_a_correction_from_the_page(login_as, client, certificate, approver):
    replacement = replacement_for(certificate)
    login_as(approver)
    page = client.get(page_url(certificate)).get_data(as_text=True)
    assert replacement.number in page
    response = client.post(page_url(certificate), data=form(kind="correct", replacement=str(replacement.id)))
    assert response.status_code == 303
    assert certificate.status is CertificateStatus.CORRECTED
    assert replacement.replaces_id == certificate.id


def test_page_shows_each_error_next_to_its_field(login_as, client, certificate, approver):
    login_as(approver)
    response = client.post(page_url(certificate), data=form(reason="", decided_on="1/13/2026"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="decision-reason-error">Vui lòng ghi lý do' in body
    assert 'id="decision-decided-on-error">Vui lòng nhập ngày quyết định' in body
    assert certificate.status is CertificateStatus.VALID


@pytest.mark.parametrize("method", ["get", "post"])
def test_page_refuses_anyone_but_approvers(login_as, client, certificate, method):
    login_as(create_user(roles=(Role.PROCESSING_OFFICER, Role.RETURNING_OFFICER)))
    response = getattr(client, method)(page_url(certificate), data=form() if method == "post" else None)
    assert response.status_code == 403
    assert certificate.status is CertificateStatus.VALID


def test_certificate_of_another_case_is_not_found(login_as, client, certificate, approver):
    other = create_certificate()
    login_as(approver)
    url = f"/ho-so/{other.case.code}/phieu/{certificate.id}/quyet-dinh"
    assert client.get(url).status_code == 404


def test_decision_pdf_downloads_and_the_read_is_audited(login_as, client, certificate, approver):
    decision = decide(certificate, approver)
    login_as(approver)
    response = client.get(f"/ho-so/{certificate.case.code}/quyet-dinh/{decision.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == decision.pdf
    assert 'filename="quyet-dinh-15-qd-pv06.pdf"' in response.headers["Content-Disposition"]
    assert _audit("issuance.decision_viewed").object_id == str(decision.id)


def test_check_page_shows_the_new_status_and_replacement(client, certificate, approver):
    replacement = replacement_for(certificate)
    decide(certificate, approver, kind=DecisionKind.SUPPLEMENT, replacement=replacement)
    body = client.post("/kiem-tra", data=check_answers(certificate)).get_data(as_text=True)
    assert "Đã được bổ sung" in body
    assert replacement.number in body
