"""A new instructor gets an account: a colleague invites them (from the web or the command line)
with a one-time link that expires, or, where the school allows it, they sign up themselves."""

import re
from datetime import timedelta

import pytest
import time_machine

PASSWORD = "a long new password"


@pytest.fixture
def client(app):
    """The invited colleague's browser. (pytest-flask's client keeps its last request's
    context, and so its signed-in user, open into the teacher's next request.)"""
    return app.test_client()


def invite(teacher, email="bo@example.org") -> str:
    """A signed-in instructor invites a colleague; returns the path of the link shown."""
    page = teacher.post("/instructor/invite", data={"email": email})
    assert page.status_code == 200, page.text
    return re.search(r"https?://[^/\s\"]+(/instructor/invitations/[\w-]+)", page.text).group(1)


def accept(client, path, password=PASSWORD, confirm=None):
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(path, data=data)


def test_an_instructor_invites_a_colleague_who_chooses_a_password_and_is_signed_in(
    app, teacher, client
):
    form = teacher.get("/instructor/invite")
    assert form.status_code == 200 and 'name="email"' in form.text
    path = invite(teacher)
    shown = teacher.post("/instructor/invite", data={"email": "cy@example.org"}).text
    assert "shown only now" in shown and "works once" in shown
    # the link is shown once: the page afterwards lists the invitation but not its link
    listing = teacher.get("/instructor/invite").text
    assert "bo@example.org" in listing and path not in listing

    page = client.get(path)
    assert page.status_code == 200
    assert "bo@example.org" in page.text and 'name="confirm"' in page.text
    signed_in = accept(client, path)
    assert signed_in.status_code == 302 and signed_in.location == "/instructor/"
    assert "Your classes" in client.get("/instructor/").text
    client.post("/instructor/logout")
    again = client.post("/instructor/login", data={"email": "bo@example.org", "password": PASSWORD})
    assert again.status_code == 302
    assert "accepted" in teacher.get("/instructor/invite").text


def test_an_invitation_works_once_and_says_so_afterwards(app, teacher, client):
    path = invite(teacher)
    assert accept(client, path).status_code == 302
    other = app.test_client()
    used = other.get(path)
    assert used.status_code == 410
    assert "This invitation has already been used" in used.text
    assert 'href="/instructor/login"' in used.text
    assert accept(other, path, "another long password").status_code == 410


def test_an_expired_invitation_says_so_and_whom_to_ask(app, teacher, client):
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2026-12-01 09:00Z")
        path = invite(teacher)
        traveller.shift(timedelta(days=6, hours=23))
        assert client.get(path).status_code == 200
        traveller.shift(timedelta(hours=2))
        expired = client.get(path)
        assert expired.status_code == 410
        assert "This invitation has expired" in expired.text
        assert "ada@example.org" in expired.text  # who can send a new one
        assert accept(client, path).status_code == 410
    assert client.get("/instructor/").status_code == 302  # not signed in


def test_a_link_that_matches_no_invitation_is_not_found(client):
    page = client.get("/instructor/invitations/" + "x" * 43)
    assert page.status_code == 404
    assert "This invitation link does not work" in page.text


def test_the_new_password_must_be_long_enough_and_confirmed(app, teacher, client):
    path = invite(teacher)
    short = accept(client, path, "short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    mismatch = accept(client, path, PASSWORD, confirm="a different password")
    assert mismatch.status_code == 400 and "The passwords do not match" in mismatch.text
    assert accept(client, path).status_code == 302  # a mistake does not use up the link


def test_an_invitation_to_an_email_that_has_an_account_is_refused(teacher):
    page = teacher.post("/instructor/invite", data={"email": "ADA@example.org"})
    assert page.status_code == 400
    assert "ada@example.org already has an account" in page.text


def test_invitation_pages_are_not_cached_and_send_no_referrer(app, teacher, client):
    path = invite(teacher)
    assert teacher.get("/instructor/invite").headers["Cache-Control"] == "no-store"
    page = client.get(path)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from another host


def test_inviting_needs_a_signed_in_instructor(client):
    assert client.get("/instructor/invite").status_code == 302
    assert client.post("/instructor/invite", data={"email": "eve@example.org"}).status_code == 302


def test_the_sign_in_page_says_how_to_get_an_account(client):
    page = client.get("/instructor/login").text
    assert "Ask a colleague who teaches here to invite you" in page
    assert "flask --app quizapp instructor invite" in page
    assert "/instructor/signup" not in page  # open sign-up is off by default
    assert client.get("/instructor/signup").status_code == 404


@pytest.fixture
def open_app(make_app):
    return make_app(QUIZAPP_OPEN_SIGNUP=True, QUIZAPP_LOGIN_LIMITS="3 per minute")


def test_with_open_sign_up_anyone_creates_an_account_and_is_signed_in(open_app):
    client = open_app.test_client()
    assert 'href="/instructor/signup"' in client.get("/instructor/login").text
    made = client.post(
        "/instructor/signup",
        data={"email": "Di@Example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert made.status_code == 302 and made.location == "/instructor/"
    assert "Your classes" in client.get("/instructor/").text
    taken = open_app.test_client().post(
        "/instructor/signup",
        data={"email": "di@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert taken.status_code == 400 and "already has an account" in taken.text


def test_open_sign_up_is_limited_per_address(open_app):
    client = open_app.test_client()
    for n in range(3):
        data = {"email": f"u{n}@example.org", "password": "short", "confirm": "short"}
        assert client.post("/instructor/signup", data=data).status_code == 400
    data = {"email": "u9@example.org", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/instructor/signup", data=data).status_code == 429


def test_inviting_is_limited_so_nobody_can_probe_for_accounts(app, teacher):
    statuses = [
        teacher.post("/instructor/invite", data={"email": f"probe{n}@example.org"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
