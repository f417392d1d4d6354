"""The signing keys: PKCS#12 files that an administrator registers by path and password, and the
self-signed ones the demo makes.

The file stays where it is, outside the repository and the database; the row keeps its path, its
password encrypted with the app's key, and what its certificate says (subject, expiry, self-signed).
"""

import datetime as dt
import secrets
from pathlib import Path

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import gettext as _

from lltp.accounts.models import Role, User, UserRole
from lltp.core import audit
from lltp.core.crypto import encrypt
from lltp.core.errors import NotAllowed, ValidationFailed
from lltp.extensions import db
from lltp.issuance.models import SigningKey, SigningKeyKind

# How long the demo's self-signed keys last.
DEMO_KEY_DAYS = 3650


class KeyFileError(ValueError):
    """A PKCS#12 file that cannot be read, or not with this password."""


def read_pkcs12(path, password):
    """The private key and certificate of the PKCS#12 file at `path`; KeyFileError if it does not open."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise KeyFileError(_("Không đọc được tệp %(path)s.", path=path)) from error
    try:
        key, certificate, _others = pkcs12.load_key_and_certificates(data, (password or "").encode())
    except ValueError as error:
        raise KeyFileError(_("Tệp không phải PKCS#12 hoặc mật khẩu không đúng.")) from error
    if key is None or certificate is None:
        raise KeyFileError(_("Tệp PKCS#12 phải có cả khóa bí mật và chứng thư số."))
    return key, certificate


def register_signing_key(*, kind, path, password, user=None, label, actor):
    """Register a PKCS#12 file as an approver's key or as the authority's seal; it replaces the key
    registered before it for the same approver (or the seal)."""
    errors = {}
    if kind not in set(SigningKeyKind):
        raise ValidationFailed({"kind": _("Vui lòng chọn loại khóa.")})
    kind = SigningKeyKind(kind)
    label = (label or "").strip()
    if not label:
        errors["label"] = _("Vui lòng đặt tên cho khóa.")
    if kind is SigningKeyKind.APPROVER and user is None:
        errors["user"] = _("Khóa ký của người phê duyệt phải gắn với một tài khoản.")
    elif kind is SigningKeyKind.APPROVER and not user.has_role(Role.APPROVER):
        errors["user"] = _("Tài khoản này không có vai trò phê duyệt.")
    elif kind is SigningKeyKind.SEAL and user is not None:
        errors["user"] = _("Con dấu của cơ quan không gắn với tài khoản nào.")
    path = (path or "").strip()
    if not path:
        errors["path"] = _("Vui lòng nhập đường dẫn tệp PKCS#12.")
    elif not Path(path).is_absolute():
        errors["path"] = _("Đường dẫn phải là đường dẫn tuyệt đối trên máy chủ.")
    if errors:
        raise ValidationFailed(errors)
    try:
        _key, certificate = read_pkcs12(path, password)
    except KeyFileError as error:
        raise ValidationFailed({"password": str(error)}) from error
    is_self_signed = certificate.subject == certificate.issuer
    # Design §7: production signs only with a licensed CA's certificates; self-signed ones are the demo's.
    if is_self_signed and current_app.config["LLTP_ENV"] == "production":
        raise ValidationFailed(
            {"path": _("Chứng thư số tự ký chỉ dùng để thử, không dùng khi vận hành thật.")}
        )
    owner = SigningKey.user_id == user.id if user is not None else SigningKey.user_id.is_(None)
    for earlier in db.session.scalars(
        sa.select(SigningKey).where(SigningKey.kind == kind, owner, SigningKey.is_active.is_(True))
    ):
        earlier.is_active = False
    signing_key = SigningKey(
        kind=kind,
        user_id=user.id if user is not None else None,
        label=label,
        path=path,
        password_encrypted=encrypt(password or ""),
        subject=certificate.subject.rfc4514_string()[:255],
        not_after=certificate.not_valid_after_utc,
        is_self_signed=is_self_signed,
        registered_by_id=actor.user_id,
    )
    db.session.add(signing_key)
    db.session.flush()
    audit.record(
        "issuance.signing_key_registered",
        actor,
        object_type="signing_key",
        object_id=signing_key.id,
        details={
            "kind": str(kind),
            "user_id": signing_key.user_id,
            "label": label,
            "path": path,
            "subject": signing_key.subject,
            "not_after": signing_key.not_after.isoformat(),
            "is_self_signed": signing_key.is_self_signed,
        },
    )
    return signing_key


def active_key(kind, *, user=None):
    """The active key of that kind (an approver's own, or the seal); NotAllowed when none is registered."""
    kind = SigningKeyKind(kind)
    query = sa.select(SigningKey).where(SigningKey.kind == kind, SigningKey.is_active.is_(True))
    if kind is SigningKeyKind.APPROVER:
        query = query.where(SigningKey.user_id == user.id)
    signing_key = db.session.scalars(query.order_by(SigningKey.id.desc())).first()
    if signing_key is None:
        if kind is SigningKeyKind.SEAL:
            raise NotAllowed(_("Chưa đăng ký con dấu điện tử của cơ quan: không thể ký phiếu."))
        raise NotAllowed(_("Chưa đăng ký khóa ký số của %(name)s: không thể ký phiếu.", name=user.full_name))
    return signing_key


def all_keys():
    """Every registered key, newest first: the admin page's list, and the trust roots of a check."""
    return db.session.scalars(sa.select(SigningKey).order_by(SigningKey.id.desc())).all()


def make_self_signed(path, *, common_name, organisation, password, days=DEMO_KEY_DAYS):
    """Write a self-signed EC P-256 key and certificate to `path` as PKCS#12 (the demo's keys and the
    tests'); a real deployment uses certificates from a licensed CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, certificate, None, serialization.BestAvailableEncryption(password.encode())
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(data)
    return path


def make_demo_keys(directory, *, organisation, actor):
    """Make and register self-signed keys for the demo, in `directory`: the seal, and one for each active
    approver who has none. Returns the keys registered."""
    directory = Path(directory).resolve()
    made = []
    if not _has_active(SigningKeyKind.SEAL):
        made.append(_demo_key(directory / "seal.p12", SigningKeyKind.SEAL, organisation, organisation, actor))
    approvers = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.APPROVER, User.is_active_account.is_(True))
        .order_by(User.username)
    ).all()
    for approver in approvers:
        if not _has_active(SigningKeyKind.APPROVER, user=approver):
            path = directory / f"approver-{approver.username}.p12"
            made.append(
                _demo_key(path, SigningKeyKind.APPROVER, approver.full_name, organisation, actor, approver)
            )
    return made


def _has_active(kind, *, user=None):
    try:
        active_key(kind, user=user)
    except NotAllowed:
        return False
    return True


def _demo_key(path, kind, common_name, organisation, actor, user=None):
    password = secrets.token_urlsafe(18)
    make_self_signed(path, common_name=common_name, organisation=organisation, password=password)
    label = f"{common_name} (tự ký, dữ liệu mẫu)"
    return register_signing_key(
        kind=kind, path=str(path), password=password, user=user, label=label, actor=actor
    )
