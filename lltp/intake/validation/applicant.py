"""The applicant (người được cấp phiếu): identity, contact, relatives, identity documents with the CCCD
number's own checks, and the residence history."""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases.models import Channel, Sex
from lltp.core.text import format_date
from lltp.intake.models import IdDocumentType
from lltp.intake.validation.checks import _COLUMN_LENGTHS, _DIGITS, TEXT_LENGTH
from lltp.intake.validation.labels import field_label

EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_PARENT_BIRTH_YEAR = 1850
MAX_GAP_DAYS = 31
HISTORY_FROM_AGE = 14
RELATIVES = ("father", "mother", "spouse")

# Keyed by the plain code: an enum member hashes by its name, so it would not find the value.
_ID_DOCUMENT_NAMES = {
    IdDocumentType.CCCD.value: _l("Số CCCD"),
    IdDocumentType.CMND.value: _l("Số CMND"),
    IdDocumentType.PASSPORT.value: _l("Số hộ chiếu"),
}

_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_NATIONALITY = re.compile(r"[A-Z]{2}")
_PHONE = re.compile(r"0\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


# --- the applicant ------------------------------------------------------------------------------------


def _clean_applicant(checks, applicant):
    if applicant is None:
        return None
    nationality = _clean_nationality(checks, applicant.get("nationality"))
    sex = checks.choice("applicant.sex", applicant.get("sex"), Sex)
    date_of_birth = _clean_date_of_birth(checks, applicant.get("date_of_birth"))
    cleaned = {
        "full_name": checks.name("applicant.full_name", applicant.get("full_name"), required=True),
        "other_names": _clean_other_names(checks, applicant.get("other_names")),
        "sex": sex,
        "date_of_birth": date_of_birth,
        "place_of_birth": checks.text(
            "applicant.place_of_birth", applicant.get("place_of_birth"), required=True
        ),
        "nationality": nationality,
        "ethnicity": checks.text(
            "applicant.ethnicity",
            applicant.get("ethnicity"),
            required=nationality == "VN",
            max_length=_COLUMN_LENGTHS["ethnicity"],
        ),
        "id_document": _clean_id_document(
            checks,
            "applicant.id_document",
            applicant.get("id_document"),
            sex=sex,
            date_of_birth=date_of_birth,
        ),
        **_clean_addresses(checks, applicant),
        **_clean_contact(checks, applicant),
    }
    for relative in RELATIVES:
        cleaned[relative] = _clean_relative(checks, f"applicant.{relative}", applicant.get(relative))
    cleaned["residence_history"] = _clean_residence_history(
        checks, applicant.get("residence_history"), date_of_birth=date_of_birth, nationality=nationality
    )
    return cleaned


def _clean_date_of_birth(checks, value):
    path = "applicant.date_of_birth"
    born = checks.date(path, value, required=True)
    if born is not None and born < EARLIEST_BIRTH:
        checks.error(
            path,
            _(
                "%(field)s không được trước ngày %(day)s.",
                field=field_label(path),
                day=format_date(EARLIEST_BIRTH),
            ),
        )
        return None
    return born


def _clean_nationality(checks, value):
    path = "applicant.nationality"
    code = checks.text(path, value, required=True)
    if code is None:
        return None
    code = code.upper()
    if not _NATIONALITY.fullmatch(code):
        checks.error(path, _("%(field)s phải là mã quốc gia 2 chữ cái (ví dụ VN).", field=field_label(path)))
        return None
    return code


def _clean_other_names(checks, value):
    path = "applicant.other_names"
    if value is None:
        return []
    if checks.lenient and isinstance(value, str):
        # A form gives one text box: names are separated by commas, semicolons or lines.
        value = re.split(r"[,;\n]", value)
    if not isinstance(value, list):
        checks.invalid(path)
        return []
    names = (checks.name(f"{path}.{index}", name) for index, name in enumerate(value))
    return [name for name in names if name]


def _clean_addresses(checks, applicant):
    permanent = checks.address("applicant.permanent_address", applicant.get("permanent_address"))
    temporary = checks.address("applicant.temporary_address", applicant.get("temporary_address"))
    if permanent is None and temporary is None:
        checks.error(
            "applicant.permanent_address",
            _("Vui lòng nhập nơi thường trú hoặc nơi tạm trú (ít nhất một nơi)."),
        )
    return {"permanent_address": permanent, "temporary_address": temporary}


def _clean_contact(checks, applicant):
    phone = _clean_phone(checks, applicant.get("phone"))
    email = _clean_email(checks, applicant.get("email"))
    # An agency receives the result itself; anyone else must be reachable about their dossier.
    if phone is None and email is None and checks.channel != Channel.AGENCY:
        checks.error("applicant.phone", _("Vui lòng nhập số điện thoại hoặc thư điện tử (ít nhất một)."))
    return {"phone": phone, "email": email}


def _clean_phone(checks, value):
    path = "applicant.phone"
    phone = checks.text(path, value, max_length=TEXT_LENGTH)
    if phone is None:
        return None
    phone = _PHONE_SEPARATORS.sub("", phone)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if not _PHONE.fullmatch(phone):
        checks.error(
            path, _("%(field)s phải gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).", field=field_label(path))
        )
        return None
    return phone


def _clean_email(checks, value):
    path = "applicant.email"
    email = checks.text(path, value)
    if email is not None and not _EMAIL.fullmatch(email):
        checks.invalid(path)
        return None
    return email


def _clean_relative(checks, path, value):
    relative = checks.block(path, value)
    if not relative:
        return None
    full_name = checks.name(f"{path}.full_name", relative.get("full_name"))
    birth_year = checks.integer(
        f"{path}.birth_year",
        relative.get("birth_year"),
        low=EARLIEST_PARENT_BIRTH_YEAR,
        high=checks.today.year,
    )
    if full_name is None and birth_year is None and f"{path}.birth_year" not in checks.errors:
        return None
    if full_name is None:
        checks.missing(f"{path}.full_name")
    return {"full_name": full_name, "birth_year": birth_year}


# --- identity documents -------------------------------------------------------------------------------


def _clean_id_document(checks, path, value, *, sex=None, date_of_birth=None):
    document = checks.block(path, value)
    if document is None:
        return None
    doc_type = checks.choice(f"{path}.type", document.get("type"), IdDocumentType)
    issued_on = checks.date(f"{path}.issued_on", document.get("issued_on"))
    if issued_on is not None and date_of_birth is not None and issued_on < date_of_birth:
        checks.error(
            f"{path}.issued_on",
            _("%(field)s không được trước ngày sinh.", field=field_label(f"{path}.issued_on")),
        )
        issued_on = None
    return {
        "type": doc_type,
        "number": _clean_id_number(
            checks, f"{path}.number", document.get("number"), doc_type, sex=sex, date_of_birth=date_of_birth
        ),
        "issued_on": issued_on,
        "issued_by": checks.text(f"{path}.issued_by", document.get("issued_by")),
    }


def _clean_id_number(checks, path, value, doc_type, *, sex, date_of_birth):
    number = checks.text(path, value, required=True, max_length=_COLUMN_LENGTHS["id_number"])
    if number is None or doc_type is None:
        return None
    number = number.replace(" ", "")
    owner = _(" của người làm thủ tục thay") if path.startswith("requester.") else ""
    label = f"{_ID_DOCUMENT_NAMES[doc_type]}{owner}"
    if doc_type == IdDocumentType.PASSPORT:
        number = number.upper()
        valid = _PASSPORT.fullmatch(number)
        problems = [] if valid else [_("%(field)s phải gồm 6–9 chữ cái hoặc chữ số.", field=label)]
    elif doc_type == IdDocumentType.CMND:
        valid = _DIGITS.fullmatch(number) and len(number) in (9, 12)
        problems = [] if valid else [_("%(field)s phải gồm 9 hoặc 12 chữ số.", field=label)]
    else:
        problems = _cccd_problems(number, label, sex=sex, date_of_birth=date_of_birth)
    if problems:
        checks.error(path, " ".join(problems))
        return None
    return number


def _cccd_problems(number, label, *, sex, date_of_birth):
    """What is wrong with a CCCD number, alone or against the declared sex and date of birth."""
    if not (_DIGITS.fullmatch(number) and len(number) == 12):
        return [_("%(field)s phải gồm 12 chữ số.", field=label)]
    if number[:3] == "000":
        return [_("%(field)s có mã tỉnh (3 chữ số đầu) không hợp lệ.", field=label)]
    code = int(number[3])
    # 0/1 male/female born in the 1900s, 2/3 in the 2000s; the codes for other centuries cannot occur yet.
    if code > 3:
        return [_("%(field)s có chữ số thứ 4 (giới tính và thế kỷ sinh) không hợp lệ.", field=label)]
    problems = []
    coded_sex = Sex.MALE if code % 2 == 0 else Sex.FEMALE
    if sex is not None and coded_sex != sex:
        problems.append(
            _(
                "%(field)s ghi giới tính %(coded)s, khác với giới tính đã khai.",
                field=label,
                coded=_("nam") if coded_sex == Sex.MALE else _("nữ"),
            )
        )
    coded_year = (1900 if code < 2 else 2000) + int(number[4:6])
    if date_of_birth is not None and coded_year != date_of_birth.year:
        problems.append(
            _(
                "%(field)s ghi năm sinh %(coded)d, khác với ngày sinh đã khai (%(born)s).",
                field=label,
                coded=coded_year,
                born=format_date(date_of_birth),
            )
        )
    return problems


# --- residence history --------------------------------------------------------------------------------


def _clean_residence_history(checks, value, *, date_of_birth, nationality):
    path = "applicant.residence_history"
    # An agency's letter (Mẫu 05a/05b) does not carry the applicant's residence history.
    required = checks.channel != Channel.AGENCY
    if value is None or value == []:
        if required:
            checks.error(path, _("Vui lòng khai quá trình cư trú từ khi đủ 14 tuổi."))
        return []
    if not isinstance(value, list):
        checks.invalid(path)
        return []
    entries = [_clean_residence(checks, f"{path}.{index}", entry) for index, entry in enumerate(value)]
    if any(entry is None for entry in entries):
        return []
    _check_residence_order(checks, path, entries, date_of_birth=date_of_birth)
    if date_of_birth is not None and nationality == "VN":
        _check_history_starts_at_14(checks, path, entries[0], date_of_birth)
    _check_history_reaches_today(checks, path, entries)
    return entries


def _clean_residence(checks, path, value):
    entry = checks.block(path, value)
    if entry is None:
        return None
    return {
        "from": checks.date(f"{path}.from", entry.get("from"), required=True),
        "to": checks.date(f"{path}.to", entry.get("to")),
        "address": checks.address(f"{path}.address", entry.get("address"), required=True),
        "occupation": checks.text(f"{path}.occupation", entry.get("occupation")),
        "workplace": checks.text(f"{path}.workplace", entry.get("workplace")),
    }


def _check_residence_order(checks, path, entries, *, date_of_birth):
    last = len(entries) - 1
    for index, entry in enumerate(entries):
        start, end = entry["from"], entry["to"]
        if end is None and index != last:
            checks.error(
                f"{path}.{index}.to",
                _("%(field)s chỉ được để trống ở dòng cuối cùng.", field=field_label(f"{path}.{index}.to")),
            )
        if start is None:
            continue
        if date_of_birth is not None and start < date_of_birth:
            checks.error(
                f"{path}.{index}.from",
                _("%(field)s không được trước ngày sinh.", field=field_label(f"{path}.{index}.from")),
            )
        if end is not None and end < start:
            checks.error(
                f"{path}.{index}.to",
                _("%(field)s không được trước ngày bắt đầu.", field=field_label(f"{path}.{index}.to")),
            )
        if index == 0:
            continue
        previous = entries[index - 1]
        if previous["from"] is not None and start < previous["from"]:
            checks.error(
                f"{path}.{index}.from",
                _(
                    "Quá trình cư trú phải khai theo thứ tự thời gian: "
                    "dòng %(row)d bắt đầu trước dòng %(previous)d.",
                    row=index + 1,
                    previous=index,
                ),
            )
        elif previous["to"] is not None and (start - previous["to"]).days > MAX_GAP_DAYS:
            checks.error(
                f"{path}.{index}.from",
                _(
                    "Quá trình cư trú bị gián đoạn hơn %(days)d ngày, từ %(end)s đến %(start)s.",
                    days=MAX_GAP_DAYS,
                    end=format_date(previous["to"]),
                    start=format_date(start),
                ),
            )


def _check_history_starts_at_14(checks, path, first, date_of_birth):
    fourteenth = _birthday(date_of_birth, HISTORY_FROM_AGE)
    # A child under 14 has no history to declare since 14; whatever is declared is enough.
    if first["from"] is not None and fourteenth <= checks.today and first["from"] > fourteenth:
        checks.error(
            f"{path}.0.from",
            _(
                "Quá trình cư trú phải bắt đầu từ ngày đủ 14 tuổi (%(day)s).",
                day=format_date(fourteenth),
            ),
        )


def _check_history_reaches_today(checks, path, entries):
    index = len(entries) - 1
    end = entries[index]["to"]
    if end is not None and (checks.today - end).days > MAX_GAP_DAYS:
        checks.error(
            f"{path}.{index}.to",
            _(
                "Quá trình cư trú phải kéo dài đến nay: dòng cuối kết thúc %(end)s.",
                end=format_date(end),
            ),
        )


def _birthday(born, years):
    """The day someone reaches an age; 29 February counts as 1 March in a common year."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)
