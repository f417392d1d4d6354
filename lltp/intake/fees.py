"""The fee (domain §7), worked out once, from the dated fee schedule: the rate in force on the day for the
channel and category, the extra copies, and any local subsidy, with the explanation shown to the officer
and the citizen."""

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from lltp.core.dated import in_force
from lltp.core.text import format_money
from lltp.extensions import db
from lltp.intake.models import FeeCategory, FeeRule, FeeSubsidy


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
