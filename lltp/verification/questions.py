"""What each kind of question tells the unit: only the fields that kind needs (design §4).

A court is told which judgment and what is missing, never the certificate type, its purpose or the rest
of the record; the police get the identity they look up; a commune gets the residence and the period to
confirm. Everything is plain JSON (dates in ISO) so the task keeps the question exactly as it was asked.
"""

from flask_babel import lazy_gettext as _l

from lltp.core.text import fold
from lltp.records.content import birth_text
from lltp.verification.models import AnswerOutcome, TaskKind, TaskStatus

KIND_LABELS = {
    TaskKind.POLICE_LOOKUP: _l("Tra cứu hồ sơ tại Công an"),
    TaskKind.JUDGMENT_OUTCOME: _l("Kết quả thi hành bản án"),
    TaskKind.ENFORCEMENT_STATUS: _l("Tình trạng thi hành án dân sự"),
    TaskKind.EXPUNGEMENT_CONDITIONS: _l("Điều kiện đương nhiên xóa án tích"),
    TaskKind.IDENTITY_MISMATCH: _l("Thông tin nhân thân không khớp"),
}

STATUS_LABELS = {
    TaskStatus.OPEN: _l("Chưa có người nhận"),
    TaskStatus.CLAIMED: _l("Đang xử lý"),
    TaskStatus.ESCALATED: _l("Quá hạn, đã báo lãnh đạo"),
    TaskStatus.RETURNED: _l("Đề nghị làm rõ"),
    TaskStatus.ANSWERED: _l("Đã trả lời"),
    TaskStatus.CANCELLED: _l("Đã hủy"),
}
OUTCOME_LABELS = {
    AnswerOutcome.NOTHING_FOUND: _l("Không có thông tin"),
    AnswerOutcome.FOUND: _l("Có thông tin"),
    AnswerOutcome.CANNOT_DETERMINE: _l("Không xác định được"),
}
# The trail's actions (services' `_record_event`).
EVENT_LABELS = {
    "create": _l("Gửi yêu cầu"),
    "claim": _l("Nhận xử lý"),
    "release": _l("Bỏ nhận"),
    "answer": _l("Trả lời"),
    "answer_on_paper": _l("Nhập trả lời bằng văn bản giấy"),
    "return": _l("Đề nghị làm rõ"),
    "clarify": _l("Làm rõ yêu cầu"),
    "escalate": _l("Quá hạn, báo lãnh đạo đơn vị"),
    "cancel": _l("Hủy yêu cầu"),
    "accept": _l("Đưa vào cơ sở dữ liệu lý lịch tư pháp"),
    "letter": _l("Lập công văn yêu cầu"),
}

# The identity fields each kind may carry; the question builders below never add others.
IDENTITY_FIELDS = {
    TaskKind.POLICE_LOOKUP: (
        "full_name",
        "other_names",
        "date_of_birth",
        "sex",
        "id_number",
        "place_of_birth",
        "permanent_address",
        "father_name",
        "mother_name",
    ),
    TaskKind.JUDGMENT_OUTCOME: ("full_name", "date_of_birth"),
    TaskKind.ENFORCEMENT_STATUS: ("full_name", "date_of_birth"),
    TaskKind.EXPUNGEMENT_CONDITIONS: ("full_name", "date_of_birth", "id_number", "residence"),
    TaskKind.IDENTITY_MISMATCH: ("full_name", "date_of_birth", "sex", "id_number"),
}
FIELD_LABELS = {
    "full_name": _l("Họ và tên"),
    "other_names": _l("Tên gọi khác"),
    "date_of_birth": _l("Ngày sinh"),
    "sex": _l("Giới tính"),
    "id_number": _l("Số định danh cá nhân/CCCD"),
    "place_of_birth": _l("Nơi sinh"),
    "permanent_address": _l("Nơi thường trú"),
    "residence": _l("Nơi cư trú"),
    "father_name": _l("Họ tên cha"),
    "mother_name": _l("Họ tên mẹ"),
}


def applicant_identity(case, declaration):
    """Everything a question could say about the applicant, from the case and its declaration."""
    residence = None
    if declaration is not None:
        periods = declaration.residence_history
        residence = (
            (periods[-1].address if periods else None)
            or declaration.permanent_address
            or declaration.temporary_address
        )
    return {
        "full_name": case.applicant_full_name,
        "other_names": list(declaration.other_names or []) if declaration else [],
        "date_of_birth": case.applicant_date_of_birth.isoformat(),
        "sex": str(case.applicant_sex),
        "id_number": case.applicant_id_number,
        "place_of_birth": declaration.place_of_birth if declaration else None,
        "permanent_address": declaration.permanent_address if declaration else None,
        "residence": residence,
        "father_name": (declaration.father or {}).get("full_name") if declaration else None,
        "mother_name": (declaration.mother or {}).get("full_name") if declaration else None,
    }


def judgment_facts(judgment):
    """Which judgment a question is about: its number, date and court, nothing of its content."""
    return {
        "id": judgment.id,
        "number": judgment.number,
        "pronounced_on": judgment.pronounced_on.isoformat(),
        "court": judgment.court,
    }


def build(kind, identity, *, judgments=(), asked=(), period=None, differences=None, note=None):
    """The question of `kind`: the identity fields the kind allows, and what is asked."""
    kind = TaskKind(kind)
    question = {"person": {name: identity.get(name) for name in IDENTITY_FIELDS[kind]}}
    if judgments and kind is not TaskKind.IDENTITY_MISMATCH:
        question["judgments"] = [dict(j) for j in judgments]
    if asked:
        question["asked"] = list(dict.fromkeys(asked))
    if period and kind is TaskKind.EXPUNGEMENT_CONDITIONS:
        question["period"] = {
            "from": period[0] and period[0].isoformat(),
            "to": period[1] and period[1].isoformat(),
        }
    if differences and kind is TaskKind.IDENTITY_MISMATCH:
        question["differences"] = differences
    if note:
        question["note"] = note
    return question


def merge(question, other):
    """One question asking what two rules asked of the same unit (the police's lookup, say)."""
    merged = dict(question)
    for key in ("judgments", "asked"):
        items = [*question.get(key, []), *other.get(key, [])]
        if items:
            unique = {repr(sorted(item.items())) if isinstance(item, dict) else item: item for item in items}
            merged[key] = list(unique.values())
    return merged


def person_differences(identity, person, id_numbers):
    """Where the applicant's identity and the matched person's record disagree: {field: [declared,
    recorded]}; empty when they agree (an unknown recorded value never disagrees)."""
    differences = {}
    if person.full_name and fold(person.full_name) != fold(identity["full_name"]):
        differences["full_name"] = [identity["full_name"], person.full_name]
    if person.sex and str(person.sex) != identity["sex"]:
        differences["sex"] = [identity["sex"], str(person.sex)]
    if person.date_of_birth is not None:
        declared = identity["date_of_birth"]
        recorded = person.date_of_birth.isoformat()
        width = {"day": 10, "month": 7, "year": 4}[str(person.date_of_birth_precision)]
        if declared[:width] != recorded[:width]:
            differences["date_of_birth"] = [declared, birth_text(person)]
    if identity["id_number"] and id_numbers and identity["id_number"] not in id_numbers:
        differences["id_number"] = [identity["id_number"], ", ".join(sorted(id_numbers))]
    return differences
