"""Configuration: defaults here, then instance/config.py, then QUIZAPP_* environment variables.

Every app setting is named QUIZAPP_*, and an environment variable of the same name overrides
it; QUIZAPP_SECRET_KEY becomes Flask's SECRET_KEY.
"""

import json
import logging
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

from flask import Config, Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class Defaults:
    QUIZAPP_DATABASE_URL = None  # None: SQLite file quizapp.sqlite3 in the instance folder
    QUIZAPP_CONTENT_DIR = None  # None: the bundled articles/ and questions/
    QUIZAPP_CONTENT_RELOAD = None  # None: reload edited content when debug is on
    QUIZAPP_AUTHOR_TOOLS = None  # None: the preview and problems pages in debug mode only
    QUIZAPP_SECRET_KEY = None
    QUIZAPP_PRODUCTION = False  # gunicorn's config (make serve) turns it on
    QUIZAPP_PROXY_HOPS = 0  # how many proxies in front set X-Forwarded-* headers to trust
    QUIZAPP_PUBLIC_URL = None  # https://quiz.example.org/: the root of every absolute link
    QUIZAPP_OPEN_SIGNUP = False  # True: anyone may make an instructor account (/instructor/signup)
    QUIZAPP_HSTS_SECONDS = 0  # Strict-Transport-Security max-age; 0 sends none
    # where attempt counts live: the app's database, or redis://host:6379 (see throttle)
    QUIZAPP_RATELIMIT_STORAGE_URI = "database"
    QUIZAPP_LOGIN_LIMITS = "10 per minute"  # sign-ins, per address and per account
    QUIZAPP_GUESS_LIMITS = "10 per minute; 100 per day"  # codes that match nothing, per address
    QUIZAPP_DB_CONNECT_TIMEOUT = 5  # seconds (PostgreSQL)
    QUIZAPP_DB_STATEMENT_TIMEOUT = 15  # seconds (PostgreSQL), below gunicorn's 30 s timeout
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_REFRESH_EACH_REQUEST = False  # re-sign the cookie only when the session changes
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a slow learner is fine
    MAX_CONTENT_LENGTH = 64 * 1024


def load_environment(config: Config, environ) -> None:
    """Apply QUIZAPP_* variables; values that read as JSON (true, 3) are taken as such."""
    for name, raw in environ.items():
        if not name.startswith("QUIZAPP_") or name == "QUIZAPP_INSTANCE_PATH":
            continue
        try:
            config[name] = json.loads(raw)
        except ValueError:
            config[name] = raw


def finish(app: Flask) -> None:
    """Fill in the settings that depend on others."""
    instance = Path(app.instance_path)
    if not app.config["QUIZAPP_DATABASE_URL"]:
        app.config["QUIZAPP_DATABASE_URL"] = f"sqlite:///{instance / 'quizapp.sqlite3'}"
    for name in ("QUIZAPP_CONTENT_RELOAD", "QUIZAPP_AUTHOR_TOOLS"):
        if app.config[name] is None:
            app.config[name] = app.debug
    if app.config["QUIZAPP_PRODUCTION"]:
        _production(app)
    app.config["SECRET_KEY"] = (
        app.config["QUIZAPP_SECRET_KEY"] or app.config.get("SECRET_KEY") or _local_key(instance)
    )


class ConfigurationError(Exception):
    """A setting the app cannot start without, with what to do about it."""


MIN_SECRET_KEY = 32  # bytes


def _production(app: Flask) -> None:
    key = app.config["QUIZAPP_SECRET_KEY"]
    make_one = "create one with: python -c 'import secrets; print(secrets.token_hex(32))'"
    if not key:
        raise ConfigurationError(
            "QUIZAPP_SECRET_KEY is not set. In production every server must share one secret "
            f"key; {make_one}"
        )
    if len(str(key).encode()) < MIN_SECRET_KEY:
        raise ConfigurationError(
            f"QUIZAPP_SECRET_KEY must be at least {MIN_SECRET_KEY} bytes long; {make_one}"
        )
    if app.debug:
        raise ConfigurationError(
            "debug mode is on (FLASK_DEBUG) with production settings: it would open the author "
            "tools, answer keys included, and the debugger. Unset FLASK_DEBUG."
        )
    public = urlsplit(app.config["QUIZAPP_PUBLIC_URL"] or "")
    if public.scheme not in ("http", "https") or not public.netloc:
        raise ConfigurationError(
            "QUIZAPP_PUBLIC_URL is not set to an absolute address. Join links and way-back "
            "links are built from it, never from the Host header a client sends: set it to the "
            "address learners use, with its scheme, e.g. https://quiz.example.org/"
        )
    app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    if app.config["QUIZAPP_PROXY_HOPS"]:
        hops = int(app.config["QUIZAPP_PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)


def _local_key(instance: Path) -> str:
    """A key kept in the instance folder, so sessions survive a restart on this machine."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
