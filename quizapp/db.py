"""The database: one SQLAlchemy engine per app, one session per request, a lean read for the
pages every learner turns (read), and Alembic migrations."""

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import (
    URL,
    Connection,
    Dialect,
    Engine,
    Executable,
    Select,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def init_app(app: Flask) -> None:
    timeouts = {
        "connect_timeout": app.config["QUIZAPP_DB_CONNECT_TIMEOUT"],
        "statement_timeout": app.config["QUIZAPP_DB_STATEMENT_TIMEOUT"],
    }
    engine = make_engine(app.config["QUIZAPP_DATABASE_URL"], **timeouts)
    app.extensions["quizapp.db"] = sessionmaker(engine, expire_on_commit=False)
    # the readiness check connects afresh each time, with the shortest timeouts
    probe = make_engine(engine.url, connect_timeout=1, statement_timeout=1, poolclass=NullPool)
    app.extensions["quizapp.db.probe"] = probe
    app.teardown_appcontext(_close_session)


def make_engine(
    url: str | URL, connect_timeout: float = 5, statement_timeout: float = 15, **options
) -> Engine:
    """An engine for the URL. On PostgreSQL a connection attempt gives up after
    `connect_timeout` seconds and the server cancels a statement after `statement_timeout`,
    so that a hung database fails a request instead of holding a worker."""
    if make_url(url).get_backend_name() != "sqlite":
        timeouts = {
            "connect_timeout": max(1, round(connect_timeout)),
            "options": f"-c statement_timeout={round(statement_timeout * 1000)}ms",
        }
        engine = create_engine(url, connect_args=timeouts, **options)
        event.listen(engine, "checkin", _checked_in)
        event.listen(engine, "checkout", _ping_if_idle)
        _ENGINES.add(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": 15}, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    _ENGINES.add(engine)
    return engine


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may sit unused before it is tested


def _checked_in(_dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """A connection that sat in the pool is tested before use (the server may have restarted or
    dropped it): one round trip, as SQLAlchemy's pool_pre_ping makes, but only after a second
    unused. Under load connections go straight back to work, and a ping on every checkout cost
    a statement page on PostgreSQL a sixth of its time. A dead connection is replaced."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) < PING_AFTER_IDLE:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # as the pool hands connections out: no transaction open
    except Exception as exc:  # whatever the driver says of a dead connection
        raise DisconnectionError(f"a pooled connection no longer answers: {exc}") from exc


def _sqlite_begin(connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write(db_session: Session) -> Connection:
    """End the reads so far and open a short transaction that will write.

    On SQLite it is BEGIN IMMEDIATE: it waits (busy timeout) for the write lock up front.
    A transaction that read first and then wrote would instead fail at once whenever another
    server process had committed since its read ("database is locked"); under 100 learners at
    once, 99 of them met that as a 500. Reads stay outside the lock, so writers queue briefly.
    Returns the connection to write on; the caller commits the session.
    """
    db_session.commit()
    return db_session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once; with synchronous=NORMAL a commit survives
    # the process being killed (only power loss can lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session() -> Session:
    """The current request's session, opened on first use and closed when the request ends."""
    globals_ = g._get_current_object()  # see security.PROXIES
    if "db_session" not in globals_:
        globals_.db_session = current_app._get_current_object().extensions["quizapp.db"]()
    return globals_.db_session


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time with its zone: SQLite gives back naive datetimes, and every time stored
    is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def insert_for(bind) -> Callable:
    """The dialect's INSERT, which has ON CONFLICT (upserts, insert-or-ignore): PostgreSQL's or
    SQLite's, as the bind (an engine, a connection, a session's bind) speaks."""
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def read(statement: Select, **params) -> list[Sequence]:
    """The rows of one SELECT, run straight on a connection kept for reading (see _READERS).

    It leaves out SQLAlchemy's work per execution (a Connection, its events, an execution
    context, a Result), which took twice as long as the query itself on the page every learner
    turns, and the pool's checkout and checkin. Values come back converted by the columns'
    types, as SQLAlchemy converts them; parameters go to the driver as they are, so they must be
    plain strings and numbers. The statement is its own transaction (one SELECT
    reads a consistent snapshot), in autocommit: on PostgreSQL that spares the BEGIN and
    ROLLBACK round trips a transaction would cost. A connection found lost (the server
    restarted) is replaced, with every pooled one, and the read made once more.
    """
    try:
        return _read(statement, params)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _read(statement, params)


def _read(statement: Select, params: dict) -> list[Sequence]:
    bind = engine()
    compiled = _compiled(statement, bind.dialect)
    pool = bind.pool
    idle = _READERS.get(pool)
    if idle is None:
        if not isinstance(pool, QueuePool):  # not a queue of connections (an in-memory SQLite's)
            with (
                _driver_errors(bind, compiled.sql, params) as connection,
                closing(connection.cursor()) as cursor,
            ):
                return _fetched(cursor, compiled, params)
        idle = _READERS.setdefault(pool, [])
        weakref.finalize(pool, _close_all, idle).atexit = False  # a pool gone, and its readers
    connection = None
    try:
        try:
            connection, cursor = idle.pop()
        except IndexError:
            connection = _lent(bind)
            cursor = connection.cursor()
        rows = _fetched(cursor, compiled, params)
    except BaseException as exc:
        error = bind.dialect.dbapi.Error
        lost = False
        if connection is not None:  # a read cut short (an error, a timeout): in no known state
            lost = isinstance(exc, error) and bind.dialect.is_disconnect(exc, connection, None)
            with suppress(error):
                connection.close()
        if not isinstance(exc, error):
            raise
        if lost and bind.pool is pool:  # not already replaced by another thread's lost read
            bind.dispose()
        raise _as_sqlalchemys(bind, exc, compiled.sql, params, lost) from exc
    idle.append((connection, cursor))
    return rows


def _fetched(cursor, compiled: "_Compiled", params: dict) -> list[Sequence]:
    """The rows of a compiled SELECT run on a driver's cursor, converted by its columns'
    types."""
    cursor.execute(compiled.sql, compiled.arguments(params))
    rows = cursor.fetchall()
    if compiled.converters:
        rows = [compiled.convert(row) for row in rows]
    return rows


# Per pool, its connections lent for reading and idle, each with its cursor: taken out of the
# pool once each and detached from it (it neither checks nor resets them again, and opens others
# in their place), in autocommit, and used by one read at a time (a list's pop and append are
# atomic). A checkout and checkin per read cost a statement page a tenth of its time, and a new
# cursor per read a page on PostgreSQL a ninth of its read. There are as many as reads ever ran at
# once in the process (at most its threads), outside the pool's own size and overflow; none is
# tested when idle: one a server dropped fails its read, which is made again.
_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ENGINES: weakref.WeakSet = weakref.WeakSet()  # every engine make_engine made (see _forked)
# what a forked process found of its parent's: never used, nor closed (closing one ends the
# parent's session on PostgreSQL; psycopg's own clean-up leaves a connection of another process)
_INHERITED: list = []


def _lent(bind: Engine):
    """A connection for reading, taken out of the engine's pool for good."""
    pooled = bind.raw_connection()
    try:
        if bind.dialect.name == "postgresql":
            pooled.rollback()  # as the pool hands it out: nothing begun, so autocommit may be set
            pooled.driver_connection.autocommit = True
    except BaseException:
        pooled.invalidate()
        raise
    connection = pooled.driver_connection
    pooled.detach()
    return connection


def _close_all(readers: list) -> None:
    for connection, _cursor in readers:
        with suppress(Exception):
            connection.close()


def _forked() -> None:
    """In a forked process (gunicorn's workers): none of the parent's connections is used, its
    readers nor its pools' (engine.dispose(close=False), as SQLAlchemy advises)."""
    for idle in list(_READERS.values()):
        _INHERITED.extend(idle)
        idle.clear()  # and so its pool's finalizer closes none of them
    _READERS.clear()
    for bind in list(_ENGINES):
        _INHERITED.append(bind.pool)
        bind.dispose(close=False)


os.register_at_fork(after_in_child=_forked)


class _Autocommit:
    """A PostgreSQL driver connection in autocommit for the block (no BEGIN sent by the
    driver), then as the pool hands it out to everyone else."""

    def __init__(self, driver):
        self.driver = driver

    def __enter__(self):
        self.driver.autocommit = True

    def __exit__(self, *_exc):
        if not self.driver.closed:
            self.driver.autocommit = False


@contextmanager
def _driver_errors(bind: Engine, sql: str, params: dict) -> Iterator:
    """A pooled connection, given back at the end; the driver's errors raised as SQLAlchemy's
    (see _as_sqlalchemys). A connection the driver says is lost is thrown away with every other
    idle one of the pool, which a restarted server has dropped as well."""
    connection = None
    try:
        connection = bind.raw_connection()
        yield connection
    except bind.dialect.dbapi.Error as exc:
        lost = connection is not None and bind.dialect.is_disconnect(exc, connection, None)
        if lost:
            connection.invalidate(exc)
            bind.dispose()
        raise _as_sqlalchemys(bind, exc, sql, params, lost) from exc
    finally:
        if connection is not None:
            connection.close()  # back to the pool, which rolls back whatever the driver began


def _as_sqlalchemys(bind: Engine, exc: Exception, sql: str, params: dict, lost: bool):
    """A driver's error as SQLAlchemy's own execution raises it: an unreachable database is an
    OperationalError, which errors.py answers with its 503 page."""
    return DBAPIError.instance(
        sql,
        params,
        exc,
        bind.dialect.dbapi.Error,
        connection_invalidated=lost,
        dialect=bind.dialect,
    )


class Transaction:
    """A short write transaction run straight on a pooled connection (see `transaction`)."""

    def __init__(self, bind: Engine, connection):
        self.dialect = bind.dialect
        self.connection = connection
        self.cursor = connection.cursor()
        self.open = True
        # SQLite's driver is in autocommit (see _sqlite_pragmas): the transaction is spelled out
        self.sqlite = bind.dialect.name == "sqlite"
        if self.sqlite:
            self.cursor.execute("BEGIN IMMEDIATE")

    def execute(self, statement: Executable, params: dict) -> int:
        """Run an INSERT, UPDATE or DELETE; returns how many rows it changed."""
        self.cursor.execute(*_bound(statement, self.dialect, params))
        return self.cursor.rowcount

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        """Undo what this transaction wrote; nothing is committed when the block ends."""
        self._end("ROLLBACK")

    def _end(self, how: str) -> None:
        if self.open:
            self.open = False
            if not self.sqlite:
                self.connection.commit() if how == "COMMIT" else self.connection.rollback()
            elif self.cursor.connection.in_transaction:
                self.cursor.execute(how)


@contextmanager
def transaction() -> Iterator[Transaction]:
    """A write transaction straight on a pooled connection, committed when the block ends and
    rolled back if it raises: what `read` is to a SELECT, for the writes on the path every
    learner takes (the ORM's session took longer than the writes themselves, inside the write
    lock). On SQLite it begins IMMEDIATE, for the reason given at `begin_write`. The driver's
    errors are raised as SQLAlchemy's (a refused constraint is an IntegrityError, as on the
    ORM's path; a lost or locked database an OperationalError, a 503 page).
    """
    bind = engine()
    with _driver_errors(bind, "a write transaction", {}) as connection:
        work = Transaction(bind, connection)
        try:
            yield work
        except BaseException:
            with suppress(bind.dialect.dbapi.Error):  # a lost connection has nothing to undo
                work.rollback()
            raise
        work.commit()


def write(*statements: tuple[Executable, dict]) -> list[int]:
    """Run INSERTs, UPDATEs and DELETEs, each with its parameters, as one transaction straight
    on a pooled connection, and commit it; returns how many rows each changed.

    On PostgreSQL the whole transaction, BEGIN to COMMIT, reaches the server in one round trip,
    where it took one for each (a worker stands idle through each): in pipeline mode they are
    sent together and answered at the Sync that ends the pipeline, once the commit is flushed
    to disk. If a statement fails, the rest are skipped and the transaction rolled back; if the
    worker is interrupted before COMMIT is sent, the Sync leaves it open and it is rolled back
    here. Each statement still reads afresh (READ COMMITTED): one that waited for a row lock
    sees what the holder committed. On SQLite it is `transaction`'s BEGIN IMMEDIATE ... COMMIT.
    """
    bind = engine()
    if bind.dialect.name != "postgresql":
        with transaction() as work:
            return [work.execute(statement, params) for statement, params in statements]
    # bound first: nothing is sent unless all of it can be
    bound = [_bound(statement, bind.dialect, params) for statement, params in statements]
    idle = bind.dialect.dbapi.pq.TransactionStatus.IDLE
    with _driver_errors(bind, "a write", {}) as connection:
        driver = connection.driver_connection
        with _Autocommit(driver):  # the transaction is spelled out, to be sent in one go
            try:
                with driver.pipeline():
                    driver.execute("BEGIN")
                    cursors = [driver.execute(sql, arguments) for sql, arguments in bound]
                    driver.execute("COMMIT")
                return [cursor.rowcount for cursor in cursors]
            finally:
                if not driver.closed and driver.info.transaction_status != idle:
                    driver.rollback()  # a statement failed, or COMMIT was never sent


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the parameters' order, for a positional paramstyle
    converters: tuple[tuple[int, Callable], ...]  # (column index, result processor)
    processors: tuple[tuple[str, Callable | None], ...]  # (parameter, bind processor)

    def arguments(self, params: dict) -> tuple | dict:
        return params if self.names is None else tuple(params[name] for name in self.names)

    def bind(self, params: dict) -> tuple | dict:
        """The parameters as the driver takes them, converted by their types (a datetime in
        SQLite's format, for one)."""
        converted = {
            name: convert(params[name]) if convert else params[name]
            for name, convert in self.processors
        }
        return self.arguments(converted)

    def convert(self, row: Sequence) -> list:
        converted = list(row)
        for index, convert in self.converters:
            converted[index] = convert(converted[index])
        return converted


def _bound(statement: Executable, dialect: Dialect, params: dict) -> tuple[str, tuple | dict]:
    """A write's SQL and its parameters, as the driver takes them."""
    compiled = _compiled(statement, dialect)
    return compiled.sql, compiled.bind(params)


@lru_cache(maxsize=64)
def _compiled(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    selected = statement.selected_columns if isinstance(statement, Select) else ()
    converters = (
        (index, column.type.dialect_impl(dialect).result_processor(dialect, None))
        for index, column in enumerate(selected)
    )
    processors = (
        (name, bound.type.dialect_impl(dialect).bind_processor(dialect))
        for name, bound in compiled.binds.items()
    )
    return _Compiled(
        sql=str(compiled),
        names=tuple(compiled.positiontup) if compiled.positional else None,
        converters=tuple((index, convert) for index, convert in converters if convert),
        processors=tuple(processors),
    )


def _close_session(_exc: BaseException | None) -> None:
    db_session = g._get_current_object().pop("db_session", None)  # see security.PROXIES
    if db_session is not None:
        db_session.close()


def ready(timeout: float = 1.0) -> bool:
    """Whether the database answers a query within `timeout` seconds.

    The query runs on a thread of its own, because a driver's connect timeout has a floor
    (libpq's is 2 s) and a server that accepts connections and then says nothing would
    otherwise hold the check longer than a load balancer waits.
    """
    probe = current_app.extensions["quizapp.db.probe"]
    answered = threading.Event()

    def ask() -> None:
        try:
            with probe.connect() as connection:
                connection.execute(text("SELECT 1"))
            answered.set()
        except SQLAlchemyError:
            pass

    threading.Thread(target=ask, daemon=True).start()
    return answered.wait(timeout)


def engine(app: Flask | None = None) -> Engine:
    """The app's engine (the current app's by default)."""
    return (app or current_app._get_current_object()).extensions["quizapp.db"].kw["bind"]


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create the database or bring it up to date."""
    command.upgrade(alembic_config(engine), revision)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for what the models changed (for developers)."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)
