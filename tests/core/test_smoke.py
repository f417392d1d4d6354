from datetime import date

from lltp.cases.models import CaseStage
from lltp.cases.workflow import replay
from tests.factories import create_case


def test_a_case_reaches_every_stage_and_replays(db):
    for stage in CaseStage:
        case = create_case(stage)
        assert case.stage is stage
        assert replay(case.events) is stage


def test_contract_example_due_date(db):
    from tests.factories import local_datetime

    case = create_case(CaseStage.RECEIVED, at=local_datetime(2026, 11, 20, 9, 15))
    assert case.legal_profile.code == "law_2026"
    assert case.due_date == date(2026, 11, 30)
    assert case.code.startswith("HCM-261120-")
