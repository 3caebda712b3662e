"""Fixtures for the instructor's side: a signed-in instructor and their classes."""

import re

import pytest


@pytest.fixture
def teacher(app, instructors):
    """A signed-in instructor's browser."""
    instructors.create()
    client = app.test_client()
    assert instructors.login(client).status_code == 302
    return client


def create_class(teacher, name="Biology 101", quizzes=("sample-quiz",)) -> tuple[str, str]:
    """Returns the class page URL and its join code."""
    made = teacher.post("/instructor/classes/new", data={"name": name, "quizzes": list(quizzes)})
    assert made.status_code == 302, made.text
    page = teacher.get(made.location).text
    code = re.search(r"/join/([A-Z0-9]{6})", page).group(1)
    return made.location, code
