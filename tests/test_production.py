"""Production settings and the headers every response carries."""

import gc

import pytest
from flask import request
from sqlalchemy import text

from quizapp import create_app
from quizapp.config import ConfigurationError

from .conftest import FIXTURE_CONTENT


def test_every_response_carries_the_security_headers(client):
    paths = ("/", "/quizzes/sample-quiz", "/articles/sample-article", "/nope", "/healthz")
    responses = [client.get(path) for path in (*paths, "/static/style.css")]
    responses.append(client.post("/quizzes/sample-quiz", data={}))  # a redirect
    responses.append(client.delete("/healthz"))  # 405
    for response in responses:
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY"
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_page_has_inline_script_or_style(client):
    for path in ("/", "/quizzes/sample-quiz", "/articles/sample-article", "/instructor/login"):
        html = client.get(path).text
        assert "<script" not in html and "<style" not in html and " style=" not in html


def production(tmp_path, monkeypatch, **config):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    settings = {
        "QUIZAPP_PRODUCTION": True,
        "QUIZAPP_DATABASE_URL": "sqlite://",
        "QUIZAPP_PUBLIC_URL": "https://quiz.example.org/",
    }
    return create_app({**settings, "QUIZAPP_CONTENT_DIR": str(FIXTURE_CONTENT), **config})


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZAPP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="QUIZAPP_SECRET_KEY is not set"):
        production(tmp_path, monkeypatch)
    assert not (tmp_path / "secret_key").exists()  # no key made up on the side


def test_production_cookies_are_secure_and_proxies_trusted_only_when_told(tmp_path, monkeypatch):
    app = production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY="k" * 32)
    behind = production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY="k" * 32, QUIZAPP_PROXY_HOPS=1)
    for each in (app, behind):
        each.add_url_rule("/seen-as", "seen_as", lambda: request.host_url)
    cookie = app.test_client().get("/quizzes/sample-quiz").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "quiz.example.org"}
    assert app.test_client().get("/seen-as", headers=forwarded).text.endswith("//localhost/")
    seen = behind.test_client().get("/seen-as", headers=forwarded).text
    assert seen == "https://quiz.example.org/"


def test_the_health_check_answers_without_the_database(tmp_path, monkeypatch):
    app = production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY="k" * 32,
                     QUIZAPP_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")  # fmt: skip
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.text == "ok\n"


def test_a_nul_character_anywhere_is_a_400(client):
    assert client.post("/quizzes/sample-quiz", data={"display_name": "a\x00b"}).status_code == 400
    assert client.get("/quizzes/sample-quiz?class=%00").status_code == 400


def test_a_statement_page_with_its_stylesheet_weighs_under_30_kb(client, learner):
    url = learner.start("deferred-quiz")  # certainty asked: the heaviest statement page
    page = client.get(url).data
    css = client.get("/static/style.css").data
    assert len(page) + len(css) < 30 * 1024
    assert b"http://" not in page and b"https://" not in page  # nothing from another host


KEY = "k" * 32


def test_production_refuses_debug_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="debug"):
        production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY=KEY)


def test_production_refuses_a_short_secret_key(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match="at least 32"):
        production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY="short")


@pytest.mark.parametrize(
    "public", [None, "", "quiz.example.org", "/quiz", "ftp://quiz.example.org"]
)
def test_production_refuses_to_guess_its_public_address(tmp_path, monkeypatch, public):
    monkeypatch.delenv("QUIZAPP_PUBLIC_URL", raising=False)
    with pytest.raises(ConfigurationError, match="QUIZAPP_PUBLIC_URL"):
        production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY=KEY, QUIZAPP_PUBLIC_URL=public)


def test_join_links_use_the_public_url_not_the_host_header(make_app, instructors):
    app = make_app(QUIZAPP_PUBLIC_URL="https://quiz.example.org/")
    instructors.app = app
    instructors.create()
    teacher = app.test_client()  # a request whose Host header an attacker chose
    login = {"email": "ada@example.org", "password": "correct horse battery"}
    teacher.post("/instructor/login", data=login, base_url="http://evil.example")
    made = teacher.post(
        "/instructor/classes/new",
        data={"name": "A", "quizzes": ["sample-quiz"]},
        base_url="http://evil.example",
    )
    page = teacher.get(made.location, base_url="http://evil.example").text
    assert "https://quiz.example.org/join/" in page and "evil.example" not in page


def test_instructor_pages_and_exports_are_never_cached(teacher):
    made = teacher.post("/instructor/classes/new", data={"name": "A", "quizzes": ["sample-quiz"]})
    for path in ("/instructor/", made.location, made.location + "/gradebook.csv"):
        assert teacher.get(path).headers["Cache-Control"] == "no-store", path
    assert teacher.get("/instructor/login").headers["Cache-Control"] == "no-store"


def test_a_405_says_which_methods_are_allowed(client):
    refused = client.delete("/quizzes/sample-quiz")
    assert refused.status_code == 405
    assert set(refused.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_hsts_only_when_configured(make_app):
    assert "Strict-Transport-Security" not in make_app().test_client().get("/").headers
    hsts = make_app(QUIZAPP_HSTS_SECONDS=31536000).test_client().get("/").headers
    assert hsts["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


class _SilentDatabase:
    """A server that accepts connections and never says a word, like a hung PostgreSQL."""

    def __enter__(self):
        import socket

        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        return self

    def __exit__(self, *exc):
        self.sock.close()


def test_ready_check_says_503_within_a_second_when_the_database_hangs(tmp_path, monkeypatch):
    import time

    with _SilentDatabase() as silent:
        url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.port}/none"
        app = production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY=KEY, QUIZAPP_DATABASE_URL=url)
        began = time.monotonic()
        ready = app.test_client().get("/readyz")
        waited = time.monotonic() - began
        assert app.test_client().get("/healthz").status_code == 200
    assert ready.status_code == 503 and "database" in ready.text
    assert waited < 3  # a bounded wait, not the 30 s hang seen before (not a speed measure)


def test_ready_check_says_ok_when_the_database_answers(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"


def test_a_hung_database_fails_a_page_fast_instead_of_holding_the_worker(tmp_path, monkeypatch):
    import time

    with _SilentDatabase() as silent:
        url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.port}/none"
        app = production(tmp_path, monkeypatch, QUIZAPP_SECRET_KEY=KEY, QUIZAPP_DATABASE_URL=url,
                         QUIZAPP_DB_CONNECT_TIMEOUT=1)  # fmt: skip
        began = time.monotonic()
        page = app.test_client().get("/progress")
        waited = time.monotonic() - began
    assert page.status_code == 503 and "try again" in page.text
    assert waited < 5  # bounded by the connect timeout (not a speed measure)


def test_postgresql_sessions_carry_the_statement_timeout(make_app, database):
    url, _ = database
    if not url.startswith("postgresql"):
        pytest.skip("a PostgreSQL setting: runs on the PostgreSQL leg")
    app = make_app(QUIZAPP_DB_STATEMENT_TIMEOUT=7)
    with app.app_context():
        from quizapp import db

        assert db.session().execute(text("SHOW statement_timeout")).scalar() == "7s"


def test_gunicorn_forks_each_worker_with_the_masters_objects_set_apart_from_the_collector(
    monkeypatch,
):
    """What the master loaded (app, content, libraries) is frozen before each fork: a worker's
    full garbage collections then pass over only what it made itself (a results page took 8%
    longer when they passed over everything)."""
    monkeypatch.setenv("QUIZAPP_PRODUCTION", "false")  # the config's setdefault keeps this
    from quizapp import gunicorn_conf

    assert gc.get_freeze_count() == 0
    try:
        gunicorn_conf.pre_fork(None, None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
