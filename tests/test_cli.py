"""`flask db upgrade` creates the database a fresh install starts from."""

from sqlalchemy import create_engine, inspect

from quizapp import create_app

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
