"""Telling the applicant how their case goes, by e-mail and SMS through the outbox (issue 7).

Each message is queued in the transaction of the change that causes it, on the channels the applicant left
on file. An e-mail has a plain-text body and an HTML part; an SMS is a short unaccented text that names the
case code and nothing else personal (domain §13): a Vietnamese text with its marks takes the 70-character
UCS-2 segments, without them it fits the 160 GSM characters of one segment.

Who is told what is written once, in `is_told()`.
"""

import logging
from datetime import date
from urllib.parse import urlencode

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from lltp.cases import services as case_services
from lltp.cases.models import API_CHANNELS, Channel
from lltp.core import outbox
from lltp.core.outbox import OutboxChannel
from lltp.core.text import format_date, format_datetime, unaccented
from lltp.intake import services as intake_services

log = logging.getLogger(__name__)

SUBJECTS = {
    "received": _l("Hồ sơ %(code)s đã được tiếp nhận"),
    "incomplete": _l("Hồ sơ %(code)s cần bổ sung"),
    "apology": _l("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s"),
    "issued": _l("Đã cấp Phiếu lý lịch tư pháp, hồ sơ %(code)s"),
    "dispatched": _l("Phiếu lý lịch tư pháp của hồ sơ %(code)s đã được gửi qua bưu chính"),
    "returned": _l("Đã trả kết quả hồ sơ %(code)s"),
    "one_time_code": _l("Mã xác thực cho hồ sơ %(code)s"),
}
KINDS = frozenset(SUBJECTS)

PURPOSES = {
    "download": _l("tải Phiếu lý lịch tư pháp"),
    "follow_up": _l("bổ sung, theo dõi hồ sơ"),
}

# The national and provincial systems hear of every stage change through their callbacks and tell their own
# user, in their app, of receipt, issue (they hand the certificate over themselves) and return. What only we
# know still reaches the applicant from us: what is missing, the apology, the postal dispatch, one-time codes.
TOLD_BY_API_CLIENT = frozenset({"received", "issued", "returned"})

# The transitions that tell the applicant something: receipt (also once an online request is paid, and again
# with the new appointment date when the completed dossier comes in), the request for completion, the issue
# and the return.
TRANSITION_KINDS = {
    "receive": "received",
    "record_payment": "received",
    "complete_dossier": "received",
    "request_completion": "incomplete",
    "approve": "issued",
    "record_return": "returned",
}


def is_told(case, kind):
    """Whether the applicant of `case` is told of `kind` by us: an agency's case tells nobody (the agency gets
    the papers), an API case hears of its stages from the system that sent it, every other case is told
    everything."""
    if case.channel is Channel.AGENCY:
        return False
    return not (case.channel in API_CHANNELS and kind in TOLD_BY_API_CLIENT)


def recipients(case):
    """The applicant's (channel, address) pairs on file: e-mail first, then phone."""
    found = [
        (OutboxChannel.EMAIL, (case.applicant_email or "").strip()),
        (OutboxChannel.SMS, (case.applicant_phone or "").strip()),
    ]
    return [(channel, address) for channel, address in found if address]


def status_link(case):
    """The public status page of the case: the API points citizens to the same address."""
    base = current_app.config["LLTP_PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/tra-cuu?{urlencode({'ma': case.code})}"


def _words(case, kind, context):
    """What the templates may say: the case code, dates and links, never the applicant's identity."""
    words = {
        "authority": current_app.config["LLTP_AUTHORITY_NAME"],
        "code": case.code,
        "link": status_link(case),
        # An urgent request is due at a time, not only on a day.
        "due_date": format_datetime(case.due_at) if case.due_at else format_date(case.due_date),
    }
    if kind == "incomplete":
        words["note"] = context.get("note") or ""
        words["missing"] = list(context.get("missing") or [])
    elif kind == "apology":
        words["new_date"] = format_date(context["new_date"])
        words["previous_date"] = format_date(context.get("previous_date"))
        words["reason"] = context.get("reason") or ""
    elif kind == "dispatched":
        # The Shipment, or its tracking number.
        shipment = context["shipment"]
        words["tracking_number"] = getattr(shipment, "tracking_number", shipment)
    elif kind == "one_time_code":
        words["code_value"] = context["code"]
        words["purpose"] = str(PURPOSES[context["purpose"]])
        expires_at = context.get("expires_at")
        words["expires"] = expires_at and format_datetime(expires_at)
    return words


def notify(case, kind, **context):
    """Queue the e-mail and the SMS that tell the applicant of `kind` (see SUBJECTS), on the addresses on
    file, in the current transaction. Returns the outbox messages (none when the applicant is not told)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    addresses = recipients(case)
    if not addresses or not is_told(case, kind):
        return []
    words = _words(case, kind, context)
    payload = {"case_id": case.id, "kind": kind}
    messages = []
    for channel, address in addresses:
        if channel is OutboxChannel.EMAIL:
            message = outbox.enqueue(
                channel,
                address,
                subject=SUBJECTS[kind] % {"code": case.code},
                body=render_template(f"notifications/{kind}.txt", **words).strip() + "\n",
                topic=f"notify.{kind}",
                payload={**payload, "html": render_template(f"notifications/{kind}.html", **words)},
            )
        else:
            message = outbox.enqueue(
                channel,
                address,
                body=unaccented(render_template(f"notifications/{kind}.sms.txt", **words)),
                topic=f"notify.{kind}",
                payload=payload,
            )
        messages.append(message)
    # The log names the case and the kind only: a one-time code must not land in a log.
    log.info("case %s: notify %s on %d channel(s)", case.code, kind, len(messages))
    return messages


def _on_transition(case, event, actor):
    kind = TRANSITION_KINDS.get(event.action)
    if kind == "incomplete":
        notify(case, kind, note=event.note, missing=(event.data or {}).get("missing"))
    elif kind is not None:
        notify(case, kind)


def _on_apology(case, paper, actor):
    content = paper.content
    previous = content.get("previous_date")
    notify(
        case,
        "apology",
        new_date=date.fromisoformat(content["new_date"]),
        previous_date=previous and date.fromisoformat(previous),
        reason=content.get("reason"),
    )


case_services.after_transition.append(_on_transition)
intake_services.after_apology.append(_on_apology)
