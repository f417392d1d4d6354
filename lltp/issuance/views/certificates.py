"""An issued certificate's files: the signed electronic PDF as it was stored at issue, and each paper copy
("bản số k/n"), printed again from the frozen snapshot. Both are reads of the person's data, audited."""

from flask import abort

from lltp.accounts.models import Role, UnitKind
from lltp.core import audit
from lltp.core.permissions import current_actor, requires
from lltp.extensions import db
from lltp.issuance.models import Certificate
from lltp.issuance.pdf import render_certificate
from lltp.issuance.views import bp
from lltp.issuance.views.downloads import file_name, pdf_download

# Who hands the result over or answers for it: the returning officer prints the paper copies.
CERTIFICATE_READERS = (Role.PROCESSING_OFFICER, Role.APPROVER, Role.RETURNING_OFFICER)
AUTHORITY = (UnitKind.ISSUING_AUTHORITY,)


def _certificate_of(code, certificate_id):
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.case.code != code:
        abort(404)
    return certificate


def _audit_read(certificate, what):
    audit.record(
        f"issuance.{what}_downloaded",
        current_actor(),
        object_type="certificate",
        object_id=certificate.number,
        case_id=certificate.case_id,
    )
    db.session.commit()


@bp.get("/ho-so/<code>/phieu/<int:certificate_id>.pdf")
@requires(*CERTIFICATE_READERS, unit_kinds=AUTHORITY)
def certificate_pdf(code, certificate_id):
    """The electronic certificate: the signed PDF exactly as it was stored at issue."""
    certificate = _certificate_of(code, certificate_id)
    if certificate.pdf is None:
        abort(404)
    _audit_read(certificate, "certificate")
    return pdf_download(certificate.pdf, f"phieu-lltp-{file_name(certificate.number)}")


@bp.get("/ho-so/<code>/phieu/<int:certificate_id>/ban-giay/<int:copy_number>.pdf")
@requires(*CERTIFICATE_READERS, unit_kinds=AUTHORITY)
def paper_copy(code, certificate_id, copy_number):
    """Paper copy k of n, printed from the same frozen snapshot, numbered "bản số k/n"."""
    certificate = _certificate_of(code, certificate_id)
    if not 1 <= copy_number <= certificate.copies:
        abort(404)
    _audit_read(certificate, "paper_copy")
    return pdf_download(
        render_certificate(certificate, copy_number=copy_number),
        f"phieu-lltp-{file_name(certificate.number)}-ban-{copy_number}",
    )
