"""The database: one SQLAlchemy engine per app, one session per request, Alembic migrations."""

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["QUIZAPP_DATABASE_URL"])
    app.extensions["quizapp.db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["quizapp.db.reads"] = _reads(engine)
    app.teardown_appcontext(_close_session)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _reads(engine: Engine) -> Engine:
    """An engine for reads of one statement each, on the same pool of connections.

    On SQLite it leaves out the BEGIN that the main engine's listener issues: one SELECT reads
    a consistent snapshot by itself, and an engine without listeners runs a statement in about
    two thirds of the time (the learner's pages each read one).
    """
    if engine.dialect.name != "sqlite":
        return engine
    return create_engine(engine.url, pool=engine.pool)


def _sqlite_begin(connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write(db_session: Session) -> None:
    """End the reads so far and open a short transaction that will write.

    On SQLite it is BEGIN IMMEDIATE: it waits (busy timeout) for the write lock up front.
    A transaction that read first and then wrote would instead fail at once whenever another
    server process had committed since its read ("database is locked"); under 100 learners at
    once, 99 of them met that as a 500. Reads stay outside the lock, so writers queue briefly.
    """
    db_session.commit()
    db_session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


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
    if "db_session" not in g:
        g.db_session = current_app.extensions["quizapp.db"]()
    return g.db_session


def connect() -> Connection:
    """A connection for one read, without the bookkeeping of a session; use it in `with`.

    On SQLite each statement on it is its own transaction (see _reads).
    """
    return current_app.extensions["quizapp.db.reads"].connect()


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def engine() -> Engine:
    return current_app.extensions["quizapp.db"].kw["bind"]


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
