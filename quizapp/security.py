"""CSRF protection for every POST, form or not; rate limits for what attackers would repeat."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# In memory by default (one server); QUIZAPP_RATELIMIT_STORAGE_URI=redis://... shares the
# counts between several servers.
limiter = Limiter(get_remote_address, headers_enabled=True)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["QUIZAPP_RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
