"""Browser tests: the real pages, served by pytest-flask's live server, driven in Chromium
(the `browser` fixture of tests/conftest.py)."""

import os
import re
from pathlib import Path

import pytest

from quizapp import create_app, db
from quizapp.db import make_engine, upgrade
from quizapp.instructor import accounts

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app as a learner meets it: bundled content, CSRF on, a fresh SQLite database.

    Session-scoped like pytest-flask's live server; each test gets its own browser context,
    so its own learner.
    """
    # SERVER_NAME: the live server's absolute links (an LTI redirect URI) name the host the
    # browser uses, not pytest-flask's default localhost.localdomain
    return app_on_fresh_sqlite(tmp_path_factory.mktemp("browser"), SERVER_NAME="localhost")


def app_on_fresh_sqlite(folder: Path, **config):
    """An app on a migrated SQLite database in `folder`, with its instance folder there."""
    url = f"sqlite:///{folder / 'browser.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUIZAPP_INSTANCE_PATH", str(folder / "instance"))
        return create_app({"QUIZAPP_DATABASE_URL": url, "SECRET_KEY": "browser-tests", **config})


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; fails the test if a page asks any other host for anything."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(8000)
    page = context.new_page()
    origin = live_server.url()
    foreign = []
    page.on("request", lambda r: r.url.startswith(origin) or foreign.append(r.url))
    yield page
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"


@pytest.fixture
def screenshot():
    """Save a screenshot for the README when QUIZAPP_SCREENSHOTS is set."""

    def take(page, name: str) -> None:
        if os.environ.get("QUIZAPP_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    return take


def teacher_with_class(app, browser, live_server, email: str, name: str):
    """A new instructor, signed in in a browser of their own, with a class taking the quiz on
    what pores are. Returns their page, on the class page, and the class's join code."""
    with app.app_context():
        accounts.create(db.session(), email, "a long enough password")
    page = browser.new_context().new_page()
    page.goto(live_server.url("/instructor/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Class name").fill(name)
    page.get_by_label("What pores are, and why they look larger").check()
    page.get_by_role("button", name="Create the class").click()
    join_url = page.get_by_role("textbox", name="Join link").input_value()
    return page, re.search(r"/join/([A-Z0-9]{6})$", join_url).group(1)
