"""What intake keeps beside the case: the full tờ khai, the fee schedule, payments, attachments, flags for
the officer, the one-stop papers, and the online form's drafts."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class FeeCategory(StrEnum):
    STANDARD = "standard"
    REDUCED = "reduced"
    EXEMPT = "exempt"


class IdDocumentType(StrEnum):
    CCCD = "cccd"
    CMND = "cmnd"
    PASSPORT = "passport"


class Declaration(db.Model):
    """The request form (tờ khai, or an agency's Mẫu 05a/05b) as accepted: every field of domain §3 that the
    case row does not carry, plus the details of the channel it came by."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), unique=True)

    other_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    place_of_birth: Mapped[str | None] = mapped_column(sa.String(255))
    nationality: Mapped[str] = mapped_column(sa.String(2), default="VN")
    ethnicity: Mapped[str | None] = mapped_column(sa.String(60))
    id_document_type: Mapped[IdDocumentType | None] = mapped_column(str_enum(IdDocumentType))
    id_issued_on: Mapped[date | None] = mapped_column(sa.Date)
    id_issued_by: Mapped[str | None] = mapped_column(sa.String(255))
    permanent_address: Mapped[str | None] = mapped_column(sa.String(500))
    temporary_address: Mapped[str | None] = mapped_column(sa.String(500))
    # {"full_name", "birth_year"} or null, as the contract has them.
    father: Mapped[dict | None] = mapped_column(sa.JSON)
    mother: Mapped[dict | None] = mapped_column(sa.JSON)
    spouse: Mapped[dict | None] = mapped_column(sa.JSON)
    # Null when the applicant asks for themself; otherwise the contract's requester block.
    requester: Mapped[dict | None] = mapped_column(sa.JSON)
    postal_address: Mapped[str | None] = mapped_column(sa.String(500))

    # The fee as worked out at intake: the category claimed, what is owed, and how it was reached.
    fee_category: Mapped[FeeCategory] = mapped_column(str_enum(FeeCategory), default=FeeCategory.STANDARD)
    fee_amount: Mapped[int] = mapped_column(default=0)
    fee_breakdown: Mapped[dict | None] = mapped_column(sa.JSON)
    # A reduced or exempt category counts only once an officer has checked its proof.
    fee_proof_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee_proof_checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # By post: the parcel, and the certified signature a Phiếu số 2 by post needs.
    postal_tracking_number: Mapped[str | None] = mapped_column(sa.String(40))
    postal_arrived_on: Mapped[date | None] = mapped_column(sa.Date)
    certified_signature: Mapped[bool] = mapped_column(default=False)
    certified_signature_reference: Mapped[str | None] = mapped_column(sa.String(120))

    # From an agency (Mẫu 05a/05b): who asks, and their letter. An urgent one may come by phone or fax first.
    agency_name: Mapped[str | None] = mapped_column(sa.String(255))
    agency_letter_number: Mapped[str | None] = mapped_column(sa.String(60))
    agency_letter_date: Mapped[date | None] = mapped_column(sa.Date)
    agency_notified_by: Mapped[str | None] = mapped_column(sa.String(10))
    follow_up_due_on: Mapped[date | None] = mapped_column(sa.Date)
    follow_up_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # From the national API: the client, its own id for the request, and a hash of the body it sent, for
    # the contract's idempotency rules.
    api_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(100))
    body_hash: Mapped[str | None] = mapped_column(sa.String(64))

    case = relationship("Case", backref=sa.orm.backref("declaration", uselist=False, lazy="select"))
    residence_history: Mapped[list["ResidencePeriod"]] = relationship(
        order_by="ResidencePeriod.position", cascade="all, delete-orphan", back_populates="declaration"
    )

    __table_args__ = (sa.UniqueConstraint("api_client_id", "external_id"),)


class ResidencePeriod(db.Model):
    """One row of the residence history since the age of 14. Addresses are free text (domain §1)."""

    __tablename__ = "residence_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(sa.ForeignKey("declarations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    from_date: Mapped[date] = mapped_column(sa.Date)
    to_date: Mapped[date | None] = mapped_column(sa.Date)
    address: Mapped[str] = mapped_column(sa.String(500))
    occupation: Mapped[str | None] = mapped_column(sa.String(255))
    workplace: Mapped[str | None] = mapped_column(sa.String(255))

    declaration: Mapped[Declaration] = relationship(back_populates="residence_history")

    __table_args__ = (sa.UniqueConstraint("declaration_id", "position"),)


class FeeRule(db.Model):
    """One dated rate of the fee schedule (domain §7), kept as data. A channel-specific rule beats a general
    one; then the most recent start wins."""

    __tablename__ = "fee_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.String(255))
    category: Mapped[FeeCategory] = mapped_column(str_enum(FeeCategory))
    # The channels the rule covers; null covers every channel.
    channels: Mapped[list | None] = mapped_column(sa.JSON)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    amount: Mapped[int] = mapped_column()
    # Certificates beyond `included_copies` in one request cost `extra_copy_amount` each.
    included_copies: Mapped[int] = mapped_column(default=2)
    extra_copy_amount: Mapped[int] = mapped_column(default=0)


class FeeSubsidy(db.Model):
    """A local subsidy: the province pays a share of the fee for some channels, for a time."""

    __tablename__ = "fee_subsidies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.String(255))
    # The authority (LLTP_AUTHORITY_CODE) whose province pays it; null: every deployment.
    authority_code: Mapped[str | None] = mapped_column(sa.String(16))
    channels: Mapped[list | None] = mapped_column(sa.JSON)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    percent: Mapped[int] = mapped_column()


class PaymentMethod(StrEnum):
    CASH = "cash"  # at the counter, against a receipt number
    BANK_TRANSFER = "bank_transfer"  # a transfer or a VietQR payment, with its reference
    POSTAL = "postal"  # paid at the post office
    NATIONAL_SYSTEM = "national_system"  # paid in VNeID or on a portal before the request was pushed


class Payment(db.Model):
    """A fee payment recorded against a case."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod))
    amount: Mapped[int] = mapped_column()
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    receipt_number: Mapped[str | None] = mapped_column(sa.String(40))
    paid_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by_label: Mapped[str] = mapped_column(sa.String(120))


class AttachmentKind(StrEnum):
    ID_DOCUMENT = "id_document"
    AUTHORISATION = "authorisation"
    FEE_PROOF = "fee_proof"  # proof of a reduction or an exemption
    AGENCY_LETTER = "agency_letter"
    OTHER = "other"


class Attachment(db.Model):
    """A scan stored outside the web root under LLTP_UPLOAD_DIR, by its SHA-256. It belongs to a case, or,
    while a citizen is still filling in the online form, to their draft."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("online_drafts.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(80))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # Relative to LLTP_UPLOAD_DIR.
    storage_path: Mapped[str] = mapped_column(sa.String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_by_label: Mapped[str] = mapped_column(sa.String(120))


class FlagKind(StrEnum):
    POSSIBLE_DUPLICATE = "possible_duplicate"  # another open request of the same type, same ID number
    FEE_CATEGORY_UNCONFIRMED = "fee_category_unconfirmed"  # an API request's reduced/exempt category
    FOLLOW_UP_PAPER_MISSING = "follow_up_paper_missing"  # an urgent agency request's paper not yet in


class CaseFlag(db.Model):
    """Something an officer must look at on a case, until it is resolved."""

    __tablename__ = "case_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FlagKind] = mapped_column(str_enum(FlagKind))
    related_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="SET NULL"))
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    # Joined: the case page lists the flags with the other case's code.
    related_case = relationship("Case", foreign_keys=[related_case_id], lazy="joined")

    @property
    def is_open(self):
        return self.resolved_at is None


class PaperKind(StrEnum):
    RECEIPT = "receipt"  # giấy tiếp nhận hồ sơ và hẹn trả kết quả
    COMPLETION_REQUEST = "completion_request"  # phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # phiếu từ chối tiếp nhận, giải quyết hồ sơ
    APOLOGY = "apology"  # phiếu xin lỗi và hẹn lại ngày trả kết quả


class OneStopPaper(db.Model):
    """A one-stop paper as issued: its number and what it said, frozen, so it prints the same again."""

    __tablename__ = "one_stop_papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PaperKind] = mapped_column(str_enum(PaperKind))
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_by_label: Mapped[str] = mapped_column(sa.String(120))
    # What the paper says: the appointment date, the reason, the documents asked for, the new date...
    content: Mapped[dict] = mapped_column(sa.JSON)

    issued_by = relationship("User")

    __table_args__ = (
        # The apology with a new date is allowed once per case (domain §6).
        sa.Index(
            "uq_one_stop_papers_apology_once",
            "case_id",
            unique=True,
            sqlite_where=sa.text("kind = 'apology'"),
            postgresql_where=sa.text("kind = 'apology'"),
        ),
    )


class OnlineDraft(db.Model):
    """A citizen's half-filled online form, keyed by a random token in their cookie, so answers survive a
    reload and a lost connection. Deleted when submitted; old ones are swept."""

    __tablename__ = "online_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    step: Mapped[str] = mapped_column(sa.String(20), default="applicant")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    attachments: Mapped[list[Attachment]] = relationship()
