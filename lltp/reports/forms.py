"""The report's filters, read from the URL: a period (from the start of the year to today by default) and
an optional verifying unit. Every view of the area reads them the same way."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lltp.accounts.models import Unit
from lltp.core import clock
from lltp.core.calendar import parse_day
from lltp.core.text import fold, format_date
from lltp.extensions import db
from lltp.verification.stats import VERIFYING_KINDS

BAD_DATE = _l("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.")
# A year and a bit: the periodic report of a year, with room for a period that straddles two.
LONGEST_PERIOD_DAYS = 400


@dataclass(frozen=True)
class Filters:
    period_from: date
    period_to: date
    unit: Unit | None

    def query(self):
        """The filters as URL arguments, for the charts' and exports' links."""
        args = {"from": format_date(self.period_from), "to": format_date(self.period_to)}
        if self.unit is not None:
            args["unit"] = str(self.unit.id)
        return args


def unit_choices():
    """The verifying units a report may be narrowed to, by kind and name."""
    units = db.session.scalars(sa.select(Unit).where(Unit.kind.in_(VERIFYING_KINDS))).all()
    ordered = sorted(units, key=lambda unit: (VERIFYING_KINDS.index(unit.kind), fold(unit.name)))
    return {str(unit.id): unit.name for unit in ordered}


def parse_filters(args):
    """(Filters or None, the form's values to show, each bad field's Vietnamese error)."""
    today = clock.today()
    defaults = {"from": date(today.year, 1, 1), "to": today}
    form = {name: (args.get(name) or "").strip() for name in ("from", "to", "unit")}
    days, errors = {}, {}
    for name, default in defaults.items():
        try:
            days[name] = parse_day(form[name]) or default
        except ValueError:
            errors[name] = str(BAD_DATE)
            continue
        form[name] = format_date(days[name])
    if not errors:
        if days["to"] < days["from"]:
            errors["to"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
        elif (days["to"] - days["from"]).days >= LONGEST_PERIOD_DAYS:
            errors["to"] = _("Kỳ báo cáo dài tối đa %(n)d ngày.", n=LONGEST_PERIOD_DAYS)
    unit = None
    if form["unit"]:
        unit = db.session.get(Unit, int(form["unit"])) if form["unit"].isdigit() else None
        if unit is None or unit.kind not in VERIFYING_KINDS:
            errors["unit"] = _("Vui lòng chọn một đơn vị xác minh trong danh sách.")
    if errors:
        return None, form, errors
    return Filters(days["from"], days["to"], unit), form, errors
