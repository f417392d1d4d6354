"""The certificate's two PAdES signatures (acceptance 2): pyHanko and Poppler's pdfsig both find the
approver's and the seal's signatures intact and valid, and one changed byte breaks both; and
`flask certificates verify` says so, and whether the file is a certificate we issued."""

import hashlib
import shutil
import subprocess

import pytest

from lltp.accounts.models import Role
from lltp.cases.models import CaseStage
from lltp.core.errors import NotAllowed
from lltp.extensions import db
from lltp.issuance import keys
from lltp.issuance.models import SigningKey, SigningKeyKind
from lltp.issuance.pdf import render_certificate
from lltp.issuance.signing import FIELDS, sign_certificate, verify_pdf
from tests.conftest import need_server
from tests.factories import SYSTEM, create_case, create_user
from tests.issuance.test_pdf import issued_certificate

PASSWORD = "mat-khau-tep-khoa"


def register(tmp_path, kind, *, user=None, name):
    path = keys.make_self_signed(
        tmp_path / f"{name}.p12", common_name=name, organisation="Công an TP Hồ Chí Minh", password=PASSWORD
    )
    return keys.register_signing_key(
        kind=kind, path=str(path), password=PASSWORD, user=user, label=name, actor=SYSTEM
    )


@pytest.fixture
def approver(db, tmp_path):
    """An approver with a key of their own, and the authority's seal, both self-signed in `tmp_path`."""
    user = create_user(roles=(Role.APPROVER,), full_name="Trần Quốc Hưng")
    register(tmp_path, SigningKeyKind.APPROVER, user=user, name="Trần Quốc Hưng")
    register(tmp_path, SigningKeyKind.SEAL, name="Công an Thành phố Hồ Chí Minh")
    return user


@pytest.fixture
def certificate(db):
    return issued_certificate(create_case(CaseStage.IN_REVIEW))


@pytest.fixture
def signed(approver, certificate):
    return sign_certificate(render_certificate(certificate), approver=approver)


def stored(certificate, pdf):
    certificate.pdf = pdf
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    db.session.flush()


def tampered(pdf):
    """`pdf` with one byte changed, in the binary comment of its header, which both signatures cover."""
    changed = bytearray(pdf)
    changed[12] ^= 0x01
    return bytes(changed)


def pdfsig(tmp_path, pdf):
    if shutil.which("pdfsig") is None:
        need_server("pdfsig (Debian package poppler-utils) is not installed")
    path = tmp_path / "phieu.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_pyhanko_finds_the_approver_then_the_seal_both_intact_and_valid_against_the_registered_keys(signed):
    report = verify_pdf(signed)
    assert [(s["field"], s["kind"]) for s in report["signatures"]] == [
        (FIELDS[SigningKeyKind.APPROVER], "approver"),
        (FIELDS[SigningKeyKind.SEAL], "seal"),
    ]
    assert all(s["intact"] and s["valid"] and s["trusted"] and s["ok"] for s in report["signatures"])
    assert report["signatures_ok"]


def test_pdfsig_reports_each_signature_valid(signed, tmp_path):
    output = pdfsig(tmp_path, signed)
    assert output.count("Signature Validation: Signature is Valid.") == 2, output
    assert "Signer Certificate Common Name: Trần Quốc Hưng" in output
    assert "Signer Certificate Common Name: Công an Thành phố Hồ Chí Minh" in output


def test_one_changed_byte_fails_both_signatures_in_pyhanko(signed):
    report = verify_pdf(tampered(signed))
    assert [s["intact"] for s in report["signatures"]] == [False, False]
    assert not report["signatures_ok"] and not report["ok"]


def test_one_changed_byte_fails_both_signatures_in_pdfsig(signed, tmp_path):
    output = pdfsig(tmp_path, tampered(signed))
    assert "Signature is Valid" not in output
    assert output.count("Signature Validation: Digest Mismatch.") == 2, output


def test_the_check_names_the_certificate_whose_stored_bytes_these_are(signed, certificate):
    stored(certificate, signed)
    report = verify_pdf(signed)
    assert report["matches_record"] and report["ok"]
    assert report["certificate"] == {"number": certificate.number, "status": "valid"}


def test_a_validly_signed_file_that_is_not_one_we_stored_does_not_match_our_records(signed):
    report = verify_pdf(signed)
    assert report["signatures_ok"]
    assert (report["matches_record"], report["certificate"], report["ok"]) == (False, None, False)


def test_signatures_from_keys_no_longer_registered_are_not_trusted(signed):
    for signing_key in db.session.query(SigningKey):
        db.session.delete(signing_key)
    db.session.flush()
    report = verify_pdf(signed)
    assert [(s["intact"], s["trusted"], s["kind"]) for s in report["signatures"]] == [(True, False, None)] * 2
    assert not report["signatures_ok"]


def test_an_approver_without_a_key_of_their_own_cannot_sign(approver, certificate):
    other = create_user(roles=(Role.APPROVER,), full_name="Lê Văn Duyệt")
    with pytest.raises(NotAllowed, match="Chưa đăng ký khóa ký số của Lê Văn Duyệt"):
        sign_certificate(render_certificate(certificate), approver=other)


def test_without_the_seal_no_certificate_is_signed(db, tmp_path, certificate):
    user = create_user(roles=(Role.APPROVER,))
    register(tmp_path, SigningKeyKind.APPROVER, user=user, name="Người Phê Duyệt")
    with pytest.raises(NotAllowed, match="Chưa đăng ký con dấu điện tử"):
        sign_certificate(render_certificate(certificate), approver=user)


def test_a_key_file_gone_from_the_server_is_refused_with_its_path(approver, certificate, tmp_path):
    (tmp_path / "Công an Thành phố Hồ Chí Minh.p12").unlink()
    with pytest.raises(NotAllowed, match="Không mở được tệp khóa"):
        sign_certificate(render_certificate(certificate), approver=approver)


# `flask certificates verify`


def test_the_verify_command_passes_a_stored_signed_certificate(app, signed, certificate, tmp_path):
    stored(certificate, signed)
    path = tmp_path / "phieu.pdf"
    path.write_bytes(signed)
    result = app.test_cli_runner().invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("=> ĐẠT") == 2
    assert f"Đúng với Phiếu số {certificate.number}" in result.output
    assert "KẾT QUẢ: ĐẠT" in result.output


def test_the_verify_command_fails_a_changed_file(app, signed, certificate, tmp_path):
    stored(certificate, signed)
    path = tmp_path / "phieu.pdf"
    path.write_bytes(tampered(signed))
    result = app.test_cli_runner().invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1
    assert result.output.count("=> KHÔNG ĐẠT") == 2
    assert "Không có phiếu nào đã cấp có đúng nội dung tệp này" in result.output
    assert "KẾT QUẢ: KHÔNG ĐẠT" in result.output


def test_the_verify_command_fails_an_unsigned_file(app, certificate, tmp_path):
    path = tmp_path / "phieu.pdf"
    path.write_bytes(render_certificate(certificate))
    result = app.test_cli_runner().invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1
    assert "Không có chữ ký số nào." in result.output
