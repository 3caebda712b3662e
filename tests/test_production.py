"""Production settings and the headers every response carries."""

import pytest
from flask import request

from quizapp import create_app
from quizapp.config import ConfigurationError

from .conftest import FIXTURE_CONTENT


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/quizzes/sample-quiz", "/articles/sample-article", "/nope", "/healthz"):
        headers = client.get(path).headers
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
    settings = {"QUIZAPP_PRODUCTION": True, "QUIZAPP_DATABASE_URL": "sqlite://"}
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
