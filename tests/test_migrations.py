"""Migrations: one head, and `upgrade` from an empty database gives exactly the models, on both databases."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from lltp.config import BASE_DIR
from lltp.extensions import db
from tests.conftest import PG_ADMIN_URL


def schema_differences(app):
    """What autogenerate would write for the live schema against the models: empty when they agree."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_there_is_exactly_one_head():
    script = ScriptDirectory(str(BASE_DIR / "migrations"))
    assert len(script.get_heads()) == 1


def test_upgrade_on_empty_sqlite_matches_the_models(isolated_db):
    assert schema_differences(isolated_db("sqlite://")) == []


def test_upgrade_on_empty_postgresql_matches_the_models(isolated_db):
    assert schema_differences(isolated_db(PG_ADMIN_URL)) == []


def test_downgrade_to_base_then_upgrade_again_on_sqlite(isolated_db):
    app = isolated_db("sqlite://")
    with app.app_context():
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        db.session.remove()
    assert schema_differences(app) == []
