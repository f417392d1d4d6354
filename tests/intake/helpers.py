"""Shared test helpers for intake: a valid request document, and the same document as a form posts it.

`valid_document()` is in the contract's shape (contracts/intake-api.md) with ISO date strings, relative to
today, so it stays valid whenever the suite runs: a 36-year-old man with a CCCD that matches his sex and
birth year, and a residence history from his 14th birthday to now. It carries no `external_id` or
`submitted_at` (the officers' channels need neither): API tests pass them as overrides.
"""

import re
from datetime import date, timedelta

from lltp.core import clock
from lltp.intake.forms import flatten

AGE = 36
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def birthday(born, years):
    """The day someone born on `born` turns `years` (29 February counts as 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def date_of_birth(age=AGE, today=None):
    """A birth date that makes the applicant `age` today, a month past the birthday."""
    today = today or clock.today()
    return birthday(today, -age) - timedelta(days=30)


def cccd_number(sex, born, province="079", serial="001234"):
    """A CCCD number whose 4th digit (sex and century) and birth-year digits agree with `sex` and `born`."""
    century = 0 if born.year < 2000 else 2
    code = century + (0 if sex == "male" else 1)
    return f"{province}{code}{born.year % 100:02d}{serial}"


def valid_document(**overrides):
    """A valid request document. Each override replaces one field: a top-level key (`copies=3`), or a
    nested one with `__` between the parts (`applicant__full_name="TRẦN THỊ BÉ"`,
    `applicant__residence_history__0__occupation="Thợ may"`)."""
    today = clock.today()
    born = date_of_birth(today=today)
    fourteenth = birthday(born, 14)
    moved = birthday(born, 22)
    document = {
        "certificate_type": 1,
        "include_ban_section": False,
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 1,
        "applicant": {
            "full_name": "NGUYỄN VĂN AN",
            "other_names": [],
            "sex": "male",
            "date_of_birth": born.isoformat(),
            "place_of_birth": "Thị trấn Tân Phú, huyện Tân Phú, tỉnh Đồng Nai",
            "nationality": "VN",
            "ethnicity": "Kinh",
            "id_document": {
                "type": "cccd",
                "number": cccd_number("male", born),
                "issued_on": (today - timedelta(days=1000)).isoformat(),
                "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            },
            "permanent_address": "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
            "temporary_address": None,
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "father": {"full_name": "NGUYỄN VĂN BÌNH", "birth_year": born.year - 30},
            "mother": {"full_name": "TRẦN THỊ CÚC", "birth_year": born.year - 27},
            "spouse": None,
            "residence_history": [
                {
                    "from": fourteenth.isoformat(),
                    "to": (moved - timedelta(days=1)).isoformat(),
                    "address": "Thị trấn Tân Phú, huyện Tân Phú, tỉnh Đồng Nai",
                    "occupation": "Học sinh",
                    "workplace": "Trường THPT Tân Phú",
                },
                {
                    "from": moved.isoformat(),
                    "to": None,
                    "address": "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
                    "occupation": "Kỹ sư",
                    "workplace": "Công ty TNHH ABC",
                },
            ],
        },
        "requester": None,
        "fee": {"category": "standard", "paid": False, "payment_reference": None},
        "delivery": {"method": "counter", "postal_address": None},
    }
    for key, value in overrides.items():
        _set(document, key.split("__"), value)
    return document


def _set(node, parts, value):
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def form_data(document):
    """The document as the officers' and citizens' forms post it: `forms.flatten`, with every date as
    dd/mm/yyyy and absent values (null) left out, as a blank form leaves them."""
    flat = flatten(_without_nulls(document))
    return {name: _vn_date(value) for name, value in flat.items()}


def _without_nulls(node):
    if isinstance(node, dict):
        return {key: _without_nulls(value) for key, value in node.items() if value is not None}
    if isinstance(node, list):
        return [_without_nulls(value) for value in node]
    return node


def _vn_date(value):
    if _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return value
