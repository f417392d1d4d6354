"""The rules of returning, written once: which returns an issued case owes, when each counts as done,
and the move to `returned` once all are.

- The electronic return is owed by a case that came through the API (done when the submitting client
  acknowledges the `issued` callback, per the contract) and by our online form (done when the applicant
  has been notified with the download link).
- A case from the counter, the post or an agency that chose electronic return owes the electronic return
  too, done as the online form's is: the notification with the download link is what puts the result in
  the applicant's hands. When nobody can be sent that link (an agency's case, which notifications never
  tell, or no e-mail or phone on file), no electronic return can ever be done: the case owes a paper return
  at the counter instead, and an online case asking for paper owes only the paper.
- The paper return is owed when the case asks for paper (counter or post). It is done when the copies are
  handed over at the counter, or when the postal operator reports them delivered.

The case moves to `returned` (through the workflow table) in the transaction that completes the last one.
"""

import logging

import sqlalchemy as sa

from lltp.cases import services as case_services
from lltp.cases.models import API_CHANNELS, CaseStage, Channel, DeliveryMethod
from lltp.core import audit, clock, outbox
from lltp.core.audit import Actor
from lltp.delivery import notifications
from lltp.delivery.models import CaseReturn, ReturnKind, ReturnReason
from lltp.extensions import db

log = logging.getLogger(__name__)

CALLBACK_TOPIC = "api.callback"
NOTIFY_ISSUED_TOPIC = "notify.issued"
# The channels whose applicants get the result electronically whatever paper they ask for.
ELECTRONIC_CHANNELS = API_CHANNELS | {Channel.ONLINE}
RETURN_NOTES = {
    ReturnReason.CALLBACK_ACKNOWLEDGED: "Hệ thống gửi yêu cầu đã xác nhận nhận kết quả điện tử.",
    ReturnReason.CLIENT_DOWNLOADED: "Hệ thống gửi yêu cầu đã tải Phiếu điện tử đã ký số.",
    ReturnReason.APPLICANT_NOTIFIED: "Đã thông báo cho người yêu cầu đường dẫn tải Phiếu điện tử.",
    ReturnReason.COLLECTED: "Đã trao Phiếu bản giấy tại bộ phận một cửa.",
    ReturnReason.DELIVERED: "Bưu điện đã phát Phiếu bản giấy cho người nhận.",
}


def owed_returns(case):
    """The returns `case` owes once issued: a list of (kind, method), electronic first."""
    owed = []
    method = case.delivery_method
    electronic = case.channel in ELECTRONIC_CHANNELS or method is DeliveryMethod.ELECTRONIC
    if electronic and case.channel not in API_CHANNELS and not _can_be_sent_the_link(case):
        # Nobody can be sent the download link: the applicant collects the result at the counter instead.
        electronic = False
        if method is DeliveryMethod.ELECTRONIC:
            owed.append((ReturnKind.PAPER, DeliveryMethod.COUNTER))
    if electronic:
        owed.append((ReturnKind.ELECTRONIC, DeliveryMethod.ELECTRONIC))
    if method is not DeliveryMethod.ELECTRONIC:
        owed.append((ReturnKind.PAPER, method))
    return owed


def _can_be_sent_the_link(case):
    return notifications.is_told(case, "issued") and bool(notifications.recipients(case))


def electronic_done_by(case):
    """What completes the case's electronic return: the API client's acknowledgement, or the notice."""
    return (
        ReturnReason.CALLBACK_ACKNOWLEDGED
        if case.channel in API_CHANNELS
        else ReturnReason.APPLICANT_NOTIFIED
    )


def returns_of(case):
    """The returns the case owes, electronic first."""
    return db.session.scalars(
        sa.select(CaseReturn).where(CaseReturn.case_id == case.id).order_by(CaseReturn.kind)
    ).all()


def return_of(case, kind):
    return db.session.scalar(
        sa.select(CaseReturn).where(CaseReturn.case_id == case.id, CaseReturn.kind == kind)
    )


def open_returns(case, *, at):
    """Write down what `case` owes, when it is issued."""
    for kind, method in owed_returns(case):
        db.session.add(CaseReturn(case_id=case.id, kind=kind, method=method, created_at=at))
    db.session.flush()


def complete_return(case_return, *, reason, actor, at=None):
    """Count one return as done, and move the case to `returned` when it was the last one it owed."""
    if case_return.is_done:
        return False
    at = at or clock.now()
    case_return.done_at = at
    case_return.done_reason = reason
    db.session.flush()
    case = case_return.case
    audit.record(
        "delivery.return_done",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        details={"kind": str(case_return.kind), "method": str(case_return.method), "reason": str(reason)},
    )
    if case.stage is CaseStage.ISSUED and all(r.is_done for r in returns_of(case)):
        case_services.transition(case, "record_return", actor=actor, note=RETURN_NOTES[reason], at=at)
    return True


def record_client_download(case, *, actor, at=None):
    """The API client that sent the case fetched its signed PDF: it holds the result, so the electronic
    return is done. For a client without a callback URL this is the only way; otherwise the first of the
    two counts."""
    case_return = return_of(case, ReturnKind.ELECTRONIC)
    if case_return is None or case.channel not in API_CHANNELS:
        return False
    return complete_return(case_return, reason=ReturnReason.CLIENT_DOWNLOADED, actor=actor, at=at)


def on_case_transition(case, event, actor):
    """Issuing the certificate opens the case's returns."""
    if event.to_stage is CaseStage.ISSUED and event.from_stage is not CaseStage.ISSUED:
        open_returns(case, at=event.at)


def on_message_sent(message):
    """An outbox message was sent: the acknowledged `issued` callback, or the notice with the download link,
    completes the case's electronic return (when that is what the case's channel waits for)."""
    payload = message.payload or {}
    if message.topic == CALLBACK_TOPIC:
        if payload.get("event") != "stage_changed" or payload.get("stage") != str(CaseStage.ISSUED):
            return
        reason = ReturnReason.CALLBACK_ACKNOWLEDGED
    elif message.topic == NOTIFY_ISSUED_TOPIC:
        reason = ReturnReason.APPLICANT_NOTIFIED
    else:
        return
    case_return = db.session.scalar(
        sa.select(CaseReturn).where(
            CaseReturn.case_id == payload.get("case_id"), CaseReturn.kind == ReturnKind.ELECTRONIC
        )
    )
    if case_return is None or electronic_done_by(case_return.case) is not reason:
        return
    if complete_return(case_return, reason=reason, actor=Actor.system("worker"), at=message.sent_at):
        log.info("case %s: electronic return done (%s)", case_return.case.code, reason)


case_services.after_transition.append(on_case_transition)
outbox.on_sent.append(on_message_sent)
