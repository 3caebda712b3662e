"""Configuration: defaults here, then instance/config.py, then QUIZAPP_* environment variables.

Every app setting is named QUIZAPP_*, and an environment variable of the same name overrides
it; QUIZAPP_SECRET_KEY becomes Flask's SECRET_KEY.
"""

import json
import secrets
from pathlib import Path

from flask import Config, Flask


class Defaults:
    QUIZAPP_DATABASE_URL = None  # None: SQLite file quizapp.sqlite3 in the instance folder
    QUIZAPP_CONTENT_DIR = None  # None: the bundled articles/ and questions/
    QUIZAPP_CONTENT_RELOAD = None  # None: reload edited content when debug is on
    QUIZAPP_AUTHOR_TOOLS = None  # None: the preview and problems pages in debug mode only
    QUIZAPP_SECRET_KEY = None
    QUIZAPP_RATELIMIT_STORAGE_URI = "memory://"  # redis://host:6379 for several servers
    QUIZAPP_LOGIN_LIMITS = "10 per minute"  # failed logins, per address and per account
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
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
    app.config["SECRET_KEY"] = (
        app.config["QUIZAPP_SECRET_KEY"] or app.config.get("SECRET_KEY") or _local_key(instance)
    )


def _local_key(instance: Path) -> str:
    """A key kept in the instance folder, so sessions survive a restart on this machine."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
