"""Drafts, certificates with their frozen content and signed PDF, their yearly numbering, the signing keys
registered by path, and the decisions that supplement, correct, revoke or cancel a certificate."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class CertificateDraft(db.Model):
    """The certificate being drafted for a case: the composed content, and the officer's edits with their
    reasons. One per case; it is frozen into a Certificate when the approver signs."""

    __tablename__ = "certificate_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), unique=True)
    # The content as the certificate will print it (see issuance.content), JSON-ready.
    content: Mapped[dict] = mapped_column(sa.JSON)
    # Each officer edit: {"field", "before", "after", "reason", "by", "at"}.
    edits: Mapped[list] = mapped_column(sa.JSON, default=list)
    composed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case = relationship("Case")


class CertificateStatus(StrEnum):
    VALID = "valid"
    SUPPLEMENTED = "supplemented"
    CORRECTED = "corrected"
    REVOKED = "revoked"
    CANCELLED = "cancelled"


class Certificate(db.Model):
    """An issued certificate: its number, what it says (frozen), the signed PDF and its status."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    authority_code: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()
    certificate_type: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus), default=CertificateStatus.VALID
    )
    # Exactly what the certificate says, frozen at issue, and the template version that printed it.
    content: Mapped[dict] = mapped_column(sa.JSON)
    template_version: Mapped[str] = mapped_column(sa.String(20))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    signer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(sa.String(120))
    signer_title: Mapped[str] = mapped_column(sa.String(255))
    copies: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The short HMAC code the QR carries with the number.
    check_code: Mapped[str] = mapped_column(sa.String(16))
    # A supplemented or corrected certificate is replaced by a new one that points back at it.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case")
    signer = relationship("User")
    replaces: Mapped["Certificate | None"] = relationship(
        remote_side="Certificate.id", back_populates="replaced_by", foreign_keys=[replaces_id]
    )
    replaced_by: Mapped["Certificate | None"] = relationship(back_populates="replaces", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("authority_code", "year", "serial"),
        sa.CheckConstraint("certificate_type IN (1, 2)", name="certificate_type"),
    )


class CertificateCounter(db.Model):
    """The last certificate serial of a year for an authority code. Taken under a row lock in the approval's
    own transaction, so serials have no gaps and are never reused."""

    __tablename__ = "certificate_counters"

    authority_code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column()


class SigningKeyKind(StrEnum):
    APPROVER = "approver"  # an approving official's own key
    SEAL = "seal"  # the issuing authority's seal


class SigningKey(db.Model):
    """A PKCS#12 file registered by an administrator: its path on the server and its password (encrypted
    with the app's key). The file itself stays outside the repository and the database."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SigningKeyKind] = mapped_column(str_enum(SigningKeyKind))
    # The approver whose key it is; none for the seal.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    path: Mapped[str] = mapped_column(sa.String(500))
    password_encrypted: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(255))
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_self_signed: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class DecisionKind(StrEnum):
    SUPPLEMENT = "supplement"
    CORRECT = "correct"
    REVOKE = "revoke"
    CANCEL = "cancel"


class CertificateDecision(db.Model):
    """An approver's decision to supplement, correct, revoke or cancel a certificate, with its own PDF."""

    __tablename__ = "certificate_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind))
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The new certificate that a supplement or correction issues.
    replacement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certificate = relationship("Certificate", foreign_keys=[certificate_id])
    replacement = relationship("Certificate", foreign_keys=[replacement_id])
