"""The record pages' forms: the people search's filters, the officer's judgment and enforcement-event
forms, and the Vietnamese labels of the records contract's coded values.

The judgment and event inputs are named by the dotted path of the records-contract document
(`offences.0.article`, `principal_penalty.months`), the path at which `validation.check_document` reports
a problem, so each error shows beside its input. The forms here only turn typed text (dd/mm/yyyy dates,
"200.000" amounts, ticked boxes) into the document's values, each parser returning `(value, errors)` for
the text it could not read; every rule is the validator's and the service's.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.core.text import format_date, format_number
from lltp.records.services.people import Paper

SEX_LABELS = {"male": _l("Nam"), "female": _l("Nữ")}
PRECISION_LABELS = {"day": _l("ngày"), "month": _l("tháng"), "year": _l("năm")}
SEVERITY_LABELS = {
    "less_serious": _l("Ít nghiêm trọng"),
    "serious": _l("Nghiêm trọng"),
    "very_serious": _l("Rất nghiêm trọng"),
    "especially_serious": _l("Đặc biệt nghiêm trọng"),
}
INTENT_LABELS = {"intentional": _l("Cố ý"), "negligent": _l("Vô ý")}
PRINCIPAL_LABELS = {
    "warning": _l("Cảnh cáo"),
    "fine": _l("Phạt tiền"),
    "non_custodial_reform": _l("Cải tạo không giam giữ"),
    "prison": _l("Tù có thời hạn"),
    "life": _l("Tù chung thân"),
    "death": _l("Tử hình"),
}
ADDITIONAL_LABELS = {
    "ban_office": _l("Cấm đảm nhiệm chức vụ, cấm hành nghề hoặc làm công việc nhất định"),
    "ban_residence": _l("Cấm cư trú"),
    "probation_supervision": _l("Quản chế"),
    "deprivation_civic_rights": _l("Tước một số quyền công dân"),
    "fine": _l("Phạt tiền (hình phạt bổ sung)"),
    "confiscation": _l("Tịch thu tài sản"),
    "expulsion": _l("Trục xuất"),
}
EVENT_LABELS = {
    "principal_completed": _l(
        "Chấp hành xong hình phạt chính (kể cả được đặc xá, miễn chấp hành phần còn lại)"
    ),
    "probation_completed": _l("Hết thời gian thử thách án treo"),
    "fine_paid": _l("Nộp xong tiền phạt"),
    "additional_completed": _l("Chấp hành xong hình phạt bổ sung"),
    "court_fee_paid": _l("Nộp xong án phí"),
    "civil_obligation_completed": _l("Thực hiện xong nghĩa vụ dân sự"),
    "enforcement_time_limit_expired": _l("Hết thời hiệu thi hành bản án"),
    "general_amnesty": _l("Được đại xá"),
    "court_expungement_decision": _l("Quyết định xóa án tích của Tòa án có hiệu lực"),
}
PROSECUTION_LABELS = {
    "pending": _l("Đang giải quyết"),
    "dismissed": _l("Đình chỉ"),
    "acquitted": _l("Tuyên không phạm tội"),
}
KIND_LABELS = {
    "person": _l("Nhân thân"),
    "judgment": _l("Trích lục bản án"),
    "enforcement": _l("Thông báo thi hành án"),
    "prosecution": _l("Khởi tố, truy tố"),
    "ban": _l("Quyết định cấm đảm nhiệm chức vụ"),
}
CHANNEL_LABELS = {"file": _l("Tệp nhập"), "api": _l("API"), "officer": _l("Cán bộ nhập tay")}

# The tables of the judgment form: each row's inputs with their labels.
ROWS = {
    "offences": {
        "name": _l("Tội danh"),
        "code": _l("Bộ luật"),
        "article": _l("Điều"),
        "clause": _l("Khoản"),
        "chapter": _l("Chương"),
        "severity": _l("Loại tội"),
        "intent": _l("Hình thức lỗi"),
        "committed_on": _l("Ngày phạm tội"),
    },
    "additional_penalties": {
        "type": _l("Loại"),
        "months": _l("Thời hạn (tháng)"),
        "description": _l("Nội dung"),
    },
    "civil_obligations": {"description": _l("Nghĩa vụ"), "amount": _l("Số tiền (đồng)")},
}
TABLE_LABELS = {
    "offences": _l("Tội danh"),
    "additional_penalties": _l("Hình phạt bổ sung"),
    "civil_obligations": _l("Nghĩa vụ dân sự"),
}
# The inputs whose text makes a row more than a spare blank one (a select's blank choice and the
# prefilled code do not).
ROW_TEXT = {
    "offences": ("name", "article", "clause", "chapter", "committed_on"),
    "additional_penalties": ("type", "months", "description"),
    "civil_obligations": ("description", "amount"),
}
FIELD_LABELS = {
    "paper.agency": _l("Cơ quan gửi"),
    "paper.ref": _l("Số, ký hiệu văn bản"),
    "paper.received_on": _l("Ngày nhận"),
    "number": _l("Số bản án"),
    "pronounced_on": _l("Ngày tuyên án"),
    "effective_on": _l("Ngày có hiệu lực pháp luật"),
    "court": _l("Tòa án xét xử"),
    "principal_penalty": _l("Hình phạt chính"),
    "principal_penalty.type": _l("Loại hình phạt chính"),
    "principal_penalty.months": _l("Thời hạn (tháng)"),
    "principal_penalty.fine_amount": _l("Số tiền phạt (đồng)"),
    "principal_penalty.suspended": _l("Cho hưởng án treo"),
    "principal_penalty.probation_months": _l("Thời gian thử thách (tháng)"),
    "exempted_from_punishment": _l("Được miễn hình phạt"),
    "reform_school": _l("Đưa vào trường giáo dưỡng"),
    "court_fee": _l("Án phí (đồng)"),
    "event": _l("Sự kiện"),
    "on": _l("Ngày"),
    "penalty_index": _l("Hình phạt bổ sung đã chấp hành xong"),
    "obligation_index": _l("Nghĩa vụ dân sự đã thực hiện xong"),
    "note": _l("Ghi chú (số giấy chứng nhận, quyết định...)"),
    "reason": _l("Lý do đính chính, văn bản làm căn cứ"),
    "document": _l("Nội dung"),
    **TABLE_LABELS,
}
DEFAULT_CODE = "BLHS2015"
SEARCH_PAGE_SIZE = 25
_ID_LIKE = re.compile(r"[0-9A-Za-z/.-]*[0-9][0-9A-Za-z/.-]*")


# --- the people search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""  # a name (diacritics or not), an ID number or a judicial record number
    birth_year: int | None = None
    approximate: bool = False  # ranked look-alikes instead of the exact search
    page: int = 1

    @property
    def by_number(self):
        """The query is an ID number or a judicial record number, not a name."""
        return bool(_ID_LIKE.fullmatch(self.q))

    @property
    def given(self):
        return bool(self.q or self.birth_year)


def _positive(text, *, maximum):
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= maximum else None


def search_filters(args):
    """The search's filters from the query string; a value that does not parse is dropped, so an edited
    link still searches."""
    return SearchFilters(
        q=" ".join((args.get("q") or "").split())[:120],
        birth_year=_positive(args.get("nam_sinh"), maximum=2100),
        approximate=args.get("gan_dung") == "1",
        page=_positive(args.get("trang"), maximum=100_000) or 1,
    )


def search_args(filters, **changes):
    """The query-string arguments that give `filters` with `changes`, defaults left out."""
    filters = replace(filters, **changes)
    args = {
        "q": filters.q,
        "nam_sinh": filters.birth_year,
        "gan_dung": "1" if filters.approximate else None,
        "trang": None if filters.page == 1 else filters.page,
    }
    return {name: value for name, value in args.items() if value}


# --- reading typed text into document values -----------------------------------------------------------


class _Reader:
    """Reads the posted text of a form into document values, noting each input it cannot read."""

    def __init__(self, form):
        self.form, self.errors = form, {}

    def text(self, name):
        value = " ".join((self.form.get(name) or "").split())
        return value or None

    def note(self, name):
        """Free text that keeps its line breaks."""
        value = (self.form.get(name) or "").strip()
        return value or None

    def flag(self, name):
        return (self.form.get(name) or "") not in ("", "0", "false")

    def date(self, name):
        text = self.text(name)
        if text is None:
            return None
        try:
            return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        except ValueError:
            self.errors[name] = _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")
            return None

    def number(self, name):
        """A whole number; amounts may be typed with dots or spaces between thousands."""
        text = (self.text(name) or "").replace(".", "").replace(" ", "")
        if not text:
            return None
        if not text.isdigit():
            self.errors[name] = _("Phải là một số nguyên, ví dụ 24 hoặc 200.000.")
            return None
        return int(text)

    def rows(self, table):
        """The row numbers of a table (rows are numbered from 0 once `compact` has run)."""
        return range(row_count(self.form, table, spare=0))


def _row_number(name, table):
    match = re.fullmatch(rf"{table}\.(\d+)\.(\w+)", name)
    return int(match.group(1)) if match else None


def compact(form):
    """The posted form as a dict, each table's spare blank rows dropped and the others numbered from 0, in
    order: then the validator's `offences.1.article` is the second row shown, where its error must go."""
    values = {
        name: value for name, value in form.items() if not any(_row_number(name, t) is not None for t in ROWS)
    }
    for table in ROWS:
        numbers = sorted({n for name in form if (n := _row_number(name, table)) is not None})
        kept = [
            n for n in numbers if any((form.get(f"{table}.{n}.{c}") or "").strip() for c in ROW_TEXT[table])
        ]
        for position, number in enumerate(kept):
            for column in ROWS[table]:
                values[f"{table}.{position}.{column}"] = form.get(f"{table}.{number}.{column}", "")
    return values


def parse_judgment(form):
    """The judgment document's own fields from the posted form (the service adds the references)."""
    read = _Reader(form)
    document = {
        "number": read.text("number"),
        "pronounced_on": read.date("pronounced_on"),
        "effective_on": read.date("effective_on"),
        "court": read.text("court"),
        "offences": [
            {
                "name": read.text(f"offences.{n}.name"),
                "code": read.text(f"offences.{n}.code") or DEFAULT_CODE,
                "article": read.text(f"offences.{n}.article"),
                "clause": read.text(f"offences.{n}.clause"),
                "chapter": (read.text(f"offences.{n}.chapter") or "").upper() or None,
                "severity": read.text(f"offences.{n}.severity"),
                "intent": read.text(f"offences.{n}.intent"),
                "committed_on": read.date(f"offences.{n}.committed_on"),
            }
            for n in read.rows("offences")
        ],
        "principal_penalty": None,
        "exempted_from_punishment": read.flag("exempted_from_punishment"),
        "reform_school": read.flag("reform_school"),
        "additional_penalties": [
            {
                "type": read.text(f"additional_penalties.{n}.type"),
                "months": read.number(f"additional_penalties.{n}.months"),
                "description": read.text(f"additional_penalties.{n}.description") or "",
            }
            for n in read.rows("additional_penalties")
        ],
        "court_fee": read.number("court_fee") or 0,
        "civil_obligations": [
            {
                "description": read.text(f"civil_obligations.{n}.description"),
                "amount": read.number(f"civil_obligations.{n}.amount"),
            }
            for n in read.rows("civil_obligations")
        ],
    }
    penalty = {
        "type": read.text("principal_penalty.type"),
        "months": read.number("principal_penalty.months"),
        "suspended": read.flag("principal_penalty.suspended"),
        "probation_months": read.number("principal_penalty.probation_months"),
        "fine_amount": read.number("principal_penalty.fine_amount"),
    }
    # No type and nothing else typed: no principal penalty (exempted, or reform school).
    if penalty["type"] or any(value for key, value in penalty.items() if key != "type"):
        document["principal_penalty"] = penalty
    return document, read.errors


def parse_event(form):
    """The enforcement event document's own fields from the posted form."""
    read = _Reader(form)
    document = {"event": read.text("event"), "on": read.date("on")}
    for name in ("penalty_index", "obligation_index"):
        value = read.number(name)
        if value is not None:
            document[name] = value
    note = read.note("note")
    if note:
        document["note"] = note
    return document, read.errors


def parse_paper(form):
    """The paper the officer copies from: its agency, reference and the day it was received."""
    read = _Reader(form)
    received = read.date("paper.received_on")
    paper = Paper(
        agency=read.text("paper.agency") or "",
        ref=read.text("paper.ref") or "",
        received_on=date.fromisoformat(received) if received else None,
    )
    return paper, read.errors


def parse_reason(form):
    return (form.get("reason") or "").strip()


# --- document values back into the form ------------------------------------------------------------------


def _text(value, name):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        # Money reads better with its thousands marked; months and indexes stay plain.
        return format_number(value) if name.endswith(("amount", "court_fee")) else str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(date.fromisoformat(value))
    return value


def form_values(document, prefix=""):
    """A document as the form's `{dotted.name: text}`, for refilling it: dates dd/mm/yyyy."""
    values = {}
    items = enumerate(document) if isinstance(document, list) else (document or {}).items()
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, dict | list):
            values.update(form_values(value, prefix=f"{name}."))
        else:
            values[name] = _text(value, name)
    return values


def field_label(name):
    """The label of the input named `name`; a row's input names its table and row ("Tội danh, dòng 2:
    Điều"), which is also what a screen reader says in the table."""
    for table, columns in ROWS.items():
        number = _row_number(name, table)
        if number is not None:
            column = columns[name.rsplit(".", 1)[1]]
            return _(
                "%(table)s, dòng %(n)d: %(column)s", table=TABLE_LABELS[table], n=number + 1, column=column
            )
    return FIELD_LABELS.get(name, name)


def row_count(values, table, *, spare=1):
    """How many rows the form shows for a table: those posted or stored, plus `spare` blank ones."""
    numbers = [n for name in values if (n := _row_number(name, table)) is not None]
    return (max(numbers) + 1 if numbers else 0) + spare
