"""What every request passes through: CSRF on every POST, rate limits, response headers, and
the refusal of input no page can use."""

from flask import Flask, abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# In memory by default (one server); QUIZAPP_RATELIMIT_STORAGE_URI=redis://... shares the
# counts between several servers.
limiter = Limiter(get_remote_address, headers_enabled=True)

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


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["QUIZAPP_RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_headers)


def _refuse_nul():
    """A NUL character belongs in no name, code or answer (and PostgreSQL refuses it in text)."""
    values = (request.path, *request.args.values(), *request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def _headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
