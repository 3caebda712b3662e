"""The author preview shows what the wording checks found, with the words they name
highlighted, to an author in a browser."""

import threading

import pytest
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.db import make_engine, upgrade

from ..content.test_itemwriting import CUED, write_bank
from .test_learner_journey import assert_accessible


@pytest.fixture
def author_site(tmp_path, monkeypatch):
    """The app on a content folder holding a bank whose cue words all point one way."""
    write_bank(tmp_path / "content", "cued", CUED)
    url = f"sqlite:///{tmp_path / 'preview.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "QUIZAPP_DATABASE_URL": url,
            "QUIZAPP_CONTENT_DIR": str(tmp_path / "content"),
            "QUIZAPP_AUTHOR_TOOLS": True,
            "SECRET_KEY": "preview-tests",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_preview_highlights_a_cue_word_and_says_why(browser, author_site):
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(f"{author_site}/authoring/banks/cued")
    cue = page.locator("mark.cue", has_text="permanently")
    assert cue.is_visible()
    assert (
        cue.get_attribute("title") == "“permanently” leans to myth" or "leans" in cue.inner_text()
    )
    statement = page.locator("li#cued-2")
    assert "absolutes are in 3 myths and no fact" in statement.inner_text()
    assert "[cue-word]" in statement.inner_text()
    assert_accessible(page)
    context.close()
