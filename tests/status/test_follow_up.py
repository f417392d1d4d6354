"""The applicant's follow-up from the status page (issue 7, acceptance 3): completing an incomplete case
restarts its count, a withdrawal after signing is refused, a wrong or expired one-time code is refused;
and the download rule of domain §11."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition
from lltp.extensions import db as _db
from lltp.extensions import limiter
from lltp.intake.services import attachments_of
from lltp.status import services
from lltp.status.models import OneTimeCode, PaymentReport
from tests.factories import create_case, create_user, officer
from tests.status.cases import FAKE_PDF, NOT_FOUND, facts, issued_case, sent_code, token_of

APPLICANT = Actor(user=None, ip="203.0.113.7", source="applicant")


def start(client, case, purpose, **changes):
    return client.post("/tra-cuu/tiep-theo", data=facts(case, purpose, **changes))


def confirm(client, token, otp, **fields):
    return client.post("/tra-cuu/tiep-theo/xac-nhan", data={"token": token, "otp": otp, **fields})


def test_status_link_opens_the_first_step_with_code_and_purpose(client, db):
    case = create_case(CaseStage.INCOMPLETE)
    body = client.get(f"/tra-cuu/tiep-theo?ma={case.code}&muc=complete").get_data(as_text=True)
    assert f'value="{case.code}"' in body
    assert '<option value="complete" selected>' in body


def test_completing_an_incomplete_case_restarts_its_count(client, db):
    sent_back = clock.now() - timedelta(days=20)
    case = create_case(CaseStage.INCOMPLETE, at=sent_back)
    # While incomplete the count stands still; the first appointment date is on the receipt's event.
    first_due = case.events[0].data["due_date"]
    assert case.clock_started_on is None
    token = token_of(start(client, case, "complete"))
    response = client.post(
        "/tra-cuu/tiep-theo/xac-nhan",
        data={
            "token": token,
            "otp": sent_code(case),
            "answer": "Đã bổ sung quá trình cư trú.",
            "files": (io.BytesIO(FAKE_PDF), "cu-tru.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Đã nhận hồ sơ bổ sung" in response.get_data(as_text=True)
    assert case.stage is CaseStage.RECEIVED
    assert case.clock_started_on == clock.today() > clock.local_date(sent_back)
    assert case.due_date.isoformat() > first_due
    event = case.events[-1]
    assert (event.action, event.note, event.actor_label) == (
        "complete_dossier",
        "Đã bổ sung quá trình cư trú.",
        "applicant",
    )
    assert [a.original_name for a in attachments_of(case)] == ["cu-tru.pdf"]


def test_completion_shows_what_the_officer_asked_for(client, db):
    case = create_case(CaseStage.INCOMPLETE)
    body = start(client, case, "complete").get_data(as_text=True)
    assert "Nội dung cần bổ sung" in body
    assert "Ghi chú thử" in body  # the officer's note, as the request paper keeps it


def test_completion_needs_an_answer_or_a_file_and_keeps_the_code(client, db):
    case = create_case(CaseStage.INCOMPLETE)
    token = token_of(start(client, case, "complete"))
    otp = sent_code(case)
    refused = confirm(client, token, otp, answer=" ")
    assert refused.status_code == 422
    assert "Vui lòng trả lời yêu cầu bổ sung" in refused.get_data(as_text=True)
    assert case.stage is CaseStage.INCOMPLETE
    assert confirm(client, token, otp, answer="Đã nộp").status_code == 200
    assert case.stage is CaseStage.RECEIVED


def test_withdrawal_before_signing_records_the_reason(client, db):
    case = create_case(CaseStage.AWAITING_SIGNATURE)
    token = token_of(start(client, case, "withdraw"))
    response = confirm(client, token, sent_code(case), reason="Không còn nhu cầu")
    assert "Đã rút yêu cầu" in response.get_data(as_text=True)
    assert case.stage is CaseStage.WITHDRAWN
    assert (case.events[-1].action, case.events[-1].note) == ("withdraw", "Không còn nhu cầu")


def test_withdrawal_needs_a_reason(client, db):
    case = create_case(CaseStage.RECEIVED)
    token = token_of(start(client, case, "withdraw"))
    response = confirm(client, token, sent_code(case), reason="")
    assert response.status_code == 422
    assert 'id="follow-reason-error">Vui lòng ghi rõ lý do.' in response.get_data(as_text=True)
    assert case.stage is CaseStage.RECEIVED


def test_withdrawal_after_signing_is_refused_before_any_code_is_sent(client, db):
    case, _certificate = issued_case()
    response = start(client, case, "withdraw")
    assert response.status_code == 409
    assert "không thể rút yêu cầu" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OneTimeCode.id))) == 0


def test_withdrawal_signed_while_the_code_was_on_its_way_is_refused(client, db):
    case = create_case(CaseStage.AWAITING_SIGNATURE)
    token = token_of(start(client, case, "withdraw"))
    otp = sent_code(case)
    from lltp.cases.services import transition

    transition(case, "approve", actor=Actor(user=officer()))
    response = confirm(client, token, otp, reason="Không còn nhu cầu")
    assert response.status_code == 409
    assert case.stage is CaseStage.ISSUED


def test_withdraw_service_refuses_a_signed_case(db):
    case, _certificate = issued_case()
    with pytest.raises(InvalidTransition):
        services.withdraw(case, reason="Đổi ý", actor=APPLICANT)


def test_wrong_code_is_refused_and_counted(client, db):
    case = create_case(CaseStage.RECEIVED)
    token = token_of(start(client, case, "withdraw"))
    otp = sent_code(case)
    wrong = "000000" if otp != "000000" else "111111"
    response = confirm(client, token, wrong, reason="Đổi ý")
    assert response.status_code == 422
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.get_data(as_text=True)
    assert case.stage is CaseStage.RECEIVED
    assert db.session.scalar(sa.select(OneTimeCode.attempts)) == 1
    assert confirm(client, token, otp, reason="Đổi ý").status_code == 200


def test_expired_code_is_refused(client, db):
    case = create_case(CaseStage.RECEIVED)
    token = token_of(start(client, case, "withdraw"))
    row = db.session.scalar(sa.select(OneTimeCode))
    row.expires_at = clock.now() - timedelta(seconds=1)
    db.session.flush()
    response = confirm(client, token, sent_code(case), reason="Đổi ý")
    assert response.status_code == 422
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.get_data(as_text=True)
    assert case.stage is CaseStage.RECEIVED


def test_code_is_spent_by_its_first_use(client, db):
    case = create_case(CaseStage.AWAITING_PAYMENT)
    token = token_of(start(client, case, "payment"))
    otp = sent_code(case)
    report = {"reference": "FT2612010001", "amount": "200.000", "paid_on": clock.today().strftime("%d/%m/%Y")}
    assert confirm(client, token, otp, **report).status_code == 200
    assert confirm(client, token, otp, **report).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(PaymentReport.id))) == 1


def test_code_out_of_tries_is_refused_even_when_right(app, client, db):
    case = create_case(CaseStage.RECEIVED)
    token = token_of(start(client, case, "withdraw"))
    otp = sent_code(case)
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(app.config["LLTP_ONE_TIME_CODE_MAX_ATTEMPTS"]):
        confirm(client, token, wrong, reason="Đổi ý")
    assert confirm(client, token, otp, reason="Đổi ý").status_code == 422
    assert case.stage is CaseStage.RECEIVED


def test_altered_token_is_refused(client, db):
    case = create_case(CaseStage.RECEIVED)
    token = token_of(start(client, case, "withdraw"))
    response = confirm(client, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), sent_code(case))
    assert response.status_code == 400
    assert case.stage is CaseStage.RECEIVED


def test_code_of_another_case_opens_nothing(db):
    case, other = create_case(CaseStage.RECEIVED), create_case(CaseStage.RECEIVED)
    row = services.send_code(case, "withdraw", actor=APPLICANT)
    with pytest.raises(services.CodeRefused):
        services.redeem_code(row.id, other, "withdraw", sent_code(case))
    with pytest.raises(services.CodeRefused):
        services.redeem_code(row.id, case, "payment", sent_code(case))


def test_follow_up_needs_the_date_of_birth_and_the_id_number(client, db):
    case = create_case(CaseStage.RECEIVED)
    response = start(client, case, "withdraw", id_number="079090009999")
    assert NOT_FOUND in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OneTimeCode.id))) == 0


def test_code_is_hashed_and_short_lived(app, client, db):
    case = create_case(CaseStage.RECEIVED)
    start(client, case, "withdraw")
    row = db.session.scalar(sa.select(OneTimeCode))
    assert sent_code(case) not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=app.config["LLTP_ONE_TIME_CODE_MINUTES"])


def test_payment_report_is_kept_and_the_case_stays_unpaid(client, db):
    case = create_case(CaseStage.AWAITING_PAYMENT)
    token = token_of(start(client, case, "payment"))
    day = clock.today().strftime("%d/%m/%Y")
    response = confirm(
        client, token, sent_code(case), reference="FT2612010001", amount="200.000 đ", paid_on=day
    )
    assert "Đã ghi nhận thông tin chuyển khoản" in response.get_data(as_text=True)
    assert case.stage is CaseStage.AWAITING_PAYMENT
    report = db.session.scalar(sa.select(PaymentReport))
    assert (report.reference, report.amount, report.paid_on) == ("FT2612010001", 200000, clock.today())


def test_intake_officer_sees_the_reported_transfer_on_the_case(client, login_as, db):
    case = create_case(CaseStage.AWAITING_PAYMENT)
    services.report_payment(
        case, reference="FT2612010001", amount=200000, paid_on=clock.today(), actor=APPLICANT
    )
    login_as(create_user(roles=(Role.INTAKE_OFFICER,)))
    page = client.get(f"/ho-so/{case.code}").get_data(as_text=True)
    assert "Người yêu cầu báo đã chuyển khoản" in page
    assert "FT2612010001" in page and "200.000 đ" in page


def test_payment_report_errors_show_next_to_their_fields(client, db):
    case = create_case(CaseStage.AWAITING_PAYMENT)
    token = token_of(start(client, case, "payment"))
    response = confirm(client, token, sent_code(case), reference="", amount="abc", paid_on="2026-12-01")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("reference", "amount", "paid-on"):
        assert f'id="follow-{field}-error">Vui lòng' in body


def test_phieu_1_downloads_with_the_three_facts_and_is_audited(client, db):
    case, certificate = issued_case(certificate_type=1)
    response = start(client, case, "download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == FAKE_PDF
    assert response.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certificate.download"))
    assert (row.actor_label, row.object_id, row.case_id, row.ip) == (
        "applicant",
        certificate.number,
        case.id,
        "127.0.0.1",
    )


def test_phieu_2_download_needs_the_one_time_code(client, db):
    case, _certificate = issued_case(certificate_type=2)
    first = start(client, case, "download")
    assert first.mimetype == "text/html"
    assert "Mã xác thực" in first.get_data(as_text=True)
    token = token_of(first)
    assert confirm(client, token, "").status_code == 422
    response = confirm(client, token, sent_code(case))
    assert response.mimetype == "application/pdf"
    assert response.data == FAKE_PDF


def test_download_before_issue_is_refused(client, db):
    case = create_case(CaseStage.DRAFTING)
    response = start(client, case, "download")
    assert response.status_code == 409
    assert "Hồ sơ chưa có Phiếu để tải." in response.get_data(as_text=True)


def test_case_without_a_phone_or_email_cannot_get_a_code(client, db):
    case = create_case(CaseStage.RECEIVED, applicant_phone=None, applicant_email=None)
    response = start(client, case, "withdraw")
    assert response.status_code == 403
    assert "Không gửi được mã xác thực" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OneTimeCode.id))) == 0


def test_sending_a_code_is_audited_without_the_code(client, db):
    case = create_case(CaseStage.RECEIVED)
    start(client, case, "withdraw")
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "status.one_time_code"))
    assert row.case_id == case.id and row.actor_label == "applicant"
    assert sent_code(case) not in str(row.details)


def test_sending_codes_for_one_case_is_limited(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True, LLTP_ONE_TIME_CODE_RATE_LIMIT="2 per hour")
        with app.app_context():
            case = create_case(CaseStage.RECEIVED)
            _db.session.commit()
            form = facts(case, "withdraw")
        client = app.test_client()
        statuses = [
            client.post(
                "/tra-cuu/tiep-theo", data=form, environ_base={"REMOTE_ADDR": f"10.0.2.{n}"}
            ).status_code
            for n in range(3)
        ]
    finally:
        limiter.enabled = was_enabled
    assert statuses == [200, 200, 429]


def test_confirming_is_not_limited_by_other_people_s_confirmations(isolated_db):
    was_enabled = limiter.enabled
    try:
        app = isolated_db(RATELIMIT_ENABLED=True, LLTP_STATUS_CODE_RATE_LIMIT="2 per hour")
        client = app.test_client()
        statuses = [
            client.post(
                "/tra-cuu/tiep-theo/xac-nhan",
                data={"token": "x"},
                environ_base={"REMOTE_ADDR": f"10.0.3.{n}"},
            ).status_code
            for n in range(4)
        ]
    finally:
        limiter.enabled = was_enabled
    assert statuses == [400] * 4
