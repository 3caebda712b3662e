"""What every request passes through: the session, CSRF on every POST, web forms only, the
refusal of input no page can use, response headers, and the one check of where a redirect may
go."""

import hashlib
import hmac
import re
import time
import unicodedata
from urllib.parse import urlsplit

from flask import Flask, Request, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf import FlaskForm
from flask_wtf import csrf as flask_wtf_csrf
from itsdangerous import BadSignature


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """flask-wtf's CSRF protection, which takes the token this worker signed (or checked) for
    the session by comparing it with what was signed, where flask-wtf would derive the key and
    check the signature again on every post. Any other token gets flask-wtf's whole check."""

    def protect(self, apply_exemptions=False):
        app, req = current_app._get_current_object(), request._get_current_object()
        config = app.config
        sent = req.form.get(config["WTF_CSRF_FIELD_NAME"])
        reusable = sent and config["WTF_CSRF_TIME_LIMIT"] is None  # as csrf_token keeps them
        signed_before = _signed_before(app)
        signed = signed_before.get(key := _csrf_key(app)) if reusable else None
        if signed is None or not hmac.compare_digest(signed.encode(), sent.encode()):
            super().protect(apply_exemptions)  # raises unless `sent` (read first) is good
            # One that passed, signed by another worker, say (a learner's posts reach every
            # worker), is kept and compared from now on: only if a check was made (an exempt
            # view makes none), and only as signing writes it (the check also takes a token
            # with text after it)
            if reusable and g.get("csrf_valid") and _SIGNED.fullmatch(sent):
                _keep(signed_before, key, sent)
            return
        if req.is_secure and config["WTF_CSRF_SSL_STRICT"]:  # as flask-wtf checks it
            if not req.referrer:
                self._error_response("The referrer header is missing.")
            if not flask_wtf_csrf.same_origin(req.referrer, f"https://{req.host}/"):
                self._error_response("The referrer does not match the host.")
        g._get_current_object().csrf_valid = True


csrf = CSRFProtect()


class Form(FlaskForm):
    """The site's forms: a FlaskForm whose CSRF field holds the token this worker signed for the
    session before (csrf_token), as the forms a template writes do."""

    def __init__(self, *args, **kwargs):
        if self.Meta.csrf is not False and current_app.config["WTF_CSRF_ENABLED"]:
            csrf_token()  # flask-wtf's generate_csrf gives the page's token from then on
        super().__init__(*args, **kwargs)


# Every script and style comes from our own static files: no inline code, no other host.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
FORM = "application/x-www-form-urlencoded"
# PROXIES: Flask's `request`, `g`, `session` and `current_app` are werkzeug proxies, and reading
# an attribute through one (`request.path`, `g.get`) first raises and catches an AttributeError
# inside werkzeug: 3.4 µs on the bench's VM, where the object's own attribute takes 0.1 µs, and a
# statement page made 37 such reads. Code on every request's path takes the object once, with
# `_get_current_object()`, as werkzeug's documentation advises for code that reads it often.
SIGNED_TOKENS = 4096  # signed CSRF tokens kept for reuse, per worker
VERIFIED_COOKIES = 2048  # session cookies remembered as verified, per worker
# a signed CSRF token as flask-wtf writes it: payload.timestamp.signature, in base64url
_SIGNED = re.compile(r"[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{1,64}")
FRAME_SESSION_COOKIE = "quizapp_lti_session"  # the session an LTI launch begins (lti.frames)
# C0 and C1 control characters but tab, line feed and carriage return (which forms send)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    # CSRFProtect's own hook would look up the view's exemptions on every GET as well: the
    # guard below asks it to check the methods that change something, in its place
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_guard)
    app.wsgi_app = SiteHeaders(app, app.wsgi_app)
    # after CSRFProtect's context processor, so that pages call this one
    app.context_processor(lambda: {"csrf_token": csrf_token})


def _guard():
    """Every request's checks, in one hook (each hook costs Flask a few microseconds)."""
    req = request._get_current_object()  # the object, not its proxy: see PROXIES
    _same_site_or_navigation(req)
    unsafe = req.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe:
        _forms_only(req)  # before the CSRF check, which reads the body
        config = current_app._get_current_object().config
        if config["WTF_CSRF_ENABLED"] and req.method in config["WTF_CSRF_METHODS"]:
            csrf.protect(apply_exemptions=True)
    _refuse_control_characters(req, unsafe)


def csrf_token() -> str:
    """The signed CSRF token for this page's forms (flask-wtf's generate_csrf), signed once.

    flask-wtf signs the session's token afresh for every page (an HMAC each time). While a
    signed token never expires (WTF_CSRF_TIME_LIMIT is None), the one signed for this session
    before serves as well: it is kept per worker and handed to flask-wtf through `g`.
    """
    app, globals_ = current_app._get_current_object(), g._get_current_object()  # see PROXIES
    config = app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    if field in globals_:  # asked before on this page
        return globals_.get(field)
    signed_before = _signed_before(app)
    reusable = config["WTF_CSRF_TIME_LIMIT"] is None
    if reusable and (known := signed_before.get(_csrf_key(app))) is not None:
        setattr(globals_, field, known)  # flask-wtf's generate_csrf gives it from now on
        return known
    signed = flask_wtf_csrf.generate_csrf()
    if reusable:
        # the session's token, made now if it had none
        _keep(signed_before, _csrf_key(app), signed)
    return signed


def _keep(signed_before: dict, key: tuple, signed: str) -> None:
    """Keep a session's signed token, within SIGNED_TOKENS."""
    if len(signed_before) >= SIGNED_TOKENS:
        signed_before.clear()
    signed_before[key] = signed


def _signed_before(app: Flask) -> dict:
    """The signed CSRF tokens this worker made or checked, by _csrf_key."""
    return app.extensions.setdefault("quizapp.signed_csrf", {})


def _csrf_key(app: Flask) -> tuple:
    """The key and the session's token a signed CSRF token was made from."""
    config = app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return secret, session._get_current_object().get(config["WTF_CSRF_FIELD_NAME"])


def _same_site_or_navigation(req: Request):
    """Another site may link here, but not load a page as an image, script, frame or fetch.

    Browsers say where a request comes from (Fetch Metadata); a page that makes other people's
    browsers request join codes as images would otherwise use up their school's guess limit.
    """
    if req.environ.get("HTTP_SEC_FETCH_SITE") != "cross-site":  # the Sec-Fetch-Site header
        return
    headers = req.headers
    # an LMS course page frames the tool: its login and launch arrive as frame navigations,
    # and so does every page of the session a launch began (the frame stays cross-site)
    framed = req.path.startswith("/lti/") or FRAME_SESSION_COOKIE in req.cookies
    documents = ("document", "iframe", "frame") if framed else ("document",)
    navigation = headers.get("Sec-Fetch-Mode") == "navigate" and (
        headers.get("Sec-Fetch-Dest") in documents
    )
    if not navigation and not req.path.startswith("/static/"):
        abort(403, description="This page cannot be loaded from another site; open it directly.")


def _forms_only(req: Request):
    """Pages take web forms only: a JSON or multipart body is not read as if it were one."""
    if req.mimetype != FORM and (req.content_length or req.mimetype):
        abort(415, description=f"This address takes web forms ({FORM}) only.")


def _refuse_control_characters(req: Request, with_body: bool):
    """No name, code or answer has control characters in it (PostgreSQL refuses NUL in text)."""
    texts = [req.path]
    if req.query_string:
        texts += (k + v for k, v in req.args.items(multi=True))
    if with_body:
        texts += (k + v for k, v in req.form.items(multi=True))
    if CONTROL.search("".join(texts)):
        abort(
            400,
            description="Part of what was sent contains a control character. "
            "Please type it again, without pasting special characters.",
        )


class SiteHeaders:
    """WSGI middleware: the headers every response carries (HEADERS, and HSTS where set), added
    as it leaves the app, so that no page, error or file goes without them, at the cost of a
    list's extend (an after-request hook adding them cost every request more than the page's
    own headers). A value the app set itself is kept; a response with its own
    Content-Security-Policy (a page an LMS may frame, lti.frames) says in it who may frame it,
    so it gets no X-Frame-Options either."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._headers: list[tuple[str, str]] | None = None

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            if "content-security-policy" in present:
                present.add("x-frame-options")
            headers.extend(h for h in self.headers() if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)

    def headers(self) -> list[tuple[str, str]]:
        """Computed once, from the settings as the first request finds them."""
        if self._headers is None:
            found = list(HEADERS.items())
            if self.app.config["QUIZAPP_HSTS_SECONDS"]:
                seconds = int(self.app.config["QUIZAPP_HSTS_SECONDS"])
                found.append(("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"))
            self._headers = found
        return self._headers


def no_store(response):
    """For pages and files with private data: no browser or proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def digest(secret: str) -> str:
    """What the database keeps of a bearer secret (a device token, a way-back code, an
    invitation): its SHA-256, so that a copy of the database opens nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_site_path(target: str) -> str | None:
    """`target` if a browser would take it as a path on this site, else None.

    Browsers drop tabs and newlines, read a backslash as a slash and strip leading spaces, so
    `/\\t/evil.example/` would leave the site: any whitespace, control, format character or
    backslash refuses the target outright, as Django's url_has_allowed_host_and_scheme does
    before it parses.
    """
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _reading(name: str):
    """The session's method `name`, which reads the cookie first (see LazySession)."""
    method = getattr(SecureCookieSession, name)

    def read_first(self, *args, **kwargs):
        LazySession.read(self)
        return method(self, *args, **kwargs)

    read_first.__name__ = name
    return read_first


class LazySession(SecureCookieSession):
    """Flask's cookie session, read from the cookie when first used: a request that never uses
    it (a health check, a file) neither parses nor checks the cookie. Once read, it is Flask's
    session itself again, at its own speed."""

    def __init__(self, read_cookie):
        super().__init__()
        self._read_cookie = read_cookie

    def read(self) -> None:
        """Read the cookie, once (a method taken from the session before may call this after)."""
        if self.__class__ is LazySession:
            self.__class__ = SecureCookieSession  # every method below is Flask's from now on
            dict.update(self, self._read_cookie())  # not a change: nothing to write back

    __contains__ = _reading("__contains__")
    __delitem__ = _reading("__delitem__")
    __eq__ = _reading("__eq__")
    __getitem__ = _reading("__getitem__")
    __ior__ = _reading("__ior__")
    __iter__ = _reading("__iter__")
    __len__ = _reading("__len__")
    __ne__ = _reading("__ne__")
    __or__ = _reading("__or__")
    __repr__ = _reading("__repr__")
    __reversed__ = _reading("__reversed__")
    __ror__ = _reading("__ror__")
    __setitem__ = _reading("__setitem__")
    clear = _reading("clear")
    copy = _reading("copy")
    get = _reading("get")
    items = _reading("items")
    keys = _reading("keys")
    pop = _reading("pop")
    popitem = _reading("popitem")
    setdefault = _reading("setdefault")
    update = _reading("update")
    values = _reading("values")


_PLAIN_VALUES = (str, int, float, bool, type(None))  # nothing a request could change in place


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, less four of its costs on every request (see
    bench/http.py): the cookie is read when the session is first used (LazySession); the
    signing serializer is made once per key rather than twice per request; a cookie whose
    signature was checked once is not checked again (its age still is, and what it holds is
    decoded afresh, or copied when its values are plain, so no request sees another's changes);
    and a session nobody changed is not looked at again on the way out.
    """

    def get_signing_serializer(self, app):
        return self._signing(app)[0]

    def _signing(self, app) -> tuple:
        """The serializer for the app's keys, and the cookies it has verified: value ->
        (signed at, the session's JSON). Both are dropped when the keys change."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("quizapp.session_serializer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app), {})
            app.extensions["quizapp.session_serializer"] = cached
        return cached[1:]

    def open_session(self, app, request):
        if self._signing(app)[0] is None:  # no secret key: Flask's null session says so
            return super().open_session(app, request)
        return LazySession(lambda: self._read(app, request))

    def _read(self, app, request) -> dict:
        """What the request's session cookie holds, if its signature and age are good."""
        serializer, verified = self._signing(app)
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return {}
        max_age = app.permanent_session_lifetime.total_seconds()
        known = verified.get(value)
        if known is None:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return {}
            if len(verified) >= VERIFIED_COOKIES:
                verified.clear()
            plain = all(isinstance(v, _PLAIN_VALUES) for v in data.values())
            # kept as a dict each request gets a copy of when every value is plain (decoding
            # took longer), else as JSON each request decodes
            kept = dict(data) if plain else self.serializer.dumps(data)
            known = verified[value] = (signed_at.timestamp(), kept)
        elif time.time() - known[0] > max_age:
            return {}
        kept = known[1]
        return dict(kept) if isinstance(kept, dict) else self.serializer.loads(kept)

    def save_session(self, app, session, response):
        refresh = app.config["SESSION_REFRESH_EACH_REQUEST"]
        if isinstance(session, LazySession) and not refresh:
            return  # never used: nothing to write, and the response does not vary by it
        refresh = refresh and session.permanent
        if not session.modified and not refresh:
            # getlist: `in` and `get` raise and catch a KeyError when the header is missing
            if session.accessed and response.headers.getlist("Vary"):
                response.vary.add("Cookie")
            elif session.accessed:  # as vary.add would set it, without parsing a header first
                response.headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)
