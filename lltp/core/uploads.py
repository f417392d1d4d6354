"""Uploaded scans (identity papers, authorisations): checked by their content, stored by their hash.

A file name and a browser's content type are whatever the sender says, so the type is judged from the
bytes, and an image must also decode. Files live outside the web root under a path made from their
SHA-256, so a name chosen by the sender never reaches the filesystem and the same scan is kept once.
"""

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image

from lltp.core.errors import ValidationFailed

# (magic bytes, content type, extension), judged in this order.
_KINDS = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
_PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# Writers put "%%EOF" last, followed at most by a line end or a little padding.
_PDF_TAIL_BYTES = 1024
_BROKEN = _l("Tệp bị hỏng hoặc không đầy đủ, vui lòng quét và tải lên lại.")
_FILE_MODE = 0o640
_DIRECTORY_MODE = 0o750
# A 600 dpi colour scan of an A4 page is about 35 million pixels; decoding far more would only exhaust
# the worker's memory.
_MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class UploadCheck:
    """What an upload turned out to be."""

    content_type: str
    extension: str
    size: int
    sha256: str


def check_upload(data, filename, *, max_bytes, field="file"):
    """Check an upload by its content (PDF, JPEG or PNG, whole, not too large) or raise ValidationFailed."""
    # `filename` is deliberately not consulted: a renamed file is judged by what it is.
    if not data:
        raise ValidationFailed({field: _("Tệp tải lên đang trống.")})
    if len(data) > max_bytes:
        raise ValidationFailed({field: _("Tệp quá lớn: tối đa %(size)s MB.", size=_megabytes(max_bytes))})
    kind = next((kind for kind in _KINDS if data.startswith(kind[0])), None)
    if kind is None:
        raise ValidationFailed({field: _("Chỉ nhận tệp PDF hoặc ảnh (JPG, PNG).")})
    _magic, content_type, extension = kind
    if extension == "pdf":
        problem = None if b"%%EOF" in data[-_PDF_TAIL_BYTES:] else _BROKEN
    else:
        problem = _image_problem(data, _PILLOW_FORMATS[extension])
    if problem is not None:
        raise ValidationFailed({field: str(problem)})
    return UploadCheck(
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def store_upload(data, check, *, root):
    """Write checked bytes under `root` at `ab/cd/<sha256>.<ext>`, atomically; return that relative path."""
    # The path is the content's name: bytes that are not the checked ones must not be filed under it.
    if hashlib.sha256(data).hexdigest() != check.sha256:
        raise ValueError("These bytes are not the ones that were checked.")
    relative = Path(check.sha256[:2], check.sha256[2:4], f"{check.sha256}.{check.extension}")
    target = Path(root) / relative
    target.parent.mkdir(mode=_DIRECTORY_MODE, parents=True, exist_ok=True)
    # A temporary file in the same directory, then a rename: a reader never sees half a file, and a
    # second store of the same bytes replaces it with identical content.
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative.as_posix()


def open_upload(root, relative_path):
    """Read back a stored upload, refusing a path that leads outside `root`."""
    base = Path(root).resolve()
    path = (base / relative_path).resolve()
    if not path.is_relative_to(base) or path == base:
        raise ValueError(f"{relative_path!r} is not a path under the uploads directory.")
    return path.read_bytes()


def _image_problem(data, expected_format):
    """Why an image is refused, or None when Pillow decodes it whole as the format its bytes claim."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > _MAX_IMAGE_PIXELS:
                return _("Ảnh có độ phân giải quá lớn, vui lòng quét ở 300 dpi.")
            if image.format != expected_format:
                return _BROKEN
            image.verify()
        # verify() checks the structure and the PNG checksums but reads no pixel data, so a JPEG cut
        # short passes it: decoding the whole image is what finds the missing part.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, EOFError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _BROKEN
    return None


def _megabytes(size):
    """A byte count in MB for a message, written the Vietnamese way: 5 or 2,5."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes == int(megabytes) else f"{megabytes:.1f}".replace(".", ",")
