"""The one place that turns HTML into PDF (xhtml2pdf), for every paper the service prints.

Vietnamese prints correctly only when the text is NFC and the font is embedded: decomposed marks are
drawn beside their letter, and a family xhtml2pdf cannot load is quietly replaced by Helvetica, which
has no Vietnamese. So every document is normalised here, its fonts come only from `static/fonts`, and
anything else it asks for is refused loudly instead of leaving a wrong-looking paper behind.
"""

import io
import threading
import unicodedata
import urllib.parse
from pathlib import Path

from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

FONTS_DIR = (Path(__file__).resolve().parents[2] / "static" / "fonts").resolve()

# Inline images (a QR code as a PNG data URI) fetch nothing, so they may pass. Inline SVG may not: svglib
# parses it and resolves the references inside it, which nobody here has vetted.
_INLINE_IMAGE_PREFIXES = ("data:image/png;", "data:image/jpeg;")

# The second gate, for the fetches that do not go through link_callback: nothing remote, local reads
# only under the fonts directory, and xhtml2pdf's server limits on size, count and time.
RESOURCE_POLICY = ResourceAccessPolicy.server(base_dir=FONTS_DIR, allow_remote=False)

# How xhtml2pdf 0.2.28 words the warning when a font-family reached no loaded font and Helvetica, which
# has no Vietnamese, is drawn instead. A paper in the wrong font is an error, not a warning.
_UNKNOWN_FONT_WARNING = "is known to this document"

# xhtml2pdf and reportlab keep fonts and caches in module globals: one conversion at a time.
_render_lock = threading.Lock()


class PdfRenderError(RuntimeError):
    """xhtml2pdf could not turn the document into a PDF."""


class PdfResourceRefused(PdfRenderError):
    """The document asked for a file or URL outside `static/fonts`."""

    def __init__(self, uri):
        super().__init__(f"A PDF may load only the fonts in {FONTS_DIR}, not {str(uri)[:200]!r}.")
        self.uri = uri


def render_pdf(template_name, **context):
    """Render a Jinja template (under `templates/`) and convert it to PDF bytes."""
    html = render_template(template_name, pdf_fonts_dir=str(FONTS_DIR), **context)
    return html_to_pdf(html)


def html_to_pdf(html):
    """Convert an HTML document to PDF bytes, NFC-normalised, loading only the vendored fonts."""
    source = unicodedata.normalize("NFC", html)
    output = io.BytesIO()
    with _render_lock:
        try:
            status = pisa.CreatePDF(
                source,
                dest=output,
                encoding="utf-8",
                link_callback=_only_vendored_fonts,
                resource_policy=RESOURCE_POLICY,
            )
        except PdfRenderError:
            raise
        except Exception as error:
            # xhtml2pdf raises what went wrong in its parser or in reportlab (a policy limit, a bad
            # table): callers handle one error type.
            raise PdfRenderError(f"xhtml2pdf failed: {error}") from error
    if status.err:
        errors = "; ".join(message for mode, _line, message, _fragment in status.log if mode == "error")
        raise PdfRenderError(f"xhtml2pdf reported {status.err} error(s): {errors}")
    for mode, _line, message, fragment in status.log:
        if mode == "warning" and _UNKNOWN_FONT_WARNING in message:
            raise PdfRenderError(f"A font-family is not embedded, Helvetica would be used: {fragment}")
    return output.getvalue()


def _only_vendored_fonts(uri, _relative):
    """xhtml2pdf's link_callback: the absolute path of a vendored font, or PdfResourceRefused."""
    text = str(uri)
    if text.startswith(_INLINE_IMAGE_PREFIXES):
        return None
    parts = urllib.parse.urlsplit(text)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        text = urllib.parse.unquote(parts.path)
    elif parts.scheme:
        raise PdfResourceRefused(uri)
    path = Path(text)
    # A relative name would resolve against the working directory, which holds the code and settings.
    if not path.is_absolute():
        raise PdfResourceRefused(uri)
    resolved = path.resolve()
    if not resolved.is_relative_to(FONTS_DIR) or not resolved.is_file():
        raise PdfResourceRefused(uri)
    return str(resolved)
