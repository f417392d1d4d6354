"""Engine settings per database: SQLite gets WAL, a busy timeout, foreign keys and real savepoints; and
the reader, which serves the public lookups without a transaction."""

import threading
import weakref
from collections import namedtuple
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

READER = "lltp.reader"
_CURSOR = "lltp.reader.cursor"


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return
    _sqlite_pragmas(engine)

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        # IMMEDIATE takes the write lock up front, waiting out the busy timeout: with a plain BEGIN, a
        # request that reads and then writes fails at once ("database is locked") when another request
        # wrote in between, and nearly every request here writes (an audit row at least).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(engine):
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINTs nest correctly.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def reading_engine(engine):
    """An engine on the same database whose connections stay in autocommit, for the reader. An
    in-memory SQLite database exists only on the app's own connection, so there it is the app's engine."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return engine
    reading = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    if reading.dialect.name == "sqlite":
        _sqlite_pragmas(reading)
    return reading


class ReadQuery:
    """A SELECT written with SQLAlchemy and run by the reader on the driver's own cursor: compiled once
    per dialect, with its constants bound once, and its rows converted by the columns' own types (an
    enum column gives the enum, a SQLite date gives a date), as SQLAlchemy would. The parameters named
    by `sa.bindparam` are given to each run."""

    def __init__(self, statement):
        self.statement = statement
        self.row = namedtuple("Row", statement.selected_columns.keys())
        self._plans = {}

    def plan(self, dialect):
        """How to run the query on `dialect`'s driver."""
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _Plan.of(self.statement, dialect)
        return plan


@dataclass(frozen=True)
class _Plan:
    sql: str
    positions: list | None  # the parameters' order, for a driver whose markers are positional
    constants: dict  # the statement's own values, already converted for the driver
    binds: dict  # name -> the conversion of a given value for the driver
    results: tuple  # (index, conversion) of the result columns whose values need one

    @classmethod
    def of(cls, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        given = {bind.key: None for bind in compiled.binds.values() if bind.required}
        # An IN list of constants is expanded into the SQL once, here: the driver sees plain markers.
        state = compiled.construct_expanded_state(given)
        binds = {name: state.processors.get(name, _same) for name in state.parameters}
        results = []
        for index, column in enumerate(statement.selected_columns):
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                results.append((index, convert))
        return cls(
            sql=state.statement,
            positions=state.positiontup,
            constants={
                name: binds[name](value) for name, value in state.parameters.items() if name not in given
            },
            binds=binds,
            results=tuple(results),
        )

    def run(self, cursor, params):
        values = {**self.constants, **{name: self.binds[name](value) for name, value in params.items()}}
        cursor.execute(self.sql, [values[name] for name in self.positions] if self.positions else values)
        fetched = cursor.fetchall()
        if not self.results:
            return fetched
        converted = []
        for row in fetched:
            row = list(row)
            for index, convert in self.results:
                row[index] = convert(row[index])
            converted.append(row)
        return converted


def _same(value):
    return value


class Reader:
    """Where reads that need no transaction of their own go: the citizens' status lookups, the busiest
    public answer. Each thread reads on one connection of the reading engine (in autocommit), checked
    out once and kept for the thread's life, and runs `ReadQuery`s on its cursor: a lookup costs the one
    round trip of its SELECT, with no BEGIN, no ROLLBACK, no ping and no pool checkout. A test binds the
    reader to the connection of its transaction (`bound`), so that the reads see what the test wrote."""

    def __init__(self, engine):
        self.engine = engine
        self.bound = None
        self._kept = threading.local()

    def rows(self, query, **params):
        """Every row of `query` for `params`, as named tuples. A read is always safe to repeat, so one
        that finds the database gone from under its connection (a restart) runs once more on a fresh
        connection, instead of every read paying a ping to find out."""
        if self.bound is not None:
            return _read(self.bound.connection, self.bound.dialect, query, params)
        connection = self._connection()
        try:
            return _read(connection, self.engine.dialect, query, params)
        except self.engine.dialect.loaded_dbapi.Error as error:
            if not self.engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
                raise
            connection.invalidate(error)
            self.release()
            # Every pooled connection predates the restart: start a fresh pool, as SQLAlchemy does.
            self.engine.dispose()
            return _read(self._connection(), self.engine.dialect, query, params)

    def first(self, query, **params):
        """The first row of `query` for `params`, or None."""
        rows = self.rows(query, **params)
        return rows[0] if rows else None

    def _connection(self):
        """This thread's connection. A checkout costs as much as a twentieth of a lookup, so it is kept,
        and given back to the pool when the thread ends (a development server's thread per request)."""
        connection = getattr(self._kept, "connection", None)
        if connection is None:
            connection = self._kept.connection = self.engine.raw_connection()
            self._kept.give_back = weakref.finalize(threading.current_thread(), connection.close)
        return connection

    def release(self):
        """Give this thread's connection back to the pool."""
        give_back = getattr(self._kept, "give_back", None)
        self._kept.connection = self._kept.give_back = None
        if give_back is not None:
            give_back()


def _read(connection, dialect, query, params):
    """`query`'s rows on the pooled `connection`'s own cursor, which lives as long as the connection: the
    driver keeps what it learnt of the columns (psycopg's loaders), which a new cursor sets up again at a
    cost of about a twentieth of a lookup."""
    cursor = connection.info.get(_CURSOR)
    if cursor is None:
        cursor = connection.info[_CURSOR] = connection.dbapi_connection.cursor()
    return [query.row._make(row) for row in query.plan(dialect).run(cursor, params)]


def reader():
    """The current app's reader."""
    return current_app.extensions[READER]


def dispose(app):
    """Close every pooled connection of the app: its engine's and its reader's."""
    from lltp.extensions import db

    with app.app_context():
        db.engine.dispose()
        reader().release()
        reader().engine.dispose()


def insert(table):
    """An INSERT of the current session's dialect, for its ON CONFLICT clauses (PostgreSQL and SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from lltp.extensions import db

    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)
