"""Routing: each default rule asks the right unit the right question, on cases matched against the record
database, and only then; questions to one unit merge; a unit the facts point at but the system lacks is
reported, not guessed."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.core import clock
from lltp.extensions import db as _db
from lltp.verification import routing, services
from lltp.verification.models import RoutingRule, TaskKind, TaskStatus
from tests.intake.test_case_panels import intake_case
from tests.records.factories import create_event, create_judgment, create_prosecution
from tests.verification.helpers import applicant_person, send_for_verification, verifying_units


@pytest.fixture
def units(db):
    return verifying_units()


def rule(code):
    return _db.session.scalar(sa.select(RoutingRule).where(RoutingRule.code == code))


def only_rules(*codes):
    """Switch every other default rule off, so a test sees one rule's work."""
    for other in _db.session.scalars(sa.select(RoutingRule).where(RoutingRule.code.not_in(codes))):
        other.is_active = False
    _db.session.flush()


def tasks_by_unit(case):
    return {(task.unit_id, task.kind) for task in services.case_tasks(case)}


def served_in_2019(person, **overrides):
    """A two-year sentence of 2019 (court fee paid): completed, it would be expunged by now."""
    judgment = create_judgment(person, **overrides)
    create_event(judgment, "court_fee_paid", "2019-05-01")
    return judgment


def test_every_case_under_a_vneid_era_profile_gets_a_police_lookup(units):
    only_rules("police_vneid")
    case = send_for_verification(intake_case())
    assert case.legal_profile.code == "law_2026"
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind, task.status) == (
        units["police"].id,
        TaskKind.POLICE_LOOKUP,
        TaskStatus.OPEN,
    )
    assert task.question["person"]["full_name"] == case.applicant_full_name
    assert task.question["person"]["id_number"] == case.applicant_id_number


def test_a_profile_outside_the_rule_gets_no_police_lookup(units):
    only_rules("police_vneid")
    rule("police_vneid").profile_codes = ["vneid_pilot_2024"]
    case = send_for_verification(intake_case())
    assert services.case_tasks(case) == []


def test_a_record_from_before_july_2010_goes_to_the_police_with_the_judgment(units):
    only_rules("police_old_record")
    case = intake_case()
    person = applicant_person(case)
    old = create_judgment(person, pronounced_on="2008-03-12", effective_on="2008-04-12")
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind) == (units["police"].id, TaskKind.POLICE_LOOKUP)
    assert [j["number"] for j in task.question["judgments"]] == [old.number]


def test_a_sentence_not_known_to_be_served_goes_to_the_court_that_pronounced_it(units):
    only_rules("court_outcome")
    case = intake_case()
    person = applicant_person(case)
    served_in_2019(person)
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind) == (units["court"].id, TaskKind.JUDGMENT_OUTCOME)
    assert task.question["asked"] == ["chấp hành xong hình phạt chính"]
    assert set(task.question["person"]) == {"full_name", "date_of_birth"}


def test_an_unpaid_court_fee_goes_to_the_judgment_enforcement_office(units):
    only_rules("enforcement_status")
    case = intake_case()
    person = applicant_person(case)
    judgment = create_judgment(person)
    create_event(judgment, "principal_completed", "2021-03-11")
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind) == (units["enforcement"].id, TaskKind.ENFORCEMENT_STATUS)
    assert task.question["asked"] == ["nộp án phí 200.000 đồng"]


def test_an_open_prosecution_that_blocks_expungement_goes_to_the_procuracy(units):
    only_rules("procuracy_prosecution")
    case = intake_case()
    person = applicant_person(case)
    judgment = served_in_2019(person)
    create_event(judgment, "principal_completed", "2021-03-11")
    create_prosecution(person, committed_on="2021-06-01", opened_on="2021-07-01", status="pending")
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind) == (units["procuracy"].id, TaskKind.JUDGMENT_OUTCOME)
    assert task.question["asked"] == ["kết quả vụ án khởi tố ngày 01/07/2021"]


def test_an_automatic_expungement_goes_to_the_commune_of_residence_and_the_police(units):
    only_rules("commune_expungement", "police_expungement")
    case = intake_case()
    person = applicant_person(case)
    judgment = served_in_2019(person)
    create_event(judgment, "principal_completed", "2021-03-11")
    send_for_verification(case, person)
    assert tasks_by_unit(case) == {
        (units["commune"].id, TaskKind.EXPUNGEMENT_CONDITIONS),
        (units["police"].id, TaskKind.EXPUNGEMENT_CONDITIONS),
    }
    commune_task = next(t for t in services.case_tasks(case) if t.unit_id == units["commune"].id)
    assert "Bến Thành" in commune_task.question["person"]["residence"]
    assert commune_task.question["period"]["from"] == "2021-03-11"


def test_an_identity_that_disagrees_with_the_record_goes_to_the_population_register(units):
    only_rules("identity_register")
    case = intake_case()
    person = applicant_person(
        case, date_of_birth=(case.applicant_date_of_birth - timedelta(days=40)).isoformat()
    )
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert (task.unit_id, task.kind) == (units["register"].id, TaskKind.IDENTITY_MISMATCH)
    assert set(task.question["differences"]) == {"date_of_birth"}


def test_an_identity_that_agrees_asks_the_population_register_nothing(units):
    only_rules("identity_register")
    case = intake_case()
    send_for_verification(case, applicant_person(case))
    assert services.case_tasks(case) == []


def test_two_rules_asking_the_police_make_one_task_with_both_questions(units):
    only_rules("police_vneid", "police_old_record")
    case = intake_case()
    person = applicant_person(case)
    create_judgment(person, pronounced_on="2008-03-12", effective_on="2008-04-12")
    send_for_verification(case, person)
    (task,) = services.case_tasks(case)
    assert task.unit_id == units["police"].id and len(task.question["judgments"]) == 1
    assert rule("police_vneid").name in task.reason and "trước ngày 01/07/2010" in task.reason


def test_a_commune_not_on_the_system_is_reported_as_unrouted(db):
    verifying_units()
    only_rules("commune_expungement")
    case = intake_case(applicant__residence_history__1__address="Xã Long Hựu, tỉnh Tây Ninh")
    person = applicant_person(case)
    judgment = served_in_2019(person)
    create_event(judgment, "principal_completed", "2021-03-11")
    send_for_verification(case, person)
    assert services.case_tasks(case) == []
    (planned,) = routing.plan(case)
    assert planned.unit is None and planned.kind is TaskKind.EXPUNGEMENT_CONDITIONS


def test_routing_twice_asks_nothing_twice(units):
    case = send_for_verification(intake_case())
    opened, _ = services.route_case(case, actor=services.VERIFICATION_SYSTEM)
    assert opened == [] and len(services.case_tasks(case)) == 1


def test_the_due_date_counts_the_kinds_working_days(units):
    only_rules("police_vneid")
    case = send_for_verification(intake_case())
    (task,) = services.case_tasks(case)
    # The province's day, not UTC's: from 17:00 UTC it is already the next day in Vietnam.
    assert task.due_date == services.due_date_for(TaskKind.POLICE_LOOKUP, clock.local_date(task.created_at))
