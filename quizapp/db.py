"""The database: one SQLAlchemy engine per app, one session per request, Alembic migrations."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Sessions:
    reading: sessionmaker  # GET and HEAD requests
    writing: sessionmaker  # every other request, and the command line


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["QUIZAPP_DATABASE_URL"])
    app.extensions["quizapp.db"] = Sessions(
        reading=sessionmaker(engine, expire_on_commit=False),
        writing=sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        ),
    )
    app.teardown_appcontext(_close_session)


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection) -> None:
    """A request that will write starts with BEGIN IMMEDIATE: it waits (busy timeout) for the
    write lock up front. A deferred transaction that read first would instead fail at once when
    another server process had committed since its read ("database is locked"): under 100
    learners at once, 99 of them met that as a 500 before this."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


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
        sessions = current_app.extensions["quizapp.db"]
        reads_only = has_request_context() and request.method in ("GET", "HEAD")
        g.db_session = (sessions.reading if reads_only else sessions.writing)()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def engine() -> Engine:
    return current_app.extensions["quizapp.db"].reading.kw["bind"]


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
