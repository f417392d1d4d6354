"""The certificate PDF: what two text extractors (pypdf and Poppler's pdftotext) find in a Phiếu số 1 and
a Phiếu số 2 for a person with two convictions, one of them expunged (acceptance 1), and its paper copies
and QR code."""

import io
import shutil
import subprocess
import unicodedata
import uuid

import pypdf
import pytest
import segno

from lltp.cases import services as case_services
from lltp.core import clock
from lltp.extensions import db
from lltp.issuance.codes import check_code
from lltp.issuance.content import TEMPLATE_VERSION, compose
from lltp.issuance.models import Certificate
from lltp.issuance.pdf import check_url, render_certificate
from lltp.records import casework
from tests.conftest import need_server
from tests.intake.helpers import cccd_number, date_of_birth
from tests.intake.test_case_panels import intake_case
from tests.records.factories import create_ban, create_event, create_judgment, create_person
from tests.verification.helpers import processing_actor

NAME = "NGUYỄN THỊ NGỌC ÁNH"
SIGNER_NAME = "Trần Quốc Hưng"
SIGNER_TITLE = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
CURRENT_OFFENCE = "Trộm cắp tài sản (Điều 173 khoản 1 BLHS 2015)"
EXPUNGED_OFFENCE = "Cố ý gây thương tích (Điều 134 khoản 1 BLHS 2015)"
EXPUNGED_ON = "02/03/2015"
NO_BAN = "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã."


def expunged_judgment(person):
    """A six-month prison sentence of 2012, served and paid in 2013: expunged on 02/03/2015."""
    judgment = create_judgment(
        person,
        number="15/2012/HS-ST",
        pronounced_on="2012-03-01",
        effective_on="2012-04-01",
        principal_penalty__months=6,
        offences=[
            {
                "name": "Cố ý gây thương tích",
                "code": "BLHS2015",
                "article": "134",
                "clause": "1",
                "chapter": "XIV",
                "severity": "less_serious",
                "intent": "intentional",
                "committed_on": "2011-10-01",
            }
        ],
    )
    create_event(judgment, "principal_completed", "2013-03-01")
    create_event(judgment, "court_fee_paid", "2013-03-01")
    return judgment


def matched_case(certificate_type=1, *, include_ban_section=False, with_ban=False):
    """A case under review, matched to a person with a conviction in force (2019) and an expunged one."""
    case = intake_case(
        certificate_type=certificate_type,
        include_ban_section=include_ban_section,
        applicant__full_name=NAME,
        applicant__sex="female",
        applicant__id_document__number=cccd_number("female", date_of_birth()),
    )
    actor = processing_actor()
    case_services.transition(case, "start_review", actor=actor)
    person = create_person(full_name=NAME, date_of_birth=case.applicant_date_of_birth.isoformat())
    expunged_judgment(person)
    create_judgment(person, number="88/2019/HS-ST")
    if with_ban:
        create_ban(person, starts_on="2024-06-01", ends_on="2029-06-01", decided_on="2024-05-20")
    casework.pick_person(case, person, actor=actor)
    return case


def issued_certificate(case, content=None, *, copies=2):
    """A certificate row for `case`, as the approval stores it, with the snapshot composed today."""
    serial = uuid.uuid4().int % 1_000_000
    number = f"HCM/{clock.today().year}/{serial:06d}"
    certificate = Certificate(
        case_id=case.id,
        number=number,
        authority_code="HCM",
        year=clock.today().year,
        serial=serial,
        certificate_type=case.certificate_type,
        content=content or compose(case),
        template_version=TEMPLATE_VERSION,
        issued_on=clock.today(),
        signer_name=SIGNER_NAME,
        signer_title=SIGNER_TITLE,
        copies=copies,
        check_code=check_code(number),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def pypdf_text(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdftotext(data):
    if shutil.which("pdftotext") is None:
        need_server("pdftotext (Debian package poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


EXTRACTORS = {"pypdf": pypdf_text, "pdftotext": pdftotext}


def squeezed(text):
    """Without whitespace: an extractor may split a line, or a word, where the layout wraps it."""
    return "".join(text.split())


@pytest.fixture(params=EXTRACTORS, ids=EXTRACTORS)
def extract(request):
    """Each extractor in turn; the text as it gives it, not normalised (NFC is part of what is tested)."""
    return lambda data: squeezed(EXTRACTORS[request.param](data))


def assert_says(text, *phrases):
    for phrase in phrases:
        assert squeezed(phrase) in text, phrase


def test_phieu_1_prints_the_form_items_and_only_the_conviction_in_force(db, extract):
    case = matched_case(1)
    certificate = issued_certificate(case)
    text = extract(render_certificate(certificate))
    assert_says(
        text,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CÔNG AN THÀNH PHỐ HỒ CHÍ MINH",
        f"Số: {certificate.number}",
        f"ngày {clock.today():%d} tháng {clock.today():%m} năm {clock.today().year}",
        "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
        "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009",
        f"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp ngày {clock.local_date(case.received_at):%d/%m/%Y}",
        f"1. Họ và tên: {NAME}",
        "3. Giới tính: Nữ",
        f"4. Ngày, tháng, năm sinh: {case.applicant_date_of_birth:%d/%m/%Y}",
        "5. Nơi sinh: Thị trấn Tân Phú, huyện Tân Phú, tỉnh Đồng Nai",
        "6. Quốc tịch: Việt Nam",
        "7. Nơi cư trú: Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
        f"8. Số định danh cá nhân/CCCD/Hộ chiếu: {case.applicant_id_number}",
        "Tình trạng án tích: Có án tích",
        f"Tội danh: {CURRENT_OFFENCE}",
        "Hình phạt chính: 02 năm tù",
        "Hình phạt bổ sung: Không",
        "PHÓ GIÁM ĐỐC",
        SIGNER_NAME,
    )
    assert squeezed(EXPUNGED_OFFENCE) not in text
    assert "88/2019/HS-ST" not in text  # Phiếu số 1 does not name the judgment
    assert "Họvàtêncha" not in text


def test_phieu_2_prints_both_convictions_in_full_with_the_expungement_date(db, extract):
    certificate = issued_certificate(matched_case(2))
    text = extract(render_certificate(certificate))
    assert_says(
        text,
        "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2",
        "9. Họ và tên cha: NGUYỄN VĂN BÌNH",
        "10. Họ và tên mẹ: TRẦN THỊ CÚC",
        "11. Họ và tên vợ/chồng:",
        "Tình trạng án tích: Có án tích",
        "Bản án số 15/2012/HS-ST ngày 01/03/2012 của Tòa án nhân dân Quận 1, TP Hồ Chí Minh",
        f"Tội danh: {EXPUNGED_OFFENCE}",
        "Hình phạt chính: 06 tháng tù",
        f"Đã được xóa án tích ngày {EXPUNGED_ON}",
        "Bản án số 88/2019/HS-ST ngày 12/03/2019",
        f"Tội danh: {CURRENT_OFFENCE}",
        "Án phí: ",
        "Nghĩa vụ dân sự: Không",
        "Tình trạng thi hành án:",
    )
    assert text.index("15/2012/HS-ST") < text.index("88/2019/HS-ST")


def test_a_name_given_decomposed_prints_as_the_composed_letters(db, extract):
    case = matched_case(1)
    content = compose(case)
    content["person"]["full_name"] = unicodedata.normalize("NFD", NAME)
    text = extract(render_certificate(issued_certificate(case, content)))
    assert squeezed(f"Họ và tên: {NAME}") in text
    assert squeezed(unicodedata.normalize("NFD", NAME)) not in text


def test_the_ban_section_prints_on_phieu_1_only_when_asked(db, extract):
    without = extract(render_certificate(issued_certificate(matched_case(1, with_ban=True))))
    asked = extract(render_certificate(issued_certificate(matched_case(1, include_ban_section=True))))
    assert "cấmđảmnhiệm" not in without
    assert_says(
        asked, "Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã:", NO_BAN
    )


def test_phieu_2_always_prints_the_ban_section_with_each_ban_in_force(db, extract):
    text = extract(render_certificate(issued_certificate(matched_case(2, with_ban=True))))
    assert_says(
        text,
        "Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã:",
        "Giám đốc doanh nghiệp: từ ngày 01/06/2024 đến ngày 01/06/2029",
        "Quyết định số 12/2022/QĐ-PS ngày 20/05/2024 của Tòa án nhân dân TP Hồ Chí Minh",
    )
    assert squeezed(NO_BAN) not in text


def test_each_paper_copy_is_numbered_and_the_electronic_one_is_not(db):
    certificate = issued_certificate(matched_case(1), copies=3)
    assert "Bản số" not in pypdf_text(render_certificate(certificate))
    assert_says(squeezed(pypdf_text(render_certificate(certificate, copy_number=2))), "Bản số 2/3")


def test_printing_again_from_the_snapshot_gives_the_same_text(db):
    certificate = issued_certificate(matched_case(2))
    assert pypdf_text(render_certificate(certificate)) == pypdf_text(render_certificate(certificate))


def test_the_qr_code_leads_to_the_public_check_with_the_number_and_its_code(db, app):
    certificate = issued_certificate(matched_case(1))
    url = check_url(certificate)
    assert url == (
        f"{app.config['LLTP_PUBLIC_BASE_URL']}/kiem-tra?so={certificate.number.replace('/', '%2F')}"
        f"&ma={certificate.check_code}"
    )
    reader = pypdf.PdfReader(io.BytesIO(render_certificate(certificate)))
    (image,) = reader.pages[0].images
    assert image.image.size[0] >= segno.make(url, error="m").symbol_size(scale=3, border=2)[0]
    assert_says(squeezed(pypdf_text(render_certificate(certificate))), f"Kiểm tra phiếu tại: {url}")
