"""The request letter (công văn) for a unit not yet on the system: numbered once, unique and increasing,
printed with the real renderer from the task's question only, and for the issuing authority's processing
officers only."""

import re

import pytest
import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.verification import services
from lltp.verification.models import TaskKind
from lltp.verification.pdf import render_letter
from tests.factories import create_case, create_unit, create_user
from tests.intake.test_papers import assert_says, pdf_text, squeezed

POLICE_NAME = "Phòng Hồ sơ Công an tỉnh Thử Nghiệm"
COURT_NAME = "Tòa án nhân dân huyện Thử Nghiệm"


@pytest.fixture
def processing_officer(db):
    return create_user(roles=(Role.PROCESSING_OFFICER,), full_name="Trần Thị Xử Lý")


@pytest.fixture
def police_task(db):
    """The police lookup that routing opens for a VNeID-era case."""
    create_unit(UnitKind.PROVINCIAL_POLICE, name=POLICE_NAME)
    (task,) = services.case_tasks(create_case(CaseStage.VERIFYING))
    return task


def court_task(officer):
    """A judgment question put by hand to a court: its question carries the name and birth date only."""
    court = create_unit(UnitKind.COURT, name=COURT_NAME)
    case = create_case(CaseStage.VERIFYING)
    return services.add_task(
        case,
        unit=court,
        kind=TaskKind.JUDGMENT_OUTCOME,
        reason="Hỏi kết quả chấp hành",
        actor=Actor(user=officer),
    )


def issued(task, officer):
    return services.issue_letter(task, actor=Actor(user=officer))


def test_issuing_a_letter_numbers_it_and_opens_the_pdf(client, login_as, processing_officer, police_task):
    login_as(processing_officer)
    response = client.post(f"/xac-minh/{police_task.id}/cong-van")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/xac-minh/{police_task.id}/cong-van.pdf")
    year = clock.today().year
    assert re.fullmatch(rf"\d{{5}}/{year}/CV-HCM", police_task.letter_number)


def test_the_letter_prints_its_number_the_addressee_and_the_question(
    client, login_as, processing_officer, police_task
):
    issued(police_task, processing_officer)
    login_as(processing_officer)
    response = client.get(f"/xac-minh/{police_task.id}/cong-van.pdf")
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert_says(
        response.data,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CÔNG AN THÀNH PHỐ HỒ CHÍ MINH",
        f"Số: {police_task.letter_number}",
        "V/v xác minh thông tin lý lịch tư pháp",
        f"Kính gửi: {POLICE_NAME}",
        "Tra cứu hồ sơ tại Công an",
        "Họ và tên: NGUYỄN VĂN AN",
        "Ngày sinh: 17/05/1990",
        "Giới tính: Nam",
        "Số định danh cá nhân/CCCD: 079090001234",
        f"trả lời bằng văn bản trước ngày {police_task.due_date:%d/%m/%Y}",
        f"ghi rõ số công văn này (số {police_task.letter_number})",
        "PHÓ GIÁM ĐỐC",
        "Trần Thị Xử Lý",
    )


def test_a_court_letter_carries_only_the_fields_of_its_question(processing_officer, db):
    task = issued(court_task(processing_officer), processing_officer)
    text = squeezed(pdf_text(render_letter(task)))
    assert squeezed("V/v xác minh kết quả thi hành bản án") in text
    assert squeezed("Họ và tên: NGUYỄN VĂN AN") in text
    assert "079090001234" not in text
    assert "0912345678" not in text
    assert squeezed("Giới tính") not in text


def test_letter_numbers_are_unique_and_increasing(processing_officer, db):
    create_unit(UnitKind.PROVINCIAL_POLICE)
    tasks = [services.case_tasks(create_case(CaseStage.VERIFYING))[0] for _ in range(3)]
    numbers = [issued(task, processing_officer).letter_number for task in tasks]
    serials = [int(number.split("/")[0]) for number in numbers]
    assert len(set(numbers)) == 3
    assert serials == sorted(serials)
    assert serials[2] - serials[0] == 2


def test_issuing_again_keeps_the_first_number(client, login_as, processing_officer, police_task):
    number = issued(police_task, processing_officer).letter_number
    login_as(processing_officer)
    assert client.post(f"/xac-minh/{police_task.id}/cong-van").status_code == 303
    assert police_task.letter_number == number


def test_a_finished_task_gets_no_letter(client, login_as, processing_officer, police_task):
    services.cancel_task(police_task, reason="Không còn cần", actor=Actor(user=processing_officer))
    login_as(processing_officer)
    assert client.post(f"/xac-minh/{police_task.id}/cong-van").status_code == 409
    assert police_task.letter_number is None


def test_a_task_without_a_letter_has_no_pdf(client, login_as, processing_officer, police_task):
    login_as(processing_officer)
    assert client.get(f"/xac-minh/{police_task.id}/cong-van.pdf").status_code == 404


def test_reading_the_letter_is_audited_as_a_read_of_the_task(
    client, login_as, processing_officer, police_task, db
):
    issued(police_task, processing_officer)
    login_as(processing_officer)
    client.get(f"/xac-minh/{police_task.id}/cong-van.pdf")
    reads = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "verification.letter_viewed", AuditEvent.object_id == str(police_task.id)
        )
    ).all()
    assert [(read.actor_id, read.case_id) for read in reads] == [(processing_officer.id, police_task.case_id)]


@pytest.mark.parametrize("whose", ["own-unit", "other-unit"])
@pytest.mark.parametrize("method", ["post", "get"])
def test_a_verifier_may_neither_issue_nor_read_a_letter(
    client, login_as, processing_officer, police_task, whose, method
):
    issued(police_task, processing_officer)
    unit = police_task.unit if whose == "own-unit" else create_unit(UnitKind.COMMUNE_COMMITTEE)
    login_as(create_user(roles=(Role.VERIFIER, Role.UNIT_SUPERVISOR), unit=unit))
    path = f"/xac-minh/{police_task.id}/cong-van" + (".pdf" if method == "get" else "")
    response = getattr(client, method)(path)
    assert response.status_code == 403
    assert b"NGUY" not in response.data
