"""The fee (domain §7), worked out once, from the dated fee schedule: the rate in force on the day for the
channel and category, the extra copies, and any local subsidy, with the explanation shown to the officer
and the citizen."""

import re
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.cases.models import Channel
from lltp.core import audit
from lltp.core.dated import dated_fields, in_force
from lltp.core.errors import ValidationFailed
from lltp.core.text import format_money, format_number, nfc
from lltp.extensions import db
from lltp.intake.models import FeeCategory, FeeRule, FeeSubsidy

# What the administrator's forms edit; the code is set once, when the row is created.
RULE_FIELDS = (
    "code",
    "name",
    "legal_basis",
    "category",
    "channels",
    "valid_from",
    "valid_to",
    "amount",
    "included_copies",
    "extra_copy_amount",
)
SUBSIDY_FIELDS = (
    "code",
    "name",
    "legal_basis",
    "authority_code",
    "channels",
    "valid_from",
    "valid_to",
    "percent",
)
# name: (smallest, largest, is money)
RULE_NUMBERS = {
    "amount": (0, 10_000_000, True),
    "included_copies": (0, 10, False),
    "extra_copy_amount": (0, 1_000_000, True),
}
SUBSIDY_NUMBERS = {"percent": (1, 100, False)}


class NoFeeRule(LookupError):
    """The schedule has no rate for that day, channel and category: an administrator must add one."""


@dataclass(frozen=True)
class FeeQuote:
    category: str
    rule_code: str
    legal_basis: str
    base_amount: int
    extra_copies: int
    extra_copy_amount: int
    subsidy_code: str | None
    subsidy_percent: int
    subsidy_amount: int
    amount: int  # what the applicant owes, after any subsidy

    @property
    def gross(self):
        return self.base_amount + self.extra_copies * self.extra_copy_amount

    def explanation(self):
        """How the amount was reached, line by line, in Vietnamese."""
        lines = [
            _(
                "Mức thu: %(amount)s (%(basis)s)",
                amount=format_money(self.base_amount),
                basis=self.legal_basis,
            )
        ]
        if self.extra_copies:
            lines.append(
                _(
                    "Thêm %(n)d Phiếu từ Phiếu thứ ba: %(n)d × %(each)s",
                    n=self.extra_copies,
                    each=format_money(self.extra_copy_amount),
                )
            )
        if self.subsidy_amount:
            lines.append(
                _(
                    "Ngân sách địa phương hỗ trợ %(percent)d%%: − %(amount)s",
                    percent=self.subsidy_percent,
                    amount=format_money(self.subsidy_amount),
                )
            )
        lines.append(_("Số tiền phải nộp: %(amount)s", amount=format_money(self.amount)))
        return lines

    def as_dict(self):
        return asdict(self)


def quote(rules, subsidies, *, category, channel, day, copies, authority_code):
    """The fee for one request, from the schedule's rows. Pure: the rows are passed in."""
    category = FeeCategory(category)
    rule = in_force([r for r in rules if r.category == category], day, channel)
    if rule is None:
        raise NoFeeRule(f"no fee rule for {category} on {day} via {channel}")
    extra_copies = max(0, copies - rule.included_copies)
    gross = rule.amount + extra_copies * rule.extra_copy_amount
    local = [s for s in subsidies if s.authority_code in (None, authority_code)]
    subsidy = in_force(local, day, channel)
    subsidy_amount = gross * subsidy.percent // 100 if subsidy else 0
    return FeeQuote(
        category=str(category),
        rule_code=rule.code,
        legal_basis=rule.legal_basis,
        base_amount=rule.amount,
        extra_copies=extra_copies,
        extra_copy_amount=rule.extra_copy_amount,
        subsidy_code=subsidy.code if subsidy else None,
        subsidy_percent=subsidy.percent if subsidy else 0,
        subsidy_amount=subsidy_amount,
        amount=gross - subsidy_amount,
    )


def fee_for(*, category, channel, day, copies, authority_code):
    """The fee for one request, from the schedule in the database."""
    return quote(
        db.session.scalars(sa.select(FeeRule)).all(),
        db.session.scalars(sa.select(FeeSubsidy)).all(),
        category=category,
        channel=channel,
        day=day,
        copies=copies,
        authority_code=authority_code,
    )


def fee_rules():
    """The schedule's rates, by start date then category (standard, reduced, exempt), general rules first."""
    rank = {category: index for index, category in enumerate(FeeCategory)}
    rules = db.session.scalars(sa.select(FeeRule).order_by(FeeRule.valid_from, FeeRule.code)).all()
    return sorted(rules, key=lambda rule: (rule.valid_from, rule.channels is not None, rank[rule.category]))


def fee_subsidies():
    """The local subsidies, by start date."""
    return db.session.scalars(sa.select(FeeSubsidy).order_by(FeeSubsidy.valid_from, FeeSubsidy.code)).all()


def save_fee_rule(rule, fields, *, actor):
    """Create (when `rule` is None) or change a rate of the fee schedule, audited with before/after."""
    return _save_dated(FeeRule, rule, fields, actor=actor, fields=RULE_FIELDS, action="fee_rule")


def save_fee_subsidy(subsidy, fields, *, actor):
    """Create (when `subsidy` is None) or change a local subsidy of the fee, audited with before/after."""
    return _save_dated(FeeSubsidy, subsidy, fields, actor=actor, fields=SUBSIDY_FIELDS, action="fee_subsidy")


def _save_dated(model, row, form, *, actor, fields, action):
    values, errors = _dated_values(model, row, form)
    if errors:
        raise ValidationFailed(errors)
    return audit.save_row(
        model,
        row,
        values,
        snapshot=lambda saved: _snapshot(saved, fields),
        action=action,
        object_type=action,
        object_id=lambda saved: saved.code,
        actor=actor,
    )


def _dated_values(model, row, fields):
    """The typed values of a rule or subsidy form, and the Vietnamese error of each field that is wrong."""
    values, errors = dated_fields(model, row, fields, channels=[str(c) for c in Channel])
    for name, limit in (("name", 200), ("legal_basis", 255)):
        values[name] = nfc((fields.get(name) or "").strip())
        if not values[name]:
            errors[name] = _("Vui lòng nhập nội dung này.")
        elif len(values[name]) > limit:
            errors[name] = _("Tối đa %(n)d ký tự.", n=limit)
    if model is FeeRule:
        try:
            values["category"] = FeeCategory(fields.get("category") or "")
        except ValueError:
            errors["category"] = _("Vui lòng chọn đối tượng nộp lệ phí.")
    else:
        authority_code = (fields.get("authority_code") or "").strip().upper()
        if authority_code and not re.fullmatch(r"[A-Z0-9]{1,16}", authority_code):
            errors["authority_code"] = _("Mã cơ quan gồm tối đa 16 chữ cái không dấu hoặc chữ số.")
        values["authority_code"] = authority_code or None
    for name, (smallest, largest, money) in (RULE_NUMBERS if model is FeeRule else SUBSIDY_NUMBERS).items():
        number = _whole_number(fields.get(name))
        if number is None or not smallest <= number <= largest:
            if money:
                errors[name] = _(
                    "Nhập số tiền bằng đồng, số nguyên từ %(low)s đến %(high)s.",
                    low=format_number(smallest),
                    high=format_number(largest),
                )
            else:
                errors[name] = _("Nhập một số nguyên từ %(low)d đến %(high)d.", low=smallest, high=largest)
        values[name] = number
    if not errors:
        clash = _same_start(model, row, values)
        if clash is not None:
            errors["valid_from"] = _(
                "«%(name)s» đã áp dụng từ ngày này cho cùng kênh và đối tượng: hãy sửa mục đó"
                " thay vì thêm mới.",
                name=clash.name,
            )
    return values, errors


def _whole_number(value):
    """A whole number typed with or without thousands dots (`250.000`, `250000`), or None."""
    text = str(value if value is not None else "").strip().replace(" ", "")
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,9}", text):
        return int(text.replace(".", ""))
    return None


def _same_start(model, row, values):
    """Another row that would tie with this one in `in_force`: same start, channels, and category or
    authority. The schedule could not tell which of the two applies."""
    query = sa.select(model).where(model.valid_from == values["valid_from"])
    if row is not None:
        query = query.where(model.id != row.id)
    for other in db.session.scalars(query):
        same_scope = (
            other.category == values["category"]
            if model is FeeRule
            else other.authority_code == values["authority_code"]
        )
        if same_scope and set(other.channels or ()) == set(values["channels"] or ()):
            return other
    return None


def _snapshot(row, fields):
    """The row's editable values as JSON-ready data, for the audit log."""
    snapshot = {name: getattr(row, name) for name in fields}
    return {
        name: value.isoformat()
        if isinstance(value, date)
        else str(value)
        if isinstance(value, FeeCategory)
        else value
        for name, value in snapshot.items()
    }
