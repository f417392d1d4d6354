"""Agencies, their units, users and roles."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lltp.core.db import UTCDateTime, str_enum, utcnow
from lltp.extensions import db


class UnitKind(StrEnum):
    ISSUING_AUTHORITY = "issuing_authority"
    PROVINCIAL_POLICE = "provincial_police"
    COURT = "court"
    PROCURACY = "procuracy"
    JUDGMENT_ENFORCEMENT = "judgment_enforcement"
    COMMUNE_COMMITTEE = "commune_committee"
    POPULATION_REGISTER = "population_register"
    POSTAL_OPERATOR = "postal_operator"


class Role(StrEnum):
    INTAKE_OFFICER = "intake_officer"
    PROCESSING_OFFICER = "processing_officer"
    APPROVER = "approver"
    RETURNING_OFFICER = "returning_officer"
    VERIFIER = "verifier"
    UNIT_SUPERVISOR = "unit_supervisor"
    REPORT_READER = "report_reader"
    ADMINISTRATOR = "administrator"


# The issuing authority's own work; verifying agencies get the verifier and supervisor roles only.
AUTHORITY_ROLES = frozenset(
    {
        Role.INTAKE_OFFICER,
        Role.PROCESSING_OFFICER,
        Role.APPROVER,
        Role.RETURNING_OFFICER,
        Role.UNIT_SUPERVISOR,
        Role.REPORT_READER,
        Role.ADMINISTRATOR,
    }
)
VERIFYING_UNIT_ROLES = frozenset({Role.VERIFIER, Role.UNIT_SUPERVISOR})
ROLES_BY_UNIT_KIND = {
    kind: (AUTHORITY_ROLES if kind is UnitKind.ISSUING_AUTHORITY else VERIFYING_UNIT_ROLES)
    for kind in UnitKind
}
# The second factor is required for whoever signs certificates or administers the system.
TWO_FACTOR_ROLES = frozenset({Role.APPROVER, Role.ADMINISTRATOR})


class Agency(db.Model):
    """A state body (the provincial police, a court, a commune People's Committee...)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(80))
    units: Mapped[list["Unit"]] = relationship(back_populates="agency", order_by="Unit.name")


class Unit(db.Model):
    """A unit of an agency. Every user belongs to one unit, and the unit's kind scopes what they see."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    # The administrative unit code (mã đơn vị hành chính) of a commune committee.
    admin_unit_code: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="units")
    users: Mapped[list["User"]] = relationship(back_populates="unit")

    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    @property
    def allowed_roles(self):
        return ROLES_BY_UNIT_KIND[self.kind]


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last TOTP time step accepted, so a code cannot be replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        cascade="all, delete-orphan", back_populates="user"
    )

    @property
    def is_active(self):
        return self.is_active_account

    @property
    def roles(self):
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    @property
    def needs_two_factor(self):
        return bool(self.roles & TWO_FACTOR_ROLES)

    @property
    def has_two_factor(self):
        return self.totp_enrolled_at is not None

    @property
    def is_authority_officer(self):
        return self.unit.kind is UnitKind.ISSUING_AUTHORITY


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator is lost. Only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class ApiClientKind(StrEnum):
    """The outside systems of the intake API contract. The first three submit requests, and their kind
    becomes the case's channel."""

    VNEID = "vneid"
    NATIONAL_PORTAL = "national_portal"
    PROVINCIAL_PORTAL = "provincial_portal"
    POSTAL_OPERATOR = "postal_operator"
    RECORD_SOURCE = "record_source"
    # A verifying agency's own system, answering its unit's verification tasks (bound to that unit).
    VERIFYING_AGENCY = "verifying_agency"


SUBMITTING_CLIENT_KINDS = frozenset(
    {ApiClientKind.VNEID, ApiClientKind.NATIONAL_PORTAL, ApiClientKind.PROVINCIAL_PORTAL}
)


class ApiClient(db.Model):
    """An outside system allowed to call /api/v1. Only a hash of its token is kept; the callback signing
    secret is kept encrypted with the app's own key, because the app signs with it."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[ApiClientKind] = mapped_column(str_enum(ApiClientKind))
    # SHA-256 of a 256-bit random token: a slow hash adds nothing to a secret that cannot be guessed.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    callback_url: Mapped[str | None] = mapped_column(sa.String(500))
    # A verifying agency's client acts for this unit only.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    callback_secret_encrypted: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def submits_requests(self):
        return self.kind in SUBMITTING_CLIENT_KINDS
