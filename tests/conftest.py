"""Shared fixtures: an app on a fresh database (SQLite, and PostgreSQL where configured)."""

import os
import re
from pathlib import Path

import pytest

from bench.server import fresh_database
from quizapp import create_app
from quizapp.models import Base

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


PG_REASON = (
    "PostgreSQL run skipped: set QUIZAPP_TEST_DATABASE_URL to a PostgreSQL URL "
    "(CI sets postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


def content_command(content: Path, *args):
    """`flask content ARGS` on the content folder `content`, as the command line runs it."""
    app = create_app(
        {
            "QUIZAPP_CONTENT_DIR": str(content),
            "SECRET_KEY": "x",
            "QUIZAPP_DATABASE_URL": "sqlite://",
        }
    )
    return app.test_cli_runner().invoke(args=["content", *map(str, args)])


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """A migrated database for the session; each test starts it empty."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = os.environ.get("QUIZAPP_TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            pytest.skip(PG_REASON)
    engine = fresh_database(url)
    yield url, engine
    engine.dispose()


@pytest.fixture
def make_app(database, tmp_path, monkeypatch):
    """Build an app on the test database; keyword arguments are extra config."""
    url, engine = database
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(**config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "QUIZAPP_DATABASE_URL": url,
            "QUIZAPP_CONTENT_DIR": str(FIXTURE_CONTENT),
        }
        app = create_app(settings | config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["quizapp.db"].kw["bind"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's: one request context held for a whole test would share `g`
    (and so the database session) between the test's requests."""


class Learner:
    """A browser taking quizzes through the test client."""

    def __init__(self, client):
        self.client = client

    def start(self, bank_id="sample-quiz", name=""):
        """Start an attempt; returns the URL of its first statement."""
        response = self.client.post(f"/quizzes/{bank_id}", data={"display_name": name})
        assert response.status_code == 302, response.get_data(as_text=True)
        resumed = self.client.get(response.location)
        assert resumed.status_code == 302
        return resumed.location

    def answer(self, url, answer):
        return self.client.post(url, data={"answer": answer})

    def statement_text(self, url) -> str:
        html = self.client.get(url).get_data(as_text=True)
        return re.search(r'<h1 class="statement">(.*?)</h1>', html, re.S).group(1)


@pytest.fixture
def learner(client):
    return Learner(client)


class InstructorActions:
    """Create instructor accounts and sign them in, as flaskr's AuthActions does."""

    def __init__(self, app):
        self.app = app

    def create(self, email="ada@example.org", password="correct horse battery"):
        from quizapp import db
        from quizapp.instructor import accounts

        with self.app.app_context():
            accounts.create(db.session(), email, password)
        return email, password

    def login(self, client, email="ada@example.org", password="correct horse battery"):
        return client.post("/instructor/login", data={"email": email, "password": password})


@pytest.fixture
def instructors(app):
    return InstructorActions(app)


@pytest.fixture
def teacher(app, instructors):
    """A signed-in instructor's browser."""
    instructors.create()
    client = app.test_client()
    assert instructors.login(client).status_code == 302
    return client


def create_class(teacher, name="Biology 101", quizzes=("sample-quiz",)) -> tuple[str, str]:
    """Returns the class page URL and its join code."""
    made = teacher.post("/instructor/classes/new", data={"name": name, "quizzes": list(quizzes)})
    assert made.status_code == 302, made.text
    page = teacher.get(made.location).text
    code = re.search(r"/join/([A-Z0-9]{6})", page).group(1)
    return made.location, code


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright; skips, saying so, where it is missing (CI sets
    QUIZAPP_REQUIRE_BROWSER=1 so that a missing browser fails instead)."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "browser tests need the playwright package (make test installs it)"
    if missing:
        if os.environ.get("QUIZAPP_REQUIRE_BROWSER"):
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
