"""Every POST needs the form's CSRF token; without it the learner gets a clear 400 page."""

import contextlib
import re

import pytest
from itsdangerous import BadData, URLSafeTimedSerializer


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


def test_a_signed_token_is_reused_within_its_session_and_refused_in_another(
    app, client, time_machine
):
    time_machine.move_to("2026-01-01 09:00")
    start = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    statement = client.get(client.post("/quizzes/sample-quiz", data=start).location).location
    first = token(client.get(statement).text)
    time_machine.shift(5)  # a token signed now would carry another time
    again = token(client.get(statement).text)
    assert again == first  # signed once per session, not once per page
    other = app.test_client()
    other.get("/quizzes/sample-quiz")  # a session of its own
    refused = other.post("/quizzes/sample-quiz", data={"csrf_token": first})
    assert refused.status_code == 400
    assert client.post(statement, data={"answer": "myth", "csrf_token": again}).status_code == 302


def test_a_session_older_than_its_lifetime_is_not_taken_though_it_was_seen_before(
    app, client, time_machine
):
    time_machine.move_to("2026-01-01 09:00")
    form = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    assert client.post("/quizzes/sample-quiz", data=form).status_code == 302
    time_machine.shift(app.permanent_session_lifetime.total_seconds() + 60)
    refused = client.post("/quizzes/sample-quiz", data=form)
    assert refused.status_code == 400
    assert "This form expired" in refused.text


def test_a_new_secret_key_ends_the_sessions_signed_with_the_old_one(app, client):
    form = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    assert client.post("/quizzes/sample-quiz", data=form).status_code == 302
    app.secret_key = "another secret key, after a leak of the first"
    assert client.post("/quizzes/sample-quiz", data=form).status_code == 400


def test_flaskforms_carry_the_token_the_page_written_forms_carry(client, time_machine):
    time_machine.move_to("2026-01-01 09:00")
    start = token(client.get("/quizzes/sample-quiz").text)  # StartForm, a FlaskForm
    started = client.post("/quizzes/sample-quiz", data={"csrf_token": start})
    statement = client.get(started.location).location
    time_machine.shift(5)  # a token signed now would carry another time
    assert token(client.get(statement).text) == start  # written by the template


def test_a_token_signed_here_is_checked_like_any_other_over_https(client):
    """The comparison with the token this worker signed stands in for the signature check
    only: over HTTPS the referrer must still be this site (WTF_CSRF_SSL_STRICT)."""
    start = token(client.get("/quizzes/sample-quiz").text)
    secure = {"base_url": "https://localhost", "data": {"csrf_token": start}}
    missing = client.post("/quizzes/sample-quiz", **secure)
    assert missing.status_code == 400
    elsewhere = client.post(
        "/quizzes/sample-quiz", **secure, headers={"Referer": "https://evil.example/"}
    )
    assert elsewhere.status_code == 400
    same = client.post("/quizzes/sample-quiz", **secure, headers={"Referer": "https://localhost/"})
    assert same.status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-2],
        lambda t: t[:5] + ("A" if t[5] != "A" else "B") + t[6:],
        lambda t: "é" + t[1:],
    ],
)
def test_a_token_changed_in_any_way_is_refused(client, change):
    """(A change to the last character may touch only base64 padding bits, which decode to the
    same signature: the character changed is one in the middle, which carries six bits.)"""
    start = token(client.get("/quizzes/sample-quiz").text)
    refused = client.post("/quizzes/sample-quiz", data={"csrf_token": change(start)})
    assert refused.status_code == 400
    assert client.post("/quizzes/sample-quiz", data={"csrf_token": start}).status_code == 302


def test_a_token_another_worker_signed_is_checked_in_full_once(make_app, monkeypatch):
    """Each gunicorn worker keeps the tokens it signed; a learner's posts reach every worker.
    A token another worker signed is checked in full (its signature) the first time a worker
    meets it, then compared with what was checked, like the worker's own; a changed one is
    still refused after that."""
    from flask_wtf import csrf as flask_wtf_csrf

    signer = make_app(WTF_CSRF_ENABLED=True)
    other_worker = make_app(WTF_CSRF_ENABLED=True)  # the same keys, its own memory
    browser = signer.test_client()
    start = token(browser.get("/quizzes/sample-quiz").text)
    statement = browser.get(
        browser.post("/quizzes/sample-quiz", data={"csrf_token": start}).location
    ).location
    sent = token(browser.get(statement).text)
    checks = []
    full_check = flask_wtf_csrf.validate_csrf
    monkeypatch.setattr(
        flask_wtf_csrf, "validate_csrf", lambda *a, **k: checks.append(1) or full_check(*a, **k)
    )
    elsewhere = other_worker.test_client()
    elsewhere.set_cookie("session", browser.get_cookie("session").value)
    elsewhere.set_cookie("quizapp_learner", browser.get_cookie("quizapp_learner").value)
    changed = sent[:5] + ("A" if sent[5] != "A" else "B") + sent[6:]
    for number, answer in ((1, "myth"), (2, "fact"), (3, "myth")):
        url = statement.rsplit("/", 1)[0] + f"/{number}"
        assert (
            elsewhere.post(url, data={"answer": answer, "csrf_token": changed}).status_code == 400
        )
        assert elsewhere.post(url, data={"answer": answer, "csrf_token": sent}).status_code == 302
    assert len(checks) == 3 + 1  # each changed token, and the good one once


def test_a_token_sent_to_a_view_that_checks_none_is_not_taken_as_checked(client):
    """The LMS's login post is exempt from CSRF (the platform posts it from its own site). A
    token sent there in a learner's session is not looked at, so it must not count as one the
    worker checked: a forged page could otherwise plant it, then post with it."""
    start = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    statement = client.get(client.post("/quizzes/sample-quiz", data=start).location).location
    planted = "planted-by-a-forged-page"
    client.post("/lti/login", data={"csrf_token": planted, "iss": "https://lms.example"})
    refused = client.post(statement, data={"answer": "myth", "csrf_token": planted})
    assert refused.status_code == 400


def lenient_variant(app, signed: str, tail: str) -> str:
    """`signed` with `tail` after it, in a form flask-wtf still takes: itsdangerous drops what
    is not base64 from a signature, and base64 ignores what follows its padding."""
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for padding in range(4):
        variant = signed + tail + " " * padding
        with contextlib.suppress(BadData):
            serializer.loads(variant)
            return variant
    raise AssertionError("no variant of the token is taken")


def test_a_token_sent_with_text_after_it_is_never_written_into_a_page(app, client):
    """Such a token passes the full check (as it does in flask-wtf itself), but it is not the
    one kept: the pages keep carrying the token as it was signed."""
    start = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    statement = client.get(client.post("/quizzes/sample-quiz", data=start).location).location
    signed = token(client.get(statement).text)
    injected = lenient_variant(app, signed, '="><b id=injected>owned</b><x y="')
    assert (
        client.post(statement, data={"answer": "myth", "csrf_token": injected}).status_code == 302
    )
    page = client.get(statement.rsplit("/", 1)[0] + "/2").text
    assert "injected" not in page and token(page) == signed


def test_a_long_token_is_checked_but_never_kept(app, client):
    """Kept tokens are the size signing makes (about 90 characters): a 60 KB one that passes
    the check is not kept, so posts cannot fill a worker's memory with them."""
    start = {"csrf_token": token(client.get("/quizzes/sample-quiz").text)}
    statement = client.get(client.post("/quizzes/sample-quiz", data=start).location).location
    signed = token(client.get(statement).text)
    long = lenient_variant(app, signed, "=" + "A" * 60_000)
    assert client.post(statement, data={"answer": "myth", "csrf_token": long}).status_code == 302
    assert max(map(len, app.extensions["quizapp.signed_csrf"].values())) < 200
