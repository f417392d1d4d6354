"""The one validator of a request (tờ khai), whatever channel it came by.

`validate_request` takes the contract's request document (contracts/intake-api.md), plus the `postal` and
`agency` blocks that officers type in, and returns it cleaned: real dates and numbers, NFC text, upper-case
names. Otherwise it raises `ValidationFailed` with every problem at once, keyed by the dotted path of the
field, each message in Vietnamese and naming its field. It reads no database and no Flask request, so the
web forms, the API and the CLI share it.
"""

import re
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.cases.models import Channel, DeliveryMethod, Sex
from lltp.core import clock
from lltp.core.errors import ValidationFailed
from lltp.core.text import format_date, nfc
from lltp.intake.models import FeeCategory, IdDocumentType

DATE_STYLES = ("iso", "vn")
# The national systems push requests through the API: they must identify and time-stamp each one.
API_CHANNELS = frozenset({Channel.VNEID, Channel.NATIONAL_PORTAL, Channel.PROVINCIAL_PORTAL})

NAME_LENGTH = 120
ADDRESS_LENGTH = 500
TEXT_LENGTH = 255
EXTERNAL_ID_LENGTH = 100
MAX_COPIES = 10
EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_PARENT_BIRTH_YEAR = 1850
MAX_GAP_DAYS = 31
HISTORY_FROM_AGE = 14
ADULT_AGE = 18

REQUESTER_KINDS = ("proxy", "parent_of_minor")
RELATIONSHIPS = ("parent", "spouse", "child", "other")
NOTIFIED_BY = ("paper", "phone", "fax")
RELATIVES = ("father", "mother", "spouse")

FIELD_LABELS = {
    "external_id": _l("Mã yêu cầu của hệ thống gửi"),
    "certificate_type": _l("Loại phiếu"),
    "include_ban_section": _l("Yêu cầu xác nhận nội dung cấm đảm nhiệm chức vụ"),
    "purpose": _l("Mục đích yêu cầu cấp phiếu"),
    "copies": _l("Số lượng phiếu"),
    "submitted_at": _l("Thời điểm nộp"),
    "applicant": _l("Thông tin người được cấp phiếu"),
    "applicant.full_name": _l("Họ và tên"),
    "applicant.other_names": _l("Tên gọi khác"),
    "applicant.sex": _l("Giới tính"),
    "applicant.date_of_birth": _l("Ngày sinh"),
    "applicant.place_of_birth": _l("Nơi sinh"),
    "applicant.nationality": _l("Quốc tịch"),
    "applicant.ethnicity": _l("Dân tộc"),
    "applicant.id_document": _l("Giấy tờ tùy thân"),
    "applicant.id_document.type": _l("Loại giấy tờ tùy thân"),
    "applicant.id_document.number": _l("Số giấy tờ tùy thân"),
    "applicant.id_document.issued_on": _l("Ngày cấp giấy tờ tùy thân"),
    "applicant.id_document.issued_by": _l("Nơi cấp giấy tờ tùy thân"),
    "applicant.permanent_address": _l("Nơi thường trú"),
    "applicant.temporary_address": _l("Nơi tạm trú"),
    "applicant.phone": _l("Số điện thoại"),
    "applicant.email": _l("Thư điện tử"),
    "applicant.father": _l("Thông tin về cha"),
    "applicant.father.full_name": _l("Họ tên cha"),
    "applicant.father.birth_year": _l("Năm sinh của cha"),
    "applicant.mother": _l("Thông tin về mẹ"),
    "applicant.mother.full_name": _l("Họ tên mẹ"),
    "applicant.mother.birth_year": _l("Năm sinh của mẹ"),
    "applicant.spouse": _l("Thông tin về vợ/chồng"),
    "applicant.spouse.full_name": _l("Họ tên vợ/chồng"),
    "applicant.spouse.birth_year": _l("Năm sinh của vợ/chồng"),
    "applicant.residence_history": _l("Quá trình cư trú"),
    "applicant.residence_history.from": _l("Từ ngày cư trú"),
    "applicant.residence_history.to": _l("Đến ngày cư trú"),
    "applicant.residence_history.address": _l("Nơi cư trú"),
    "applicant.residence_history.occupation": _l("Nghề nghiệp"),
    "applicant.residence_history.workplace": _l("Nơi làm việc"),
    "requester": _l("Thông tin người yêu cầu"),
    "requester.kind": _l("Tư cách người yêu cầu"),
    "requester.full_name": _l("Họ tên người yêu cầu"),
    "requester.relationship": _l("Quan hệ với người được cấp phiếu"),
    "requester.id_document": _l("Giấy tờ tùy thân của người yêu cầu"),
    "requester.id_document.type": _l("Loại giấy tờ tùy thân của người yêu cầu"),
    "requester.id_document.number": _l("Số giấy tờ tùy thân của người yêu cầu"),
    "requester.id_document.issued_on": _l("Ngày cấp giấy tờ tùy thân của người yêu cầu"),
    "requester.id_document.issued_by": _l("Nơi cấp giấy tờ tùy thân của người yêu cầu"),
    "requester.authorisation_reference": _l("Văn bản ủy quyền"),
    "requester.authorisation_notarised": _l("Công chứng, chứng thực văn bản ủy quyền"),
    "fee": _l("Lệ phí"),
    "fee.category": _l("Đối tượng nộp lệ phí"),
    "fee.paid": _l("Đã nộp lệ phí"),
    "fee.payment_reference": _l("Mã giao dịch nộp lệ phí"),
    "delivery": _l("Nhận kết quả"),
    "delivery.method": _l("Hình thức nhận phiếu"),
    "delivery.postal_address": _l("Địa chỉ nhận phiếu qua bưu điện"),
    "postal": _l("Hồ sơ gửi qua bưu điện"),
    "postal.tracking_number": _l("Số hiệu bưu gửi"),
    "postal.arrived_on": _l("Ngày nhận bưu gửi"),
    "postal.certified_signature": _l("Chứng thực chữ ký trên tờ khai"),
    "postal.certified_signature_reference": _l("Số chứng thực chữ ký"),
    "agency": _l("Cơ quan yêu cầu"),
    "agency.name": _l("Tên cơ quan yêu cầu"),
    "agency.letter_number": _l("Số văn bản yêu cầu"),
    "agency.letter_date": _l("Ngày văn bản yêu cầu"),
    "agency.is_urgent": _l("Yêu cầu khẩn"),
    "agency.notified_by": _l("Hình thức gửi yêu cầu"),
}

# Keyed by the plain code: an enum member hashes by its name, so it would not find the value.
_ID_DOCUMENT_NAMES = {
    IdDocumentType.CCCD.value: _l("Số CCCD"),
    IdDocumentType.CMND.value: _l("Số CMND"),
    IdDocumentType.PASSPORT.value: _l("Số hộ chiếu"),
}
# How the DB columns are sized, where they are narrower than the general limits above.
_COLUMN_LENGTHS = {
    "ethnicity": 60,
    "id_number": 20,
    "payment_reference": 80,
    "tracking_number": 40,
    "certified_signature_reference": 120,
    "letter_number": 60,
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DIGITS = re.compile(r"\d+")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_NATIONALITY = re.compile(r"[A-Z]{2}")
_PHONE = re.compile(r"0\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_TRUE_WORDS = frozenset({"true", "on", "1", "yes"})
_FALSE_WORDS = frozenset({"false", "off", "0", "no", ""})


def field_label(path):
    """The Vietnamese label of a dotted path; list indexes become a row number after the label."""
    parts = path.split(".")
    label = str(FIELD_LABELS.get(".".join(p for p in parts if not p.isdigit()), path))
    rows = [int(p) + 1 for p in parts if p.isdigit()]
    if rows:
        label = _("%(field)s (dòng %(row)d)", field=label, row=rows[-1])
    return label


def validate_request(document, *, channel, today, date_style="iso"):
    """Check a request from any channel; return it cleaned, or raise ValidationFailed with every error."""
    channel = Channel(channel)
    if date_style not in DATE_STYLES:
        raise ValueError(f"date_style must be one of {DATE_STYLES}, not {date_style!r}")
    checks = _Checks(channel=channel, today=today, lenient=date_style == "vn")
    document = checks.block("", document) or {}

    cleaned = _clean_request(checks, document)
    cleaned["applicant"] = _clean_applicant(checks, checks.block("applicant", document.get("applicant")))
    cleaned["requester"] = _clean_requester(checks, document.get("requester"), cleaned)
    cleaned["fee"] = _clean_fee(checks, checks.block("fee", document.get("fee")))
    cleaned["delivery"] = _clean_delivery(checks, checks.block("delivery", document.get("delivery")))
    cleaned["postal"] = _clean_postal(checks, document.get("postal"), cleaned["certificate_type"])
    cleaned["agency"] = _clean_agency(checks, document.get("agency"), cleaned["certificate_type"])

    if checks.errors:
        raise ValidationFailed(checks.errors)
    return cleaned


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class _Checks:
    """Field parsers that record their error under the field's path and return None for a bad value."""

    def __init__(self, *, channel, today, lenient):
        self.channel = channel
        self.today = today
        # Form input arrives as strings; JSON must carry the right types.
        self.lenient = lenient
        self.errors = {}

    def error(self, path, message):
        # The first problem found with a field is the one worth showing.
        self.errors.setdefault(path, message)

    def invalid(self, path):
        self.error(path, _("%(field)s không hợp lệ.", field=field_label(path)))

    def missing(self, path):
        self.error(path, _("%(field)s không được để trống.", field=field_label(path)))

    def block(self, path, value):
        """A nested object: {} when absent, so its required fields report themselves."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.invalid(path or "document")
        return None

    def text(self, path, value, *, required=False, max_length=TEXT_LENGTH, name=False):
        if value is None:
            value = ""
        if self.lenient and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.invalid(path)
            return None
        cleaned = " ".join(nfc(value).split())
        if name:
            cleaned = nfc(cleaned.upper())
        if not cleaned:
            if required:
                self.missing(path)
            return None
        if len(cleaned) > max_length:
            self.error(
                path,
                _("%(field)s không được dài quá %(max)d ký tự.", field=field_label(path), max=max_length),
            )
            return None
        return cleaned

    def name(self, path, value, *, required=False):
        return self.text(path, value, required=required, max_length=NAME_LENGTH, name=True)

    def address(self, path, value, *, required=False):
        return self.text(path, value, required=required, max_length=ADDRESS_LENGTH)

    def date(self, path, value, *, required=False, not_future=True):
        if _blank(value):
            if required:
                self.missing(path)
            return None
        parsed = self._parse_date(value)
        if parsed is None:
            example = "dd/mm/yyyy" if self.lenient else "YYYY-MM-DD"
            self.error(
                path,
                _(
                    "%(field)s không hợp lệ, hãy nhập theo dạng %(format)s.",
                    field=field_label(path),
                    format=example,
                ),
            )
            return None
        if not_future and parsed > self.today:
            self.error(path, _("%(field)s không được sau ngày hôm nay.", field=field_label(path)))
            return None
        return parsed

    def _parse_date(self, value):
        if self.lenient and isinstance(value, date) and not isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            return None
        value = value.strip()
        try:
            if self.lenient:
                match = _VN_DATE.fullmatch(value)
                return date(int(match[3]), int(match[2]), int(match[1])) if match else None
            return date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
        except ValueError:
            return None

    def integer(self, path, value, *, low, high, required=False, message=None):
        if _blank(value):
            if required:
                self.missing(path)
            return None
        if self.lenient and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                path,
                message
                or _(
                    "%(field)s phải là số nguyên từ %(low)d đến %(high)d.",
                    field=field_label(path),
                    low=low,
                    high=high,
                ),
            )
            return None
        return value

    def boolean(self, path, value):
        """A yes/no field; absent means no."""
        if value is None or isinstance(value, bool):
            return bool(value)
        if self.lenient and isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
        self.invalid(path)
        return False

    def choice(self, path, value, choices, *, required=True):
        """One of a fixed set of codes, returned as the plain string."""
        if _blank(value):
            if required:
                self.missing(path)
            return None
        word = value.strip() if isinstance(value, str) else value
        if self.lenient and isinstance(word, str):
            word = word.lower()
        allowed = [str(choice) for choice in choices]
        if word not in allowed:
            self.error(
                path,
                _(
                    "%(field)s phải là một trong: %(choices)s.",
                    field=field_label(path),
                    choices=", ".join(allowed),
                ),
            )
            return None
        return str(word)


# --- the request as a whole ---------------------------------------------------------------------------


def _clean_request(checks, document):
    from_api = checks.channel in API_CHANNELS
    certificate_type = checks.integer(
        "certificate_type",
        document.get("certificate_type"),
        low=1,
        high=2,
        required=True,
        message=_("Loại phiếu phải là 1 (Phiếu số 1) hoặc 2 (Phiếu số 2)."),
    )
    include_ban_section = checks.boolean("include_ban_section", document.get("include_ban_section"))
    return {
        "external_id": checks.text(
            "external_id", document.get("external_id"), required=from_api, max_length=EXTERNAL_ID_LENGTH
        ),
        "certificate_type": certificate_type,
        # A Phiếu số 2 always prints the ban section (domain §2).
        "include_ban_section": include_ban_section or certificate_type == 2,
        "purpose": checks.text("purpose", document.get("purpose"), required=True),
        "copies": checks.integer("copies", document.get("copies"), low=1, high=MAX_COPIES, required=True),
        "submitted_at": _clean_submitted_at(checks, document.get("submitted_at"), required=from_api),
    }


def _clean_submitted_at(checks, value, *, required):
    path = "submitted_at"
    if _blank(value):
        if required:
            checks.missing(path)
        return None
    moment = value if checks.lenient and isinstance(value, datetime) else None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        checks.error(
            path,
            _(
                "%(field)s phải theo ISO 8601, có múi giờ (ví dụ 2026-11-20T09:15:00+07:00).",
                field=field_label(path),
            ),
        )
        return None
    if clock.local_date(moment) > checks.today:
        checks.error(path, _("%(field)s không được sau ngày hôm nay.", field=field_label(path)))
        return None
    return moment


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
    owner = _(" của người yêu cầu") if path.startswith("requester.") else ""
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


# --- who asks -----------------------------------------------------------------------------------------


def _clean_requester(checks, value, cleaned):
    if value is None:
        return None
    requester = checks.block("requester", value)
    if requester is None:
        return None
    kind = checks.choice("requester.kind", requester.get("kind"), REQUESTER_KINDS)
    relationship = checks.choice("requester.relationship", requester.get("relationship"), RELATIONSHIPS)
    result = {
        "kind": kind,
        "full_name": checks.name("requester.full_name", requester.get("full_name"), required=True),
        "relationship": relationship,
        "id_document": _clean_id_document(checks, "requester.id_document", requester.get("id_document")),
        "authorisation_reference": checks.text(
            "requester.authorisation_reference", requester.get("authorisation_reference")
        ),
        "authorisation_notarised": checks.boolean(
            "requester.authorisation_notarised", requester.get("authorisation_notarised")
        ),
    }
    applicant = cleaned["applicant"] or {}
    if kind == "proxy":
        _check_proxy(checks, result, cleaned["certificate_type"])
    elif kind == "parent_of_minor":
        _check_parent_of_minor(checks, result, applicant.get("date_of_birth"))
    return result


def _check_proxy(checks, requester, certificate_type):
    if certificate_type == 2:
        checks.error(
            "requester.kind",
            _(
                "Không được ủy quyền yêu cầu cấp Phiếu số 2: chỉ người được cấp phiếu, "
                "hoặc cha mẹ của người chưa thành niên, được yêu cầu."
            ),
        )
        return
    if requester["authorisation_reference"] is None:
        checks.error(
            "requester.authorisation_reference",
            _(
                "%(field)s không được để trống khi yêu cầu qua người được ủy quyền.",
                field=field_label("requester.authorisation_reference"),
            ),
        )
    # Only a parent, spouse or child may act on an authorisation that is not notarised (domain §2).
    if requester["relationship"] == "other" and not requester["authorisation_notarised"]:
        checks.error(
            "requester.authorisation_notarised",
            _(
                "Văn bản ủy quyền phải được công chứng hoặc chứng thực khi người được ủy quyền "
                "không phải cha, mẹ, vợ, chồng hoặc con."
            ),
        )


def _check_parent_of_minor(checks, requester, date_of_birth):
    if date_of_birth is not None and checks.today >= _birthday(date_of_birth, ADULT_AGE):
        checks.error(
            "requester.kind",
            _("Cha, mẹ chỉ được yêu cầu thay khi người được cấp phiếu chưa đủ 18 tuổi."),
        )
    if requester["relationship"] is not None and requester["relationship"] != "parent":
        checks.error(
            "requester.relationship",
            _(
                "%(field)s phải là cha hoặc mẹ khi yêu cầu cho người chưa thành niên.",
                field=field_label("requester.relationship"),
            ),
        )


# --- fee and delivery ---------------------------------------------------------------------------------


def _clean_fee(checks, fee):
    if fee is None:
        return None
    return {
        "category": checks.choice("fee.category", fee.get("category"), FeeCategory),
        "paid": checks.boolean("fee.paid", fee.get("paid")),
        "payment_reference": checks.text(
            "fee.payment_reference",
            fee.get("payment_reference"),
            max_length=_COLUMN_LENGTHS["payment_reference"],
        ),
    }


def _clean_delivery(checks, delivery):
    if delivery is None:
        return None
    method = checks.choice("delivery.method", delivery.get("method"), DeliveryMethod)
    return {
        "method": method,
        "postal_address": checks.address(
            "delivery.postal_address", delivery.get("postal_address"), required=method == DeliveryMethod.POST
        ),
    }


# --- the channel's own block --------------------------------------------------------------------------


def _clean_postal(checks, value, certificate_type):
    if checks.channel != Channel.POST:
        return None
    postal = checks.block("postal", value)
    if postal is None:
        return None
    result = {
        "tracking_number": checks.text(
            "postal.tracking_number",
            postal.get("tracking_number"),
            required=True,
            max_length=_COLUMN_LENGTHS["tracking_number"],
        ),
        "arrived_on": checks.date("postal.arrived_on", postal.get("arrived_on"), required=True),
        "certified_signature": checks.boolean(
            "postal.certified_signature", postal.get("certified_signature")
        ),
        "certified_signature_reference": checks.text(
            "postal.certified_signature_reference",
            postal.get("certified_signature_reference"),
            max_length=_COLUMN_LENGTHS["certified_signature_reference"],
        ),
    }
    # Nobody at the desk sees the applicant of a Phiếu số 2 by post: the signature must be certified.
    if certificate_type == 2 and not (
        result["certified_signature"] and result["certified_signature_reference"]
    ):
        checks.error(
            "postal.certified_signature",
            _("Yêu cầu cấp Phiếu số 2 qua bưu điện phải có chữ ký được chứng thực, kèm số chứng thực."),
        )
    return result


def _clean_agency(checks, value, certificate_type):
    if checks.channel != Channel.AGENCY:
        return None
    agency = checks.block("agency", value)
    if agency is None:
        return None
    notified_by = checks.choice("agency.notified_by", agency.get("notified_by"), NOTIFIED_BY, required=False)
    notified_by = notified_by or "paper"
    # A request by phone or fax comes first; its letter follows, so it may not have a number or date yet.
    letter_required = notified_by == "paper"
    is_urgent = checks.boolean("agency.is_urgent", agency.get("is_urgent"))
    if is_urgent and certificate_type == 1:
        checks.error(
            "agency.is_urgent",
            _("Chỉ cơ quan tiến hành tố tụng yêu cầu cấp Phiếu số 2 mới được yêu cầu khẩn."),
        )
    return {
        "name": checks.text("agency.name", agency.get("name"), required=True),
        "letter_number": checks.text(
            "agency.letter_number",
            agency.get("letter_number"),
            required=letter_required,
            max_length=_COLUMN_LENGTHS["letter_number"],
        ),
        "letter_date": checks.date("agency.letter_date", agency.get("letter_date"), required=letter_required),
        "is_urgent": is_urgent,
        "notified_by": notified_by,
    }
