"""Reading accounts: the administrator's lists of users and units, and the audit-log search."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from lltp.accounts.models import Agency, Unit, User, UserRole
from lltp.core import clock
from lltp.core.audit import AuditEvent
from lltp.core.text import fold
from lltp.extensions import db

USERS_PER_PAGE = 50
AUDIT_PER_PAGE = 50

# The cases table, named without importing the cases area, which sits above accounts.
_cases = sa.table("cases", sa.column("id"), sa.column("code"))


def all_units(*, active_only=False):
    """Every unit, by agency then name, for pickers."""
    query = sa.select(Unit).join(Unit.agency).order_by(Agency.name, Unit.name)
    if active_only:
        query = query.where(Unit.is_active.is_(True))
    return db.session.scalars(query).all()


def agencies_with_units():
    """Every agency with its units (and the number of users in each), for the units page."""
    counts = dict(
        db.session.execute(sa.select(User.unit_id, sa.func.count(User.id)).group_by(User.unit_id)).all()
    )
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.name)).all()
    return [(agency, [(unit, counts.get(unit.id, 0)) for unit in agency.units]) for agency in agencies]


def search_users(*, q=None, unit_id=None, role=None, active=None, page=1, per_page=USERS_PER_PAGE):
    """Users matching the filters, by name, a page at a time. The name search ignores diacritics."""
    query = sa.select(User).order_by(User.full_name, User.username)
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    if role is not None:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if active is not None:
        query = query.where(User.is_active_account.is_(active))
    if q:
        # Few enough users to fold their names here, which the database cannot do the same way everywhere.
        needle = fold(q)
        rows = db.session.execute(sa.select(User.id, User.full_name, User.username)).all()
        query = query.where(
            User.id.in_([id_ for id_, name, login in rows if needle in f"{fold(name)} {login}"])
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


def _local_midnight_utc(day):
    return datetime.combine(day, time(0), tzinfo=clock.local_tz())


def search_audit(
    *,
    user=None,
    action=None,
    case_code=None,
    ip=None,
    date_from=None,
    date_to=None,
    page=1,
    per_page=AUDIT_PER_PAGE,
):
    """Audit rows matching the filters, newest first, a page at a time, with {case id: case code} for them.

    `user` finds what a user did and what was done to their account (login attempts included);
    `case_code` finds rows about the case, by its link or by the record's id; dates are local days.
    """
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if user:
        username = user.strip().lower()
        account = sa.select(sa.cast(User.id, sa.String)).where(User.username == username).scalar_subquery()
        query = query.where(
            sa.or_(
                AuditEvent.actor_label == username,
                sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == account),
                sa.and_(AuditEvent.object_type == "login_name", AuditEvent.object_id == username),
            )
        )
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if case_code:
        code = case_code.strip().upper()
        query = query.where(
            sa.or_(
                AuditEvent.case_id.in_(sa.select(_cases.c.id).where(_cases.c.code == code)),
                AuditEvent.object_id == code,
            )
        )
    if ip:
        query = query.where(AuditEvent.ip == ip)
    if date_from:
        query = query.where(AuditEvent.at >= _local_midnight_utc(date_from))
    if date_to:
        query = query.where(AuditEvent.at < _local_midnight_utc(date_to + timedelta(days=1)))
    events = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    case_ids = {event.case_id for event in events.items if event.case_id is not None}
    codes = dict(
        db.session.execute(sa.select(_cases.c.id, _cases.c.code).where(_cases.c.id.in_(case_ids))).all()
    )
    return events, codes
