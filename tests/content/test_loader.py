"""Loading content: the shipped files are clean, and every malformed file is reported at
path:line:col while the other files still load."""

import shutil
from pathlib import Path

import pytest

from quizapp.content import load_library, render_markdown
from quizapp.paths import content_root

FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content that a test can spoil."""
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_the_shipped_content_loads_without_problems():
    library, problems = load_library(content_root())
    assert [str(p) for p in problems] == []  # not even a warning
    assert library.banks and library.articles
    for bank in library.banks.values():
        for question in bank.questions:
            for source in question.sources:
                assert library.articles[source.article].section(source.section)


def test_articles_are_split_into_sections_with_their_ids_and_levels():
    library, _ = load_library(FIXTURES)
    article = library.articles["sample-article"]
    assert [(s.id, s.title, s.level) for s in article.sections] == [
        ("first", "First part", 2),
        ("detail", "A detail", 3),
        ("second", "Second part", 2),
    ]
    assert article.section("second").body.startswith("The second part")
    cited = library.cited_by("sample-article", "second")
    assert {c.question.id for c in cited} == {
        "grass-is-green",
        "water-is-wet",
        "drawn-three",
        "drawn-four",
    }


def test_a_broken_file_is_left_out_and_the_rest_still_loads(content):
    (content / "questions" / "zz-broken.yaml").write_text("schema_version: 1\nbank: [oops\n")
    (content / "articles" / "zz-broken.md").write_text("no front matter\n")
    library, problems = load_library(content)
    assert {p.path for p in problems} == {"questions/zz-broken.yaml", "articles/zz-broken.md"}
    assert all(p.severity == "error" for p in problems)
    assert set(library.banks) == {"sample-quiz", "drawn-quiz", "deferred-quiz"}
    assert set(library.articles) == {"sample-article"}


def test_a_bank_citing_an_article_that_failed_is_left_out_too(content):
    article = content / "articles" / "sample-article.md"
    article.write_text(article.read_text().replace("{#second}", ""))
    library, problems = load_library(content)
    assert "sample-article" not in library.articles
    assert library.banks == {}
    assert any(
        "no article 'sample-article' (it may have failed to load)" in p.message for p in problems
    )


def test_markdown_escapes_raw_html_and_drops_script_links():
    html = render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) *ok*")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<em>ok</em>" in html


def test_a_statements_revision_follows_what_is_judged_in_a_copy_too():
    """The revision is worked out once per question; a copy with another statement or answer
    (an export test makes such copies) gets its own, not the original's."""
    from quizapp.content.schema import Question, SourceRef

    question = Question(
        id="q", type="myth_fact", statement="S.", answer="myth", difficulty="easy",
        explanation="E.", sources=(SourceRef(ref="a#b", stance="contradicts"),),
    )  # fmt: skip
    first = question.revision
    assert question.model_copy(update={"statement": "T."}).revision != first
    assert question.model_copy(update={"answer": "fact"}).revision != first
    assert question.model_copy(update={"explanation": "F."}).revision == first
