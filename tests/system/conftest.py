"""System checks: the app under gunicorn with its production config, driven over HTTP on
loopback. They need gunicorn (make test installs it); PostgreSQL, Redis and nginx where they
say so."""

import os
import socket

import pytest

from bench.front import NGINX, Front
from bench.server import Server, fresh_database

PG_URL = os.environ.get("QUIZAPP_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/system/" in str(item.fspath):
            item.add_marker(pytest.mark.system)


def database_url(kind: str, workdir) -> str:
    """A fresh database of this kind: a SQLite file in workdir, or the test PostgreSQL."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'system.sqlite3'}"
    else:
        if not PG_URL.startswith("postgresql"):
            pytest.skip("needs PostgreSQL: set QUIZAPP_TEST_DATABASE_URL (CI does)")
        url = PG_URL
    fresh_database(url).dispose()
    return url


@pytest.fixture
def servers(tmp_path):
    """Start gunicorn servers: servers(url, **env) -> a started Server; all stopped after."""
    pytest.importorskip("gunicorn", reason="needs gunicorn (make test installs it)")
    started = []

    def start(url: str, port: int | None = None, **env) -> Server:
        server = Server(url, tmp_path, port=port, **env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def front(tmp_path):
    """nginx with deploy/nginx.conf, not yet started: front.start(backends); stopped after."""
    if NGINX is None:
        pytest.skip("needs nginx (Debian's nginx package; .ci/run installs it)")
    nginx = Front(tmp_path)
    yield nginx
    nginx.stop()


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False
