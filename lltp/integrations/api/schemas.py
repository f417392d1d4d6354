"""The API's answers, built from a case exactly as the contract words them, and the rule that picks the
moment a submission counts from. The request body needs no mapping: it is the validator's document as is
(contracts/intake-api.md is the shape `validate_request` reads)."""

import json
from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app, url_for

from lltp.core import clock
from lltp.issuance.queries import certificate_of


def json_response(body, status=200, *, mimetype="application/json"):
    """`body` as compact UTF-8 JSON (Vietnamese stays readable, not \\u-escaped)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(text, status=status, mimetype=mimetype)


def submission_moment(submitted_at, *, now, max_age):
    """When an API request counts as submitted, for its case code's date, its fee and its deadline.

    The contract dates a case from the day the request was submitted, which is the client's `submitted_at`:
    a national system may push a request it took in a little earlier (a queue, an outage). We honour that
    moment when it is not in the future (a client's clock running ahead) and at most `max_age` old; an
    older one would back-date the case, its fee schedule and its legal profile by whatever a client sent,
    so it counts from when it reached us instead."""
    if submitted_at is None or submitted_at > now or now - submitted_at > max_age:
        return now
    return submitted_at


def max_submission_age():
    return timedelta(days=current_app.config["LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS"])


def _moment(value):
    return None if value is None else clock.to_local(value).isoformat(timespec="seconds")


def status_url(case, host_url):
    # The public status page comes with the status issue; its address is fixed by the contract already.
    return f"{host_url}tra-cuu?{urlencode({'ma': case.code})}"


def case_answer(case, *, host_url):
    """The answer to a submission (201, or 200 for a replay): contracts/intake-api.md, "Answer"."""
    declaration = case.declaration
    answer = {
        "case_code": case.code,
        "external_id": declaration.external_id,
        "status": str(case.stage),
        "fee_amount": declaration.fee_amount,
        "received_at": _moment(case.received_at),
        "due_date": None if case.due_date is None else case.due_date.isoformat(),
        "status_url": status_url(case, host_url),
    }
    if case.is_urgent:
        answer["due_at"] = _moment(case.due_at)
    return answer


def case_status(case, *, host_url):
    """The answer to following a request: the submission's answer plus its stage, its stage history and
    its certificate."""
    return {
        **case_answer(case, host_url=host_url),
        "stage": str(case.stage),
        "history": [
            {"stage": str(event.to_stage), "at": _moment(event.at)}
            for event in case.events
            if event.to_stage != event.from_stage
        ],
        "certificate": certificate_answer(certificate_of(case)),
    }


def certificate_answer(certificate):
    """The case's certificate as the API shows it (null until issued), with its current status."""
    if certificate is None:
        return None
    return {
        "number": certificate.number,
        "issued_at": _moment(certificate.issued_at),
        "status": str(certificate.status),
        "download_url": url_for("api.get_certificate", case_code=certificate.case.code, _external=True),
    }


def record_source_answer(submission):
    """The answer to a record source's document: which document it is, and whether it is applied or still
    waiting for the parent it names."""
    document = submission.document
    return {
        "kind": str(document.kind),
        "source_agency": document.source_agency,
        "source_ref": document.source_ref,
        "version": document.version,
        "status": str(document.status),
        "waiting_for_ref": document.waiting_for_ref,
        "released": submission.released,
    }
