"""The tool inside the LMS's frame: its own session cookie, and headers that let that LMS, and
only that LMS, frame it.

A course page frames the tool on another site, where a browser sends no `SameSite=Lax`
cookie, and where many browsers now send no third-party cookie at all. So a launch starts a
session of its own, in a cookie that is `SameSite=None; Secure; Partitioned` (CHIPS): the
browser keeps it for this LMS's frame only, apart from the tool's own top-level session, and
sends it there even when third-party cookies are blocked. Pages shown in that session may be
framed by the origins the launch came from; every other page keeps `frame-ancestors 'none'`.
"""

import time
from urllib.parse import urlsplit

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from ..security import CONTENT_SECURITY_POLICY
from ..security import FRAME_SESSION_COOKIE as COOKIE

ORIGINS = "lti_frame_origins"  # session key: the origins allowed to frame the tool
VERIFIED_COOKIES = 2048  # session cookies remembered as verified, per worker


_FRAMED = "quizapp.framed"  # the answer, kept in the request's environ (asked several times)


def framed() -> bool:
    """Whether this request belongs to a session an LTI launch began."""
    if not has_request_context():
        return False
    environ = request.environ
    if _FRAMED not in environ:
        environ[_FRAMED] = COOKIE in request.cookies
    return environ[_FRAMED]


def begin() -> None:
    """Make this request's session the framed one (the launch's response sets its cookie)."""
    request.environ[_FRAMED] = True


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, kept in the partitioned cookie when framed.

    Three costs of Flask's own are left out of every request (see bench/http.py): the signing
    serializer is made once per key rather than twice per request; a cookie whose signature
    was checked once is not checked again (its age still is, and what it holds is decoded
    afresh, so no request sees another's changes); and a session nobody changed is not looked
    at again on the way out.
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
        serializer, verified = self._signing(app)
        value = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not value:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        known = verified.get(value)
        if known is None:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(verified) >= VERIFIED_COOKIES:
                verified.clear()
            known = verified[value] = (signed_at.timestamp(), self.serializer.dumps(data))
        elif time.time() - known[0] > max_age:
            return self.session_class()
        return self.session_class(self.serializer.loads(known[1]))

    def save_session(self, app, session, response):
        refresh = session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        if not session.modified and not refresh:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def get_cookie_name(self, app):
        return COOKIE if framed() else super().get_cookie_name(app)

    def get_cookie_samesite(self, app):
        return "None" if framed() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app):
        return True if framed() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app):
        return True if framed() else super().get_cookie_partitioned(app)


def origin(url) -> str | None:
    """The http(s) origin of a URL; None for anything else (javascript:, a number, nothing)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.scheme in ("https", "http") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def policy(frame_origins: list[str], form_targets: tuple[str, ...] = ()) -> str:
    """The site's Content-Security-Policy with these origins allowed to frame the page and
    these as form targets (a deep linking response goes back to the platform)."""
    ancestors = " ".join(frame_origins) or "'none'"
    form_action = " ".join(("'self'", *form_targets))
    return CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    ).replace("form-action 'self'", f"form-action {form_action}")
