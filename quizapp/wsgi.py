"""The WSGI entry point for servers: `gunicorn -c python:quizapp.gunicorn_conf quizapp.wsgi:app`."""

import sys

from . import create_app
from .config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as exc:
    sys.exit(f"quizapp cannot start: {exc}")
