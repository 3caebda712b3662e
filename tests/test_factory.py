"""The app factory: layered configuration, content reload in development, bad content isolated."""

import logging
import shutil

from flask import after_this_request

from quizapp import create_app
from quizapp.config import load_environment

from .conftest import FIXTURE_CONTENT


def test_environment_variables_override_and_json_values_are_parsed():
    config = {"QUIZAPP_CONTENT_RELOAD": None}
    load_environment(
        config,
        {"QUIZAPP_CONTENT_RELOAD": "true", "QUIZAPP_DATABASE_URL": "sqlite://", "OTHER": "x"},
    )
    assert config == {"QUIZAPP_CONTENT_RELOAD": True, "QUIZAPP_DATABASE_URL": "sqlite://"}


def test_config_layers_defaults_then_instance_file_then_environment_then_test(
    tmp_path, monkeypatch
):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "QUIZAPP_CONTENT_DIR = 'from-instance'\nQUIZAPP_DATABASE_URL = 'sqlite:///from-instance'\n"
    )
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app({"QUIZAPP_CONTENT_DIR": str(FIXTURE_CONTENT)})
    assert app.config["QUIZAPP_DATABASE_URL"].endswith("env.sqlite3")  # env beats instance
    assert app.config["QUIZAPP_CONTENT_DIR"] == str(FIXTURE_CONTENT)  # test beats all
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"  # a default
    assert len(app.secret_key) == 64  # generated once, kept in the instance folder
    assert (instance / "secret_key").read_text().strip() == app.secret_key


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("QUIZAPP_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["QUIZAPP_DATABASE_URL"] == f"sqlite:///{tmp_path / 'quizapp.sqlite3'}"
    assert app.extensions["quizapp.catalog"].current().library.banks  # the bundled content


def test_a_malformed_bank_is_named_in_the_log_and_the_others_are_served(make_app, tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "questions" / "zz-broken.yaml").write_text("schema_version: 1\nbank: [oops\n")
    with caplog.at_level(logging.ERROR):
        app = make_app(QUIZAPP_CONTENT_DIR=str(content))
    # one line names what was left out; `content check` and /authoring/ say where and why
    assert any(
        "left out for errors: questions/zz-broken.yaml" in r.getMessage() for r in caplog.records
    )
    client = app.test_client()
    assert "A sample quiz" in client.get("/").text
    assert client.get("/quizzes/zz-broken").status_code == 404
    assert client.get("/quizzes/sample-quiz").status_code == 200


def test_in_development_an_edited_bank_is_served_without_a_restart(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    app = make_app(QUIZAPP_CONTENT_DIR=str(content), QUIZAPP_CONTENT_RELOAD=True)
    client = app.test_client()
    assert "A sample quiz" in client.get("/").text
    bank = content / "questions" / "sample-quiz.yaml"
    bank.write_text(bank.read_text().replace("title: A sample quiz", "title: An edited quiz"))
    assert "An edited quiz" in client.get("/").text


def test_without_reload_content_is_read_once(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    app = make_app(QUIZAPP_CONTENT_DIR=str(content), QUIZAPP_CONTENT_RELOAD=False)
    bank = content / "questions" / "sample-quiz.yaml"
    bank.write_text(bank.read_text().replace("title: A sample quiz", "title: An edited quiz"))
    assert "A sample quiz" in app.test_client().get("/").text


def test_a_coroutine_is_never_taken_for_a_plain_function(app):
    """The app remembers which views and hooks are plain functions, so as not to ask on every
    call; a coroutine still gets Flask's own answer every time it is asked (wrapped to run, or,
    without asgiref, an error saying to install it), never itself as if it were plain."""

    def plain():
        return "ok"

    async def coroutine():
        return "awaited"

    def made(func):
        try:
            return app.ensure_sync(func)
        except RuntimeError:  # Flask without asgiref says to install it
            return None

    for _ in range(2):
        assert made(plain) is plain
        assert made(coroutine) is not coroutine


def test_callbacks_made_for_one_request_are_not_remembered_without_end(app):
    """What the app remembers of plain functions stays within its bound however many requests
    make callbacks of their own."""

    @app.get("/callback-probe")
    def probe():
        @after_this_request
        def stamp(response):
            response.headers["X-Probe"] = "1"
            return response

        return "ok"

    client = app.test_client()
    for _ in range(app.REMEMBERED + 50):
        assert client.get("/callback-probe").headers["X-Probe"] == "1"
    assert len(app._synchronous) <= app.REMEMBERED
