"""The request letter (công văn) that puts a task's question on paper, for a unit not yet on the system.

It prints only what the task's question holds (the fields its kind needs, design §4) and quotes the
letter's number, so the paper answer that comes back can be matched to the task. Its wording is an
administrative paper's: Vietnamese whatever the interface's locale.
"""

from datetime import date

from flask import current_app
from flask_babel import force_locale

from lltp.cases.forms import SEX_LABELS
from lltp.core import clock
from lltp.core.pdf import render_pdf
from lltp.intake.pdf import authority
from lltp.verification.models import TaskKind
from lltp.verification.questions import FIELD_LABELS, KIND_LABELS

LETTER_TEMPLATE = "verification/pdf/letter.html"
# The letter's summary line ("trích yếu", Nghị định 30/2020/NĐ-CP), by kind of question.
SUBJECTS = {
    TaskKind.POLICE_LOOKUP: "V/v xác minh thông tin lý lịch tư pháp",
    TaskKind.JUDGMENT_OUTCOME: "V/v xác minh kết quả thi hành bản án",
    TaskKind.ENFORCEMENT_STATUS: "V/v xác minh tình trạng thi hành án dân sự",
    TaskKind.EXPUNGEMENT_CONDITIONS: "V/v xác minh điều kiện đương nhiên xóa án tích",
    TaskKind.IDENTITY_MISMATCH: "V/v xác minh thông tin nhân thân",
}


def render_letter(task):
    """The PDF of the task's request letter; the task must have its number (services.issue_letter)."""
    with force_locale("vi"):
        return render_pdf(LETTER_TEMPLATE, **letter_context(task))


def letter_context(task):
    """What the letter's template is given: the header, the addressee, the question, the due date and
    the signer."""
    question = task.question
    return {
        "authority": authority(),
        "number": task.letter_number,
        "issued_on": clock.local_date(task.letter_issued_at),
        "subject": SUBJECTS[task.kind],
        "kind_label": str(KIND_LABELS[task.kind]),
        "unit": task.unit,
        "person": [
            (str(FIELD_LABELS[name]), _field_text(name, value))
            for name, value in question.get("person", {}).items()
            if value
        ],
        "judgments": [
            {**judgment, "pronounced_on": _day(judgment.get("pronounced_on"))}
            for judgment in question.get("judgments", [])
        ],
        "asked": question.get("asked", []),
        "period": _period(question.get("period")),
        "differences": [
            (str(FIELD_LABELS[name]), _field_text(name, declared), recorded)
            for name, (declared, recorded) in question.get("differences", {}).items()
        ],
        "note": question.get("note"),
        "due_date": task.due_date,
        "signature": _signature(task),
    }


def _field_text(name, value):
    """A question's value as the letter writes it: dates dd/mm/yyyy, the sex in words, lists joined."""
    if name == "date_of_birth":
        return _day(value).strftime("%d/%m/%Y")
    if name == "sex":
        return str(SEX_LABELS.get(value, value))
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _day(value):
    return None if value is None else date.fromisoformat(value)


def _period(period):
    if not period:
        return None
    return {"from": _day(period.get("from")), "to": _day(period.get("to"))}


def _signature(task):
    """The authority's signer title, over the name of the officer who issued the letter's number."""
    event = next((event for event in reversed(task.events) if event.action == "letter"), None)
    name = None
    if event is not None:
        name = event.actor.full_name if event.actor is not None else event.actor_label
    return {
        "title_lines": current_app.config["LLTP_AUTHORITY_SIGNER_TITLE"].splitlines(),
        "name": name,
    }
