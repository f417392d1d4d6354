"""What the applicant's own follow-up leaves behind: the one-time codes sent to the phone or email on file,
and the transfers the applicant reports having made (for the intake officer to match with the bank)."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class CodePurpose(StrEnum):
    """What a one-time code lets the applicant do, once."""

    DOWNLOAD = "download"
    COMPLETE = "complete"
    PAYMENT = "payment"
    WITHDRAW = "withdraw"


class OneTimeCode(db.Model):
    """A short code sent to the applicant. Only its HMAC is kept; it expires soon, allows a few wrong tries,
    and is spent by its first right one."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[CodePurpose] = mapped_column(str_enum(CodePurpose))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(64))


class PaymentReport(db.Model):
    """The applicant says they paid by transfer. It is not a payment: the intake officer checks the bank
    statement and records the payment himself."""

    __tablename__ = "payment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(80))
    amount: Mapped[int] = mapped_column()
    paid_on: Mapped[date] = mapped_column(sa.Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
