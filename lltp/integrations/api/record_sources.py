"""POST /api/v1/record-sources: the courts, procuracies, judgment-enforcement offices, prisons and police
send the record database one document of contracts/records-import.md at a time. The client is the
sending agency (its name is the documents' `source_agency`)."""

from flask import g

from lltp.extensions import db
from lltp.integrations.api import bp, schemas
from lltp.integrations.api.auth import client_actor, record_source_required
from lltp.integrations.api.errors import DOCUMENT_CONFLICT, Problem
from lltp.integrations.api.views import json_body
from lltp.records.services.imports import DocumentConflict, submit_document

STATUSES = {"added": 201, "unchanged": 200, "pending": 202}


@bp.post("/record-sources")
@record_source_required
def submit_record_source():
    """Receive one source document: applied (201), the same again (200), or kept until its parent arrives
    (202); a bad field is a 422 naming every one, another content under the same reference a 409."""
    client = g.api_client
    try:
        submission = submit_document(json_body(), api_client=client, actor=client_actor(client))
    except DocumentConflict as conflict:
        raise Problem(
            409,
            conflict.message,
            type_=DOCUMENT_CONFLICT,
            title="Trùng mã tài liệu",
            errors=[{"field": conflict.field, "message": conflict.message}],
        ) from conflict
    answer = schemas.record_source_answer(submission)
    db.session.commit()
    return schemas.json_response(answer, STATUSES[submission.outcome])
