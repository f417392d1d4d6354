"""Dated rules kept as data (legal profiles, fee rates, subsidies): which row is in force on a day, and
the checks their forms share."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.core.calendar import parse_day
from lltp.extensions import db


def covers(row, day, channel):
    """Whether `row` (with valid_from, valid_to and channels; null channels cover every channel) applies."""
    in_range = row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)
    return in_range and (row.channels is None or str(channel) in row.channels)


def in_force(rows, day, channel):
    """The row in force on `day` for `channel`, or None: a channel-specific row beats a general one, then
    the most recent start wins."""
    covering = [row for row in rows if covers(row, day, channel)]
    return max(covering, key=lambda row: (row.channels is not None, row.valid_from), default=None)


def dated_fields(model, row, fields, *, channels):
    """Check what every dated rule's form shares: its code (given once, when `row` is None, and unique
    among `model`'s rows), the dates it applies from and to (dd/mm/yyyy), and its channels (a subset of
    `channels`; none: every channel). Returns (values, errors), errors in Vietnamese by field."""
    values, errors = {}, {}
    if row is None:
        code = (fields.get("code") or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9_]{2,40}", code):
            errors["code"] = _("Mã gồm 2–40 chữ thường không dấu, số hoặc gạch dưới.")
        elif db.session.scalar(sa.select(model.id).where(model.code == code)):
            errors["code"] = _("Mã này đã được dùng.")
        values["code"] = code
    for name in ("valid_from", "valid_to"):
        try:
            values[name] = parse_day(fields.get(name))
        except ValueError:
            errors[name] = _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")
    if "valid_from" not in errors and values["valid_from"] is None:
        errors["valid_from"] = _("Vui lòng nhập ngày bắt đầu áp dụng.")
    valid_to, valid_from = values.get("valid_to"), values.get("valid_from")
    if not errors.keys() & {"valid_from", "valid_to"} and valid_to is not None and valid_to <= valid_from:
        errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu áp dụng.")
    chosen = fields.get("channels") or []
    if set(chosen) - set(channels):
        errors["channels"] = _("Kênh không hợp lệ.")
    values["channels"] = [channel for channel in channels if channel in chosen] or None
    return values, errors
