"""Attachments on the case page (acceptance 5): the upload is judged by its content and size, kept with
its SHA-256, and streamed back only to the issuing authority's officers who work the case, audited."""

import hashlib
import io

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.core.audit import AuditEvent
from lltp.core.uploads import check_upload
from lltp.extensions import db as _db
from lltp.intake import services
from lltp.intake.models import Attachment, AttachmentKind
from tests.core.test_uploads import pdf_bytes
from tests.factories import create_unit
from tests.intake.test_case_panels import intake_actor, intake_case, officer, page

# The first bytes of a Windows program ("MZ", then the DOS stub's message).
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"This program cannot be run in DOS mode." * 10
)


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_DIR", str(tmp_path))
    return tmp_path


def upload(client, case, data, filename="cccd.pdf", kind="id_document"):
    return client.post(
        f"/ho-so/{case.code}/tep-dinh-kem",
        data={"kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def attachments(case):
    return _db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id)).all()


def test_an_uploaded_scan_is_kept_and_listed_with_its_hash(login_as, db):
    case = intake_case()
    data = pdf_bytes()
    client = login_as(officer(Role.INTAKE_OFFICER))
    response = upload(client, case, data, filename="CCCD mặt trước.pdf")
    assert response.status_code == 303
    (attachment,) = attachments(case)
    digest = hashlib.sha256(data).hexdigest()
    assert (attachment.kind, attachment.sha256, attachment.content_type) == (
        AttachmentKind.ID_DOCUMENT,
        digest,
        "application/pdf",
    )
    body = page(client, case)
    assert "CCCD mặt trước.pdf" in body
    assert f'<code title="{digest}">{digest[:12]}</code>' in body
    assert "Giấy tờ tùy thân" in body


def test_a_renamed_executable_is_refused(login_as, db):
    case = intake_case()
    response = upload(login_as(officer(Role.INTAKE_OFFICER)), case, EXECUTABLE, filename="scan.pdf")
    assert response.status_code == 422
    assert (
        'id="f-file-error" aria-live="polite">Chỉ nhận tệp PDF hoặc ảnh (JPG, PNG).</p>'
        in response.get_data(as_text=True)
    )
    assert attachments(case) == []


def test_an_oversized_file_is_refused(app, login_as, db, monkeypatch):
    # Small, so that the test client keeps the request body in memory.
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_MAX_BYTES", 100 * 1024)
    case = intake_case()
    data = pdf_bytes()
    oversized = data[:-6] + b" " * (100 * 1024) + data[-6:]
    response = upload(login_as(officer(Role.INTAKE_OFFICER)), case, oversized)
    assert response.status_code == 422
    assert "Tệp quá lớn: tối đa 0,1 MB." in response.get_data(as_text=True)
    assert attachments(case) == []


def test_an_upload_without_a_kind_names_both_problems(login_as, db):
    case = intake_case()
    response = upload(login_as(officer(Role.INTAKE_OFFICER)), case, b"", kind="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chọn loại giấy tờ." in body
    assert "Tệp tải lên đang trống." in body


def stored(case):
    """A scan kept with `case` by the services, as the desk's upload keeps it."""
    data = pdf_bytes()
    check = check_upload(data, "Giấy ủy quyền.pdf", max_bytes=1024 * 1024)
    return services.add_attachment(
        data,
        check,
        filename="Giấy ủy quyền.pdf",
        kind=AttachmentKind.AUTHORISATION,
        actor=intake_actor(),
        case=case,
    )


@pytest.mark.parametrize(
    "role", [Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER, Role.APPROVER, Role.RETURNING_OFFICER]
)
def test_the_officers_who_work_the_case_download_the_scan(login_as, db, role):
    case = intake_case()
    attachment = stored(case)
    response = login_as(officer(role)).get(f"/ho-so/{case.code}/tep-dinh-kem/{attachment.id}")
    assert response.status_code == 200
    assert response.data == pdf_bytes()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Gi%E1%BA%A5y" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_download_is_audited(login_as, db):
    case = intake_case()
    attachment = stored(case)
    client = login_as(officer(Role.INTAKE_OFFICER))
    client.get(f"/ho-so/{case.code}/tep-dinh-kem/{attachment.id}")
    row = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "attachment.view")).one()
    assert (row.case_id, row.object_id) == (case.id, str(attachment.id))


@pytest.mark.parametrize(
    ("role", "unit_kind"),
    [
        (Role.VERIFIER, UnitKind.PROVINCIAL_POLICE),
        (Role.VERIFIER, UnitKind.COURT),
        (Role.UNIT_SUPERVISOR, UnitKind.COURT),
        (Role.REPORT_READER, UnitKind.ISSUING_AUTHORITY),
        (Role.UNIT_SUPERVISOR, UnitKind.ISSUING_AUTHORITY),
    ],
    ids=["police-verifier", "court-verifier", "court-supervisor", "report-reader", "authority-supervisor"],
)
def test_anyone_else_gets_403_on_the_download(login_as, db, role, unit_kind):
    case = intake_case()
    attachment = stored(case)
    unit = None if unit_kind is UnitKind.ISSUING_AUTHORITY else create_unit(unit_kind)
    response = login_as(officer(role, unit=unit)).get(f"/ho-so/{case.code}/tep-dinh-kem/{attachment.id}")
    assert response.status_code == 403
    assert b"%PDF" not in response.data


def test_an_attachment_of_another_case_is_not_found(login_as, db):
    case, other = intake_case(), intake_case()
    attachment = stored(case)
    client = login_as(officer(Role.INTAKE_OFFICER))
    assert client.get(f"/ho-so/{other.code}/tep-dinh-kem/{attachment.id}").status_code == 404


def test_a_supervisor_sees_the_list_without_download_links(login_as, db):
    case = intake_case()
    attachment = stored(case)
    body = page(login_as(officer(Role.UNIT_SUPERVISOR)), case)
    assert "Giấy ủy quyền.pdf" in body
    assert f"/tep-dinh-kem/{attachment.id}" not in body
    assert 'enctype="multipart/form-data"' not in body
