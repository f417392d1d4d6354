"""The fields of the records contract's documents, checked one document at a time.

`check_document` takes one document (NFC already) and returns every problem with its fields, keyed by the
dotted path of the field (`offences.0.severity`), each message in Vietnamese. It reads no database: what
needs the database or the rest of a file (conflicts, references, a penalty index into a judgment received
earlier) is the imports' job. The same field specs give the API's JSON Schemas (`json_schema`), so the
OpenAPI document cannot drift from what is checked.

Fields the contract does not name are kept and not checked: producers may add optional fields.
"""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases.models import Sex
from lltp.records.models import DatePrecision, DocumentKind

SEVERITIES = ("less_serious", "serious", "very_serious", "especially_serious")
INTENTS = ("intentional", "negligent")
PRINCIPAL_TYPES = ("warning", "fine", "non_custodial_reform", "prison", "life", "death")
ADDITIONAL_TYPES = (
    "ban_office",
    "ban_residence",
    "probation_supervision",
    "deprivation_civic_rights",
    "fine",
    "confiscation",
    "expulsion",
)
EVENTS = (
    "principal_completed",
    "probation_completed",
    "fine_paid",
    "additional_completed",
    "court_fee_paid",
    "civil_obligation_completed",
    "enforcement_time_limit_expired",
    "general_amnesty",
    "court_expungement_decision",
)
PROSECUTION_STATUSES = ("pending", "dismissed", "acquitted")
# Integer columns are 32-bit: bound what a source may send so that a typo is a message, not a crash.
MAX_MONTHS = 1200
MAX_AMOUNT = 10**15
MAX_INDEX = 999

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ROMAN = re.compile(r"[IVXLC]+")


def _missing():
    return _("Bắt buộc, không được để trống.")


class Field:
    """One field of a document: `check` records the field's problem under its path in `errors`."""

    json_type = "string"

    def __init__(self, *, required=False, description=None):
        self.required, self.description = required, description

    def check(self, value, path, errors):
        if self.blank(value):
            if self.required:
                errors[path] = _missing()
            return
        message = self.problem(value, path, errors)
        if message:
            errors[path] = message

    def blank(self, value):
        return value is None

    def problem(self, value, path, errors):
        """The Vietnamese message for a bad present value, or None (nested fields record their own)."""
        raise NotImplementedError

    def schema(self):
        schema = self.base_schema()
        if not self.required:
            schema = {**schema, "type": [schema["type"], "null"]}
        return {**schema, "description": self.description} if self.description else schema

    def base_schema(self):
        return {"type": self.json_type}


class Text(Field):
    def __init__(self, max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def blank(self, value):
        # A blank text is an absent one; a blank date or code is a bad value (the rows need None).
        return value is None or (isinstance(value, str) and not value.strip())

    def problem(self, value, path, errors):
        if not isinstance(value, str):
            return _("Phải là một chuỗi ký tự.")
        if len(value) > self.max_length:
            return _("Không được dài quá %(max)d ký tự.", max=self.max_length)
        return None

    def base_schema(self):
        return {"type": "string", "maxLength": self.max_length}


class Roman(Text):
    """A chapter of the Penal Code, as the code numbers it (XVI)."""

    def problem(self, value, path, errors):
        message = super().problem(value, path, errors)
        if message is None and not _ROMAN.fullmatch(value):
            return _("Phải là số La Mã viết hoa, ví dụ XVI.")
        return message

    def base_schema(self):
        return {**super().base_schema(), "pattern": f"^{_ROMAN.pattern}$"}


class Date(Field):
    def problem(self, value, path, errors):
        return None if parse_date(value) else _("Phải là một ngày có thật, dạng YYYY-MM-DD.")

    def base_schema(self):
        return {"type": "string", "format": "date"}


class Integer(Field):
    json_type = "integer"

    def __init__(self, maximum, **kwargs):
        super().__init__(**kwargs)
        self.maximum = maximum

    def problem(self, value, path, errors):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= self.maximum:
            return _("Phải là số nguyên từ 0 đến %(max)s.", max=f"{self.maximum:,}".replace(",", "."))
        return None

    def base_schema(self):
        return {"type": "integer", "minimum": 0, "maximum": self.maximum}


class Boolean(Field):
    json_type = "boolean"

    def problem(self, value, path, errors):
        return None if isinstance(value, bool) else _("Phải là true hoặc false.")


class Choice(Field):
    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = tuple(str(choice) for choice in choices)

    def problem(self, value, path, errors):
        if value not in self.choices:
            return _("Phải là một trong: %(choices)s.", choices=", ".join(self.choices))
        return None

    def base_schema(self):
        return {"type": "string", "enum": list(self.choices)}

    def schema(self):
        schema = super().schema()
        return {**schema, "enum": [*schema["enum"], None]} if not self.required else schema


class ListOf(Field):
    json_type = "array"

    def __init__(self, item, *, min_items=0, **kwargs):
        super().__init__(**kwargs)
        # An item of a list is never optional: a null in a list is a bad item.
        item.required = True
        self.item, self.min_items = item, min_items

    def problem(self, value, path, errors):
        if not isinstance(value, list):
            return _("Phải là một danh sách.")
        if len(value) < self.min_items:
            return _("Phải có ít nhất một mục.")
        for index, item in enumerate(value):
            self.item.check(item, f"{path}.{index}", errors)
        return None

    def base_schema(self):
        schema = {"type": "array", "items": self.item.schema()}
        return {**schema, "minItems": self.min_items} if self.min_items else schema


class Record(Field):
    """A JSON object of named fields."""

    json_type = "object"

    def __init__(self, fields, **kwargs):
        super().__init__(**kwargs)
        self.fields = fields

    def problem(self, value, path, errors):
        if not isinstance(value, dict):
            return _("Phải là một đối tượng JSON.")
        for name, field in self.fields.items():
            field.check(value.get(name), f"{path}.{name}" if path else name, errors)
        return None

    def base_schema(self):
        return {
            "type": "object",
            "properties": {name: field.schema() for name, field in self.fields.items()},
            "required": [name for name, field in self.fields.items() if field.required],
        }


def parse_date(value):
    """An ISO date (YYYY-MM-DD) as a date, or None when it is not one."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _name(**kwargs):
    return Text(120, **kwargs)


def _ref(**kwargs):
    return Text(120, **kwargs)


COMMON = {
    "kind": Choice(DocumentKind, required=True),
    "source_ref": _ref(required=True, description="The sending agency's own reference, unique within it."),
    "source_agency": Text(
        80,
        description="Files only: the sending agency, instead of `--source`. Through the API: the client.",
    ),
}
FIELDS = {
    DocumentKind.PERSON: {
        "full_name": _name(required=True),
        "other_names": ListOf(_name()),
        "sex": Choice(Sex),
        "date_of_birth": Date(),
        "date_of_birth_precision": Choice(
            DatePrecision,
            description="day (the default), month or year: old records often know only the year.",
        ),
        "place_of_birth": Text(255),
        "nationality": Text(8),
        "id_numbers": ListOf(Record({"type": Text(16, required=True), "number": Text(20, required=True)})),
        "father_name": _name(),
        "mother_name": _name(),
        "residence": Text(255),
    },
    DocumentKind.JUDGMENT: {
        "person_ref": _ref(required=True),
        "number": Text(60, required=True),
        "pronounced_on": Date(required=True),
        "effective_on": Date(required=True),
        "court": Text(255, required=True),
        "offences": ListOf(
            Record(
                {
                    "name": Text(255, required=True),
                    "code": Text(16, description="BLHS2015 when absent."),
                    "article": Text(16, required=True),
                    "clause": Text(16),
                    "chapter": Roman(8, required=True),
                    "severity": Choice(SEVERITIES, required=True),
                    "intent": Choice(INTENTS, required=True),
                    "committed_on": Date(required=True),
                }
            ),
            min_items=1,
            required=True,
        ),
        "principal_penalty": Record(
            {
                "type": Choice(PRINCIPAL_TYPES, required=True),
                "months": Integer(MAX_MONTHS, description="The pronounced sentence."),
                "suspended": Boolean(),
                "probation_months": Integer(MAX_MONTHS),
                "fine_amount": Integer(MAX_AMOUNT),
            },
            description="Absent only when the judgment exempts from punishment or imposes reform school.",
        ),
        "exempted_from_punishment": Boolean(),
        "reform_school": Boolean(),
        "additional_penalties": ListOf(
            Record(
                {
                    "type": Choice(ADDITIONAL_TYPES, required=True),
                    "months": Integer(MAX_MONTHS),
                    "description": Text(255),
                }
            )
        ),
        "court_fee": Integer(MAX_AMOUNT),
        "civil_obligations": ListOf(
            Record({"description": Text(255, required=True), "amount": Integer(MAX_AMOUNT)})
        ),
    },
    DocumentKind.ENFORCEMENT: {
        "judgment_ref": _ref(required=True),
        "event": Choice(EVENTS, required=True),
        "on": Date(required=True),
        "penalty_index": Integer(MAX_INDEX, description="additional_completed: into additional_penalties."),
        "obligation_index": Integer(
            MAX_INDEX, description="civil_obligation_completed: into civil_obligations."
        ),
        "note": Text(2000),
    },
    DocumentKind.PROSECUTION: {
        "person_ref": _ref(required=True),
        "committed_on": Date(required=True),
        "opened_on": Date(required=True),
        "status": Choice(PROSECUTION_STATUSES, description="pending when absent."),
        "status_on": Date(description="Required with a status other than pending."),
    },
    DocumentKind.BAN: {
        "person_ref": _ref(required=True),
        "decision_number": Text(60, required=True),
        "decided_on": Date(required=True),
        "court": Text(255, required=True),
        "post": Text(255, required=True),
        "starts_on": Date(required=True),
        "ends_on": Date(),
    },
}
# The field of each kind that names its parent, and the kind of that parent.
PARENT_FIELDS = {
    DocumentKind.JUDGMENT: ("person_ref", DocumentKind.PERSON),
    DocumentKind.ENFORCEMENT: ("judgment_ref", DocumentKind.JUDGMENT),
    DocumentKind.PROSECUTION: ("person_ref", DocumentKind.PERSON),
    DocumentKind.BAN: ("person_ref", DocumentKind.PERSON),
}
DOCUMENTS = {kind: Record({**COMMON, **fields}, required=True) for kind, fields in FIELDS.items()}


def check_document(document):
    """Every problem with the fields of one records-contract document, by dotted path; {} when it is good."""
    errors = {}
    if not isinstance(document, dict):
        return {"document": _("Mỗi tài liệu phải là một đối tượng JSON.")}
    COMMON["kind"].check(document.get("kind"), "kind", errors)
    if errors:
        COMMON["source_ref"].check(document.get("source_ref"), "source_ref", errors)
        return errors
    kind = DocumentKind(document["kind"])
    DOCUMENTS[kind].check(document, "", errors)
    _RULES[kind](document, errors)
    return errors


def _dates(document, errors, *paths):
    """The dates at `paths` that were checked good (None for the others)."""
    return [None if path in errors else parse_date(_at(document, path)) for path in paths]


def _at(document, path):
    value = document
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
    return value


def _in_order(document, errors, earlier, later, message, *, at=None):
    """Record `message` (lazy: most documents are good) at `at`, by default the later field, when the
    later date comes first."""
    first, second = _dates(document, errors, earlier, later)
    if first and second and second < first:
        errors.setdefault(at or later, str(message))


def _judgment_rules(document, errors):
    _in_order(
        document,
        errors,
        "pronounced_on",
        "effective_on",
        _l("Ngày có hiệu lực không được trước ngày tuyên án."),
    )
    if "offences" not in errors:
        for index in range(len(document["offences"])):
            if f"offences.{index}" not in errors:
                committed = f"offences.{index}.committed_on"
                message = _l("Ngày phạm tội không được sau ngày tuyên án.")
                _in_order(document, errors, committed, "pronounced_on", message, at=committed)
    penalty = document.get("principal_penalty")
    if penalty is None:
        if not (document.get("exempted_from_punishment") or document.get("reform_school")):
            errors.setdefault(
                "principal_penalty",
                _("Bắt buộc, trừ khi được miễn hình phạt hoặc đưa vào trường giáo dưỡng."),
            )
        return
    if "principal_penalty" in errors or "principal_penalty.type" in errors:
        return
    needed = {"prison": "months", "non_custodial_reform": "months", "fine": "fine_amount"}.get(
        penalty["type"]
    )
    if needed and penalty.get(needed) is None:
        errors.setdefault(f"principal_penalty.{needed}", _missing())
    if penalty.get("suspended") is True and penalty.get("probation_months") is None:
        errors.setdefault("principal_penalty.probation_months", _("Bắt buộc với án treo."))


def _enforcement_rules(document, errors):
    needed = {"additional_completed": "penalty_index", "civil_obligation_completed": "obligation_index"}
    field = needed.get(document.get("event"))
    if field and document.get(field) is None:
        errors.setdefault(field, _("Bắt buộc với sự kiện %(event)s.", event=document["event"]))


def _prosecution_rules(document, errors):
    _in_order(
        document, errors, "committed_on", "opened_on", _l("Ngày khởi tố không được trước ngày phạm tội.")
    )
    status = document.get("status") or "pending"
    if status != "pending" and "status" not in errors and document.get("status_on") is None:
        errors.setdefault("status_on", _("Bắt buộc khi trạng thái không phải pending."))
    _in_order(
        document, errors, "opened_on", "status_on", _l("Ngày của trạng thái không được trước ngày khởi tố.")
    )


def _ban_rules(document, errors):
    _in_order(document, errors, "starts_on", "ends_on", _l("Ngày kết thúc không được trước ngày bắt đầu."))


_RULES = {
    DocumentKind.PERSON: lambda document, errors: None,
    DocumentKind.JUDGMENT: _judgment_rules,
    DocumentKind.ENFORCEMENT: _enforcement_rules,
    DocumentKind.PROSECUTION: _prosecution_rules,
    DocumentKind.BAN: _ban_rules,
}


def json_schema(kind):
    """The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of one kind of document."""
    schema = DOCUMENTS[kind].schema()
    schema["properties"]["kind"] = {"const": str(kind)}
    return schema
