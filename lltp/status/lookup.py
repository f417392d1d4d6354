"""The citizen's status lookup by case code and a second fact (domain §11), and what it may say.

Case codes are sequential, so a code alone proves nothing, and the answer must not tell a wrong code from a
wrong fact, by its words or its time: every lookup reads one row by the unique code index, found or not,
and compares the digests of the facts in constant time against the row's, or against a stand-in.

The status is the busiest public answer, so it is read through the reader (`core.database`): the columns
it needs, with its apology, whether a signed certificate exists and the latest shipment's tracking
number, in one statement on a connection in autocommit.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.forms import UNIT_KIND_LABELS
from lltp.accounts.models import Unit
from lltp.cases.deadlines import is_overdue
from lltp.cases.models import Case, CaseStage, DeliveryMethod
from lltp.cases.workflow import STAGE_LABELS, rule_for
from lltp.core.database import ReadQuery, reader
from lltp.delivery.models import Shipment
from lltp.delivery.queries import latest_shipment
from lltp.extensions import db
from lltp.intake.forms import DELIVERY_CHOICES
from lltp.intake.models import OneStopPaper, PaperKind
from lltp.issuance.models import Certificate
from lltp.verification.models import AWAITING_UNIT, VerificationTask

# What a code that does not exist is compared against, so that the work done is the same.
_ABSENT = (date(1, 1, 1), "\x00")
# A case has one apology at most (`uq_one_stop_papers_apology_once`, domain §6).
_APOLOGY = (
    sa.select(OneStopPaper.content)
    .where(OneStopPaper.case_id == Case.id, OneStopPaper.kind == PaperKind.APOLOGY)
    .correlate(Case)
    .scalar_subquery()
)
# Whether a signed certificate can be downloaded, without reading its PDF.
_SIGNED = sa.exists().where(Certificate.case_id == Case.id, Certificate.pdf.is_not(None)).correlate(Case)
_TRACKING_NUMBER = latest_shipment(Case.id, Shipment.tracking_number).correlate(Case).scalar_subquery()
# The one statement of every lookup.
_STATUS_ROW = ReadQuery(
    sa.select(
        Case.id,
        Case.code,
        Case.stage,
        Case.stage_changed_at,
        Case.due_date,
        Case.due_at,
        Case.delivery_method,
        Case.applicant_date_of_birth,
        Case.applicant_id_number,
        _APOLOGY.label("apology"),
        _SIGNED.label("signed"),
        _TRACKING_NUMBER.label("tracking_number"),
    ).where(Case.code == sa.bindparam("code"))
)
_WAITING_KINDS = ReadQuery(
    sa.select(Unit.kind)
    .join(VerificationTask, VerificationTask.unit_id == Unit.id)
    .where(VerificationTask.case_id == sa.bindparam("case_id"), VerificationTask.status.in_(AWAITING_UNIT))
    .distinct()
)

DELIVERY_LABELS = dict(DELIVERY_CHOICES)
# Who the case waits for at each stage, without naming anyone; verification names the kinds of agency.
HOLDER_LABELS = {
    CaseStage.AWAITING_PAYMENT: _l("Chờ người yêu cầu nộp lệ phí"),
    CaseStage.RECEIVED: _l("Cơ quan cấp Phiếu đang giải quyết"),
    CaseStage.INCOMPLETE: _l("Chờ người yêu cầu bổ sung hồ sơ"),
    CaseStage.IN_REVIEW: _l("Cơ quan cấp Phiếu đang tra cứu"),
    CaseStage.VERIFYING: _l("Cơ quan cấp Phiếu đang xác minh"),
    CaseStage.DRAFTING: _l("Cơ quan cấp Phiếu đang lập Phiếu"),
    CaseStage.AWAITING_SIGNATURE: _l("Chờ lãnh đạo cơ quan cấp Phiếu ký"),
    CaseStage.ISSUED: _l("Phiếu đã được cấp, chờ trả kết quả"),
}


@dataclass(frozen=True)
class _Words:
    """The status's labels as text in one language."""

    stages: dict
    holders: dict
    return_methods: dict
    unit_kinds: dict
    awaiting_agencies: str  # a format with %(agencies)s


@cache
def _words(lang):
    """The status's labels in `lang`, made once per language and process: Flask-Babel's lookups, its
    `get_locale` included, cost more than all the rest of the status put together."""
    with force_locale(lang):
        return _Words(
            stages={stage: str(label) for stage, label in STAGE_LABELS.items()},
            holders={stage: str(label) for stage, label in HOLDER_LABELS.items()},
            return_methods={method: str(label) for method, label in DELIVERY_LABELS.items()},
            unit_kinds={kind: str(label) for kind, label in UNIT_KIND_LABELS.items()},
            awaiting_agencies=_("Đang chờ %(agencies)s xác minh"),
        )


@dataclass(frozen=True)
class Facts:
    """What the citizen typed: a case code and at least one of the two facts the law names."""

    case_code: str
    date_of_birth: date | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class CaseStatus:
    """Everything the status page may say about a case, and nothing else about the person."""

    case_code: str
    stage: CaseStage
    stage_label: str
    holder: str | None
    since: datetime
    appointment_date: date | None
    is_late: bool
    new_date: date | None  # the apology's new appointment date
    return_method: DeliveryMethod
    return_label: str
    tracking_number: str | None
    can_download: bool
    can_complete: bool
    can_report_payment: bool
    can_withdraw: bool


def _digest(kind, value):
    return hashlib.sha256(f"{kind}:{value}".encode()).digest()


def facts_match(row_facts, facts, *, need_both=False):
    """Whether the typed facts match the row's (date of birth, ID number). Both given facts are compared,
    in constant time, whatever the first answer; `need_both` asks for both (the download)."""
    born_on, id_number = row_facts
    answers = []
    if facts.date_of_birth is not None or need_both:
        given = facts.date_of_birth.isoformat() if facts.date_of_birth else "\x01"
        answers.append(hmac.compare_digest(_digest("dob", born_on.isoformat()), _digest("dob", given)))
    if facts.id_number or need_both:
        # A case without an ID number on file never matches by it.
        expected = id_number or "\x02"
        answers.append(hmac.compare_digest(_digest("id", expected), _digest("id", facts.id_number or "\x03")))
    return bool(answers) and all(answers)


def _typed_code(facts):
    return facts.case_code.strip().upper()


def _matches(row, facts, *, need_both):
    """Whether `row` (a case or the status's row, or None for a code that does not exist) is the one the
    facts point at; the same comparisons either way."""
    expected = (row.applicant_date_of_birth, row.applicant_id_number) if row is not None else _ABSENT
    matched = facts_match(expected, facts, need_both=need_both)
    return row is not None and matched


def find_case(facts, *, need_both=False):
    """The case that the code and the facts point at, or None: in the session, for the follow-up that
    changes it."""
    case = db.session.scalar(sa.select(Case).where(Case.code == _typed_code(facts)))
    return case if _matches(case, facts, need_both=need_both) else None


def find_status(facts, *, lang, now=None):
    """What the status page says, in the language `lang`, for the code and the second fact, or None: one
    read by the code, and a second only for a case in verification (which kinds of agency it waits for)."""
    row = reader().first(_STATUS_ROW, code=_typed_code(facts))
    if not _matches(row, facts, need_both=False):
        return None
    waiting = reader().rows(_WAITING_KINDS, case_id=row.id) if row.stage is CaseStage.VERIFYING else ()
    return case_status(row, lang=lang, waiting_kinds=[kind for (kind,) in waiting], now=now)


def _holder(stage, waiting_kinds, words):
    if stage is CaseStage.VERIFYING and waiting_kinds:
        agencies = sorted(words.unit_kinds[kind] for kind in waiting_kinds)
        return words.awaiting_agencies % {"agencies": ", ".join(agencies)}
    return words.holders.get(stage)


def case_status(row, *, lang, waiting_kinds=(), now=None):
    """What the status page says, in the language `lang`, about the case of `row` (the lookup's row: the
    case's columns, with its apology's content, whether it has a signed certificate and its latest
    tracking number); `waiting_kinds` are the kinds of agency whose verification answer it waits for."""
    new_date = row.apology.get("new_date") if row.apology else None
    words = _words(lang)
    return CaseStatus(
        case_code=row.code,
        stage=row.stage,
        stage_label=words.stages[row.stage],
        holder=_holder(row.stage, waiting_kinds, words),
        since=row.stage_changed_at,
        appointment_date=row.due_date,
        is_late=is_overdue(row, now=now),
        new_date=date.fromisoformat(new_date) if new_date else None,
        return_method=row.delivery_method,
        return_label=words.return_methods[row.delivery_method],
        tracking_number=row.tracking_number if row.delivery_method is DeliveryMethod.POST else None,
        can_download=bool(row.signed) and row.stage in (CaseStage.ISSUED, CaseStage.RETURNED),
        can_complete=row.stage is CaseStage.INCOMPLETE,
        can_report_payment=row.stage is CaseStage.AWAITING_PAYMENT,
        can_withdraw=rule_for(row.stage, "withdraw") is not None,
    )


def status_json(status):
    """The JSON answer of /tra-cuu.json: the same facts as the page."""
    return {
        "case_code": status.case_code,
        "stage": str(status.stage),
        "stage_label": status.stage_label,
        "holder": status.holder,
        "since": status.since.isoformat(),
        "appointment_date": status.appointment_date.isoformat() if status.appointment_date else None,
        "is_late": status.is_late,
        "new_appointment_date": status.new_date.isoformat() if status.new_date else None,
        "return_method": str(status.return_method),
        "return_method_label": status.return_label,
        "tracking_number": status.tracking_number,
        "certificate_available": status.can_download,
        "status_url": current_app.config["LLTP_PUBLIC_BASE_URL"].rstrip("/") + "/tra-cuu",
    }
