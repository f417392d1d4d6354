"""The verification pages' forms: the board's filters (read from the query string), the structured answer
a unit posts, and the Vietnamese labels of the tasks' coded values.

The answer's judgment or enforcement event is typed into inputs named `document.<path>`, the path at
which `records.validation.check_document` reports a problem once `services.check_answer` prefixes it with
"document.", so every error shows beside its input. Reading the typed text (dd/mm/yyyy dates, "200.000"
amounts) is the record forms' own reader; every rule is the validator's and the service's.
"""

import re
from dataclasses import replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.core.errors import ValidationFailed
from lltp.core.text import format_date, format_money
from lltp.records import forms as record_forms
from lltp.verification import questions, services
from lltp.verification.models import AnswerOutcome, TaskKind
from lltp.verification.queries import ALL_TAB, AWAITING_TAB, DUE_FILTERS, MAX_WITHIN_DAYS, BoardFilters
from lltp.verification.questions import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS

# The tabs: what the unit still owes (the default), each status, then everything.
STATUS_TABS = (
    (AWAITING_TAB, _l("Cần trả lời")),
    *((status.value, label) for status, label in STATUS_LABELS.items()),
    (ALL_TAB, _l("Tất cả")),
)
DUE_LABELS = {
    "overdue": _l("Quá hạn"),
    "today": _l("Đến hạn hôm nay"),
    "within": _l("Đến hạn trong số ngày làm việc"),
}
# What the answer form offers for a found judgment or enforcement event, by input.
ANSWER_CHOICES = {
    "severity": record_forms.SEVERITY_LABELS,
    "intent": record_forms.INTENT_LABELS,
    "principal": record_forms.PRINCIPAL_LABELS,
    "event": record_forms.EVENT_LABELS,
    "outcome": OUTCOME_LABELS,
}
DOCUMENT_PREFIX = "document."
# Inputs that are filled in before the officer types anything: they alone do not make a document.
_PREFILLED = {"offences.0.code"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _positive(text, *, maximum):
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= maximum else None


def board_filters(args):
    """The board's filters from the query string; a value that does not parse falls back to its default,
    so an edited or stale link still shows a board."""
    status = args.get("status") or AWAITING_TAB
    kind = args.get("kind")
    due = args.get("due")
    return BoardFilters(
        status=status if status in dict(STATUS_TABS) else AWAITING_TAB,
        kind=TaskKind(kind) if kind in set(TaskKind) else None,
        due=due if due in DUE_FILTERS else None,
        days=_positive(args.get("days"), maximum=MAX_WITHIN_DAYS) or BoardFilters.days,
        mine=args.get("mine") == "1",
        q=" ".join((args.get("q") or "").split())[:40],
        unit_id=_positive(args.get("unit"), maximum=2**31 - 1),
        descending=args.get("dir") == "desc",
        page=_positive(args.get("page"), maximum=100_000) or 1,
    )


def board_args(filters, **changes):
    """The query-string arguments that give `filters` with `changes`, defaults left out."""
    filters = replace(filters, **changes)
    args = {
        "status": filters.status,
        "kind": filters.kind and filters.kind.value,
        "due": filters.due,
        "days": filters.days if filters.due == "within" and filters.days != BoardFilters.days else None,
        "mine": "1" if filters.mine else None,
        "q": filters.q,
        "unit": filters.unit_id,
        "dir": "desc" if filters.descending else None,
        "page": None if filters.page == 1 else filters.page,
    }
    return {name: value for name, value in args.items() if value}


def _day(value):
    """An ISO date as dd/mm/yyyy; anything else (a year alone, nothing) as it is."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value))
    return value or ""


def _shown(name, value):
    """A question's value as the page writes it: dates dd/mm/yyyy, the sex in words, lists joined."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value if item)
    if name == "sex":
        return record_forms.SEX_LABELS.get(value, value)
    return _day(value) if name == "date_of_birth" else value


def person_line(task):
    """The name and birth date of the person a task asks about, for its board row."""
    person = (task.question or {}).get("person", {})
    return person.get("full_name") or "", _shown("date_of_birth", person.get("date_of_birth") or "")


def question_view(task):
    """What the task asks, ready to show: only the fields of its question, never the rest of the case."""
    question = task.question or {}
    person = question.get("person", {})
    period = question.get("period")
    return {
        "person": [
            (questions.FIELD_LABELS[name], _shown(name, person[name]))
            for name in questions.IDENTITY_FIELDS[task.kind]
            if person.get(name)
        ],
        "judgments": [
            {
                "number": j.get("number"),
                "pronounced_on": _day(j.get("pronounced_on")),
                "court": j.get("court"),
            }
            for j in question.get("judgments", [])
        ],
        "asked": question.get("asked", []),
        "period": period and {"from": _day(period.get("from")), "to": _day(period.get("to"))},
        "differences": [
            (questions.FIELD_LABELS.get(name, name), _shown(name, declared), recorded)
            for name, (declared, recorded) in (question.get("differences") or {}).items()
        ],
        "note": question.get("note"),
    }


def _document_lines(document):
    """A found judgment or enforcement event as (label, text) lines for the task page."""
    if document.get("kind") == "judgment":
        offence = (document.get("offences") or [{}])[0]
        penalty = document.get("principal_penalty") or {}
        article = _("Điều %(article)s", article=offence.get("article"))
        if offence.get("clause"):
            article += " " + _("khoản %(clause)s", clause=offence["clause"])
        sentence = str(record_forms.PRINCIPAL_LABELS.get(penalty.get("type"), "—"))
        if penalty.get("months"):
            sentence += " " + _("%(n)d tháng", n=penalty["months"])
        if penalty.get("fine_amount"):
            sentence += " " + format_money(penalty["fine_amount"])
        if penalty.get("suspended"):
            sentence += ", " + _("án treo, thử thách %(n)d tháng", n=penalty.get("probation_months") or 0)
        return [
            (_("Bản án số"), document.get("number")),
            (_("Ngày tuyên án"), _day(document.get("pronounced_on"))),
            (_("Ngày có hiệu lực"), _day(document.get("effective_on"))),
            (_("Tòa án"), document.get("court")),
            (
                _("Tội danh"),
                f"{offence.get('name')} ({article} {offence.get('code') or record_forms.DEFAULT_CODE})",
            ),
            (_("Hình phạt chính"), sentence),
            (_("Án phí"), format_money(document.get("court_fee") or 0)),
        ]
    lines = [
        (_("Sự kiện"), record_forms.EVENT_LABELS.get(document.get("event"), document.get("event"))),
        (_("Ngày"), _day(document.get("on"))),
    ]
    return lines + ([(_("Ghi chú"), document["note"])] if document.get("note") else [])


def answer_view(task):
    """A task's answer, ready to show: the outcome, the note, and the found document's lines."""
    document = (task.answer or {}).get("document")
    return {
        "outcome": OUTCOME_LABELS.get(task.outcome, ""),
        "note": task.answer_note,
        "document": _document_lines(document) if document else [],
    }


def trail(task, *, for_unit):
    """The task's events, oldest first, each with its label, who did it, and the new due date it set. A
    unit is not shown why the authority asked (the reason can tell of the record): only the question."""
    return [
        {
            "at": event.at,
            "label": EVENT_LABELS.get(event.action, event.action),
            "actor": event.actor.full_name if event.actor is not None else event.actor_label,
            "note": None if for_unit and event.action == "create" else event.note,
            "due_date": _day((event.data or {}).get("due_date")),
        }
        for event in task.events
    ]


# --- the answer ---------------------------------------------------------------------------------------


def _document_values(form):
    """The posted `document.*` inputs, without the prefix, spare rows dropped."""
    values = {
        name[len(DOCUMENT_PREFIX) :]: value
        for name, value in form.items()
        if name.startswith(DOCUMENT_PREFIX)
    }
    return record_forms.compact(values)


def _typed(values):
    return any((value or "").strip() for name, value in values.items() if name not in _PREFILLED)


def _document(kind, form):
    """The found judgment or enforcement event typed into the form, and the inputs it could not read;
    (None, {}) when the kind carries no document or nothing was typed."""
    document_kind = services.DOCUMENT_KINDS.get(TaskKind(kind))
    values = _document_values(form)
    if document_kind is None or not _typed(values):
        return None, {}
    parse = record_forms.parse_judgment if document_kind == "judgment" else record_forms.parse_event
    document, unread = parse(values)
    return document, {f"{DOCUMENT_PREFIX}{name}": message for name, message in unread.items()}


def answer_fields(kind, form):
    """The posted answer as `services.answer_task` takes it: {"outcome", "details", "note"}. Text that
    cannot be read (a date not dd/mm/yyyy) is a ValidationFailed that names every problem at once, the
    service's checks included."""
    outcome = (form.get("outcome") or "").strip()
    note = form.get("note") or ""
    document, unread = _document(kind, form) if outcome == AnswerOutcome.FOUND else (None, {})
    fields = {"outcome": outcome, "details": {"document": document} if document else {}, "note": note}
    if unread:
        try:
            services.check_answer(kind, **fields)
        except ValidationFailed as failed:
            raise ValidationFailed({**failed.errors, **unread}) from None
        raise ValidationFailed(unread)
    return fields


def answer_field_label(name):
    """The label of an answer input, for the error summary."""
    if name == "outcome":
        return _("Kết quả xác minh")
    if name == "note":
        return _("Nội dung trả lời")
    if name.startswith(DOCUMENT_PREFIX):
        return record_forms.field_label(name[len(DOCUMENT_PREFIX) :])
    return name
