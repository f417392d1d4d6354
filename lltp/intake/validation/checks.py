"""The primitive field parsers every part of the request is checked with, and the general limits."""

import re
from datetime import date, datetime

from flask_babel import gettext as _

from lltp.core.text import nfc
from lltp.intake.validation.labels import field_label

NAME_LENGTH = 120
ADDRESS_LENGTH = 500
TEXT_LENGTH = 255
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
_TRUE_WORDS = frozenset({"true", "on", "1", "yes"})
_FALSE_WORDS = frozenset({"false", "off", "0", "no", ""})


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
