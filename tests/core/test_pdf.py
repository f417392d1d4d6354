"""The PDF renderer: Vietnamese text survives NFC-normalised in Liberation Serif, on A4, fetching nothing."""

import datetime
import http.server
import io
import threading
import unicodedata
from pathlib import Path

import pypdf
import pytest
from flask import render_template_string
from xhtml2pdf.config.resources import ResourceAccessError

from lltp.core.pdf import (
    FONTS_DIR,
    RESOURCE_POLICY,
    PdfRenderError,
    PdfResourceRefused,
    html_to_pdf,
    render_pdf,
)

VIETNAMESE = "NGUYỄN THỊ ỸẾN ĐẶNG Ự"

AUTHORITY = {
    "name": "Sở Tư pháp Thành phố Hồ Chí Minh",
    "parent": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
    "address": "141-143 Pasteur, Phường Xuân Hòa, Thành phố Hồ Chí Minh",
    "place": "Thành phố Hồ Chí Minh",
}
PAPER = {
    "authority": AUTHORITY,
    "number": "125/2026/LLTP",
    "issued_on": datetime.date(2026, 3, 5),
    "signer_title": "Giám đốc",
    "signer_name": "Trần Văn Đức",
}


def pdf_text(pdf_bytes):
    """All the text of a PDF, NFC, as pypdf extracts it (tests only: pypdf is a dev dependency)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def fonts_drawing_text(pdf_bytes):
    """The /BaseFont of every font that draws visible text (reportlab also selects Helvetica once,
    for no text, when it opens a page)."""
    fonts = set()

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font is not None:
            fonts.add(str(font["/BaseFont"]))

    for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages:
        page.extract_text(visitor_text=visit)
    return fonts


def page_html(body, *, fonts=True, style=""):
    """A whole document with the vendored fonts and an A4 page, around `body`."""
    faces = '{% from "pdf/_fonts.html" import font_faces %}{{ font_faces(fonts_dir) }}' if fonts else ""
    source = (
        "<html><head><style>" + faces + "@page { size: a4 portrait; margin: 2cm; }"
        " body { font-family: LiberationSerif; font-size: 13pt; }" + style + "</style></head>"
        "<body>{{ body | safe }}</body></html>"
    )
    return render_template_string(source, fonts_dir=str(FONTS_DIR), body=body)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def test_fonts_dir_is_the_apps_static_fonts(app):
    assert Path(app.static_folder, "fonts").resolve() == FONTS_DIR
    for variant in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (FONTS_DIR / f"LiberationSerif-{variant}.ttf").is_file()
    assert (FONTS_DIR / "LICENSE-LiberationSerif.txt").is_file()


def test_decomposed_vietnamese_comes_out_nfc_in_liberation_serif(request_context):
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert decomposed != VIETNAMESE

    pdf = html_to_pdf(page_html(f"<p>{decomposed}</p><p><b>{decomposed}</b> <i>{decomposed}</i></p>"))

    assert VIETNAMESE in pdf_text(pdf)
    fonts = fonts_drawing_text(pdf)
    # Embedded subsets are named "ABCDEF+LiberationSerif-Bold": compare the part after the tag.
    assert {font.split("+", 1)[-1] for font in fonts} == {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    }


def test_the_page_is_a4_portrait(request_context):
    box = pypdf.PdfReader(io.BytesIO(html_to_pdf(page_html("<p>A4</p>")))).pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1)
    assert float(box.height) == pytest.approx(842, abs=1)


@pytest.fixture
def counting_server():
    """A local HTTP server that counts the requests it gets; yields (base URL, list of paths)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{base}/x.png">',
        '<link rel="stylesheet" href="{base}/x.css">',
        '<p style="background-image: url({base}/x.png)">x</p>',
    ],
)
def test_a_remote_resource_is_refused_and_never_fetched(request_context, counting_server, markup):
    base, hits = counting_server
    with pytest.raises(PdfResourceRefused) as refused:
        html_to_pdf(page_html(markup.format(base=base)))
    assert refused.value.uri.startswith(base)
    assert hits == []


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<img src="/etc/passwd">',
        '<img src="../../../../etc/passwd">',
        f'<img src="{FONTS_DIR}/../../pyproject.toml">',
    ],
)
def test_a_local_file_outside_the_fonts_is_refused(request_context, markup):
    with pytest.raises(PdfResourceRefused):
        html_to_pdf(page_html(markup))


def test_a_font_from_elsewhere_is_refused_not_swapped_for_helvetica(request_context):
    elsewhere = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"
    face = f"@font-face {{ font-family: Other; src: url('{elsewhere}'); }}"
    with pytest.raises(PdfResourceRefused):
        html_to_pdf(page_html("<p style='font-family: Other'>x</p>", style=face))


def test_a_font_family_that_is_not_embedded_is_an_error(request_context):
    with pytest.raises(PdfRenderError, match="not embedded"):
        html_to_pdf(page_html(f"<p style='font-family: LiberationSerf'>{VIETNAMESE}</p>"))


def test_the_policy_alone_refuses_what_bypasses_link_callback():
    with pytest.raises(ResourceAccessError):
        RESOURCE_POLICY.check_url("https://example.com/x.png")
    with pytest.raises(ResourceAccessError):
        RESOURCE_POLICY.check_path("/etc/passwd")
    RESOURCE_POLICY.check_path(FONTS_DIR / "LiberationSerif-Regular.ttf")


def test_an_inline_png_is_drawn(request_context):
    import segno

    pdf = html_to_pdf(page_html(f'<img src="{segno.make("LLTP", error="m").png_data_uri(scale=4)}">'))
    assert pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images


def test_render_pdf_lays_out_an_administrative_paper(request_context):
    text = pdf_text(render_pdf("pdf/base.html", **PAPER))

    for line in (
        "ỦY BAN NHÂN DÂN",
        "SỞ TƯ PHÁP",
        "Số: 125/2026/LLTP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thành phố Hồ Chí Minh, ngày 05 tháng 03 năm 2026",
        "GIÁM ĐỐC",
        "Trần Văn Đức",
    ):
        assert line in text


def test_a_paper_extends_the_base_with_its_title_and_body(request_context):
    source = (
        '{% extends "pdf/base.html" %}'
        "{% block title %}Phiếu lý lịch tư pháp số 1{% endblock %}"
        "{% block body %}<p>Họ và tên: <b>{{ name }}</b></p>{% endblock %}"
    )
    html = render_template_string(source, pdf_fonts_dir=str(FONTS_DIR), name="Đặng Thị Ỹ", **PAPER)
    pdf = html_to_pdf(html)

    text = pdf_text(pdf)
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1" in text
    assert "Họ và tên: Đặng Thị Ỹ" in text
    assert {font.split("+", 1)[-1] for font in fonts_drawing_text(pdf)} <= {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    }


def test_a_failure_inside_xhtml2pdf_raises_a_typed_error(request_context):
    # Past the policy's nesting limit (200) xhtml2pdf gives up on the document.
    with pytest.raises(PdfRenderError, match="xhtml2pdf failed"):
        html_to_pdf(page_html("<div>" * 300 + "x" + "</div>" * 300))


def test_renders_from_several_threads_at_once_stay_whole(app):
    def render(name, results):
        with app.test_request_context():
            results[name] = pdf_text(html_to_pdf(page_html(f"<p>{name} {VIETNAMESE}</p>")))

    results = {}
    threads = [threading.Thread(target=render, args=(f"HỒ SƠ {n}", results)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(f"{name} {VIETNAMESE}" in text for name, text in results.items())
    assert len(results) == 4
