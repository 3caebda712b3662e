"""Two app servers share one PostgreSQL (and Redis for rate limits): a learner starts on one
and finishes on the other, the instructor sees it from either, and limits hold across both."""

import re

import pytest
import redis

from bench.client import Browser, Learner, path_of
from quizapp import create_app, db
from quizapp.instructor import accounts

from .conftest import database_url, redis_available

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def shared(servers, tmp_path):
    if not redis_available():
        pytest.skip("needs Redis at 127.0.0.1:6379 (CI has it)")
    url = database_url("postgresql", tmp_path)
    redis.Redis.from_url(REDIS).flushdb()
    env = {"QUIZAPP_RATELIMIT_STORAGE_URI": REDIS, "QUIZAPP_LOGIN_LIMITS": "3 per minute"}
    first, second = servers(url, **env), servers(url, **env)
    app = create_app({"QUIZAPP_DATABASE_URL": url, "SECRET_KEY": "cli"})
    with app.app_context():
        accounts.create(db.session(), "lead@example.org", "a shared password")
    return first, second


def test_a_learner_moves_between_servers_and_the_instructor_sees_it(shared):
    first, second = shared
    teacher = Browser(first.url)
    teacher.get("/instructor/login")
    assert (
        teacher.post(
            "/instructor/login", {"email": "lead@example.org", "password": "a shared password"}
        ).status
        == 302
    )
    teacher.get("/instructor/classes/new")
    made = teacher.post(
        "/instructor/classes/new", {"name": "Across servers", "quizzes": "load-test"}
    )
    class_page = teacher.get(path_of(made.location)).body
    code = re.search(r"/join/([A-Z0-9]{6})", class_page).group(1)

    learner = Learner(Browser(second.url))
    learner.browser.get(f"/join/{code}")
    assert learner.browser.post(f"/join/{code}", {"display_name": "Roaming Robin"}).status == 302
    learner.browser.get(f"/quizzes/load-test?class={code}")
    started = learner.browser.post("/quizzes/load-test", {"class_code": code})
    learner.attempt = path_of(started.location)
    for _ in range(5):
        assert learner.answer_next()
    learner.browser.close()
    learner.browser.base = first.url  # same cookies, the other server
    learner.finish()
    assert learner.errors == [] and len(learner.acknowledged) == 10

    teacher.close()
    teacher.base = second.url
    gradebook = teacher.get(path_of(made.location) + "/gradebook").body
    assert "Roaming Robin" in gradebook
    assert "1 attempt" in gradebook


def test_login_limits_hold_across_both_servers(shared):
    first, second = shared
    attacker = Browser(first.url)
    for server in (first, second, first):
        attacker.close()
        attacker.base = server.url
        attacker.get("/instructor/login")
        failed = attacker.post(
            "/instructor/login", {"email": "lead@example.org", "password": "guess"}
        )
        assert failed.status == 400
    for server in (second, first):
        attacker.close()
        attacker.base = server.url
        attacker.get("/instructor/login")
        assert (
            attacker.post(
                "/instructor/login", {"email": "lead@example.org", "password": "guess"}
            ).status
            == 429
        )
