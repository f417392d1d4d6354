"""The one-stop papers as PDFs: what a PDF reader finds in them, on A4, in Liberation Serif, the same every
time they are printed."""

import io
import unicodedata
from datetime import date, timedelta

import pypdf
import pytest

from lltp.accounts.models import Role
from lltp.cases import services as case_services
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.core.calendar import working_calendar
from lltp.core.uploads import check_upload
from lltp.intake import services
from lltp.intake.models import AttachmentKind, PaperKind, PaymentMethod
from lltp.intake.pdf import place_of, render_paper
from lltp.intake.validation import validate_request
from tests.factories import create_user, officer
from tests.intake.helpers import cccd_number, valid_document

NAME = "NGUYỄN THỊ NGỌC ÁNH"
TYPED_NAME = "nguyễn thị ngọc ánh"
LIBERATION_SERIF = {
    "LiberationSerif",
    "LiberationSerif-Bold",
    "LiberationSerif-Italic",
    "LiberationSerif-BoldItalic",
}


def pdf_text(data):
    """All the text pypdf extracts from a PDF, NFC-normalised (pypdf may hand back decomposed marks)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def squeezed(text):
    """Without whitespace: pypdf may split a word, or join two, where the layout puts a gap."""
    return "".join(text.split())


def assert_says(data, *phrases):
    text = squeezed(pdf_text(data))
    for phrase in phrases:
        assert squeezed(phrase) in text, phrase


def font_name(base_font):
    """Subsets are named "ABCDEF+LiberationSerif-Bold": the part after the tag."""
    return str(base_font).split("+", 1)[-1]


def fonts_drawing_text(page):
    fonts = set()

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font is not None:
            fonts.add(font_name(font["/BaseFont"]))

    page.extract_text(visitor_text=visit)
    return fonts


def embedded_fonts(page):
    """The fonts whose TrueType program is in the file."""
    fonts = (ref.get_object() for ref in page["/Resources"]["/Font"].values())
    return {
        font_name(font["/BaseFont"])
        for font in fonts
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    }


def day_text(day):
    return f"{day:%d/%m/%Y}"


@pytest.fixture
def actor(db):
    return Actor(user=officer(), ip="127.0.0.1")


def receive(actor, *, full_name=TYPED_NAME, at=None, channel="counter", **overrides):
    """A case received on `channel` (paid in cash at the counter), for a woman named `full_name`."""
    document = valid_document(applicant__full_name=full_name, applicant__sex="female", **overrides)
    born = date.fromisoformat(document["applicant"]["date_of_birth"])
    document["applicant"]["id_document"]["number"] = cccd_number("female", born)
    at = at or clock.now()
    request = validate_request(document, channel=channel, today=clock.local_date(at))
    fee = services.quote_fee(request, channel=channel, day=clock.local_date(at))
    payment = (
        services.PaymentInput(PaymentMethod.CASH, fee.amount, receipt_number="0001234")
        if fee.amount
        else None
    )
    return services.receive_request(request, channel=channel, actor=actor, at=at, payment=payment)


def receipt(actor):
    case = receive(actor)
    return services.latest_paper(case, PaperKind.RECEIPT), case


def paper_after(actor, action, kind, *, note, data=None):
    """The paper of `kind` that taking `action` on a newly received case issues."""
    case = receive(actor)
    case_services.transition(case, action, actor=actor, note=note, data=data)
    return services.latest_paper(case, kind), case


def completion_request(actor):
    return paper_after(
        actor,
        "request_completion",
        PaperKind.COMPLETION_REQUEST,
        note="Tờ khai chưa kê khai đủ quá trình cư trú.",
        data={"missing": ["Quá trình cư trú từ năm 2005 đến năm 2008", "Bản chụp mặt sau thẻ Căn cước"]},
    )


def refusal(actor, ground="other"):
    return paper_after(
        actor,
        "refuse",
        PaperKind.REFUSAL,
        note="Người nộp hồ sơ không phải người được cấp Phiếu và không có ủy quyền.",
        data={"ground": ground},
    )


def apology(actor):
    """An apology issued the way the case page issues it: for a case at risk, before its deadline."""
    case = at_risk_case(actor)
    new_date = working_calendar().add_working_days(case.due_date, 2)
    paper = services.issue_apology(
        case, new_date=new_date, reason="chưa nhận được kết quả xác minh của Công an xã", actor=actor
    )
    return paper, case


def at_risk_case(actor):
    """A case received long enough ago that it is at risk today, yet still in time for an apology."""
    for days_ago in range(1, 31):
        case = receive(actor, at=clock.now() - timedelta(days=days_ago))
        if services.apology_problem(case) is None:
            return case
    pytest.fail("no receipt date in the last 30 days puts a case at risk today")


PAPERS = {
    "receipt": receipt,
    "completion_request": completion_request,
    "refusal": refusal,
    "apology": apology,
}


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_receipt_shows_the_name_as_stored_the_case_code_and_the_appointment_date(actor, form):
    typed = unicodedata.normalize(form, TYPED_NAME)
    case = receive(actor, full_name=typed)
    assert case.applicant_full_name == NAME

    data = render_paper(services.latest_paper(case, PaperKind.RECEIPT), case)

    text = pdf_text(data)
    assert NAME in text or squeezed(NAME) in squeezed(text)
    assert unicodedata.normalize("NFD", NAME) not in text
    assert_says(data, f"Mã hồ sơ: {case.code}", day_text(case.due_date))


def test_receipt_of_an_urgent_request_gives_the_hour_of_the_appointment(actor):
    case = receive(
        actor,
        channel="agency",
        certificate_type=2,
        agency={
            "name": "Cơ quan Cảnh sát điều tra Công an Thành phố Hồ Chí Minh",
            "letter_number": "125/CSĐT",
            "letter_date": clock.today().isoformat(),
            "is_urgent": True,
            "notified_by": "paper",
        },
    )
    assert case.due_at is not None

    data = render_paper(services.latest_paper(case, PaperKind.RECEIPT), case)

    due = clock.to_local(case.due_at)
    assert_says(data, f"{due:%H} giờ {due:%M} ngày {due:%d/%m/%Y}")


def test_receipt_lists_the_documents_copies_fee_payment_and_delivery(actor, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_UPLOAD_DIR", str(tmp_path))
    address = "Số 5 đường Nguyễn Huệ, phường Sài Gòn, Thành phố Hồ Chí Minh"
    case = receive(actor, copies=3, delivery={"method": "post", "postal_address": address})
    scan = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(scan)
    check = check_upload(scan.getvalue(), "cccd.pdf", max_bytes=app.config["LLTP_UPLOAD_MAX_BYTES"])
    # Attached in the same visit, just after the receipt was issued: it is still on the receipt.
    services.add_attachment(
        scan.getvalue(), check, filename="cccd.pdf", kind=AttachmentKind.ID_DOCUMENT, actor=actor, case=case
    )

    data = render_paper(services.latest_paper(case, PaperKind.RECEIPT), case)

    fee = f"{case.declaration.fee_amount:,}".replace(",", ".") + " đồng"
    assert_says(
        data,
        "Cấp Phiếu lý lịch tư pháp số 1",
        "1) Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp.",
        "2) Giấy tờ tùy thân.",
        "03 bản",
        f"Lệ phí: {fee}; đã nộp {fee} (Tiền mặt tại quầy, biên lai số 0001234)",
        f"Nhận bản giấy qua bưu chính, địa chỉ: {address}",
    )


def test_receipt_is_signed_by_the_receiving_officer(db):
    user = create_user(roles=(Role.INTAKE_OFFICER,), full_name="Lê Thị Hồng Nhung")
    paper, case = receipt(Actor(user=user, ip="127.0.0.1"))

    assert_says(render_paper(paper, case), "CÁN BỘ TIẾP NHẬN", "Lê Thị Hồng Nhung")


def test_a_new_receipt_after_the_appointment_moves_shows_the_new_date_and_the_old_one_its_own(actor):
    received_at = clock.now() - timedelta(days=7)
    case = receive(actor, at=received_at)
    case_services.transition(
        case, "request_completion", actor=actor, note="Thiếu bản chụp thẻ Căn cước.", at=received_at
    )
    first = services.latest_paper(case, PaperKind.RECEIPT)
    first_date = date.fromisoformat(first.content["appointment_date"])
    case_services.transition(case, "complete_dossier", actor=actor)
    second = services.latest_paper(case, PaperKind.RECEIPT)
    assert second.id != first.id and case.due_date != first_date

    assert_says(render_paper(second, case), day_text(case.due_date))
    old = squeezed(pdf_text(render_paper(first, case)))
    assert day_text(first_date) in old
    assert day_text(case.due_date) not in old


def test_completion_request_lists_what_is_missing_and_why(actor):
    paper, case = completion_request(actor)

    assert_says(
        render_paper(paper, case),
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "1) Quá trình cư trú từ năm 2005 đến năm 2008",
        "2) Bản chụp mặt sau thẻ Căn cước",
        "Lý do: Tờ khai chưa kê khai đủ quá trình cư trú.",
    )


def test_a_refusal_on_a_ground_of_the_law_cites_the_law_and_the_ground(actor):
    paper, case = refusal(actor, ground="wrong_requester")

    assert_says(
        render_paper(paper, case),
        "Căn cứ Điều 49 Luật Lý lịch tư pháp năm 2009: Người yêu cầu cấp Phiếu lý lịch tư pháp số 2 "
        "không phải là người được cấp Phiếu.",
        "Người nộp hồ sơ không phải người được cấp Phiếu và không có ủy quyền.",
    )


def test_a_refusal_for_another_reason_states_the_reason_only(actor):
    paper, case = refusal(actor, ground="other")

    assert "Điều 49" not in pdf_text(render_paper(paper, case))


def test_refusal_states_the_reason_signed_in_the_authoritys_name(actor, app):
    paper, case = refusal(actor)

    data = render_paper(paper, case)

    assert_says(
        data,
        "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
        "Người nộp hồ sơ không phải người được cấp Phiếu và không có ủy quyền.",
    )
    # The configured title "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" prints as two lines.
    lines = [squeezed(line) for line in pdf_text(data).splitlines()]
    for title_line in app.config["LLTP_AUTHORITY_SIGNER_TITLE"].upper().splitlines():
        assert squeezed(title_line) in lines


def test_apology_shows_the_previous_and_the_new_appointment_date(actor, app):
    paper, case = apology(actor)
    new_date = date.fromisoformat(paper.content["new_date"])

    assert_says(
        render_paper(paper, case),
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        f"Thời gian hẹn trả kết quả: ngày {day_text(case.due_date)}",
        f"{app.config['LLTP_AUTHORITY_NAME']} xin lỗi Ông/Bà vì chưa nhận được kết quả xác minh"
        f" của Công an xã và hẹn lại ngày trả kết quả là ngày {day_text(new_date)}",
    )


@pytest.mark.parametrize("kind", PAPERS)
def test_each_paper_is_one_a4_page_in_embedded_liberation_serif_only(actor, kind):
    paper, case = PAPERS[kind](actor)

    reader = pypdf.PdfReader(io.BytesIO(render_paper(paper, case)))

    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(595, abs=1)
    assert float(page.mediabox.height) == pytest.approx(842, abs=1)
    # reportlab also names Helvetica once, unembedded, for no text, when it opens a page.
    assert fonts_drawing_text(page) <= LIBERATION_SERIF
    assert embedded_fonts(page) == fonts_drawing_text(page)


@pytest.mark.parametrize("kind", PAPERS)
def test_printing_a_paper_again_gives_the_same_text(actor, kind):
    paper, case = PAPERS[kind](actor)

    assert pdf_text(render_paper(paper, case)) == pdf_text(render_paper(paper, case))


def test_the_date_line_names_the_last_part_of_the_authoritys_address(actor, app, monkeypatch):
    monkeypatch.setitem(
        app.config, "LLTP_AUTHORITY_ADDRESS", "Số 2 đường Nguyễn Văn Trị, phường Trấn Biên, tỉnh Đồng Nai"
    )
    paper, case = receipt(actor)
    issued_on = clock.local_date(paper.issued_at)

    assert place_of(app.config["LLTP_AUTHORITY_ADDRESS"]) == "tỉnh Đồng Nai"
    assert_says(
        render_paper(paper, case),
        f"tỉnh Đồng Nai, ngày {issued_on:%d} tháng {issued_on:%m} năm {issued_on:%Y}",
    )
