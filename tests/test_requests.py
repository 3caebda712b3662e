"""Requests that must never work or never fail: off-site redirects, bodies that are not forms,
control characters."""

import json
from urllib.parse import quote, urlsplit

import pytest
from flask import request
from werkzeug import local
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.wrappers import Request

from quizapp.security import same_site_path

# Known ways around a "starts with / but not //" check (OWASP's and Django's lists): browsers
# drop tabs and newlines, read \ as /, and decode what they are given.
BYPASSES = [
    "//evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
    "/\r\n/evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    " //evil.example/",
    "\t//evil.example/",
    "///evil.example/",
    "/ /evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "\x00//evil.example/",
    "/\x00/evil.example/",
    "%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "/%09/evil.example/",
    "//evil.example%2F@good.example/",
    "/\u3000/evil.example/",
    "/\x7f/evil.example/",
    "/\x0b/evil.example/",
]


def as_a_browser_reads_it(location: str) -> str:
    """What a browser would request: tabs and newlines dropped, \\ read as /."""
    return location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


@pytest.mark.parametrize("target", BYPASSES)
def test_same_site_path_refuses_every_known_bypass(target):
    result = same_site_path(target)
    if result is not None:  # kept only as a path on this site
        read = urlsplit(as_a_browser_reads_it(result))
        assert not read.scheme and not read.netloc and result.startswith("/")
        assert not result.startswith("//") and "\\" not in result


@pytest.mark.parametrize("target", ["/instructor/classes/3", "/instructor/?sort=name", "/"])
def test_same_site_path_keeps_ordinary_paths(target):
    assert same_site_path(target) == target


@pytest.mark.parametrize("target", BYPASSES)
def test_sign_in_never_redirects_off_site(client, instructors, target):
    instructors.create()
    signed_in = client.post(
        "/instructor/login?next=" + quote(target, safe=""),
        data={"email": "ada@example.org", "password": "correct horse battery"},
    )
    if signed_in.status_code == 400:  # a control character: refused, the page says why
        assert "control character" in signed_in.text
        return
    assert signed_in.status_code == 302
    read = urlsplit(as_a_browser_reads_it(signed_in.location))
    assert not read.scheme and not read.netloc


@pytest.fixture
def guarded(make_app):
    """An app with CSRF on, as in production, and a browser with a token from a page."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/quizzes/sample-quiz").text
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    return client, token


def test_a_json_body_is_not_taken_as_a_form(guarded):
    client, token = guarded
    sent = client.post(
        "/quizzes/sample-quiz",
        data=json.dumps({"display_name": "x\x00y", "csrf_token": token}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert sent.status_code == 415
    assert "form" in sent.text


def test_a_multipart_body_is_not_taken_as_a_form(guarded):
    client, token = guarded
    sent = client.post(
        "/quizzes/sample-quiz",
        data={"display_name": "Ann", "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 415


def test_a_form_body_still_works(guarded):
    client, token = guarded
    sent = client.post("/quizzes/sample-quiz", data={"display_name": "Ann", "csrf_token": token})
    assert sent.status_code == 302


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x0b"])
def test_control_characters_in_a_field_are_a_clear_400(client, character):
    sent = client.post("/quizzes/sample-quiz", data={"display_name": f"Ann{character}"})
    assert sent.status_code == 400
    assert "control character" in sent.text
    assert client.get(f"/quizzes/sample-quiz?class={quote(character)}").status_code == 400


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff", "\u2028", "\uffff", "\ue000"])
def test_names_with_invisible_or_reordering_characters_are_refused(client, hidden):
    joined = client.post("/quizzes/sample-quiz", data={"display_name": f"Ann{hidden}Lee"})
    assert joined.status_code == 400
    assert "invisible or special characters" in joined.text


def test_a_learners_page_reads_flasks_context_through_few_proxy_lookups(
    client, learner, monkeypatch
):
    """Reading `request.path` or `g.get` through werkzeug's proxy raises and catches an
    AttributeError inside werkzeug first: 3.4 µs each on the bench's VM, where the object's own
    attribute takes a tenth of a microsecond. A statement page made 37 such reads, an eighth of
    its time; the app's code now takes each object once (security.PROXIES). Flask's own four
    (in preprocess_request, dispatch_request, process_response and do_teardown_appcontext)
    remain, and two in decoding the session (here the cookie is new to the worker; a worker
    decodes a cookie once)."""
    url = learner.start()
    client.get(url)  # first views of a page render their copies: not counted
    looked_up = _proxy_lookups(client.application, monkeypatch)
    for path in (url, "/healthz"):
        looked_up.clear()
        assert client.get(path).status_code == 200
        assert len(looked_up) <= 6, (path, looked_up)


def test_an_answer_post_reads_flasks_context_through_few_proxy_lookups(guarded, monkeypatch):
    """Flask's request reads its form limits (MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE, ...)
    and the debug flag through the `current_app` proxy, ten lookups to read one form: a tenth
    of an answer post's time in the app. The app's request reads them from its app, once."""
    client, token = guarded
    started = client.post("/quizzes/sample-quiz", data={"csrf_token": token})
    first = client.get(started.location).location
    second = first[:-1] + "2"
    client.post(first, data={"answer": "myth", "csrf_token": token})  # the worker's first post
    looked_up = _proxy_lookups(client.application, monkeypatch)
    answered = client.post(second, data={"answer": "fact", "csrf_token": token})
    assert answered.status_code == 302
    assert len(looked_up) <= 7, looked_up  # Flask's four, url_for's one and redirect's two
    monkeypatch.undo()
    assert "You answered\n    <strong>fact</strong>" in client.get(second).text  # and it is kept


@pytest.mark.parametrize(
    ("limits", "size", "status"),
    [
        ({}, 60_000, 400),  # within MAX_CONTENT_LENGTH (64 KiB): read, and refused as a name
        ({}, 70_000, 413),
        ({"MAX_CONTENT_LENGTH": 1_000}, 2_000, 413),
        ({"MAX_CONTENT_LENGTH": None}, 70_000, 400),
    ],
)
def test_a_form_is_read_within_the_apps_limits(make_app, limits, size, status):
    """The limits a form is read within are the app's config, as Flask reads them: a body over
    one is refused with a 413 page, and an app without limits reads it whole."""
    client = make_app(**limits).test_client()
    sent = client.post("/quizzes/sample-quiz", data={"display_name": "x" * size})
    assert sent.status_code == status
    if status == 413:
        assert "That was too much to send" in sent.text


def _proxy_lookups(app, monkeypatch) -> list[str]:
    """The attributes read through werkzeug's proxies while the app handles a request, from
    now until the test ends (or the monkeypatch is undone)."""
    looked_up = []
    original = local._ProxyLookup.__get__
    serving = _while_serving(app, monkeypatch)

    def counted(self, instance, owner=None):
        if instance is not None and serving[0]:
            looked_up.append(self.name)
        return original(self, instance, owner)

    monkeypatch.setattr(local._ProxyLookup, "__get__", counted)
    return looked_up


def _while_serving(app, monkeypatch) -> list[bool]:
    """A flag that is up while the app handles a request, and down while the test client
    builds the request and reads the response."""
    serving = [False]
    handle = app.wsgi_app

    def flagged(environ, start_response):
        serving[0] = True
        try:
            return handle(environ, start_response)
        finally:
            serving[0] = False

    monkeypatch.setattr(app, "wsgi_app", flagged)
    return serving


def test_a_learners_page_reads_its_cookies_without_walking_every_header(
    client, learner, monkeypatch
):
    """werkzeug reads `request.cookies` by walking every header the request carries (its
    EnvironHeaders.getlist), a browser sends a dozen, and every learner page reads its cookies.
    The app reads the one Cookie header straight from the WSGI environ, as werkzeug itself
    reads each header it looks up by name."""
    url = learner.start()
    walked = []
    original = EnvironHeaders.getlist

    def counted(self, key, *args, **kwargs):
        walked.append(key)
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(EnvironHeaders, "getlist", counted)
    browser = {"User-Agent": "Mozilla/5.0", "Accept": "text/html", "Accept-Language": "en"}
    page = client.get(url, headers=browser)
    assert page.status_code == 200
    assert 'value="myth"' in page.text  # the learner's own statement, found by their cookie
    assert "Cookie" not in walked


def test_cookies_read_from_the_environ_are_werkzeugs_cookies(app):
    """The same mapping werkzeug would make: every cookie, repeated names kept, values as the
    WSGI server passed them (not decoded again: a byte that is not UTF-8, which another site
    of the domain could set, breaks no page), none with no Cookie header."""
    header = 'a=1; b="two words"; a=3; __Host-x=y; n=' + "é".encode().decode("latin-1")
    with app.test_request_context("/", headers={"Cookie": header}):
        ours = request.cookies
        theirs = Request(request.environ).cookies
        assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)
        assert ours.getlist("a") == ["1", "3"]
    with app.test_request_context("/"):
        assert not request.cookies


@pytest.mark.parametrize("path", ["/", "/quizzes/sample-quiz", "/healthz"])
def test_a_cookie_that_is_not_utf8_breaks_no_page(app, path):
    client = app.test_client(use_cookies=False)
    page = client.get(path, environ_overrides={"HTTP_COOKIE": "theme=caf\xe9; other=1"})
    assert page.status_code == 200


def test_a_learners_page_raises_no_exception_inside_werkzeugs_headers(client, learner, monkeypatch):
    """Asking werkzeug's Headers whether a header is there (`in`, `get`) raises and catches a
    KeyError when it is not, and building that exception cost a statement page 2 µs: the
    session's Vary check asked so on every learner page. (werkzeug's own Content-Type check,
    made for every response, is not the app's to change.)"""
    url = learner.start()
    client.get(url)
    raised = []
    original = BadRequestKeyError.__init__
    serving = _while_serving(client.application, monkeypatch)

    def counted(self, *args, **kwargs):
        if serving[0]:
            raised.append(args)
        original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(BadRequestKeyError, "__init__", counted)
        page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Vary"] == "Cookie"
    assert [key for key in raised if key != ("content-type",)] == []
