"""Upgrading keeps every learner's work: the browser tokens of before become learners."""

import hashlib
import secrets

from sqlalchemy import text

from quizapp import create_app
from quizapp.db import make_engine, upgrade

from .conftest import FIXTURE_CONTENT


def test_a_learner_from_before_the_upgrade_keeps_attempts_and_class(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0004")
    token = secrets.token_urlsafe(32)
    owner = hashlib.sha256(token.encode()).hexdigest()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO instructor (id, email, password_hash, created_at) "
                "VALUES (1, 'a@example.org', 'x', '2026-11-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO classroom (id, instructor_id, name, join_code, joining_open, "
                "archived, created_at) VALUES (1, 1, 'Old class', 'KXM4TP', 1, 0, '2026-11-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO member (id, classroom_id, owner, display_name, joined_at) "
                "VALUES (1, 1, :owner, 'Ann', '2026-11-02')"
            ),
            {"owner": owner},
        )
        connection.execute(
            text(
                "INSERT INTO attempt (id, bank_id, owner, member_id, display_name, started_at, "
                "question_count, correct_count) VALUES "
                "('old-attempt', 'sample-quiz', :owner, 1, 'Ann', '2026-11-02', 4, 0)"
            ),
            {"owner": owner},
        )
        connection.execute(
            text(
                "INSERT INTO attempt_item (attempt_id, position, question_id, revision) "
                "VALUES ('old-attempt', 1, 'sky-is-green', 'r')"
            )
        )
    upgrade(engine)
    engine.dispose()

    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "QUIZAPP_DATABASE_URL": url,
            "QUIZAPP_CONTENT_DIR": str(FIXTURE_CONTENT),
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["browser"] = token  # where the token was kept before the upgrade
    page = client.get("/attempts/old-attempt/1")
    assert page.status_code == 200 and "Statement 1 of 1" in page.text
    assert client.get_cookie("quizapp_learner").value.startswith(token + ".")
    with client.session_transaction() as session:
        assert "browser" not in session  # moved to the learner cookie
    assert client.get("/classes/KXM4TP").status_code == 200  # still a member
    assert app.test_client().get("/attempts/old-attempt/1").status_code == 404


def test_the_migrations_make_exactly_the_tables_the_models_describe(database):
    """A model changed without its migration (or the other way round) shows up here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from quizapp.lti import models as lti_models  # noqa: F401  (their tables join Base's)
    from quizapp.models import Base

    _, engine = database
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, Base.metadata) == []
