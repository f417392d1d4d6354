"""Fixtures shared by every test: the app on a fresh database, per-test rollback, clients and factories.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points there. Either way each run
gets a database of its own, built by the real migrations, and each test is rolled back.
"""

import os
import shutil
import tempfile
import uuid

# The default job queue is a SQLite file under LLTP_VAR_DIR: keep the suite's out of the checkout's var/.
os.environ.setdefault("LLTP_VAR_DIR", tempfile.mkdtemp(prefix="lltp-test-var-"))

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from lltp import create_app
from lltp.accounts.models import Role
from lltp.accounts.services import session_stamp
from lltp.config import TestConfig, normalise_database_url
from lltp.core import clock, database
from lltp.extensions import db as _db
from tests.factories import create_user

IN_CI = bool(os.environ.get("CI"))
PG_ADMIN_URL = normalise_database_url(
    os.environ.get("LLTP_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
)


def need_server(reason):
    """Skip outside CI, with the reason; fail in CI, where every server must be reachable."""
    if IN_CI:
        pytest.fail(f"CI: {reason}")
    pytest.skip(f"{reason} (skipped outside CI only)")


# --- databases ----------------------------------------------------------------------------------


def create_database(url_prefix_db=None):
    """Make an empty database of our own and return (url, drop). PostgreSQL when DATABASE_URL says so
    (or when asked), a SQLite file otherwise."""
    base = url_prefix_db or normalise_database_url(os.environ.get("DATABASE_URL", "sqlite://"))
    if base.startswith("postgresql"):
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        name = f"lltp_test_{uuid.uuid4().hex[:12]}"
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except sa.exc.OperationalError as error:
            admin.dispose()
            need_server(f"PostgreSQL is not reachable at {base}: {error.orig}")
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

        return url, drop
    directory = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"lltp-test-{uuid.uuid4().hex[:12]}")
    os.makedirs(directory)
    return f"sqlite:///{directory}/test.sqlite3", lambda: shutil.rmtree(directory, ignore_errors=True)


def make_app(database_url, **overrides):
    config = type("RunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    return create_app(config)


def migrated_app(database_url, **overrides):
    app = make_app(database_url, **overrides)
    with app.app_context():
        upgrade()
        _db.session.remove()
    return app


@pytest.fixture(scope="session")
def app():
    url, drop = create_database()
    application = migrated_app(url)
    yield application
    database.dispose(application)
    drop()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine and ignores `bind`; in a test every session (the
    test's and each request's) must share the one connection whose transaction is rolled back."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def db(app):
    """The database, inside a transaction that is rolled back after the test. Views commit savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {
                "class_": ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        reader = database.reader()
        reader.bound = connection
        try:
            yield _db
        finally:
            reader.bound = None
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def isolated_db():
    """A whole database of our own, for tests that need real concurrency or a live server. Returns a
    function that builds a migrated app on it; the database is dropped afterwards."""
    drops = []

    def build(database_url=None, **overrides):
        url, drop = create_database(database_url)
        drops.append(drop)
        application = migrated_app(url, **overrides)
        drops.append(lambda: database.dispose(application))
        return application

    yield build
    for drop in reversed(drops):
        drop()


class SetupKeepingClient(FlaskClient):
    """A test request reuses the test's app context, and so its session: commit the test's setup (a
    savepoint, still inside the rolled-back transaction) first, so that an error handler's rollback
    undoes only what the request itself did, as it would in production."""

    def open(self, *args, **kwargs):
        _db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = SetupKeepingClient
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Log a user in on the test client as a completed login would (password and second factor)."""

    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session["seen_at"] = clock.now().timestamp()
            session["auth_stamp"] = session_stamp(user)
        return client

    return login


@pytest.fixture
def admin(db):
    """The issuing authority's administrator (second factor enrolled)."""
    return create_user(roles=(Role.ADMINISTRATOR,), full_name="Quản Trị Viên")


@pytest.fixture
def as_admin(login_as, admin):
    """The test client, logged in as `admin`."""
    return login_as(admin)
