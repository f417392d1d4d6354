"""Uploaded scans: judged by their content, stored once under their hash, read back only from the root."""

import hashlib
import io
import os
import stat

import pypdf
import pytest
from PIL import Image

from lltp.core.errors import ValidationFailed
from lltp.core.uploads import UploadCheck, check_upload, open_upload, store_upload

MB = 1024 * 1024


def image_bytes(format_name, size=(64, 48), mode="RGB"):
    stream = io.BytesIO()
    Image.new(mode, size).save(stream, format=format_name)
    return stream.getvalue()


def pdf_bytes():
    stream = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(stream)
    return stream.getvalue()


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def refusal(data, filename="scan.pdf", max_bytes=5 * MB, field="identity_scan"):
    with pytest.raises(ValidationFailed) as refused:
        check_upload(data, filename, max_bytes=max_bytes, field=field)
    assert list(refused.value.errors) == [field]
    return refused.value.errors[field]


@pytest.mark.parametrize(
    ("make", "content_type", "extension"),
    [
        (pdf_bytes, "application/pdf", "pdf"),
        (lambda: image_bytes("JPEG"), "image/jpeg", "jpg"),
        (lambda: image_bytes("PNG"), "image/png", "png"),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_by_content(request_context, make, content_type, extension):
    data = make()
    # The name says something else: the content decides.
    check = check_upload(data, "tai-lieu.txt", max_bytes=5 * MB)
    assert check == UploadCheck(
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_an_empty_file_is_refused(request_context):
    assert refusal(b"") == "Tệp tải lên đang trống."


@pytest.mark.parametrize(("max_bytes", "shown"), [(5 * MB, "5"), (int(2.5 * MB), "2,5")])
def test_a_file_over_the_limit_is_refused_with_the_limit_in_mb(request_context, max_bytes, shown):
    data = pdf_bytes()
    assert refusal(data + b" " * max_bytes, max_bytes=max_bytes) == f"Tệp quá lớn: tối đa {shown} MB."


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 32,
        b" %PDF-1.7\n%%EOF",
    ],
)
def test_anything_else_is_refused_whatever_its_name(request_context, data):
    assert refusal(data, filename="scan.pdf") == "Chỉ nhận tệp PDF hoặc ảnh (JPG, PNG)."


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(image_bytes("JPEG", (400, 300))[:-600], id="truncated-jpeg"),
        pytest.param(image_bytes("PNG", (400, 300))[:-40], id="truncated-png"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 8, id="fake-png"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 200, id="fake-jpeg"),
        pytest.param(pdf_bytes()[:-200], id="truncated-pdf"),
    ],
)
def test_a_broken_or_truncated_file_is_refused(request_context, data):
    assert refusal(data).startswith("Tệp bị hỏng hoặc không đầy đủ")


def test_an_image_of_absurd_resolution_is_refused(request_context):
    # Tiny on disk, 60 million pixels once decoded.
    data = image_bytes("PNG", (10_000, 6_000), mode="1")
    assert len(data) < 5 * MB
    assert "độ phân giải" in refusal(data)


def test_store_writes_under_the_hash_with_mode_0640(request_context, tmp_path):
    data = image_bytes("PNG")
    check = check_upload(data, "a.png", max_bytes=MB)
    root = tmp_path / "uploads"

    relative = store_upload(data, check, root=root)

    digest = check.sha256
    assert relative == f"{digest[:2]}/{digest[2:4]}/{digest}.png"
    path = root / relative
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(path.parent) == [path.name]


def test_storing_the_same_bytes_twice_gives_the_same_path(request_context, tmp_path):
    data = pdf_bytes()
    check = check_upload(data, "a.pdf", max_bytes=MB)
    first = store_upload(data, check, root=tmp_path)
    second = store_upload(data, check, root=tmp_path)
    assert first == second
    assert open_upload(tmp_path, first) == data
    # No temporary file is left beside it.
    assert os.listdir((tmp_path / first).parent) == [os.path.basename(first)]


def test_store_refuses_bytes_that_were_not_the_checked_ones(request_context, tmp_path):
    check = check_upload(pdf_bytes(), "a.pdf", max_bytes=MB)
    with pytest.raises(ValueError):
        store_upload(image_bytes("PNG"), check, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "escape", ["../secret.txt", "ab/../../secret.txt", "/etc/passwd", "", "link/secret.txt"]
)
def test_open_refuses_a_path_that_leaves_the_root(tmp_path, escape):
    root = tmp_path / "uploads"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError):
        open_upload(root, escape)
