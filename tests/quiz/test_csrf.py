"""Every POST needs the form's CSRF token; without it the learner gets a clear 400 page."""

import re

import pytest


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_post_without_a_token_is_refused_and_a_post_with_one_works(client):
    refused = client.post("/quizzes/sample-quiz", data={"display_name": ""})
    assert refused.status_code == 400
    assert "This form expired, please try again" in refused.text

    start = client.get("/quizzes/sample-quiz").text
    started = client.post("/quizzes/sample-quiz", data={"csrf_token": token(start)})
    assert started.status_code == 302

    statement_url = client.get(started.location).location
    page = client.get(statement_url).text
    assert client.post(statement_url, data={"answer": "myth"}).status_code == 400
    answered = client.post(statement_url, data={"answer": "myth", "csrf_token": token(page)})
    assert answered.status_code == 302
    assert "You were right" in client.get(statement_url).text
