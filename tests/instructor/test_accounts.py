"""Instructor accounts: created from the command line, signed in safely, rate-limited."""

import pytest


def test_the_cli_creates_an_instructor_asking_for_the_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["instructor", "create", "Ada@Example.org"],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "created instructor ada@example.org" in result.output
    again = runner.invoke(args=["instructor", "create", "ada@example.org", "--password", "x" * 12])
    assert again.exit_code == 1
    assert "already exists" in again.output
    short = runner.invoke(args=["instructor", "create", "bo@example.org", "--password", "short"])
    assert "at least 10 characters" in short.output


def test_sign_in_and_out(app, client, instructors):
    instructors.create()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    signed_in = instructors.login(client)
    assert signed_in.location == "/instructor/"
    # the sign-in lasts the browser's session: no remember-me cookie outlives it
    assert client.get_cookie("remember_token") is None
    assert not any(
        "Expires" in c for c in signed_in.headers.getlist("Set-Cookie") if "session" in c
    )
    with client.session_transaction() as session:
        assert "planted" not in session  # a fresh session on sign-in
    assert "Your classes" in client.get("/instructor/").text
    page = client.get("/instructor/").text
    assert 'action="/instructor/logout"' in page
    assert client.post("/instructor/logout").location == "/"
    assert client.get("/instructor/").status_code == 302


def test_a_wrong_password_says_so_without_telling_which_part_was_wrong(client, instructors):
    instructors.create()
    for email, password in (
        ("ada@example.org", "wrong password"),
        ("who@example.org", "whatever pass"),
    ):
        page = instructors.login(client, email, password)
        assert page.status_code == 400
        assert "That email and password do not match an instructor." in page.text


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, instructors):
    instructors.create()
    asked = client.get("/instructor/classes/new").location
    assert asked == "/instructor/login?next=%2Finstructor%2Fclasses%2Fnew"
    back = client.post(
        asked, data={"email": "ada@example.org", "password": "correct horse battery"}
    )
    assert back.location == "/instructor/classes/new"
    client.post("/instructor/logout")
    off = client.post(
        "/instructor/login?next=//evil.example/",
        data={"email": "ada@example.org", "password": "correct horse battery"},
    )
    assert off.location == "/instructor/"


@pytest.fixture
def app(make_app):
    return make_app(QUIZAPP_LOGIN_LIMITS="3 per minute")


def test_failed_logins_beyond_the_limit_get_429_per_address(client, instructors):
    instructors.create()
    for _ in range(3):
        assert instructors.login(client, password="wrong password!").status_code == 400
    limited = instructors.login(client, password="wrong password!")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    assert instructors.login(client).status_code == 429  # even the right password, for now


def test_failed_logins_beyond_the_limit_get_429_per_account_from_any_address(app, instructors):
    instructors.create()
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
        assert instructors.login(client, password="wrong password!").status_code == 400
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    assert instructors.login(fresh, password="wrong password!").status_code == 429
    other_account = instructors.login(fresh, "someone@example.org", "wrong password!")
    assert other_account.status_code == 400  # the limit is this account's


def test_successful_logins_do_not_count_against_the_limit(client, instructors):
    instructors.create()
    for _ in range(5):
        assert instructors.login(client).status_code == 302
        client.post("/instructor/logout")
