"""Engine settings per database: SQLite gets WAL, a busy timeout, foreign keys and real savepoints."""

import sqlalchemy as sa


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):
        # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINTs nest correctly.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        # IMMEDIATE takes the write lock up front, waiting out the busy timeout: with a plain BEGIN, a
        # request that reads and then writes fails at once ("database is locked") when another request
        # wrote in between, and nearly every request here writes (an audit row at least).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert(table):
    """An INSERT of the current session's dialect, for its ON CONFLICT clauses (PostgreSQL and SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from lltp.extensions import db

    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)
