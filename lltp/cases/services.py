"""Changing cases: opening one with its code, and moving it through the workflow table.

Services flush; the caller commits once. A refused action raises before anything is added.
"""

import logging

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lltp.cases import deadlines
from lltp.cases.models import CLOSED_STAGES, Case, CaseCodeCounter, CaseEvent, Channel
from lltp.cases.workflow import ACTIONS, STAGE_LABELS, rule_for
from lltp.core import audit, clock
from lltp.core.calendar import working_calendar
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.text import fold
from lltp.extensions import db

log = logging.getLogger(__name__)


def next_case_code(authority_code, day):
    """Hand out the next case code for a day: `<authority code>-<YYMMDD>-<serial>`.

    One atomic upsert on the day's counter row: on PostgreSQL the row lock makes two officers receiving at
    the same instant wait for each other, so no code is handed out twice. The counter never goes down.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(CaseCodeCounter)
        .values(authority_code=authority_code, day=day, last_serial=1)
        .on_conflict_do_update(
            index_elements=[CaseCodeCounter.authority_code, CaseCodeCounter.day],
            set_={"last_serial": CaseCodeCounter.last_serial + 1},
        )
        .returning(CaseCodeCounter.last_serial)
    )
    serial = db.session.execute(statement).scalar_one()
    return f"{authority_code}-{day:%y%m%d}-{serial:04d}"


APPLICANT_FIELDS = (
    "applicant_full_name",
    "applicant_date_of_birth",
    "applicant_sex",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
)
CASE_FIELDS = (
    *APPLICANT_FIELDS,
    "certificate_type",
    "include_ban_section",
    "purpose",
    "copies",
    "delivery_method",
    "is_urgent",
)


def open_case(fields, *, channel, actor, awaiting_payment=False, at=None):
    """Open a case from already validated `fields`: give it its code, its first event and its clock.

    A paid or exempt request is received at once; otherwise it waits for payment and its clock has not
    started. Intake (validation, fees, attachments) sits in front of this.
    """
    at = at or clock.now()
    channel = Channel(channel)
    case = Case(
        code=next_case_code(current_app.config["LLTP_AUTHORITY_CODE"], clock.local_date(at)),
        channel=channel,
        submitted_at=at,
        stage=None,
        **{name: fields[name] for name in CASE_FIELDS if name in fields},
    )
    case.applicant_name_folded = fold(case.applicant_full_name)
    db.session.add(case)
    transition(case, "submit" if awaiting_payment else "receive", actor=actor, at=at)
    return case


def _check(case, action, actor, note):
    rule = rule_for(case.stage, action)
    label = ACTIONS[action].label if action in ACTIONS else action
    if rule is None:
        if case.stage is None:
            raise InvalidTransition(_("Không thể mở hồ sơ bằng thao tác «%(action)s».", action=label))
        raise InvalidTransition(
            _(
                "Không thể «%(action)s» khi hồ sơ %(code)s đang ở bước «%(stage)s».",
                action=label,
                code=case.code,
                stage=STAGE_LABELS[case.stage],
            )
        )
    next_stage, roles = rule
    user = actor.user
    if user is None:
        if not ACTIONS[action].system_allowed:
            raise NotAllowed(_("Thao tác «%(action)s» phải do cán bộ thực hiện.", action=label))
    elif not user.is_authority_officer or not (user.roles & roles):
        raise NotAllowed(_("Vai trò của bạn không được phép «%(action)s» ở bước này.", action=label))
    if ACTIONS[action].needs_note and not (note or "").strip():
        raise ValidationFailed({"note": _("Vui lòng ghi rõ lý do.")})
    return next_stage


def transition(case, action, *, actor, note=None, at=None, data=None):
    """Take `action` on `case`: check the table, append the event, recompute the clock, audit.

    Raises InvalidTransition, NotAllowed or ValidationFailed before anything is written.
    """
    next_stage = _check(case, action, actor, note)
    at = at or clock.now()
    previous_stage, previous_due = case.stage, case.due_date
    event = CaseEvent(
        case=case,
        seq=len(case.events) + 1,
        action=action,
        from_stage=previous_stage,
        to_stage=next_stage,
        at=at,
        actor_id=actor.user_id,
        actor_label=actor.label,
        note=(note or "").strip() or None,
        data=dict(data) if data else None,
    )
    db.session.add(event)
    case.stage = next_stage
    if next_stage != previous_stage:
        case.stage_changed_at = at
    if next_stage in CLOSED_STAGES:
        case.closed_at = at
    with db.session.no_autoflush:
        apply_schedule(case)
    if case.due_date != previous_due:
        # The case records each new appointment date on the event that moved it.
        event.data = {**(event.data or {}), "due_date": case.due_date.isoformat() if case.due_date else None}
    db.session.flush()
    audit.record(
        f"case.{action}",
        actor,
        object_type="case",
        object_id=case.code,
        case_id=case.id,
        reason=event.note,
        details={"from": previous_stage and str(previous_stage), "to": str(next_stage)},
    )
    log.info("case %s: %s -> %s by %s", case.code, previous_stage, next_stage, actor.label)
    return event


def apply_schedule(case, calendar=None):
    """Set the case's received time, profile, long flag and due date from its events."""
    calendar = calendar or working_calendar()
    events = case.events
    first_start = next((e.at for e in events if e.action in deadlines.CLOCK_STARTS), None)
    if case.legal_profile is None and first_start is not None:
        # A case keeps the profile in force on the day it was first received, for its channel.
        case.legal_profile = deadlines.profile_for(db.session, clock.local_date(first_start), case.channel)
    result = deadlines.schedule(
        events,
        profile=case.legal_profile,
        is_urgent=case.is_urgent,
        delivery_method=case.delivery_method,
        calendar=calendar,
    )
    case.received_at = result.received_at
    case.clock_started_on = result.clock_started_at and clock.local_date(result.clock_started_at)
    case.is_long = result.is_long
    case.due_date = result.due_date
    case.due_at = result.due_at
    return result


def get_case(code):
    """The case with this code, or None."""
    return db.session.scalar(sa.select(Case).where(Case.code == code))
