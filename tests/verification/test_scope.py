"""Acceptance 2 of issue 5, on two communes: a verifier of one commune cannot see, claim or answer the
other commune's task, nor download its attachment, through a page, an htmx fragment or the API; and a
court's verifier never sees a Phiếu số 2's content or any field outside the court's question."""

import pytest

from lltp.accounts import services as account_services
from lltp.accounts.models import Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor
from lltp.verification import services
from lltp.verification.models import TaskKind, TaskStatus
from tests.core.test_uploads import pdf_bytes
from tests.factories import SYSTEM, create_case, create_unit, create_user
from tests.intake.test_case_panels import intake_case
from tests.records.factories import create_event, create_judgment
from tests.verification.helpers import COURT, applicant_person, processing_actor, send_for_verification

SECRET_NAME = "ĐINH THỊ RIÊNG TƯ"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def communes(db):
    return {
        "mine": create_unit(UnitKind.COMMUNE_COMMITTEE, name="Ủy ban nhân dân phường Tân Định"),
        "theirs": create_unit(UnitKind.COMMUNE_COMMITTEE, name="Ủy ban nhân dân phường Đa Kao"),
    }


@pytest.fixture
def their_task(communes):
    """The other commune's task about a case, with an attachment it uploaded."""
    case = create_case(CaseStage.VERIFYING, applicant_full_name=SECRET_NAME)
    task = services.add_task(
        case,
        unit=communes["theirs"],
        kind=TaskKind.EXPUNGEMENT_CONDITIONS,
        reason="Xác nhận nơi cư trú",
        actor=processing_actor(),
    )
    uploader = Actor(user=create_user(roles=(Role.VERIFIER,), unit=communes["theirs"]))
    attachment = services.attach_file(task, pdf_bytes(), "xac-nhan.pdf", actor=uploader)
    return task, attachment


@pytest.fixture
def my_verifier(login_as, communes):
    user = create_user(roles=(Role.VERIFIER,), unit=communes["mine"])
    login_as(user)
    return user


ROUTES = [
    ("see the task page", "GET", "/xac-minh/{task}"),
    ("see the task's row", "GET", "/xac-minh/{task}/dong"),
    ("open the answer form", "GET", "/xac-minh/{task}/tra-loi"),
    ("claim", "POST", "/xac-minh/{task}/nhan"),
    ("answer", "POST", "/xac-minh/{task}/tra-loi"),
    ("download the attachment", "GET", "/xac-minh/{task}/tep/{attachment}"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("what", "method", "path"), ROUTES, ids=[route[0] for route in ROUTES])
def test_a_commune_verifier_cannot_reach_another_communes_task(
    client, my_verifier, their_task, what, method, path, htmx
):
    task, attachment = their_task
    response = client.open(
        path.format(task=task.id, attachment=attachment.id),
        method=method,
        headers=HTMX if htmx else {},
        data={"outcome": "nothing_found", "note": "Không có"} if method == "POST" else None,
    )
    assert response.status_code in (403, 404), what
    body = response.get_data()
    assert SECRET_NAME.encode() not in body and pdf_bytes()[:64] not in body
    assert (task.status, task.claimed_by_id, task.answered_at) == (TaskStatus.OPEN, None, None)


def test_a_commune_verifiers_board_leaves_the_other_communes_task_out(client, my_verifier, their_task):
    for headers in ({}, HTMX, {**HTMX, "X-LLTP-Poll": "1"}):
        assert SECRET_NAME not in client.get("/xac-minh", headers=headers).get_data(as_text=True)


def test_a_bulk_claim_with_another_communes_task_claims_nothing(client, my_verifier, their_task):
    task, _ = their_task
    client.post("/xac-minh/nhan-nhieu", data={"task_id": [task.id]})
    assert (task.status, task.claimed_by_id) == (TaskStatus.OPEN, None)


@pytest.fixture
def my_communes_system(client, communes):
    created = account_services.create_api_client(
        "ubnd-tan-dinh", kind="verifying_agency", unit=communes["mine"], actor=SYSTEM
    )
    return {"Authorization": f"Bearer {created.token}"}


def test_the_api_does_not_show_another_communes_task(client, my_communes_system, their_task):
    task, _ = their_task
    listed = client.get("/api/v1/verification-tasks", headers=my_communes_system).get_json()
    assert listed["tasks"] == []
    response = client.get(f"/api/v1/verification-tasks/{task.id}", headers=my_communes_system)
    assert response.status_code == 404 and SECRET_NAME not in response.get_data(as_text=True)


def test_the_api_does_not_answer_another_communes_task(client, my_communes_system, their_task):
    task, _ = their_task
    response = client.post(
        f"/api/v1/verification-tasks/{task.id}/answer",
        json={"outcome": "nothing_found"},
        headers=my_communes_system,
    )
    assert response.status_code == 404 and task.status is TaskStatus.OPEN


# --- a court's view of a Phiếu số 2 case ------------------------------------------------------------------

OFFENCE = "Lừa đảo chiếm đoạt tài sản"


@pytest.fixture
def court_task(db):
    """A Phiếu số 2 case whose applicant has a sentence not known to be served: its court is asked."""
    court = create_unit(UnitKind.COURT, name=COURT)
    create_unit(UnitKind.PROVINCIAL_POLICE)
    case = intake_case(certificate_type=2, purpose="Bổ sung hồ sơ đi định cư")
    person = applicant_person(case, father_name="NGUYỄN VĂN BÌNH")
    judgment = create_judgment(
        person,
        offences=[
            {
                "name": OFFENCE,
                "code": "BLHS2015",
                "article": "174",
                "clause": "1",
                "chapter": "XVI",
                "severity": "less_serious",
                "intent": "intentional",
                "committed_on": "2018-11-02",
            }
        ],
    )
    create_event(judgment, "court_fee_paid", "2019-05-01")
    send_for_verification(case, person)
    (task,) = [t for t in services.case_tasks(case) if t.unit_id == court.id]
    return case, task, judgment


@pytest.fixture
def court_verifier(login_as, court_task):
    _case, task, _judgment = court_task
    login_as(create_user(roles=(Role.VERIFIER,), unit=task.unit))


@pytest.mark.parametrize(
    "path", ["/xac-minh", "/xac-minh/{task}", "/xac-minh/{task}/dong", "/xac-minh/{task}/tra-loi"]
)
def test_a_court_verifier_sees_only_its_question_never_the_phieu_so_2(
    client, court_verifier, court_task, path
):
    case, task, judgment = court_task
    fragment = path.endswith(("/dong", "/tra-loi"))
    response = client.get(path.format(task=task.id), headers=HTMX if fragment else {})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if path == "/xac-minh/{task}":
        assert judgment.number in page  # the question: which judgment
    declaration = case.declaration
    for outside in (
        "Phiếu số 2",
        "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2",
        case.purpose,
        OFFENCE,  # the record's content
        case.applicant_id_number,  # not in a court's question
        declaration.place_of_birth,
        declaration.permanent_address,
        "NGUYỄN VĂN BÌNH",
        case.applicant_phone,
        case.applicant_email,
    ):
        assert outside not in page, outside


def test_a_court_task_carries_only_the_courts_fields(court_task):
    _case, task, _judgment = court_task
    assert set(task.question) == {"person", "judgments", "asked"}
    assert set(task.question["person"]) == {"full_name", "date_of_birth"}
    assert set(task.question["judgments"][0]) == {"id", "number", "pronounced_on", "court"}
