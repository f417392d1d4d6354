"""Factories for the record database: contract documents, applied through the real document service.

Each `*_document(**overrides)` returns a valid records-contract document (dotted keys such as
`principal_penalty__months` reach into nested objects); each `create_*` stores and applies one.
"""

import uuid

from lltp.records.models import DocumentChannel
from lltp.records.services.documents import apply_document, latest_document, store_document
from tests.factories import SYSTEM

AGENCY = "test-agency"


def _ref(prefix):
    return f"{prefix}/{uuid.uuid4().hex[:10]}"


def _set(document, overrides):
    for key, value in overrides.items():
        *path, last = key.split("__")
        target = document
        for part in path:
            target = target[part]
        target[last] = value
    return document


def person_document(**overrides):
    return _set(
        {
            "kind": "person",
            "source_ref": _ref("CA"),
            "full_name": "LÊ THỊ HOA",
            "other_names": [],
            "sex": "female",
            "date_of_birth": "1985-02-03",
            "date_of_birth_precision": "day",
            "place_of_birth": "Phường 3, Quận 5, TP Hồ Chí Minh",
            "nationality": "VN",
            "id_numbers": [{"type": "cccd", "number": f"0791850{uuid.uuid4().int % 100000:05d}"}],
            "father_name": "LÊ VĂN TÁM",
            "mother_name": "PHẠM THỊ BẢY",
            "residence": "Số 5 Nguyễn Trãi, phường Chợ Quán, TP Hồ Chí Minh",
        },
        overrides,
    )


def judgment_document(person_ref, **overrides):
    return _set(
        {
            "kind": "judgment",
            "source_ref": _ref("TAND"),
            "person_ref": person_ref,
            "number": f"{uuid.uuid4().int % 1000}/2019/HS-ST",
            "pronounced_on": "2019-03-12",
            "effective_on": "2019-04-12",
            "court": "Tòa án nhân dân Quận 1, TP Hồ Chí Minh",
            "offences": [
                {
                    "name": "Trộm cắp tài sản",
                    "code": "BLHS2015",
                    "article": "173",
                    "clause": "1",
                    "chapter": "XVI",
                    "severity": "less_serious",
                    "intent": "intentional",
                    "committed_on": "2018-11-02",
                }
            ],
            "principal_penalty": {
                "type": "prison",
                "months": 24,
                "suspended": False,
                "probation_months": None,
                "fine_amount": None,
            },
            "exempted_from_punishment": False,
            "reform_school": False,
            "additional_penalties": [],
            "court_fee": 200000,
            "civil_obligations": [],
        },
        overrides,
    )


def enforcement_document(judgment_ref, event="principal_completed", on="2021-03-11", **overrides):
    return _set(
        {
            "kind": "enforcement",
            "source_ref": _ref("THADS"),
            "judgment_ref": judgment_ref,
            "event": event,
            "on": on,
        },
        overrides,
    )


def prosecution_document(person_ref, **overrides):
    return _set(
        {
            "kind": "prosecution",
            "source_ref": _ref("CA-KT"),
            "person_ref": person_ref,
            "committed_on": "2021-03-15",
            "opened_on": "2021-04-01",
            "status": "pending",
        },
        overrides,
    )


def ban_document(person_ref, **overrides):
    return _set(
        {
            "kind": "ban",
            "source_ref": _ref("TAND-PS"),
            "person_ref": person_ref,
            "decision_number": "12/2022/QĐ-PS",
            "decided_on": "2022-06-01",
            "court": "Tòa án nhân dân TP Hồ Chí Minh",
            "post": "Giám đốc doanh nghiệp",
            "starts_on": "2022-06-01",
            "ends_on": "2025-06-01",
        },
        overrides,
    )


def apply(content, *, agency=AGENCY):
    """Store and apply one document, as an import of a good file would; returns the row it made."""
    document = store_document(content, agency=agency, channel=DocumentChannel.FILE, actor=SYSTEM)
    return apply_document(document, actor=SYSTEM)


def create_person(**overrides):
    return apply(person_document(**overrides))


def create_judgment(person, **overrides):
    return apply(judgment_document(person.source_ref, **overrides), agency=person.source_agency)


def create_event(judgment, event="principal_completed", on="2021-03-11", **overrides):
    return apply(
        enforcement_document(judgment.source_ref, event, on, **overrides), agency=judgment.source_agency
    )


def create_prosecution(person, **overrides):
    return apply(prosecution_document(person.source_ref, **overrides), agency=person.source_agency)


def create_ban(person, **overrides):
    return apply(ban_document(person.source_ref, **overrides), agency=person.source_agency)


def update_prosecution(prosecution, status, status_on):
    """The next version of a prosecution's document, with a new status: the one change the contract allows."""
    earlier = latest_document(prosecution.source_agency, prosecution.source_ref)
    document = store_document(
        {**earlier.content, "status": status, "status_on": status_on},
        agency=prosecution.source_agency,
        channel=DocumentChannel.FILE,
        actor=SYSTEM,
        version=earlier.version + 1,
    )
    return apply_document(document, actor=SYSTEM)
