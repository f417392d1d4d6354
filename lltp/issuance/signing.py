"""The certificate's two PAdES signatures (domain §10), and the check of a PDF against them and our records.

The approver signs first with their own key, then the issuing authority's seal signs the whole file, each
as an incremental update: the seal covers the approver's signature too, and a reader sees both. A check
trusts only the certificates of the keys registered here (self-signed in the demo, a licensed CA's in
production), and fetches nothing.
"""

import asyncio
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from lltp.core.crypto import decrypt
from lltp.core.errors import NotAllowed
from lltp.extensions import db
from lltp.issuance import keys
from lltp.issuance.models import Certificate, SigningKeyKind

logger = logging.getLogger(__name__)

# The signature fields, in the order they are made: the approver's, then the seal's.
FIELDS = {SigningKeyKind.APPROVER: "NguoiKy", SigningKeyKind.SEAL: "ConDau"}
SIGNING_REASON = "Cấp Phiếu lý lịch tư pháp"
# The room kept in the file for each signature (DER bytes). Without it pyHanko signs once more to measure
# the signature first, which took a third of the signing time. A licensed CA's chain of two or three
# certificates takes about 6 KB; one that does not fit makes signing fail loudly, not a broken file.
SIGNATURE_BYTES = 16 * 1024


@lru_cache(maxsize=64)
def _load_signer(path, mtime_ns, password_encrypted):
    """A pyHanko signer for one version of a key file and one registration: unlocking a PKCS#12 file
    costs about as much as signing, so a worker does it once."""
    data = Path(path).read_bytes()
    return signers.SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=decrypt(password_encrypted).encode()
    )


def signer_for(signing_key):
    """The signer of a registered key, from its file; KeyFileError when the file no longer opens."""
    try:
        mtime_ns = Path(signing_key.path).stat().st_mtime_ns
        return _load_signer(signing_key.path, mtime_ns, signing_key.password_encrypted)
    except (OSError, ValueError) as error:
        raise keys.KeyFileError(_("Không mở được tệp khóa %(path)s.", path=signing_key.path)) from error


def sign_certificate(pdf_bytes, *, approver):
    """`pdf_bytes` signed by `approver`'s own key and then by the issuing authority's seal."""
    approver_key = keys.active_key(SigningKeyKind.APPROVER, user=approver)
    seal_key = keys.active_key(SigningKeyKind.SEAL)
    signed = pdf_bytes
    for kind, signing_key in ((SigningKeyKind.APPROVER, approver_key), (SigningKeyKind.SEAL, seal_key)):
        try:
            signer = signer_for(signing_key)
        except keys.KeyFileError as error:
            raise NotAllowed(
                _("Không ký được phiếu: %(error)s Đề nghị quản trị viên đăng ký lại khóa.", error=error)
            ) from error
        signed = _sign(signed, signer, field_name=FIELDS[kind], name=signing_key.label)
    return signed


def _sign(pdf_bytes, signer, *, field_name, name):
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        name=name,
        reason=SIGNING_REASON,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    signed = _outside_event_loop(
        signers.sign_pdf, writer, metadata, signer=signer, bytes_reserved=SIGNATURE_BYTES
    )
    return signed.getvalue()


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their own event loop (asyncio.run): in a
    thread of its own when this thread already runs one (an async server, or a test driving a browser)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def trusted_certificates():
    """The certificates of every registered key that still opens, with the key: the check's trust roots.
    Keys since replaced stay trusted, for the certificates they signed."""
    trusted = []
    for signing_key in keys.all_keys():
        try:
            trusted.append((signing_key, signer_for(signing_key).signing_cert))
        except keys.KeyFileError:
            logger.warning("Signing key %s (%s) no longer opens", signing_key.id, signing_key.path)
    return trusted


def verify_pdf(pdf_bytes):
    """Whether `pdf_bytes` carries an approver's signature and then the seal's, both intact and valid
    against the registered keys, and which of our certificates has exactly these bytes."""
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.pdf_sha256 == sha256))
    report = {
        "sha256": sha256,
        "signatures": [],
        "error": None,
        "certificate": None
        if certificate is None
        else {"number": certificate.number, "status": str(certificate.status)},
        "matches_record": certificate is not None,
    }
    trusted = trusted_certificates()
    context = ValidationContext(trust_roots=[cert for _key, cert in trusted], allow_fetching=False)
    try:
        embedded = PdfFileReader(io.BytesIO(pdf_bytes)).embedded_signatures
        report["signatures"] = [_signature_report(signature, context, trusted) for signature in embedded]
    except (PdfError, ValueError) as error:
        report["error"] = _("Không đọc được tệp PDF: %(error)s", error=error)
    expected = [str(SigningKeyKind.APPROVER), str(SigningKeyKind.SEAL)]
    report["signatures_ok"] = [s["kind"] for s in report["signatures"]] == expected and all(
        s["ok"] for s in report["signatures"]
    )
    report["ok"] = report["signatures_ok"] and report["matches_record"]
    return report


def _signature_report(signature, context, trusted):
    status = _outside_event_loop(validate_pdf_signature, signature, context)
    signer_certificate = status.signing_cert
    signing_key = next((key for key, cert in trusted if cert.dump() == signer_certificate.dump()), None)
    return {
        "field": signature.field_name,
        "kind": str(signing_key.kind) if signing_key is not None else None,
        "key_label": signing_key.label if signing_key is not None else None,
        "signer": signer_certificate.subject.human_friendly,
        "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        "intact": status.intact,
        "valid": status.valid,
        "trusted": status.trusted,
        "ok": bool(status.bottom_line),
    }
