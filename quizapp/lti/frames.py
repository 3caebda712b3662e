"""The tool inside the LMS's frame: its own session cookie, and headers that let that LMS, and
only that LMS, frame it.

A course page frames the tool on another site, where a browser sends no `SameSite=Lax`
cookie, and where many browsers now send no third-party cookie at all. So a launch starts a
session of its own, in a cookie that is `SameSite=None; Secure; Partitioned` (CHIPS): the
browser keeps it for this LMS's frame only, apart from the tool's own top-level session, and
sends it there even when third-party cookies are blocked. Pages shown in that session may be
framed by the origins the launch came from; every other page keeps `frame-ancestors 'none'`.
"""

from urllib.parse import urlsplit

from flask import has_request_context, request

from .. import security
from ..security import CONTENT_SECURITY_POLICY
from ..security import FRAME_SESSION_COOKIE as COOKIE

ORIGINS = "lti_frame_origins"  # session key: the origins allowed to frame the tool


_FRAMED = "quizapp.framed"  # the answer, kept in the request's environ (asked several times)


def framed() -> bool:
    """Whether this request belongs to a session an LTI launch began."""
    if not has_request_context():
        return False
    environ = request._get_current_object().environ  # see security.PROXIES
    if _FRAMED not in environ:
        # the header read as it came first: most requests have no such cookie to parse for
        environ[_FRAMED] = COOKIE in environ.get("HTTP_COOKIE", "") and COOKIE in request.cookies
    return environ[_FRAMED]


def begin() -> None:
    """Make this request's session the framed one (the launch's response sets its cookie)."""
    request._get_current_object().environ[_FRAMED] = True


class SessionInterface(security.SessionInterface):
    """The site's signed-cookie session, kept in the partitioned cookie when framed."""

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
