"""The case lifecycle: every (stage, action, role) move of the transition table, taken or refused."""

import itertools
import random
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lltp.accounts.models import AUTHORITY_ROLES, Role, UnitKind, User, UserRole
from lltp.cases import services, workflow
from lltp.cases.models import CLOSED_STAGES, Case, CaseEvent, CaseStage, Channel
from lltp.core.audit import Actor, AuditEvent
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.extensions import db as _db
from tests.factories import authority_unit, case_fields, create_case, create_unit, create_user, local_datetime

STAGES = [None, *CaseStage]
OPENING_ACTIONS = ("submit", "receive")
SYSTEM = None  # in the role position: the automatic systems, `Actor.system()`
WHO = [*Role, SYSTEM]
NOTE = "Ghi chú thử"


def who_id(who):
    return "system" if who is SYSTEM else str(who)


def stage_id(stage):
    return "new" if stage is None else str(stage)


def staff(*roles, unit=None):
    """A user holding `roles`, in a unit of a kind that allows them.

    Built as rows rather than through `accounts.services.create_user`: its scrypt hash costs 0.1 s, and
    the table below needs two users for each of its 1,728 moves. Passwords play no part here.
    """
    if unit is None:
        police = not set(roles) <= AUTHORITY_ROLES
        unit = create_unit(UnitKind.PROVINCIAL_POLICE) if police else authority_unit()
    user = User(
        username=f"staff{uuid.uuid4().hex[:10]}",
        full_name="Cán Bộ Bảng",
        unit=unit,
        password_hash="!",
        role_rows=[UserRole(role=role) for role in roles],
    )
    _db.session.add(user)
    _db.session.flush()
    return user


def actor_for(who):
    return Actor.system("test") if who is SYSTEM else Actor(user=staff(who), ip="127.0.0.1")


def everyone_at_intake():
    """An officer who may take every officer action, for bringing a case to a stage."""
    return Actor(
        user=staff(Role.INTAKE_OFFICER, Role.PROCESSING_OFFICER, Role.APPROVER, Role.RETURNING_OFFICER)
    )


def expected(stage, action, who):
    """What the table promises: (next stage, None) when the move is allowed, (None, error type) if not."""
    rule = workflow.rule_for(stage, action)
    if rule is None:
        return None, InvalidTransition
    next_stage, roles = rule
    if who is SYSTEM:
        allowed = workflow.ACTIONS[action].system_allowed
    else:
        allowed = who in roles and who in AUTHORITY_ROLES
    return (next_stage, None) if allowed else (None, NotAllowed)


# The workflow's own audit rows; other areas audit what a move makes them do (intake's papers, say).
CASE_AUDIT = AuditEvent.action.like("case.%")


def counts(db):
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Case)),
        db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)),
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(CASE_AUDIT)),
    )


def take(case, action, actor, stage):
    """Take `action` on `case` (or open a new case when `stage` is None) with a note, as a view would."""
    if stage is not None:
        return services.transition(case, action, actor=actor, note=NOTE).case
    if action in OPENING_ACTIONS:
        return services.open_case(
            case_fields(), channel=Channel.COUNTER, actor=actor, awaiting_payment=action == "submit"
        )
    # No service opens a case with any other action: the table itself must refuse it.
    return services.transition(Case(stage=None), action, actor=actor, note=NOTE).case


def reload(db, case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


MOVES = [
    pytest.param(stage, action, who, id=f"{stage_id(stage)}-{action}-{who_id(who)}")
    for stage in STAGES
    for action in workflow.ACTIONS
    for who in WHO
]


@pytest.mark.parametrize(("stage", "action", "who"), MOVES)
def test_every_move_of_the_table_is_taken_or_refused_as_the_table_says(db, stage, action, who):
    case = None if stage is None else create_case(stage, actor=everyone_at_intake())
    actor = actor_for(who)
    before_counts = counts(db)
    before_events = None if case is None else len(case.events)
    before_due = None if case is None else case.due_date
    next_stage, error = expected(stage, action, who)

    if error is None:
        moved = take(case, action, actor, stage)
        assert moved.stage is next_stage
        event = moved.events[-1]
        assert (event.action, event.from_stage, event.to_stage) == (action, stage, next_stage)
        assert (event.actor_id, event.actor_label) == (actor.user_id, actor.label)
        audit_row = db.session.scalars(
            sa.select(AuditEvent).where(CASE_AUDIT).order_by(AuditEvent.id.desc())
        ).first()
        assert (audit_row.action, audit_row.case_id, audit_row.actor_id) == (
            f"case.{action}",
            moved.id,
            actor.user_id,
        )
        assert audit_row.details == {"from": stage and str(stage), "to": str(next_stage)}
        grown = 1 if stage is None else 0
        assert counts(db) == (before_counts[0] + grown, before_counts[1] + 1, before_counts[2] + 1)
        return

    with pytest.raises(error) as refused:
        take(case, action, actor, stage)
    assert str(workflow.ACTIONS[action].label) in refused.value.message
    assert counts(db) == before_counts
    if case is not None:
        case = reload(db, case)
        assert (case.stage, case.due_date, len(case.events)) == (stage, before_due, before_events)


@pytest.mark.parametrize(
    ("unit_kind", "role"),
    [
        (UnitKind.PROVINCIAL_POLICE, Role.VERIFIER),
        (UnitKind.PROVINCIAL_POLICE, Role.UNIT_SUPERVISOR),
        (UnitKind.COURT, Role.UNIT_SUPERVISOR),
        (UnitKind.COMMUNE_COMMITTEE, Role.VERIFIER),
    ],
)
def test_a_user_of_a_verifying_agency_may_not_move_a_case(db, unit_kind, role):
    case = create_case(CaseStage.RECEIVED, actor=everyone_at_intake())
    outsider = create_user(roles=(role,), unit=create_unit(unit_kind))
    before = counts(db)

    with pytest.raises(NotAllowed, match="Bắt đầu xử lý"):
        services.transition(case, "start_review", actor=Actor(user=outsider))

    assert counts(db) == before
    assert reload(db, case).stage is CaseStage.RECEIVED


NOTE_ACTIONS = [name for name, action in workflow.ACTIONS.items() if action.needs_note]


@pytest.mark.parametrize("note", [None, "", "   "], ids=["none", "empty", "blank"])
@pytest.mark.parametrize("action", NOTE_ACTIONS)
def test_an_action_that_needs_a_reason_is_refused_without_one(db, action, note):
    stage, (_next_stage, roles) = next(
        (stage, rule) for (stage, name), rule in workflow.TRANSITIONS.items() if name == action
    )
    case = create_case(stage, actor=everyone_at_intake())
    allowed = Actor(user=staff(*roles))
    before = counts(db)

    with pytest.raises(ValidationFailed) as refused:
        services.transition(case, action, actor=allowed, note=note)

    assert refused.value.errors["note"]
    assert counts(db) == before
    assert reload(db, case).stage is stage


@pytest.mark.parametrize("who", WHO, ids=who_id)
@pytest.mark.parametrize("stage", list(CaseStage), ids=str)
def test_available_actions_lists_exactly_the_moves_the_user_may_take(db, stage, who):
    case = create_case(stage, actor=everyone_at_intake())
    user = None if who is SYSTEM else staff(who)
    allowed = {
        action
        for (before, action) in workflow.TRANSITIONS
        if before is stage and expected(stage, action, who)[0]
    }
    offered = {action.name for action in workflow.available_actions(case, user)}
    # Buttons are for people: the automatic systems take their moves through the API and the worker.
    assert offered == (set() if who is SYSTEM else allowed)


def random_walk(rng, actor, start):
    """Open a case and take random moves of the table until it closes or has taken 14 moves."""
    case = services.open_case(
        case_fields(),
        channel=rng.choice(list(Channel)),
        actor=actor,
        awaiting_payment=rng.random() < 0.3,
        at=start,
    )
    at = start
    while case.stage not in CLOSED_STAGES and len(case.events) < 14:
        moves = {
            action: after
            for (before, action), (after, _roles) in workflow.TRANSITIONS.items()
            if before is case.stage
        }
        ending = [
            action for action, after in moves.items() if after in (CaseStage.REFUSED, CaseStage.WITHDRAWN)
        ]
        going_on = [action for action in moves if action not in ending]
        # Refusals and withdrawals end a walk at once: take them rarely, so the walks go far and differ.
        pool = ending if ending and (not going_on or rng.random() < 0.1) else going_on
        at += timedelta(hours=rng.randint(1, 30))
        services.transition(case, rng.choice(pool), actor=actor, note=NOTE, at=at)
    return case


def test_replaying_the_events_gives_the_stage_of_cases_driven_along_random_paths(db):
    rng = random.Random(20261120)
    actor = everyone_at_intake()
    cases = [random_walk(rng, actor, local_datetime(2026, 7, 1, 8, 0) + timedelta(days=n)) for n in range(50)]
    db.session.flush()
    db.session.expire_all()

    paths = set()
    for case in cases:
        events = db.session.get(Case, case.id).events
        assert workflow.replay(events) is case.stage
        assert [event.seq for event in events] == list(range(1, len(events) + 1))
        assert all(a.to_stage is b.from_stage for a, b in itertools.pairwise(events))
        paths.add(tuple(event.action for event in events))
    assert len(paths) > 40, "the walk should have taken many different paths"
    assert set(CaseStage) <= {case.stage for case in cases} | {
        event.to_stage for case in cases for event in case.events
    }


def test_replay_refuses_an_event_that_the_table_does_not_allow(db):
    case = create_case(CaseStage.IN_REVIEW, actor=everyone_at_intake())
    with pytest.raises(ValueError, match="approve"):
        workflow.replay([*case.events, CaseEvent(action="approve", to_stage=CaseStage.ISSUED)])


def test_a_case_event_cannot_be_updated(db):
    event = create_case(CaseStage.RECEIVED, actor=everyone_at_intake()).events[0]
    event.note = "sửa lại lịch sử"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


def test_a_case_event_cannot_be_deleted(db):
    event = create_case(CaseStage.RECEIVED, actor=everyone_at_intake()).events[0]
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
