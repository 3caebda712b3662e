"""One handler renders every HTTP error, a CSRF failure and an unexpected crash in the layout."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    404: (
        "Page not found",
        "There is nothing at this address. It may have moved, or the link may be mistyped.",
    ),
    403: ("You cannot do that here", "This page or action is not open to you."),
    405: ("That action is not allowed here", "Please go back and use the page's buttons."),
    413: ("That was too much to send", "Please send less at once."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: (
        "Something went wrong on our side",
        "The problem has been logged. Your answers so far are saved; please try again in a moment.",
    ),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)  # unhandled crashes arrive as 500


def _csrf_error(error: CSRFError):
    return _page(
        400,
        "This form expired",
        "This form expired, please try again: go back, reload the page and submit it once more.",
    )


def _http_error(error: HTTPException):
    code = error.code or 500
    title, text = MESSAGES.get(code, (error.name, error.description or ""))
    return _page(code, title, text)


def _page(code: int, title: str, text: str):
    return render_template("errors/error.html", code=code, title=title, text=text), code
