"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

It describes contracts/intake-api.md, and the record sources' documents of contracts/records-import.md
(their schemas come from the records validator's own field specs), and the verification tasks that a
verifying agency's own system reads and answers, the postal operator's shipments, and the callbacks.
"""

from functools import cache

from lltp.cases.models import CaseStage, DeliveryMethod, Sex
from lltp.delivery.models import ShipmentStatus
from lltp.delivery.services import NOTE_LENGTH, REPORTED_EVENTS
from lltp.intake.models import FeeCategory, IdDocumentType
from lltp.intake.validation import EXTERNAL_ID_LENGTH, MAX_COPIES, RELATIONSHIPS, REQUESTER_KINDS
from lltp.records.models import DocumentKind, DocumentStatus
from lltp.records.validation import json_schema
from lltp.verification.models import AnswerOutcome, TaskKind, TaskStatus
from lltp.verification.services import REASON_LENGTH


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema):
    """`schema`, or null (JSON Schema 2020-12, as OpenAPI 3.1 uses it)."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _enum(values, description=None):
    schema = {"type": "string", "enum": [str(value) for value in values]}
    return {**schema, "description": description} if description else schema


def _object(properties, required=(), description=None):
    schema = {"type": "object", "properties": properties, "required": list(required)}
    return {**schema, "description": description} if description else schema


DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
MOMENT = {"type": "string", "format": "date-time", "description": "ISO 8601, with an offset"}
TEXT = {"type": "string"}
CASE_CODE = {
    "type": "string",
    "pattern": r"^[A-Z0-9]+-\d{6}-\d{4,}$",
    "description": "<authority code>-<YYMMDD of submission>-<serial of 4 digits, 5 after the 9,999th>",
    "examples": ["HCM-261120-0001"],
}
STAGE = _enum(CaseStage, "The stage names, in order, then the two ends (refused, withdrawn).")
CERTIFICATE_STATUS = _enum(("valid", "supplemented", "corrected", "revoked", "cancelled"))

SCHEMAS = {
    "IdDocument": _object(
        {
            "type": _enum(IdDocumentType),
            "number": {
                **TEXT,
                "description": "cccd: 12 digits (province, sex and century, birth year, serial), which must "
                "agree with sex and date_of_birth; cmnd: 9 or 12 digits.",
            },
            "issued_on": _nullable(DATE),
            "issued_by": _nullable(TEXT),
        },
        required=("type", "number"),
    ),
    "Relative": _object(
        {"full_name": TEXT, "birth_year": _nullable({"type": "integer"})}, required=("full_name",)
    ),
    "ResidencePeriod": _object(
        {
            "from": DATE,
            "to": _nullable(DATE),
            "address": TEXT,
            "occupation": _nullable(TEXT),
            "workplace": _nullable(TEXT),
        },
        required=("from", "address"),
    ),
    "Applicant": _object(
        {
            "full_name": {**TEXT, "description": "Upper-cased and NFC-normalised by the server."},
            "other_names": {"type": "array", "items": TEXT},
            "sex": _enum(Sex),
            "date_of_birth": DATE,
            "place_of_birth": TEXT,
            "nationality": {**TEXT, "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"},
            "ethnicity": _nullable(TEXT),
            "id_document": _ref("IdDocument"),
            "permanent_address": _nullable(TEXT),
            "temporary_address": _nullable(TEXT),
            "phone": _nullable(TEXT),
            "email": _nullable({"type": "string", "format": "email"}),
            "father": _nullable(_ref("Relative")),
            "mother": _nullable(_ref("Relative")),
            "spouse": _nullable(_ref("Relative")),
            "residence_history": {
                "type": "array",
                "items": _ref("ResidencePeriod"),
                "minItems": 1,
                "description": "From the 14th birthday (or arrival, for a foreigner) to today, with no gap "
                "over 31 days; only the last entry may have a null `to`.",
            },
        },
        required=(
            "full_name",
            "sex",
            "date_of_birth",
            "place_of_birth",
            "nationality",
            "id_document",
            "residence_history",
        ),
    ),
    "Requester": _object(
        {
            "kind": _enum(REQUESTER_KINDS),
            "full_name": TEXT,
            "relationship": _enum(RELATIONSHIPS),
            "id_document": _ref("IdDocument"),
            "authorisation_reference": _nullable(TEXT),
            "authorisation_notarised": {"type": "boolean"},
        },
        required=("kind", "full_name", "relationship", "id_document"),
        description="A proxy is refused for Phiếu số 2; `parent_of_minor` only while the applicant is under "
        "18. A Phiếu số 1 proxy needs `authorisation_reference`, and with relationship `other` also "
        "`authorisation_notarised: true`.",
    ),
    "Fee": _object(
        {"category": _enum(FeeCategory), "paid": {"type": "boolean"}, "payment_reference": _nullable(TEXT)},
        required=("category",),
        description="A request that arrives paid or exempt is received at once; a reduced or exempt "
        "category is flagged for an officer to confirm.",
    ),
    "Delivery": _object(
        {"method": _enum(DeliveryMethod), "postal_address": _nullable(TEXT)},
        required=("method",),
        description="Where the paper copies go; `post` requires `postal_address`.",
    ),
    "Request": _object(
        {
            "external_id": {
                **TEXT,
                "maxLength": EXTERNAL_ID_LENGTH,
                "description": "Unique for each client: the same id with the same body returns the first "
                "answer (200), with another body 409.",
            },
            "certificate_type": {"type": "integer", "enum": [1, 2]},
            "include_ban_section": {"type": "boolean"},
            "purpose": TEXT,
            "copies": {"type": "integer", "minimum": 1, "maximum": MAX_COPIES},
            "applicant": _ref("Applicant"),
            "requester": _nullable(_ref("Requester")),
            "fee": _ref("Fee"),
            "delivery": _ref("Delivery"),
            "submitted_at": {
                **MOMENT,
                "description": "ISO 8601 with an offset, not in the future. The case counts from it when it "
                "is at most 7 days old (LLTP_API_SUBMITTED_AT_MAX_AGE_DAYS), otherwise from its arrival.",
            },
        },
        required=(
            "external_id",
            "certificate_type",
            "purpose",
            "copies",
            "applicant",
            "fee",
            "delivery",
            "submitted_at",
        ),
    ),
    "Answer": _object(
        {
            "case_code": CASE_CODE,
            "external_id": TEXT,
            "status": STAGE,
            "fee_amount": {"type": "integer", "minimum": 0, "description": "In đồng, after any subsidy."},
            "received_at": _nullable({**MOMENT, "description": "null while awaiting_payment"}),
            "due_date": _nullable({**DATE, "description": "null while awaiting_payment"}),
            "due_at": {**MOMENT, "description": "Only for urgent requests, due within hours."},
            "status_url": {"type": "string", "format": "uri"},
        },
        required=(
            "case_code",
            "external_id",
            "status",
            "fee_amount",
            "received_at",
            "due_date",
            "status_url",
        ),
    ),
    "Certificate": _object(
        {
            "number": TEXT,
            "issued_at": MOMENT,
            "status": CERTIFICATE_STATUS,
            "download_url": {"type": "string", "format": "uri"},
        },
        required=("number", "issued_at", "status", "download_url"),
    ),
    "CaseStatus": {
        "allOf": [_ref("Answer")],
        **_object(
            {
                "stage": STAGE,
                "history": {
                    "type": "array",
                    "items": _object({"stage": STAGE, "at": MOMENT}, required=("stage", "at")),
                },
                "certificate": _nullable(_ref("Certificate")),
            },
            required=("stage", "history", "certificate"),
        ),
    },
    "Problem": _object(
        {
            "type": {"type": "string", "format": "uri-reference"},
            "title": TEXT,
            "status": {"type": "integer"},
            "detail": {**TEXT, "description": "In Vietnamese."},
            "errors": {
                "type": "array",
                "description": "422 only: every bad field, in one answer.",
                "items": _object(
                    {"field": {**TEXT, "description": "dotted.path, list rows by index"}, "message": TEXT},
                    required=("field", "message"),
                ),
            },
        },
        required=("type", "title", "status", "detail"),
        description="RFC 9457 problem details.",
    ),
    **{f"{kind.value.capitalize()}Document": json_schema(kind) for kind in DocumentKind},
    "RecordSourceDocument": {
        "oneOf": [_ref(f"{kind.value.capitalize()}Document") for kind in DocumentKind],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {
                kind.value: f"#/components/schemas/{kind.value.capitalize()}Document" for kind in DocumentKind
            },
        },
        "description": "One document of contracts/records-import.md. Fields beyond these are kept as sent.",
    },
    "RecordSourceAnswer": _object(
        {
            "kind": _enum(DocumentKind),
            "source_agency": {**TEXT, "description": "The client's name: the sending agency."},
            "source_ref": TEXT,
            "version": {
                "type": "integer",
                "minimum": 1,
                "description": "1, or higher for a prosecution's later statuses.",
            },
            "status": _enum(DocumentStatus, "pending: waiting for the document `waiting_for_ref` names."),
            "waiting_for_ref": _nullable(TEXT),
            "released": {
                "type": "integer",
                "minimum": 0,
                "description": "Documents that were pending for this one (and theirs in turn), now applied.",
            },
        },
        required=("kind", "source_agency", "source_ref", "version", "status", "waiting_for_ref", "released"),
    ),
    "VerificationQuestion": _object(
        {
            "person": {
                "type": "object",
                "description": "Only the identity fields this kind of question needs: full_name and "
                "date_of_birth (YYYY-MM-DD) always; by kind other_names, sex, id_number, place_of_birth, "
                "permanent_address, residence, father_name, mother_name. A value may be null.",
            },
            "judgments": {
                "type": "array",
                "items": _object(
                    {
                        "id": {"type": "integer"},
                        "number": TEXT,
                        "pronounced_on": DATE,
                        "court": _nullable(TEXT),
                    },
                    required=("id", "number", "pronounced_on"),
                ),
                "description": "The judgments the question is about: their number, date and court only.",
            },
            "asked": {"type": "array", "items": TEXT, "description": "What is asked, in Vietnamese."},
            "period": _object(
                {"from": _nullable(DATE), "to": _nullable(DATE)},
                description="expungement_conditions: the period in which residence and no new offence "
                "are to be confirmed.",
            ),
            "differences": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": _nullable(TEXT),
                    "minItems": 2,
                    "maxItems": 2,
                },
                "description": "identity_mismatch: {field: [declared, recorded]}.",
            },
            "note": {**TEXT, "description": "The processing officer's note."},
        },
        required=("person",),
        description="The question exactly as it was asked: nothing else of the case or the record.",
    ),
    "VerificationAnswer": _object(
        {
            "outcome": _enum(AnswerOutcome),
            "note": _nullable(TEXT),
            "details": {"type": "object", "description": 'For found: {"document": ...}, if one was sent.'},
            "answered_at": MOMENT,
            "on_paper": {
                "type": "boolean",
                "description": "true when the issuing authority typed in an answer that came back on paper.",
            },
        },
        required=("outcome", "note", "details", "answered_at", "on_paper"),
    ),
    "VerificationTask": _object(
        {
            "id": {"type": "integer"},
            "kind": _enum(TaskKind),
            "status": _enum(TaskStatus, "returned: sent back to the issuing authority for clarification."),
            "question": _ref("VerificationQuestion"),
            "due_date": {**DATE, "description": "The last day to answer, in working days per kind."},
            "asked_at": MOMENT,
            "answer": _nullable(_ref("VerificationAnswer")),
        },
        required=("id", "kind", "status", "question", "due_date", "asked_at", "answer"),
    ),
    "VerificationTaskList": _object(
        {
            "tasks": {"type": "array", "items": _ref("VerificationTask"), "maxItems": 100},
            "next": _nullable(
                {
                    "type": "string",
                    "format": "uri-reference",
                    "description": "The next page (?after=<last id of this one>); null on the last page.",
                }
            ),
        },
        required=("tasks", "next"),
    ),
    "VerificationAnswerRequest": _object(
        {
            "outcome": _enum(AnswerOutcome),
            "note": _nullable(
                {
                    **TEXT,
                    "maxLength": REASON_LENGTH,
                    "description": "Required for cannot_determine (the reason), "
                    "and for found without a document.",
                }
            ),
            "details": _nullable(
                _object(
                    {
                        "document": {
                            "type": "object",
                            "description": "For found: one document of contracts/records-import.md, a "
                            "judgment for a police_lookup, an enforcement event for judgment_outcome and "
                            "enforcement_status. Its kind follows the task's; its parent's reference "
                            "(person_ref, judgment_ref) is set by the issuing authority when it accepts the "
                            "answer into the record database. Errors name its fields "
                            "details.document.<path>.",
                        }
                    }
                )
            ),
        },
        required=("outcome",),
    ),
    "ShipmentEvent": _object(
        {
            "event": _enum(REPORTED_EVENTS),
            "at": MOMENT,
            "note": _nullable({**TEXT, "maxLength": NOTE_LENGTH}),
        },
        required=("event", "at"),
    ),
    "Shipment": _object(
        {
            "tracking_number": TEXT,
            "status": _enum(ShipmentStatus),
            "recipient": _object(
                {"full_name": TEXT, "phone": _nullable(TEXT)}, required=("full_name", "phone")
            ),
            "address": TEXT,
            "copies": {"type": "integer"},
            "created_at": MOMENT,
            "status_changed_at": MOMENT,
            "events": {"type": "array", "items": _ref("ShipmentEvent")},
        },
        required=(
            "tracking_number",
            "status",
            "recipient",
            "address",
            "copies",
            "created_at",
            "status_changed_at",
            "events",
        ),
        description="What the courier needs, and nothing else of the case.",
    ),
    "ShipmentList": _object(
        {"shipments": {"type": "array", "items": _ref("Shipment"), "maxItems": 500}}, required=("shipments",)
    ),
    "CallbackEvent": _object(
        {
            "id": {**TEXT, "description": "Receivers drop duplicates by id: delivery is at least once."},
            "event": _enum(("stage_changed", "certificate_status_changed")),
            "case_code": CASE_CODE,
            "external_id": TEXT,
            "stage": STAGE,
            "certificate_status": _nullable(CERTIFICATE_STATUS),
            "at": MOMENT,
        },
        required=("id", "event", "case_code", "external_id", "stage", "certificate_status", "at"),
    ),
}

# The errors, by status, that the operations below can answer.
ERROR_DESCRIPTIONS = {
    "400": "The body is not valid JSON.",
    "401": "A missing, unknown or revoked token.",
    "403": "A client calling outside its permissions (its kind does not submit requests).",
    "404": "No such case among this client's requests (another client's case is not revealed).",
    "409": "The same external_id with a different body.",
    "415": "The body is not application/json.",
    "422": "Validation failed: `errors` names every bad field at once. Nothing is stored.",
    "429": "Too many calls: see the RateLimit headers.",
}


def _errors(*statuses, descriptions=None):
    descriptions = {**ERROR_DESCRIPTIONS, **(descriptions or {})}
    return {
        status: {
            "description": descriptions[status],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for status in statuses
    }


def _json(schema_name, description, **extra):
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
        **extra,
    }


CASE_CODE_PARAMETER = {"name": "case_code", "in": "path", "required": True, "schema": CASE_CODE}


TASK_ID_PARAMETER = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}
SHIPMENT_ERRORS = {
    "403": "A client of another kind than postal_operator.",
    "404": "No shipment has this tracking number.",
    "409": "The event cannot follow the shipment's status (delivered after a return to sender, say).",
    "422": "Validation failed: `errors` names every bad field at once. Nothing is stored.",
}
VERIFICATION_ERRORS = {
    "403": "A client of another kind than verifying_agency; or, for an answer, a task that one of the "
    "unit's verifiers has claimed on the board.",
    "404": "No such task among those put to the client's unit (another unit's task is not revealed).",
    "409": "The task no longer awaits an answer (answered, cancelled, or returned for clarification).",
    "422": "Validation failed: `errors` names every bad field at once (details.document.<path> for the "
    "document). Nothing is stored.",
}


PATHS = {
    "/requests": {
        "post": {
            "operationId": "submitRequest",
            "summary": "Submit a request for a judicial record certificate",
            "description": "Kinds vneid, national_portal and provincial_portal only; the kind becomes the "
            "case's channel. `status` is `received` for a paid or exempt request, `awaiting_payment` "
            "otherwise. A second open request of the same type for the same ID number is accepted and "
            "flagged to the officers; nothing about the other case is revealed.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Request")}}},
            "responses": {
                "201": _json(
                    "Answer",
                    "The case was opened.",
                    headers={
                        "Location": {
                            "description": "/api/v1/requests/<case_code>",
                            "schema": {"type": "string", "format": "uri-reference"},
                        }
                    },
                ),
                "200": _json("Answer", "A replay: the same external_id and body as before, the same case."),
                **_errors("400", "401", "403", "409", "415", "422", "429"),
            },
        }
    },
    "/requests/{case_code}": {
        "parameters": [CASE_CODE_PARAMETER],
        "get": {
            "operationId": "getRequest",
            "summary": "Follow a request this client submitted",
            "responses": {
                "200": _json("CaseStatus", "The case, its stage and its stage history."),
                **_errors("401", "403", "404", "429"),
            },
        },
    },
    "/requests/{case_code}/certificate": {
        "parameters": [CASE_CODE_PARAMETER],
        "get": {
            "operationId": "getCertificate",
            "summary": "Download the signed certificate",
            "description": "The PDF with the approver's signature and the authority's seal. 404 until the "
            "certificate is issued; afterwards it stays available whatever its status, which "
            "`certificate.status` of the request tells.",
            "responses": {
                "200": {
                    "description": "The signed PDF.",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **_errors(
                    "401",
                    "403",
                    "404",
                    "429",
                    descriptions={"404": "No such case among this client's requests, or not issued yet."},
                ),
            },
        },
    },
    "/record-sources": {
        "post": {
            "operationId": "submitRecordSource",
            "summary": "Send one judicial-record source document (record_source clients)",
            "description": "Kind record_source only; the client is the sending agency. Text is "
            "NFC-normalised. The same document again changes nothing (200); the same source_ref with other "
            "content is a 409, except a prosecution's new `status` with its `status_on`, which is its next "
            "version (201). A document whose person_ref or judgment_ref is not known yet is kept pending "
            "(202) and applied when its parent arrives, by this API or by a file import.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("RecordSourceDocument")}},
            },
            "responses": {
                "201": _json("RecordSourceAnswer", "Applied: its rows are in the record database."),
                "200": _json("RecordSourceAnswer", "Received before, identical: nothing changed."),
                "202": _json("RecordSourceAnswer", "Kept pending until the document it names arrives."),
                **_errors(
                    "400",
                    "401",
                    "403",
                    "409",
                    "415",
                    "422",
                    "429",
                    descriptions={
                        "403": "A client of another kind than record_source.",
                        "409": "The same source_ref with other content (`errors` names source_ref).",
                        "422": "Validation failed: `errors` names every bad field (dotted paths, list rows "
                        "by index, such as offences.0.severity). Nothing is stored.",
                    },
                ),
            },
        }
    },
    "/verification-tasks": {
        "get": {
            "operationId": "listVerificationTasks",
            "summary": "List the unresolved tasks of the client's unit (verifying_agency clients)",
            "description": "Kind verifying_agency only; the client is bound to one unit and sees that unit's "
            "tasks only. Open, claimed, escalated and returned tasks, oldest first, 100 a page.",
            "parameters": [
                {
                    "name": "after",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 0},
                    "description": "Only tasks with a greater id: the last id of the previous page.",
                }
            ],
            "responses": {
                "200": _json("VerificationTaskList", "The unit's unresolved tasks."),
                **_errors("401", "403", "422", "429", descriptions=VERIFICATION_ERRORS),
            },
        }
    },
    "/verification-tasks/{task_id}": {
        "parameters": [TASK_ID_PARAMETER],
        "get": {
            "operationId": "getVerificationTask",
            "summary": "Read one verification task of the client's unit, with its answer once answered",
            "responses": {
                "200": _json("VerificationTask", "The task."),
                **_errors("401", "403", "404", "429", descriptions=VERIFICATION_ERRORS),
            },
        },
    },
    "/verification-tasks/{task_id}/answer": {
        "parameters": [TASK_ID_PARAMETER],
        "post": {
            "operationId": "answerVerificationTask",
            "summary": "Answer a verification task of the client's unit",
            "description": "The same rules as an answer on the unit's board. When it is the last answer "
            "the case was waiting for, the case moves on to drafting.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("VerificationAnswerRequest")}},
            },
            "responses": {
                "200": _json("VerificationTask", "Answered: the task with its answer."),
                **_errors(
                    "400", "401", "403", "404", "409", "415", "422", "429", descriptions=VERIFICATION_ERRORS
                ),
            },
        },
    },
    "/shipments/{tracking_number}/events": {
        "parameters": [{"name": "tracking_number", "in": "path", "required": True, "schema": TEXT}],
        "post": {
            "operationId": "reportShipmentEvent",
            "summary": "Report a shipment event (postal_operator clients)",
            "description": "Kind postal_operator only. The order is ready_for_pickup, then picked_up, then "
            "in_transit (any number of times), then delivered or returned_to_sender, which end it; "
            "picked_up may go straight to either end. Delivered completes the paper return.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ShipmentEvent")}},
            },
            "responses": {
                "201": _json("Shipment", "Recorded: the shipment with its events."),
                "200": _json("Shipment", "The same event at the same time again: nothing changed."),
                **_errors(
                    "400", "401", "403", "404", "409", "415", "422", "429", descriptions=SHIPMENT_ERRORS
                ),
            },
        },
    },
    "/shipments": {
        "get": {
            "operationId": "listShipments",
            "summary": "List the shipments in one status (postal_operator clients)",
            "description": "Oldest first, at most 500. By default the shipments waiting for pickup.",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "schema": {**_enum(ShipmentStatus), "default": str(ShipmentStatus.READY_FOR_PICKUP)},
                },
            ],
            "responses": {
                "200": _json("ShipmentList", "The shipments in that status."),
                **_errors("401", "403", "422", "429", descriptions=SHIPMENT_ERRORS),
            },
        },
    },
}

WEBHOOKS = {
    "caseEvent": {
        "post": {
            "operationId": "caseEventCallback",
            "summary": "Sent to the client's callback URL when a case changes stage or its certificate "
            "changes status",
            "description": "Signed with `X-LLTP-Signature: sha256=<hex HMAC-SHA256 of the raw body with "
            "the client's callback signing secret>`. Delivered at least once, in order for each case (an "
            "event is not sent before the case's earlier ones are acknowledged), and retried with backoff "
            "for at least 24 hours; receivers drop duplicates by `id`. A supplement or correction makes "
            "`certificate_status` `supplemented` or `corrected`: the replacing certificate is issued in its "
            "own case. An electronic result counts as returned when the client acknowledges (2xx) the "
            "`stage_changed` event for `issued`.",
            "parameters": [
                {
                    "name": "X-LLTP-Signature",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("CallbackEvent")}},
            },
            "responses": {"2XX": {"description": "Acknowledged; any other answer is retried."}},
        }
    }
}


@cache
def openapi_document():
    """The whole document (built once: it depends on no request)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lltp API",
            "version": "1.0.0",
            "description": "contracts/intake-api.md: requests for judicial record certificates (Phiếu lý "
            "lịch tư pháp) from VNeID, the National Public Service Portal and the provincial portal; and "
            "contracts/records-import.md: the documents courts, enforcement offices, prisons and the police "
            "send the judicial-record database; and the verification tasks that a verifying agency's own "
            "system reads and answers for its unit. Fields are only ever added, as optional. Every error is "
            "application/problem+json (RFC 9457).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "webhooks": WEBHOOKS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The client's API token, from `flask clients create`.",
                }
            },
        },
    }
