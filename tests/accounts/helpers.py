"""Small steps the accounts tests share: logging in through the real forms, and reading the audit log."""

import pyotp
import sqlalchemy as sa

from lltp.core.audit import AuditEvent
from lltp.extensions import db
from tests.factories import PASSWORD


def post_login(client, username, password=PASSWORD, **extra):
    return client.post("/dang-nhap", data={"username": username, "password": password, **extra})


def post_code(client, code):
    return client.post("/dang-nhap/ma-xac-thuc", data={"code": code})


def current_code(user):
    return pyotp.TOTP(user.totp_secret).now()


def audit_rows(action, **where):
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return db.session.scalars(query).all()


def logged_in_user_id(client):
    with client.session_transaction() as session:
        return session.get("_user_id")
