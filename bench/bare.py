"""The baseline of `make bench`: a bare Flask app that only says hello, served by the same
gunicorn settings as the app, so that a ratio to it is what the app's own work costs.

It is also the bench's yardstick for the database: `/read` reads one row by its key, `/write`
inserts one row and commits it, and `/read-write` does both (a post that checks before it
writes, though in two statements each its own transaction), each statement straight through the
driver on a cursor each worker opens once (in autocommit), on the database QUIZAPP_DATABASE_URL
names, as durably as the app's own writes. Their ratios are about the most a Flask page that
reads, or a post that commits, can reach on this machine and database; `prepare` makes their
table.
"""

import os
import sqlite3
from contextlib import closing

from flask import Flask, redirect, request
from markupsafe import escape
from sqlalchemy import make_url

app = Flask(__name__)
_CURSORS: dict[str, tuple] = {}  # URL: (this process's cursor, the driver's parameter marker)


@app.get("/")
@app.get("/healthz")
def hello():
    return "hello"


@app.get("/read")
def read():
    return f"<p>{escape(_read())}</p>"


@app.post("/write")
def write():
    _insert(request.form["key"], "a written row")
    return redirect("/")


@app.post("/read-write")
def read_write():
    """A post that reads before it writes, as an answer is checked against its attempt."""
    _insert(request.form["key"], _read())
    return redirect("/")


def _read() -> str:
    cursor, marker = _cursor()
    cursor.execute(f"SELECT value FROM bench_yardstick WHERE key = {marker}", ("one",))
    return cursor.fetchone()[0]


def _insert(key: str, value: str) -> None:
    cursor, marker = _cursor()
    query = f"INSERT INTO bench_yardstick (key, value) VALUES ({marker}, {marker})"
    cursor.execute(query, (key, value))


def _cursor() -> tuple:
    """This process's cursor (a worker opens its own on first use) and its marker."""
    url = os.environ["QUIZAPP_DATABASE_URL"]
    if url not in _CURSORS:
        connection = connect(url)
        marker = "?" if isinstance(connection, sqlite3.Connection) else "%s"
        _CURSORS[url] = (connection.cursor(), marker)
    return _CURSORS[url]


def connect(url: str):
    """A DB-API connection in autocommit to the database a SQLAlchemy URL names, through its
    driver: on SQLite in WAL with synchronous=NORMAL, as the app's (db._sqlite_pragmas); on
    PostgreSQL a commit is as durable as the server makes the app's (synchronous_commit)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database, timeout=15, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection
    import psycopg  # only with the app's postgres extra, as for the app

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def prepare(url: str) -> None:
    """The yardsticks' table, made afresh, with the row `/read` reads."""
    drop(url)
    with closing(connect(url)) as connection:
        connection.execute("CREATE TABLE bench_yardstick (key VARCHAR(32) PRIMARY KEY, value TEXT)")
        connection.execute("INSERT INTO bench_yardstick VALUES ('one', 'a yardstick row')")


def drop(url: str) -> None:
    """The yardsticks' table gone (and this process's cursor on it, where it made one: a test's;
    the bench's cursors are its workers')."""
    kept = _CURSORS.pop(url, None)
    if kept is not None:
        kept[0].connection.close()
    with closing(connect(url)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_yardstick")
