"""/api/v1/verification-tasks: a verifying agency's own system, bound to its unit, lists and reads the
questions put to that unit and answers them. Another unit's task is a 404 (never revealed), every read is
audited, errors are problem+json naming each field by its path, and the answers are pinned."""

import pytest
import sqlalchemy as sa
from syrupy.extensions.json import JSONSnapshotExtension

from lltp.accounts import services as account_services
from lltp.accounts.models import ApiClient, Role, UnitKind
from lltp.cases.models import CaseStage
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import ValidationFailed
from lltp.integrations.api.verification import PAGE_SIZE
from lltp.verification import services
from lltp.verification.models import TaskKind, TaskStatus
from tests.factories import SYSTEM, create_case, create_unit, create_user
from tests.integrations.conftest import Api
from tests.integrations.test_auth_and_errors import assert_problem
from tests.integrations.test_openapi import check

TASKS = "/api/v1/verification-tasks"
# What changes from one run to the next (ids, today's dates): replaced before comparing with a snapshot.
VOLATILE = {"id", "due_date", "asked_at", "answered_at"}


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture
def officer(db):
    return Actor(user=create_user(roles=(Role.PROCESSING_OFFICER,)))


@pytest.fixture
def units(db):
    return {
        "police": create_unit(UnitKind.PROVINCIAL_POLICE, name="Phòng Hồ sơ nghiệp vụ Công an"),
        "ben_thanh": create_unit(UnitKind.COMMUNE_COMMITTEE, name="UBND phường Bến Thành"),
        "tan_dinh": create_unit(UnitKind.COMMUNE_COMMITTEE, name="UBND phường Tân Định"),
    }


def ask(case, unit, officer):
    """A commune is asked to confirm the conditions of automatic expungement."""
    return services.add_task(
        case, unit=unit, kind=TaskKind.EXPUNGEMENT_CONDITIONS, reason="Xác nhận nơi cư trú", actor=officer
    )


@pytest.fixture
def case(units):
    """A case sent for verification: routing asks the police."""
    return create_case(CaseStage.VERIFYING)


@pytest.fixture
def tasks(case, units, officer):
    (police,) = services.case_tasks(case)
    return {
        "police": police,
        "ben_thanh": ask(case, units["ben_thanh"], officer),
        "tan_dinh": ask(case, units["tan_dinh"], officer),
    }


@pytest.fixture
def agency(client, units, db):
    """Bến Thành's own system."""
    created = account_services.create_api_client(
        "ubnd-ben-thanh", kind="verifying_agency", unit=units["ben_thanh"], actor=SYSTEM
    )
    db.session.flush()
    return Api(client, created)


def get(api, path="", **query):
    return api.http.get(TASKS + path, query_string=query, headers=api.headers())


def post_answer(api, task, body):
    return api.http.post(f"{TASKS}/{task.id}/answer", json=body, headers=api.headers())


def steady(value):
    """`value` with what changes between runs replaced by a marker, for a snapshot."""
    if isinstance(value, dict):
        return {k: f"<{k}>" if k in VOLATILE and v is not None else steady(v) for k, v in value.items()}
    if isinstance(value, list):
        return [steady(item) for item in value]
    return value


def test_the_list_has_the_units_unresolved_tasks_only(agency, tasks):
    answer = get(agency).get_json()
    assert [task["id"] for task in answer["tasks"]] == [tasks["ben_thanh"].id]
    assert answer["next"] is None


def test_the_list_is_pinned(agency, tasks, snapshot_json):
    assert steady(get(agency).get_json()) == snapshot_json


def test_the_list_leaves_out_resolved_tasks(agency, tasks, officer):
    services.cancel_task(tasks["ben_thanh"], reason="Không còn cần", actor=officer)
    assert get(agency).get_json()["tasks"] == []


def test_the_list_comes_a_page_at_a_time(agency, case, units, officer, tasks):
    extra = [ask(case, units["ben_thanh"], officer) for _ in range(PAGE_SIZE)]
    first = get(agency).get_json()
    assert len(first["tasks"]) == PAGE_SIZE
    assert first["next"] == f"{TASKS}?after={extra[-2].id}"
    second = agency.http.get(first["next"], headers=agency.headers()).get_json()
    assert ([task["id"] for task in second["tasks"]], second["next"]) == ([extra[-1].id], None)


def test_a_bad_page_cursor_is_a_422_naming_it(agency):
    problem = assert_problem(get(agency, after="abc"), 422)
    assert [error["field"] for error in problem["errors"]] == ["after"]


def test_a_task_shows_its_question_only(agency, tasks, snapshot_json):
    answer = get(agency, f"/{tasks['ben_thanh'].id}").get_json()
    assert set(answer["question"]["person"]) == {"full_name", "date_of_birth", "id_number", "residence"}
    assert steady(answer) == snapshot_json


@pytest.mark.parametrize("whose", ["tan_dinh", "police"])
def test_another_units_task_is_not_found(agency, tasks, whose):
    problem = assert_problem(get(agency, f"/{tasks[whose].id}"), 404)
    assert (
        problem["detail"] == "Không tìm thấy yêu cầu xác minh này trong các yêu cầu gửi đơn vị của hệ thống."
    )


@pytest.mark.parametrize("whose", ["tan_dinh", "police"])
def test_answering_another_units_task_is_not_found_and_changes_nothing(agency, tasks, db, whose):
    assert_problem(post_answer(agency, tasks[whose], {"outcome": "nothing_found"}), 404)
    db.session.refresh(tasks[whose])
    assert (tasks[whose].status, tasks[whose].answered_at) == (TaskStatus.OPEN, None)


def test_an_unknown_task_is_a_404(agency, tasks):
    assert_problem(get(agency, "/999999"), 404)
    assert_problem(agency.http.post(f"{TASKS}/999999/answer", json={}, headers=agency.headers()), 404)


def test_an_answer_is_recorded_with_the_system_as_its_author(agency, tasks, db, snapshot_json):
    task = tasks["ben_thanh"]
    response = post_answer(
        agency, task, {"outcome": "found", "note": "Có tạm trú tại địa phương từ 2019", "details": {}}
    )
    assert response.status_code == 200
    assert steady(response.get_json()) == snapshot_json
    db.session.refresh(task)
    assert (task.status, task.answered_by_id, task.answer_note) == (
        TaskStatus.ANSWERED,
        None,
        "Có tạm trú tại địa phương từ 2019",
    )
    assert task.events[-1].actor_label == "api:ubnd-ben-thanh"


def test_the_last_answer_moves_the_case_on_to_drafting(agency, tasks, officer, db):
    services.cancel_task(tasks["tan_dinh"], reason="Không cần", actor=officer)
    verifier = create_user(roles=(Role.VERIFIER,), unit=tasks["police"].unit)
    services.answer_task(tasks["police"], outcome="nothing_found", actor=Actor(user=verifier))
    post_answer(agency, tasks["ben_thanh"], {"outcome": "nothing_found"})
    case = tasks["ben_thanh"].case
    db.session.refresh(case)
    assert case.stage is CaseStage.DRAFTING


def test_bad_fields_are_one_422_naming_each_by_its_path(agency, tasks, snapshot_json):
    problem = assert_problem(
        post_answer(agency, tasks["ben_thanh"], {"outcome": "maybe", "note": 5, "details": []}), 422
    )
    assert problem == snapshot_json


def test_a_bad_document_names_its_fields_under_details(agency, tasks, db):
    task = tasks["police"]
    police_system = account_services.create_api_client(
        "ca-tinh", kind="verifying_agency", unit=task.unit, actor=SYSTEM
    )
    api = Api(agency.http, police_system)
    problem = assert_problem(
        post_answer(api, task, {"outcome": "found", "details": {"document": {"pronounced_on": "khong-ro"}}}),
        422,
    )
    fields = [error["field"] for error in problem["errors"]]
    assert fields and all(field.startswith("details.document.") for field in fields)
    db.session.refresh(task)
    assert task.status is TaskStatus.OPEN


def test_a_reason_is_needed_when_it_cannot_be_determined(agency, tasks):
    problem = assert_problem(post_answer(agency, tasks["ben_thanh"], {"outcome": "cannot_determine"}), 422)
    assert problem["errors"] == [{"field": "note", "message": "Vui lòng ghi lý do không xác định được."}]


def test_answering_twice_is_a_409(agency, tasks):
    post_answer(agency, tasks["ben_thanh"], {"outcome": "nothing_found"})
    assert_problem(post_answer(agency, tasks["ben_thanh"], {"outcome": "nothing_found"}), 409)


def test_a_task_a_verifier_has_claimed_is_theirs_to_answer(agency, tasks, units):
    verifier = create_user(roles=(Role.VERIFIER,), unit=units["ben_thanh"], full_name="Lê Văn Nhận")
    services.claim_task(tasks["ben_thanh"], actor=Actor(user=verifier))
    problem = assert_problem(post_answer(agency, tasks["ben_thanh"], {"outcome": "nothing_found"}), 403)
    assert "Lê Văn Nhận" in problem["detail"]


def test_reads_are_audited_as_the_system(agency, tasks, db):
    get(agency)
    get(agency, f"/{tasks['ben_thanh'].id}")
    rows = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_id, AuditEvent.details).where(
            AuditEvent.actor_label == "api:ubnd-ben-thanh"
        )
    ).all()
    assert [(action, object_id) for action, object_id, _ in rows] == [
        ("api.verification_task.list", None),
        ("verification.task_viewed", str(tasks["ben_thanh"].id)),
    ]
    assert rows[0].details == {"ids": [tasks["ben_thanh"].id]}


@pytest.mark.parametrize("kind", ["vneid", "record_source", "postal_operator"])
def test_a_client_of_another_kind_gets_403(make_api, tasks, kind):
    api = make_api(kind)
    problem = assert_problem(get(api), 403)
    assert "không trả lời yêu cầu xác minh" in problem["detail"]
    assert_problem(post_answer(api, tasks["ben_thanh"], {"outcome": "nothing_found"}), 403)


def test_a_verifying_agency_may_not_submit_certificate_requests(agency, contract_request):
    assert_problem(agency.submit(contract_request), 403)


def test_a_call_without_a_token_is_a_401(client, tasks):
    assert_problem(client.get(TASKS), 401)
    assert_problem(client.post(f"{TASKS}/{tasks['ben_thanh'].id}/answer", json={}), 401)


def test_the_answers_match_the_openapi_schemas(client, agency, tasks):
    document = client.get("/api/v1/openapi.json").get_json()
    check(document, "VerificationTaskList", get(agency).get_json())
    check(document, "VerificationTask", get(agency, f"/{tasks['ben_thanh'].id}").get_json())
    check(document, "VerificationAnswerRequest", {"outcome": "nothing_found", "note": None})
    check(
        document,
        "VerificationTask",
        post_answer(agency, tasks["ben_thanh"], {"outcome": "nothing_found"}).get_json(),
    )
    check(document, "Problem", post_answer(agency, tasks["ben_thanh"], {"outcome": "x"}).get_json())


# --- the client, bound to its unit ---------------------------------------------------------------


@pytest.fixture
def cli(app, db):
    return app.test_cli_runner()


def test_the_cli_binds_a_verifying_agencys_client_to_its_unit(cli, units, db):
    unit = units["ben_thanh"]
    result = cli.invoke(
        args=["clients", "create", "ubnd-bt", "--kind", "verifying_agency", "--unit", str(unit.id)]
    )
    assert result.exit_code == 0, result.output
    assert "UBND phường Bến Thành" in result.output
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "ubnd-bt"))
    assert client.unit_id == unit.id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "verifying_agency"], "phải gắn với một đơn vị xác minh"),
        (["--kind", "vneid", "--unit", "{unit}"], "Chỉ hệ thống của cơ quan xác minh"),
        (["--kind", "verifying_agency", "--unit", "999999"], "Không có đơn vị mã số 999999"),
    ],
)
def test_the_cli_refuses_a_client_without_its_unit_or_a_unit_for_another_kind(cli, units, db, args, message):
    args = [arg.format(unit=units["ben_thanh"].id) for arg in args]
    result = cli.invoke(args=["clients", "create", "ubnd-bt", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "ubnd-bt")) is None


def test_a_verifying_agency_is_not_bound_to_the_issuing_authority(db):
    with pytest.raises(ValidationFailed) as failed:
        account_services.create_api_client(
            "tu-phap", kind="verifying_agency", unit=create_unit(UnitKind.ISSUING_AUTHORITY), actor=SYSTEM
        )
    assert set(failed.value.errors) == {"unit_id"}
