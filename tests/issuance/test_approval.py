"""Approval: the approver reads the draft sent for signature, returns it with a reason or approves and signs
it; the certificate keeps exactly what the draft said, frozen, with its signed PDF. Through the pages as
plain POSTs, the whole way from drafting to the issued certificate."""

import hashlib

import pytest
import sqlalchemy as sa
from flask import current_app, g

from lltp.accounts.models import Role
from lltp.cases.models import Case, CaseStage
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from lltp.issuance import content, queries, services
from lltp.issuance.models import Certificate, CertificateCounter
from lltp.records import casework
from lltp.records.models import RecordMatch
from tests.factories import create_user
from tests.issuance.approvals import awaiting_signature, drafting_case, processing_officer, signing_approver
from tests.records.factories import create_judgment

RETURN_REASON = "Nơi cư trú chưa khớp với CCCD, đề nghị kiểm tra lại"


@pytest.fixture
def approver(db):
    return Actor(user=signing_approver(), ip="127.0.0.1")


@pytest.fixture
def case(db):
    return awaiting_signature()


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- returning the draft --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_returning_a_draft_needs_a_reason(case, approver, reason):
    with pytest.raises(ValidationFailed) as refused:
        services.return_draft(case, reason=reason, actor=approver)
    assert set(refused.value.errors) == {"reason"}
    assert case.stage is CaseStage.AWAITING_SIGNATURE


def test_a_returned_draft_goes_back_to_drafting_with_the_reason(case, approver):
    services.return_draft(case, reason=RETURN_REASON, actor=approver)
    assert case.stage is CaseStage.DRAFTING
    assert (case.events[-1].action, case.events[-1].note) == ("return_draft", RETURN_REASON)


def test_only_an_approver_may_return_a_draft(case):
    with pytest.raises(NotAllowed):
        services.return_draft(case, reason=RETURN_REASON, actor=Actor(user=processing_officer()))


# --- approving ------------------------------------------------------------------------------------


def test_approving_issues_the_case_with_its_certificate(case, approver):
    certificate = services.approve(case, actor=approver)
    assert case.stage is CaseStage.ISSUED
    assert queries.certificate_of(case) is certificate
    assert case.events[-1].data["certificate_number"] == certificate.number
    assert (certificate.signer_name, certificate.signer_id) == ("Trần Quốc Hưng", approver.user.id)
    assert certificate.signer_title == current_app.config["LLTP_AUTHORITY_SIGNER_TITLE"]


def test_the_certificate_keeps_the_draft_content_with_its_number_and_template_version(case, approver):
    draft = queries.draft_of(case)
    certificate = services.approve(case, actor=approver)
    assert {key: certificate.content[key] for key in draft.content} == draft.content
    assert certificate.content["number"] == certificate.number
    assert certificate.content["check_code"] == certificate.check_code
    assert certificate.template_version == certificate.content["template_version"] == content.TEMPLATE_VERSION
    assert certificate.content["signer"]["name"] == certificate.signer_name


def test_the_certificate_has_as_many_copies_as_asked(approver):
    case = awaiting_signature(copies=3)
    certificate = services.approve(case, actor=approver)
    assert certificate.copies == certificate.content["copies"] == 3


def test_the_certificate_keeps_its_signed_pdf_and_its_sha256(case, approver):
    certificate = services.approve(case, actor=approver)
    assert certificate.pdf.startswith(b"%PDF")
    assert certificate.pdf_sha256 == hashlib.sha256(certificate.pdf).hexdigest()


def test_the_snapshot_is_frozen_when_the_record_database_changes_after_issue(approver):
    case = drafting_case(convicted=True)
    services.submit_for_signature(case, actor=Actor(user=processing_officer()))
    certificate = services.approve(case, actor=approver)
    frozen = dict(certificate.content)
    person = _db.session.get(RecordMatch, casework.current_match(case).id).person
    create_judgment(person, number="99/2026/HS-ST", pronounced_on="2026-01-05", effective_on="2026-02-05")
    _db.session.commit()
    _db.session.expire_all()
    assert len(content.compose(case)["convictions"]) == len(frozen["convictions"]) + 1
    assert _db.session.get(Certificate, certificate.id).content == frozen


def test_an_approver_without_the_second_factor_may_not_approve_and_nothing_is_written(case):
    approver = Actor(user=create_user(roles=(Role.APPROVER,), two_factor=False))
    before = count(Certificate), count(CertificateCounter), count(AuditEvent)
    with pytest.raises(NotAllowed):
        services.approve(case, actor=approver)
    assert (count(Certificate), count(CertificateCounter), count(AuditEvent)) == before
    assert case.stage is CaseStage.AWAITING_SIGNATURE


def test_only_an_approver_may_approve(case):
    with pytest.raises(NotAllowed):
        services.approve(case, actor=Actor(user=processing_officer()))
    assert count(Certificate) == 0


def test_a_draft_still_being_drafted_cannot_be_approved(approver):
    case = drafting_case()
    with pytest.raises(InvalidTransition):
        services.approve(case, actor=approver)
    assert count(CertificateCounter) == 0


def test_approving_is_audited_with_the_number(case, approver):
    certificate = services.approve(case, actor=approver)
    (row,) = _db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "issuance.certificate_issued")
    )
    assert (row.object_id, row.case_id, row.actor_id) == (certificate.number, case.id, approver.user.id)
    assert row.details["pdf_sha256"] == certificate.pdf_sha256


# --- the case page --------------------------------------------------------------------------------


def page(client, case):
    return client.get(f"/ho-so/{case.code}").get_data(as_text=True)


def test_approving_from_the_page_by_a_non_approver_is_forbidden(login_as, case):
    client = login_as(processing_officer())
    assert client.post(f"/ho-so/{case.code}/du-thao/phe-duyet").status_code == 403
    assert _db.session.get(Case, case.id).stage is CaseStage.AWAITING_SIGNATURE
    assert count(Certificate) == 0


def test_the_approver_sees_the_draft_with_its_edits_and_the_signing_form(login_as):
    officer = Actor(user=processing_officer())
    case = drafting_case(officer=officer.user)
    services.edit_draft(case, "note", "Đã đối chiếu CCCD bản chính", reason="Theo yêu cầu", actor=officer)
    services.submit_for_signature(case, actor=officer)
    body = page(login_as(signing_approver()), case)
    assert "Đã đối chiếu CCCD bản chính" in body and "Theo yêu cầu" in body
    assert f"/ho-so/{case.code}/du-thao/phe-duyet" in body
    assert f"/ho-so/{case.code}/du-thao/tra-lai" in body
    assert f"/ho-so/{case.code}/thao-tac/approve" not in body
    assert f"/ho-so/{case.code}/thao-tac/return_draft" not in body


def test_returning_from_the_page_without_a_reason_is_shown_next_to_the_field(login_as, case):
    client = login_as(signing_approver())
    response = client.post(f"/ho-so/{case.code}/du-thao/tra-lai", data={"reason": ""})
    assert response.status_code == 422
    assert 'id="draft-return-reason-error">Vui lòng nhập nội dung này.</p>' in response.get_data(as_text=True)


def switch_to(login_as, user):
    """Log `user` in on the test client. The test's app context outlives each request, and with it the user
    Flask-Login cached there, which must be forgotten."""
    g.pop("_login_user", None)
    return login_as(user)


def test_the_whole_flow_through_the_pages(client, login_as):
    officer, approver = processing_officer(), signing_approver()
    case = drafting_case(officer=officer)
    code = case.code
    panel = f"/ho-so/{code}#draft-panel"

    def post(path, **data):
        response = client.post(f"/ho-so/{code}/du-thao/{path}", data=data)
        assert (response.status_code, response.headers["Location"]) == (303, panel)
        return response

    switch_to(login_as, officer)
    assert 'id="draft-panel"' in page(client, case)
    post("sua", field="person.residence", value="Số 5 đường Nguyễn Huệ", reason="Theo sổ tạm trú")
    post("trinh-ky")

    switch_to(login_as, approver)
    assert "Số 5 đường Nguyễn Huệ" in page(client, case)
    post("tra-lai", reason=RETURN_REASON)

    switch_to(login_as, officer)
    assert RETURN_REASON in page(client, case)
    post("trinh-ky")

    switch_to(login_as, approver)
    response = post("phe-duyet")
    certificate = queries.certificate_of(case)
    assert certificate.content["person"]["residence"] == "Số 5 đường Nguyễn Huệ"
    assert [e.action for e in _db.session.get(Case, case.id).events][-5:] == [
        "start_drafting",
        "submit_for_signature",
        "return_draft",
        "submit_for_signature",
        "approve",
    ]
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã phê duyệt và ký Phiếu số {certificate.number}." in body
    assert certificate.number in body
