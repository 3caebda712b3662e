"""One handler renders every HTTP error, a CSRF failure and an unexpected crash in the layout."""

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable, default_exceptions

from .security import same_site_path

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    404: (
        "Page not found",
        "There is nothing at this address. It may have moved, or the link may be mistyped.",
    ),
    403: ("You cannot do that here", "This page or action is not open to you."),
    405: ("That action is not allowed here", "Please go back and use the page's buttons."),
    410: (
        "This class has been archived",
        "Your instructor has archived this class: it takes no new attempts. Your scores are "
        "kept, and you can still take every quiz on your own.",
    ),
    413: ("That was too much to send", "Please send less at once."),
    415: (
        "That was not sent as a form",
        "This address takes web forms only. Please use the page's own form.",
    ),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: (
        "Something went wrong on our side",
        "The problem has been logged. Your answers so far are saved; please try again in a moment.",
    ),
    503: (
        "We cannot reach our database just now",
        "Your answers so far are saved. Please try again in a moment.",
    ),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unreachable)
    app.register_error_handler(HTTPException, _http_error)  # unhandled crashes arrive as 500


def _csrf_error(error: CSRFError):
    return _page(
        400,
        "This form expired",
        "This form expired, please try again: go back, reload the page and submit it once more.",
    )


def _database_unreachable(error: OperationalError):
    """A database that refuses, times out or went away: the page says so, as a 503."""
    current_app.logger.error("database unreachable: %s", error.orig)
    return _http_error(ServiceUnavailable())


def _http_error(error: HTTPException):
    code = error.code or 500
    title, text = MESSAGES.get(code, (error.name, error.description or ""))
    title = getattr(error, "title", title)  # an error a view defined says what it is
    if error.description != default_exceptions.get(code, HTTPException).description:
        # a view said exactly what was wrong
        text = error.description
    # keep what the error adds (Allow on a 405, Retry-After on a 429), not its content type
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return _page(code, title, text, headers)


def _page(code: int, title: str, text: str, headers=()):
    page = render_template("errors/error.html", code=code, title=title, text=text, back=_back())
    return page, code, list(headers)


def _back() -> str | None:
    """The page of this site the visitor came from, to offer a way back to."""
    try:
        came_from = urlsplit(request.referrer or "")
    except ValueError:  # a Referer no browser would send
        return None
    if came_from.netloc != request.host:
        return None
    back = same_site_path(came_from.path + (f"?{came_from.query}" if came_from.query else ""))
    itself = request.method == "GET" and back == request.full_path.rstrip("?")
    return None if itself else back
