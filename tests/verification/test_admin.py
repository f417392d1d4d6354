"""The administrator's verification settings: the routing rules (added, edited, switched off, each field
checked and every change audited with before and after) and the working days per kind of question."""

import pytest
import sqlalchemy as sa

from lltp.accounts.models import UnitKind
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import AuditEvent
from lltp.core.calendar import working_calendar
from lltp.verification import services
from lltp.verification.models import RoutingRule, TaskKind, TaskKindSetting
from tests.factories import create_case, create_unit, outsider

RULES = "/quan-tri/xac-minh"
NEW_RULE = f"{RULES}/quy-tac/moi"
KINDS = f"{RULES}/thoi-han"
SEEDED_RULES = 8


def rule(db, code):
    return db.session.scalar(sa.select(RoutingRule).where(RoutingRule.code == code))


def rule_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(RoutingRule))


def audits(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def rule_form(**changes):
    """A new rule as its form posts it: ask the population register about every case under law_2026."""
    form = {
        "code": "register_every_case",
        "name": "Hỏi cơ sở dữ liệu dân cư mọi hồ sơ",
        "is_active": "1",
        "position": "20",
        "condition": "every_case_in_profiles",
        "profile_codes": ["law_2026"],
        "kind": "identity_mismatch",
        "target": "population_register",
        "target_unit_id": "",
    }
    form.update(changes)
    return form


def edit_form(db, code, **changes):
    """A seeded rule as its edit form posts it, with `changes` (a missing `is_active` is unticked)."""
    row = rule(db, code)
    form = {
        "name": row.name,
        "is_active": "1" if row.is_active else None,
        "position": str(row.position),
        "condition": str(row.condition),
        "profile_codes": row.profile_codes or [],
        "kind": str(row.kind),
        "target": str(row.target),
        "target_unit_id": "" if row.target_unit_id is None else str(row.target_unit_id),
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def kinds_form(**changes):
    form = {str(kind): "5" for kind in TaskKind}
    form.update(changes)
    return form


def test_the_rules_page_lists_the_default_rules_in_order(as_admin):
    page = as_admin.get(RULES).get_data(as_text=True)
    seeded = [
        "police_vneid",
        "police_old_record",
        "court_outcome",
        "commune_expungement",
        "identity_register",
    ]
    positions = [page.index(code) for code in seeded]
    assert positions == sorted(positions)
    assert "Tra cứu tại Công an mọi hồ sơ theo quy trình VNeID" in page
    assert "3 ngày làm việc" in page


@pytest.mark.parametrize("who", ["authority-staff", "police"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", RULES),
        *((method, path) for path in (NEW_RULE, f"{RULES}/quy-tac/1", KINDS) for method in ("get", "post")),
    ],
)
def test_only_an_administrator_opens_the_settings(client, login_as, db, who, method, path):
    login_as(outsider(who))
    assert getattr(client, method)(path, data=rule_form() if method == "post" else None).status_code == 403
    assert audits(db, "verification.routing_rule.create") == []


def test_an_administrator_adds_a_rule_audited(as_admin, db):
    response = as_admin.post(NEW_RULE, data=rule_form())
    assert (response.status_code, response.headers["Location"]) == (303, RULES)
    added = rule(db, "register_every_case")
    assert (added.position, added.profile_codes, added.kind, added.is_active) == (
        20,
        ["law_2026"],
        TaskKind.IDENTITY_MISMATCH,
        True,
    )
    (event,) = audits(db, "verification.routing_rule.create")
    assert event.details["before"] is None
    assert event.details["after"]["target"] == "population_register"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "police_vneid"}, "code", "Đã có quy tắc mã police_vneid."),
        ({"code": "Mã có dấu"}, "code", "Mã gồm chữ thường không dấu"),
        ({"name": "  "}, "name", "Vui lòng nhập tên quy tắc."),
        ({"position": "-1"}, "position", "Nhập một số nguyên từ 0 đến 999."),
        ({"condition": "sometimes"}, "condition", "Vui lòng chọn điều kiện."),
        ({"kind": ""}, "kind", "Vui lòng chọn loại yêu cầu xác minh."),
        ({"target": "anyone"}, "target", "Vui lòng chọn nơi nhận yêu cầu."),
        ({"profile_codes": []}, "profile_codes", "Vui lòng chọn ít nhất một văn bản quy định thời hạn."),
        ({"profile_codes": ["no_such_law"]}, "profile_codes", "Có văn bản quy định thời hạn không tồn tại."),
        ({"target": "fixed_unit"}, "target_unit_id", "Vui lòng chọn đơn vị nhận yêu cầu."),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_a_bad_field_is_refused_next_to_it(as_admin, db, changes, field, message):
    response = as_admin.post(NEW_RULE, data=rule_form(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error_id = "f-" + field.replace("_", "-")
    assert f'id="{error_id}-error">{message}' in page
    assert rule_count(db) == SEEDED_RULES
    assert audits(db, "verification.routing_rule.create") == []


def test_a_target_unit_must_be_of_the_kind_its_target_names(as_admin, db):
    court = create_unit(UnitKind.COURT)
    response = as_admin.post(NEW_RULE, data=rule_form(target_unit_id=str(court.id)))
    assert response.status_code == 422
    assert "Đơn vị này không thuộc loại cơ quan mà nơi nhận đã chọn." in response.get_data(as_text=True)


def test_a_fixed_unit_rule_keeps_its_unit(as_admin, db):
    commune = create_unit(UnitKind.COMMUNE_COMMITTEE)
    form = rule_form(target="fixed_unit", target_unit_id=str(commune.id), condition="identity_conflict")
    assert as_admin.post(NEW_RULE, data=form).status_code == 303
    added = rule(db, "register_every_case")
    assert (added.target_unit_id, added.profile_codes) == (commune.id, None)


def test_switching_a_rule_off_is_audited_with_before_and_after(as_admin, db):
    seeded = rule(db, "police_vneid")
    response = as_admin.post(
        f"{RULES}/quy-tac/{seeded.id}", data=edit_form(db, "police_vneid", is_active=None)
    )
    assert response.status_code == 303
    assert seeded.is_active is False
    (event,) = audits(db, "verification.routing_rule.update")
    assert (event.object_id, event.details) == (
        "police_vneid",
        {"before": {"is_active": True}, "after": {"is_active": False}},
    )


def test_a_rule_switched_off_routes_no_more_questions(as_admin, db):
    create_unit(UnitKind.PROVINCIAL_POLICE)
    seeded = rule(db, "police_vneid")
    as_admin.post(f"{RULES}/quy-tac/{seeded.id}", data=edit_form(db, "police_vneid", is_active=None))
    assert services.case_tasks(create_case(CaseStage.VERIFYING)) == []


def test_the_edit_form_shows_the_rules_values(as_admin, db):
    seeded = rule(db, "police_vneid")
    page = as_admin.get(f"{RULES}/quy-tac/{seeded.id}").get_data(as_text=True)
    assert 'value="law_2026" checked' in page
    assert '<option value="provincial_police" selected>' in page


def test_an_unknown_rule_is_a_404(as_admin):
    assert as_admin.get(f"{RULES}/quy-tac/999999").status_code == 404


def test_the_due_days_are_saved_audited_and_used_for_new_tasks(as_admin, db):
    response = as_admin.post(KINDS, data=kinds_form(police_lookup="7"))
    assert (response.status_code, response.headers["Location"]) == (303, RULES)
    assert db.session.get(TaskKindSetting, TaskKind.POLICE_LOOKUP).due_working_days == 7
    (event,) = audits(db, "verification.task_kinds.update")
    assert event.details["before"]["police_lookup"] == 3
    assert event.details["after"]["police_lookup"] == 7
    create_unit(UnitKind.PROVINCIAL_POLICE)
    (task,) = services.case_tasks(create_case(CaseStage.VERIFYING))
    assert task.due_date == working_calendar().add_working_days(clock.today(), 7)


@pytest.mark.parametrize("days", ["0", "61", "ba", ""])
def test_due_days_out_of_range_are_refused_next_to_the_field(as_admin, db, days):
    response = as_admin.post(KINDS, data=kinds_form(judgment_outcome=days))
    assert response.status_code == 422
    assert 'id="f-judgment-outcome-error">Nhập một số nguyên từ 1 đến 60.' in response.get_data(as_text=True)
    assert db.session.get(TaskKindSetting, TaskKind.JUDGMENT_OUTCOME).due_working_days == 5
    assert audits(db, "verification.task_kinds.update") == []
