"""Notifications to the applicant (issue 7): each kind queues the right e-mail and SMS in the outbox on the
real transitions and services, on the channels on file, to nobody for an agency's case, and with an SMS
that names nothing personal beyond the case code."""

from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa

from lltp.cases import services as case_services
from lltp.cases.models import CaseStage, Channel
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.outbox import OutboxChannel, OutboxMessage
from lltp.delivery import notifications
from lltp.extensions import db as _db
from lltp.intake import services as intake_services
from lltp.intake.models import PaymentMethod
from lltp.integrations.outbox.adapters import EmailAdapter, Envelope
from tests.factories import create_case, officer
from tests.intake.test_apology import REASON, at_risk, calendar, later_working_day  # noqa: F401
from tests.intake.test_case_panels import intake_actor, intake_case

LINK = "http://localhost:5000/tra-cuu?ma="
PERSONAL = ("NGUYỄN VĂN AN", "NGUYEN VAN AN", "079090001234", "17/05/1990", "an.nguyen@example.vn")
GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def notified(case, kind):
    """The outbox rows that tell `case`'s applicant of `kind`, by channel."""
    rows = _db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.topic == f"notify.{kind}").order_by(OutboxMessage.id)
    )
    return {row.channel: row for row in rows if row.payload["case_id"] == case.id}


def email_parts(row):
    """The e-mail as EmailAdapter builds it from the row: (plain text, HTML)."""
    envelope = Envelope(
        id=row.id,
        message_id=row.message_id,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        attempts=1,
        payload=row.payload,
    )
    adapter = EmailAdapter("127.0.0.1", 25, sender="lltp@congan.hcm.vn", timeout=1)
    message = BytesParser(policy=policy.default).parsebytes(adapter.message(envelope).as_bytes())
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def assert_one_short_sms(row):
    assert len(row.body) <= 160
    assert set(row.body) <= GSM_7, set(row.body) - GSM_7


# --- each kind, on its real transition or service --------------------------------------------------


def test_a_received_case_is_told_its_code_due_date_and_status_link_by_email_and_sms(db):
    case = create_case(CaseStage.RECEIVED)

    rows = notified(case, "received")

    assert set(rows) == {OutboxChannel.EMAIL, OutboxChannel.SMS}
    assert rows[OutboxChannel.EMAIL].recipient == "an.nguyen@example.vn"
    assert rows[OutboxChannel.SMS].recipient == "0912345678"
    assert rows[OutboxChannel.EMAIL].payload["kind"] == "received"
    due = f"{case.due_date:%d/%m/%Y}"
    for text in (case.code, due, LINK + case.code):
        assert text in rows[OutboxChannel.EMAIL].body
        assert text in rows[OutboxChannel.SMS].body
    assert case.code in rows[OutboxChannel.EMAIL].subject


def test_the_email_carries_an_html_part_and_its_plain_text_alternative(db):
    case = create_case(CaseStage.RECEIVED)

    plain, html = email_parts(notified(case, "received")[OutboxChannel.EMAIL])

    assert case.code in plain and LINK + case.code in plain
    assert f'href="{LINK}{case.code}"' in html
    assert f"{case.due_date:%d/%m/%Y}" in html
    assert "Công an Thành phố Hồ Chí Minh" in plain and "Công an Thành phố Hồ Chí Minh" in html


def test_an_online_request_is_told_of_its_receipt_once_its_payment_is_recorded(db):
    case = intake_case(Channel.ONLINE)
    assert notified(case, "received") == {}

    intake_services.record_payment(
        case,
        intake_services.PaymentInput(PaymentMethod.BANK_TRANSFER, intake_services.amount_owed(case), "FT1"),
        actor=intake_actor(),
    )

    rows = notified(case, "received")
    assert set(rows) == {OutboxChannel.EMAIL, OutboxChannel.SMS}
    assert f"{case.due_date:%d/%m/%Y}" in rows[OutboxChannel.SMS].body


def test_an_incomplete_dossier_is_told_what_is_missing_by_email_and_only_the_link_by_sms(db):
    case = create_case(CaseStage.RECEIVED)

    intake_services.request_completion(
        case, missing=["id_scan", "other"], other="Bản sao giấy khai sinh", note="", actor=intake_actor()
    )

    rows = notified(case, "incomplete")
    plain, html = email_parts(rows[OutboxChannel.EMAIL])
    for text in ("Nộp lại bản chụp giấy tờ tùy thân rõ nét, đọc được", "Bản sao giấy khai sinh"):
        assert text in plain and text in html
    assert "khai sinh" not in rows[OutboxChannel.SMS].body
    assert LINK + case.code in rows[OutboxChannel.SMS].body


def test_the_officers_own_note_is_told_with_the_missing_items(db):
    case = create_case(CaseStage.RECEIVED)

    intake_services.request_completion(
        case, missing=["residence_history"], note="Ghi rõ nơi cư trú ở Đà Nẵng", actor=intake_actor()
    )

    assert "Ghi rõ nơi cư trú ở Đà Nẵng" in notified(case, "incomplete")[OutboxChannel.EMAIL].body


def test_the_completed_dossier_tells_the_new_appointment_date(db):
    case = create_case(CaseStage.INCOMPLETE)

    case_services.transition(case, "complete_dossier", actor=intake_actor())

    assert f"{case.due_date:%d/%m/%Y}" in notified(case, "received")[OutboxChannel.SMS].body


def test_the_apology_tells_the_missed_date_and_the_new_one(at_risk, calendar):  # noqa: F811
    missed, new_date = at_risk.due_date, later_working_day(at_risk, calendar)

    intake_services.issue_apology(at_risk, new_date=new_date, reason=REASON, actor=intake_actor())

    rows = notified(at_risk, "apology")
    for text in (f"{missed:%d/%m/%Y}", f"{new_date:%d/%m/%Y}", REASON):
        assert text in rows[OutboxChannel.EMAIL].body
    assert f"{new_date:%d/%m/%Y}" in rows[OutboxChannel.SMS].body
    assert REASON not in rows[OutboxChannel.SMS].body


def test_the_issue_is_told_with_the_download_link(db):
    case = create_case(CaseStage.ISSUED)

    rows = notified(case, "issued")

    assert set(rows) == {OutboxChannel.EMAIL, OutboxChannel.SMS}
    assert rows[OutboxChannel.SMS].payload == {"case_id": case.id, "kind": "issued"}
    _plain, html = email_parts(rows[OutboxChannel.EMAIL])
    assert f'href="{LINK}{case.code}"' in html
    assert LINK + case.code in rows[OutboxChannel.SMS].body


def test_the_return_is_told(db):
    case = create_case(CaseStage.RETURNED)

    rows = notified(case, "returned")

    assert set(rows) == {OutboxChannel.EMAIL, OutboxChannel.SMS}
    assert case.code in rows[OutboxChannel.SMS].body


def test_the_postal_dispatch_is_told_with_its_tracking_number(db):
    case = create_case(CaseStage.ISSUED)

    notifications.notify(case, "dispatched", shipment="EB123456789VN")

    rows = notified(case, "dispatched")
    assert "EB123456789VN" in rows[OutboxChannel.EMAIL].body
    assert "EB123456789VN" in rows[OutboxChannel.SMS].body


def test_a_one_time_code_is_sent_with_its_purpose_and_expiry(db):
    case = create_case(CaseStage.ISSUED)
    expires_at = clock.now() + timedelta(minutes=10)

    notifications.notify(case, "one_time_code", code="482913", purpose="download", expires_at=expires_at)

    rows = notified(case, "one_time_code")
    until = f"{clock.to_local(expires_at):%H:%M %d/%m/%Y}"
    for row in rows.values():
        assert "482913" in row.body
        assert until in row.body
    assert "tải Phiếu lý lịch tư pháp" in rows[OutboxChannel.EMAIL].body
    assert "tai Phieu ly lich tu phap" in rows[OutboxChannel.SMS].body


def test_a_one_time_code_is_never_written_in_an_audit_row(db):
    case = create_case(CaseStage.ISSUED)

    notifications.notify(case, "one_time_code", code="482913", purpose="follow_up")

    for event in _db.session.scalars(sa.select(AuditEvent)):
        assert "482913" not in f"{event.action} {event.object_id} {event.reason} {event.details}"


# --- who is told ---------------------------------------------------------------------------------


def test_an_applicant_without_an_email_gets_the_sms_only(db):
    case = create_case(CaseStage.RECEIVED, applicant_email=None)

    assert set(notified(case, "received")) == {OutboxChannel.SMS}


def test_an_applicant_with_neither_email_nor_phone_is_told_nothing(db):
    case = create_case(CaseStage.RETURNED, applicant_email=None, applicant_phone=None)

    assert notifications.notify(case, "dispatched", shipment="EB123456789VN") == []
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.topic.like("notify.%"))
        )
        == 0
    )


def test_an_agency_case_notifies_nobody(db):
    case = create_case(CaseStage.RETURNED, channel=Channel.AGENCY)

    for kind in ("received", "issued", "returned"):
        assert notified(case, kind) == {}
    assert notifications.notify(case, "dispatched", shipment="EB123456789VN") == []


@pytest.mark.parametrize("kind", ["received", "issued", "returned"])
def test_an_api_case_is_not_told_what_its_national_system_tells_its_user(db, kind):
    case = create_case(CaseStage.RETURNED, channel=Channel.VNEID)

    assert notified(case, kind) == {}


def test_an_api_case_is_told_what_is_missing(db):
    case = create_case(CaseStage.RECEIVED, channel=Channel.VNEID)

    intake_services.request_completion(case, missing=["id_scan"], note="", actor=intake_actor())

    assert set(notified(case, "incomplete")) == {OutboxChannel.EMAIL, OutboxChannel.SMS}


def test_a_change_that_keeps_the_stage_tells_nothing(db):
    case = create_case(CaseStage.IN_REVIEW)
    before = _db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    case_services.transition(case, "mark_long", actor=Actor(user=officer()), note="Cư trú nhiều tỉnh")

    assert _db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before


# --- the SMS ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "context"),
    [
        ("received", {}),
        ("incomplete", {"note": "Nộp bản chụp rõ nét", "missing": ["Nộp bản chụp rõ nét"]}),
        ("issued", {}),
        ("dispatched", {"shipment": "EB123456789VN"}),
        ("returned", {}),
        ("one_time_code", {"code": "482913", "purpose": "follow_up", "expires_at": clock.now()}),
    ],
)
def test_every_sms_fits_one_gsm_segment_and_names_nothing_personal(db, kind, context):
    case = create_case(CaseStage.ISSUED)

    (_email, sms) = notifications.notify(case, kind, **context)

    assert_one_short_sms(sms)
    for personal in PERSONAL:
        assert personal not in sms.body


def test_the_apology_sms_fits_one_gsm_segment(at_risk, calendar):  # noqa: F811
    intake_services.issue_apology(
        at_risk, new_date=later_working_day(at_risk, calendar), reason=REASON, actor=intake_actor()
    )

    assert_one_short_sms(notified(at_risk, "apology")[OutboxChannel.SMS])


def test_no_email_names_the_applicant(db):
    case = create_case(CaseStage.ISSUED)

    email = notified(case, "issued")[OutboxChannel.EMAIL]

    plain, html = email_parts(email)
    for personal in PERSONAL[:4]:
        assert personal not in plain and personal not in html and personal not in email.subject


def test_an_unknown_kind_is_a_programming_error(db):
    case = create_case(CaseStage.RECEIVED)

    with pytest.raises(ValueError):
        notifications.notify(case, "welcome")
