"""Instructor sessions end when they should, and sign-in and join-code limits hold against a
guesser without locking the owner out."""

import re

from ..conftest import create_class

PASSWORD = "correct horse battery"


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def browser_with(app, cookie: str, **environ):
    stolen = app.test_client()
    stolen.environ_base.update(environ)
    stolen.set_cookie("session", cookie)
    return stolen


def test_signing_out_ends_every_copy_of_the_session(app, teacher):
    copied = session_cookie(teacher)
    assert browser_with(app, copied).get("/instructor/").status_code == 200
    teacher.post("/instructor/logout")
    assert browser_with(app, copied).get("/instructor/").status_code == 302


def test_a_new_password_ends_every_session(app, teacher):
    copied = session_cookie(teacher)
    changed = app.test_cli_runner().invoke(
        args=["instructor", "set-password", "ada@example.org", "--password", "a new passphrase"]
    )
    assert changed.exit_code == 0, changed.output
    assert "signed out everywhere" in changed.output
    assert teacher.get("/instructor/").status_code == 302
    assert browser_with(app, copied).get("/instructor/").status_code == 302


def test_learner_pages_leave_the_instructor_session_as_it_was(app, teacher):
    teacher.get("/quizzes/sample-quiz")
    teacher.post("/quizzes/sample-quiz", data={"display_name": ""})
    for header in teacher.get("/").headers.getlist("Set-Cookie"):
        assert not header.startswith("session=")
    copied = session_cookie(teacher)
    elsewhere = browser_with(
        app, copied, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Another browser"
    )
    assert elsewhere.get("/instructor/").status_code == 302  # strong protection still holds


def test_a_guesser_elsewhere_cannot_lock_the_owner_out(app, instructors):
    instructors.create()
    owner = app.test_client()
    assert instructors.login(owner).status_code == 302  # this browser is known now
    owner.post("/instructor/logout")
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [
        instructors.login(guesser, password=f"guess number {n}").status_code for n in range(15)
    ]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}
    # the account is cooling down for unknown browsers, from any address ...
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert instructors.login(stranger).status_code == 429
    # ... but the owner's own browser still gets in with the right password
    assert instructors.login(owner).status_code == 302


def test_one_address_is_limited_across_accounts(app, instructors):
    instructors.create()
    guesser = app.test_client()
    statuses = [
        instructors.login(guesser, f"user{n}@example.org", "wrong password").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}
    assert "Retry-After" in instructors.login(guesser).headers


def test_join_codes_are_guess_limited_but_members_still_reach_their_class(app, teacher):
    _, code = create_class(teacher)
    member = app.test_client()
    member.post(f"/join/{code}", data={"display_name": "Mo"})
    guesser = app.test_client()
    wrong = [f"/join/ZZZ{n:03d}".replace("0", "Z").replace("1", "Y") for n in range(12)]
    statuses = [guesser.get(path).status_code for path in wrong]
    assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}
    assert guesser.get(f"/join/{code}").status_code == 429  # even a right one, for a while
    assert member.get(f"/classes/{code}").status_code == 200  # a member, on the same address
    assert member.post("/quizzes/sample-quiz", data={"class_code": code}).status_code == 302
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert elsewhere.get(f"/join/{code}").status_code == 200  # others are not held up


def test_a_class_code_that_is_not_yours_answers_as_one_that_does_not_exist(app, teacher):
    _, code = create_class(teacher)
    stranger = app.test_client()
    mine = stranger.get(f"/quizzes/sample-quiz?class={code}")
    missing = stranger.get("/quizzes/sample-quiz?class=QQQQQQ")
    assert mine.status_code == missing.status_code == 404
    assert re.sub(r"QQQ-?QQQ|\w{3}-?\w{3}", "", mine.text) == re.sub(
        r"QQQ-?QQQ|\w{3}-?\w{3}", "", missing.text
    )


def test_another_site_cannot_spend_a_schools_guesses_with_images(app, teacher):
    _, code = create_class(teacher)
    image = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    browser = app.test_client()
    for n in range(30):
        assert browser.get(f"/join/ZZZ{n:03d}", headers=image).status_code == 403
    assert browser.get(f"/join/{code}").status_code == 200  # nothing was counted
    link = {
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
    }
    assert browser.get(f"/join/{code}", headers=link).status_code == 200  # a link still works
    assert browser.get("/static/style.css", headers=image).status_code == 200


def test_a_new_password_voids_the_known_browser_cookie(app, instructors):
    instructors.create()
    owner = app.test_client()
    assert instructors.login(owner).status_code == 302
    owner.post("/instructor/logout")
    app.test_cli_runner().invoke(
        args=["instructor", "set-password", "ada@example.org", "--password", "a new passphrase"]
    )
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for n in range(10):
        instructors.login(guesser, password=f"guess number {n}")
    # the cookie was for the old password: this browser is a stranger to the account now
    assert instructors.login(owner, password="a new passphrase").status_code == 429
