"""The command line: `flask db upgrade` creates the database a fresh install starts from;
`flask instructor invite` gives a new colleague a one-time link."""

import hashlib
import re

from sqlalchemy import create_engine, inspect, text

from quizapp import create_app
from quizapp.db import engine as engine_of

from .conftest import FIXTURE_CONTENT


def test_db_upgrade_creates_the_tables_in_a_new_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    database = tmp_path / "fresh.sqlite3"
    app = create_app(
        {
            "QUIZAPP_DATABASE_URL": f"sqlite:///{database}",
            "QUIZAPP_CONTENT_DIR": str(FIXTURE_CONTENT),
        }
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database is at revision head" in result.output
    tables = set(inspect(create_engine(f"sqlite:///{database}")).get_table_names())
    assert {"attempt", "attempt_item", "response", "alembic_version"} <= tables
    again = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.exit_code == 0  # upgrading an up-to-date database is harmless


def test_instructor_invite_prints_a_one_time_link_from_the_public_url(make_app):
    app = make_app(QUIZAPP_PUBLIC_URL="https://quiz.example.org/school/")
    result = app.test_cli_runner().invoke(args=["instructor", "invite", "Bo@Example.org"])
    assert result.exit_code == 0, result.output
    link = re.search(
        r"https://quiz\.example\.org/school/instructor/invitations/(\S+)", result.output
    )
    assert link, result.output
    assert "bo@example.org" in result.output
    assert "works once" in result.output and "7 days" in result.output
    # the database keeps a hash of the token, never the token
    with engine_of(app).connect() as connection:
        stored = connection.execute(text("SELECT token_hash, email FROM invitation")).one()
    token = link.group(1)
    assert stored == (hashlib.sha256(token.encode()).hexdigest(), "bo@example.org")
    page = app.test_client().get(f"/instructor/invitations/{token}")
    assert page.status_code == 200 and "bo@example.org" in page.text


def test_instructor_invite_refuses_an_email_with_an_account(app, instructors):
    instructors.create("ada@example.org")
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["instructor", "invite", "ADA@example.org"])
    assert taken.exit_code == 1 and "already has an account" in taken.output
    wrong = runner.invoke(args=["instructor", "invite", "not-an-email"])
    assert wrong.exit_code == 1 and "is not an email address" in wrong.output


def test_instructor_invite_without_a_public_url_says_what_the_link_assumes(app):
    result = app.test_cli_runner().invoke(args=["instructor", "invite", "bo@example.org"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/instructor/invitations/" in result.output
    assert "QUIZAPP_PUBLIC_URL" in result.output
