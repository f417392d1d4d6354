"""Changing cases: opening one with its code, and moving it through the workflow table.

Services flush; the caller commits once. A refused action raises before anything is added.
"""

import logging
import re
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lltp.cases import deadlines
from lltp.cases.models import (
    CLOSED_STAGES,
    Case,
    CaseCodeCounter,
    CaseEvent,
    Channel,
    DeliveryMethod,
    LegalProfile,
    Sex,
)
from lltp.cases.workflow import ACTIONS, REFUSAL_GROUNDS, STAGE_LABELS, rule_for
from lltp.core import audit, clock, database
from lltp.core.calendar import working_calendar
from lltp.core.dated import dated_fields
from lltp.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from lltp.core.text import fold, nfc
from lltp.extensions import db

log = logging.getLogger(__name__)

# Functions `(case, event, actor)` that later areas register to act in the same transaction as every
# transition (intake issues its one-stop papers here), without this area importing theirs.
after_transition = []


def next_case_code(authority_code, day):
    """Hand out the next case code for a day: `<authority code>-<YYMMDD>-<serial>`.

    One atomic upsert on the day's counter row: on PostgreSQL the row lock makes two officers receiving at
    the same instant wait for each other, so no code is handed out twice. The counter never goes down.
    (Inside a test's connection-bound session the upsert joins that transaction, so it is rolled back.)
    """
    dialect = db.session.get_bind().dialect.name
    statement = (
        database.insert(CaseCodeCounter)
        .values(authority_code=authority_code, day=day, last_serial=1)
        .on_conflict_do_update(
            index_elements=[CaseCodeCounter.authority_code, CaseCodeCounter.day],
            set_={"last_serial": CaseCodeCounter.last_serial + 1},
        )
        .returning(CaseCodeCounter.last_serial)
    )
    bind = db.session.get_bind()
    if isinstance(bind, sa.engine.Engine) and dialect == "postgresql":
        # In a short transaction of its own: inside the case's transaction the counter row would stay
        # locked until that commits, so every submission of the day would wait for the one before it. A
        # case that then fails leaves a gap in the serials; a code is still never handed out twice.
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            serial = connection.execute(statement).scalar_one()
    else:
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
    action = "submit" if awaiting_payment else "receive"
    # The clock is worked out before the INSERT that would apply the column defaults, so set them here:
    # an unset delivery method would count as paper and add the paper days.
    values = {"delivery_method": DeliveryMethod.ELECTRONIC, "is_urgent": False}
    values.update({name: fields[name] for name in CASE_FIELDS if name in fields})
    # As enums, not the validator's strings, so that the rules' `is` comparisons hold before a reload.
    values["delivery_method"] = DeliveryMethod(values["delivery_method"])
    if "applicant_sex" in values:
        values["applicant_sex"] = Sex(values["applicant_sex"])
    case = Case(channel=Channel(channel), submitted_at=at, stage=None, **values)
    # Refuse before a code is handed out and the case joins the session, so a refusal leaves nothing.
    _check(case, action, actor, None)
    case.code = next_case_code(current_app.config["LLTP_AUTHORITY_CODE"], clock.local_date(at))
    case.applicant_name_folded = fold(case.applicant_full_name)
    db.session.add(case)
    transition(case, action, actor=actor, at=at)
    return case


def _check(case, action, actor, note, data=None):
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
    errors = {}
    if ACTIONS[action].needs_note and not (note or "").strip():
        errors["note"] = _("Vui lòng ghi rõ lý do.")
    # An officer's refusal names its ground from the law's list (a system's may give only its reason).
    if action == "refuse" and data is not None and data.get("ground") not in REFUSAL_GROUNDS:
        errors["ground"] = _("Vui lòng chọn căn cứ từ chối.")
    if errors:
        raise ValidationFailed(errors)
    return next_stage


def transition(case, action, *, actor, note=None, at=None, data=None):
    """Take `action` on `case`: check the table, append the event, recompute the clock, audit.

    Raises InvalidTransition, NotAllowed or ValidationFailed before anything is written.
    """
    next_stage = _check(case, action, actor, note, data)
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
    for listener in after_transition:
        listener(case, event, actor)
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


PROFILE_TEXT_FIELDS = ("name", "legal_basis", "long_conditions", "notes")
PROFILE_REQUIRED_TEXT = ("name", "legal_basis")
# Field -> (smallest value allowed, value when left blank); a blank long limit means "not confirmed".
PROFILE_NUMBER_FIELDS = {
    "standard_days": (1, None),
    "long_days": (1, None),
    "urgent_hours": (1, None),
    "paper_return_extra_days": (0, 0),
}
PROFILE_REQUIRED_NUMBERS = ("standard_days",)
PROFILE_FIELDS = ("code", *PROFILE_TEXT_FIELDS, "valid_from", "valid_to", "channels", *PROFILE_NUMBER_FIELDS)


def save_legal_profile(profile, fields, *, actor):
    """Create (when `profile` is None) or change a legal profile of deadlines, audited with before/after.

    `fields` holds the form's values: dates as dd/mm/yyyy or dates, numbers as text or ints, `channels` a list
    of Channel values (empty: every channel). The code is set once, when the profile is created.
    """
    values, errors = _legal_profile_values(profile, fields)
    if errors:
        raise ValidationFailed(errors)
    return audit.save_row(
        LegalProfile,
        profile,
        values,
        snapshot=_profile_snapshot,
        action="legal_profile",
        object_type="legal_profile",
        object_id=lambda row: row.code,
        actor=actor,
    )


def _legal_profile_values(profile, fields):
    """The typed values of a profile form, and the Vietnamese error of each field that is wrong."""
    values, errors = dated_fields(LegalProfile, profile, fields, channels=[str(c) for c in Channel])
    for name in PROFILE_TEXT_FIELDS:
        values[name] = nfc((fields.get(name) or "").strip()) or None
    for name in PROFILE_REQUIRED_TEXT:
        if not values[name]:
            errors[name] = _("Vui lòng nhập nội dung này.")
    for name, (smallest, blank) in PROFILE_NUMBER_FIELDS.items():
        text = str(fields.get(name) if fields.get(name) is not None else "").strip()
        if not text:
            values[name] = blank
            if name in PROFILE_REQUIRED_NUMBERS:
                errors[name] = _("Vui lòng nhập số ngày.")
        elif not re.fullmatch(r"[0-9]{1,3}", text) or int(text) < smallest:
            errors[name] = _("Nhập một số nguyên từ %(low)d đến 999.", low=smallest)
        else:
            values[name] = int(text)
    long_days, standard_days = values.get("long_days"), values.get("standard_days")
    if (
        not errors.keys() & {"standard_days", "long_days"}
        and long_days is not None
        and long_days < standard_days
    ):
        errors["long_days"] = _("Thời hạn dài không được ngắn hơn thời hạn thông thường.")
    return values, errors


def _profile_snapshot(profile):
    """The profile's editable values as JSON-ready data, for the audit log."""
    snapshot = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in snapshot.items()}
