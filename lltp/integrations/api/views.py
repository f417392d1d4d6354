"""The routes of /api/v1: submit a request, follow it, download its certificate, and the OpenAPI
document."""

from flask import current_app, g, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest

from lltp.cases.services import get_case
from lltp.core import audit, clock
from lltp.core.errors import ValidationFailed
from lltp.core.permissions import public
from lltp.delivery import returns
from lltp.extensions import db
from lltp.intake.services import body_hash, find_api_request, receive_request
from lltp.intake.validation import validate_request
from lltp.integrations.api import bp, schemas
from lltp.integrations.api.auth import client_actor, client_required
from lltp.integrations.api.errors import IDEMPOTENCY_CONFLICT, Problem
from lltp.integrations.api.openapi import openapi_document
from lltp.issuance.queries import certificate_of


def json_body():
    """The request's JSON body, or a 415 (not JSON) or 400 (not valid JSON) problem."""
    if not request.is_json:
        raise Problem(415)
    try:
        return request.get_json()
    except BadRequest as error:
        raise Problem(400, "Nội dung gửi lên không phải JSON hợp lệ.") from error


def _replay(client, body, external_id):
    """The answer to a request the client already sent under `external_id`: the same case (200) for the
    same body, a 409 for another one. None when the id is new."""
    if not isinstance(external_id, str):
        return None
    declaration = find_api_request(client, external_id)
    if declaration is None:
        return None
    if declaration.body_hash != body_hash(body):
        raise Problem(
            409,
            f"Mã yêu cầu {external_id} đã được gửi trước đó với nội dung khác.",
            type_=IDEMPOTENCY_CONFLICT,
            title="Trùng mã yêu cầu",
        )
    case = declaration.case
    answer = schemas.case_answer(case, host_url=request.host_url)
    audit.record(
        "api.request.replay", client_actor(client), object_type="case", object_id=case.code, case_id=case.id
    )
    db.session.commit()
    return schemas.json_response(answer, 200)


@bp.post("/requests")
@client_required
def submit_request():
    """Receive a request from a national system: a new case (201), or the first answer again (200)."""
    client = g.api_client
    body = json_body()
    now = clock.now()
    try:
        clean = validate_request(body, channel=client.kind, today=clock.local_date(now), date_style="iso")
    except ValidationFailed:
        # An external_id already used is answered by the idempotency rules, whatever this body holds.
        replay = _replay(client, body, body.get("external_id") if isinstance(body, dict) else None)
        if replay is None:
            raise
        return replay
    try:
        case = receive_request(
            clean,
            channel=client.kind,
            actor=client_actor(client),
            at=schemas.submission_moment(
                clean["submitted_at"], now=now, max_age=schemas.max_submission_age()
            ),
            api_client=client,
            request_hash=body_hash(body),
        )
        answer = schemas.case_answer(case, host_url=request.host_url)
        db.session.commit()
    except IntegrityError:
        # A replay, or the same request sent twice at once: the unique (api_client_id, external_id) of the
        # declarations lets the first through. Replays are rare, so new requests skip the look-up (one
        # query less on the hot path) and a replay pays for the rolled-back attempt instead.
        db.session.rollback()
        replay = _replay(client, body, clean["external_id"])
        if replay is None:
            raise
        return replay
    response = schemas.json_response(answer, 201)
    response.headers["Location"] = url_for("api.get_request", case_code=answer["case_code"])
    return response


def _own_case(client, case_code):
    """The client's case with this code, or a 404."""
    case = get_case(case_code)
    # Another client's case is "not found", never "forbidden": a 403 would tell the caller the code exists.
    if case is None or case.declaration is None or case.declaration.api_client_id != client.id:
        raise Problem(404, "Không tìm thấy hồ sơ này trong các yêu cầu mà hệ thống đã gửi.")
    return case


@bp.get("/requests/<case_code>")
@client_required
def get_request(case_code):
    """Follow a request: its stage, its stage history and, once issued, its certificate."""
    client = g.api_client
    case = _own_case(client, case_code)
    answer = schemas.case_status(case, host_url=request.host_url)
    audit.record(
        "api.case.read", client_actor(client), object_type="case", object_id=case.code, case_id=case.id
    )
    db.session.commit()
    return schemas.json_response(answer)


@bp.get("/requests/<case_code>/certificate")
@client_required
def get_certificate(case_code):
    """The case's signed certificate PDF, once issued (whatever its status since: the API tells that)."""
    client = g.api_client
    certificate = certificate_of(_own_case(client, case_code))
    if certificate is None or certificate.pdf is None:
        raise Problem(404, "Hồ sơ này chưa được cấp Phiếu lý lịch tư pháp.")
    audit.record(
        "api.certificate.downloaded",
        client_actor(client),
        object_type="certificate",
        object_id=certificate.number,
        case_id=certificate.case_id,
    )
    returns.record_client_download(certificate.case, actor=client_actor(client))
    db.session.commit()
    response = current_app.response_class(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{certificate.number.replace("/", "-")}.pdf"'
    )
    return response


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 description of this API (public: it documents the contract, no data)."""
    return schemas.json_response(openapi_document())
