"""Authors see what the check reports, and preview a bank, in the app (debug only for now)."""

import shutil

import pytest

from ..conftest import FIXTURE_CONTENT


@pytest.fixture
def content(tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def test_the_problems_page_shows_a_bank_left_out_at_start_with_its_position(make_app, content):
    (content / "questions" / "zz-broken.yaml").write_text("schema_version: 1\nbank: [oops\n")
    client = make_app(QUIZAPP_CONTENT_DIR=str(content), QUIZAPP_AUTHOR_TOOLS=True).test_client()
    page = client.get("/authoring/").text
    assert "<code>questions/zz-broken.yaml:2:7</code>" in page  # where the [ opened
    assert "<strong>1</strong> error," in page
    assert "A sample quiz" in page  # the good banks are listed for preview


def test_with_clean_content_the_problems_page_says_so(make_app):
    client = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    assert "No problems: every bank and article passes the check." in client.get("/authoring/").text


def test_the_preview_shows_every_statement_with_its_verdict_and_resolved_sources(make_app):
    client = make_app(QUIZAPP_AUTHOR_TOOLS=True).test_client()
    page = client.get("/authoring/banks/sample-quiz").text
    assert page.count('class="review__item"') == 4
    assert "Verdict: myth" in page and "Verdict: fact" in page
    assert "SKY-EXPLANATION" in page
    assert 'href="/articles/sample-article#first"' in page
    assert client.get("/authoring/banks/nope").status_code == 404


def test_author_pages_do_not_exist_outside_debug(make_app):
    client = make_app().test_client()  # TESTING, not debug: author tools default to off
    assert client.get("/authoring/").status_code == 404
    assert client.get("/authoring/banks/sample-quiz").status_code == 404
    assert "Author tools" not in client.get("/").text


def test_in_debug_the_footer_links_to_the_author_tools(make_app):
    app = make_app(QUIZAPP_AUTHOR_TOOLS=True)
    assert 'href="/authoring/">Author tools' in app.test_client().get("/").text
