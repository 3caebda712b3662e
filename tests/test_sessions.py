"""The session cookie is read when the session is first used, and nothing in it is lost."""

import pytest
from flask.sessions import SecureCookieSession

from quizapp.security import LazySession

HELD = {"csrf_token": "abc", "_user_id": "7.1", "origins": ["https://lms.example"]}

# each way of using a session, and what it gives back
USES = {
    "in": lambda s: "_user_id" in s,
    "get": lambda s: s.get("_user_id"),
    "item": lambda s: s["csrf_token"],
    "len": len,
    "bool": bool,
    "iter": list,
    "keys": lambda s: sorted(s.keys()),
    "values": lambda s: len(s.values()),
    "items": lambda s: sorted(k for k, _ in s.items()),
    "copy": lambda s: s.copy(),
    "equal": lambda s: s == HELD,
    "set": lambda s: s.__setitem__("new", 1),
    "setdefault": lambda s: s.setdefault("new", 2),
    "pop": lambda s: s.pop("csrf_token"),
    "popitem": lambda s: s.popitem(),
    "update": lambda s: s.update(new=3),
    "or": lambda s: s | {"new": 4},
    "delete": lambda s: s.__delitem__("_user_id"),
    "clear": lambda s: s.clear(),
    "permanent": lambda s: s.permanent,
    "make permanent": lambda s: setattr(s, "permanent", True),
}


@pytest.mark.parametrize("use", USES.values(), ids=USES)
def test_every_use_of_the_session_sees_what_the_cookie_held(use):
    lazy = LazySession(lambda: dict(HELD))
    plain = SecureCookieSession(dict(HELD))
    assert use(lazy) == use(plain)
    assert dict(lazy) == dict(plain)
    assert lazy.modified == plain.modified


def test_a_session_is_read_once_and_only_when_used():
    reads = []
    lazy = LazySession(lambda: reads.append(1) or dict(HELD))
    assert not reads
    assert lazy.get("csrf_token") == "abc" and lazy["_user_id"] == "7.1"
    assert reads == [1]
    assert not lazy.modified


def test_a_request_that_never_uses_the_session_leaves_its_cookie_unread(client):
    client.set_cookie("session", "not a signed session at all")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert "Cookie" not in health.headers.get("Vary", "")
    assert "Set-Cookie" not in health.headers


def test_a_session_used_after_the_cookie_was_changed_is_refused(make_app):
    """The signature is still checked whenever the session is used: a learner's page with a
    forged cookie gets a fresh session, not the forged one."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.get("/quizzes/sample-quiz")
    forged = client.get_cookie("session").value[:-3] + "abc"
    client.set_cookie("session", forged)
    page = client.get("/quizzes/sample-quiz")
    assert page.status_code == 200
    assert "Cookie" in page.headers["Vary"]
    assert page.headers.getlist("Set-Cookie")  # a new session, with a token of its own


def test_a_method_taken_from_the_session_before_it_was_read_still_works():
    lazy = LazySession(lambda: dict(HELD))
    get = lazy.get
    assert lazy["csrf_token"] == "abc"  # read here
    assert get("_user_id") == "7.1"


@pytest.mark.parametrize(
    "held",
    [{"csrf_token": "abc", "n": 1}, {"origins": ["https://lms.example"]}],
    ids=["plain", "list"],
)
def test_no_request_sees_what_another_changed_in_the_same_cookie(make_app, held):
    """A cookie verified once is kept for the next requests; each gets its own copy of what it
    holds (a copy of plain values, the rest decoded afresh)."""
    app = make_app()
    interface = app.session_interface
    with app.test_request_context():
        cookie = interface.get_signing_serializer(app).dumps(held)
    reads = []
    for _ in range(2):
        with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as context:
            reads.append(interface._read(app, context.request))
    assert reads[0] == reads[1] == held
    reads[0]["csrf_token"] = "changed"
    for value in reads[0].values():
        if isinstance(value, list):
            value.append("https://other.example")
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as context:
        assert interface._read(app, context.request) == held
