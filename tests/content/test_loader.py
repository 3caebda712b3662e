"""Loading content: the shipped files are clean, and every malformed file is reported at
path:line:col while the other files still load."""

import shutil
from pathlib import Path

import pytest

from quizapp.content import load_library, render_markdown
from quizapp.paths import content_root

FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"

GOOD_QUESTION = """\
  - id: {qid}
    type: myth_fact
    statement: A statement.
    answer: myth
    difficulty: easy
    explanation: Why.
    sources:
      - ref: sample-article#first
        stance: contradicts
"""


def bank(body: str = GOOD_QUESTION.format(qid="one"), bank_id: str = "zz-broken") -> str:
    return (
        f"schema_version: 1\nbank:\n  id: {bank_id}\n  title: Broken\n"
        f"  description: A bank with a problem.\nquestions:\n{body}"
    )


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content that a test can spoil."""
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_the_shipped_content_loads_without_problems():
    library, problems = load_library(content_root())
    assert [str(p) for p in problems] == []
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
    assert {c.question.id for c in cited} == {"grass-is-green", "water-is-wet", "drawn-three"}


BANK_CASES = [
    (
        "duplicate key",
        bank().replace("    answer: myth\n", "    answer: myth\n    answer: fact\n"),
        "questions/zz-broken.yaml:11:5: YAML syntax: found duplicate key",
    ),
    (
        "unknown key with a hint",
        bank(GOOD_QUESTION.format(qid="one").replace("explanation", "explaination")),
        "questions/zz-broken.yaml:12:5: unknown key 'explaination' (did you mean 'explanation'?)",
    ),
    (
        "answer outside its set",
        bank(GOOD_QUESTION.format(qid="one").replace("answer: myth", "answer: maybe")),
        "questions/zz-broken.yaml:10:13: 'questions[1].answer' must be 'myth' or 'fact', not 'maybe'",
    ),
    (
        "YAML 1.1 boolean is not an answer",
        bank(GOOD_QUESTION.format(qid="one").replace("answer: myth", "answer: no")),
        "questions/zz-broken.yaml:10:13: 'questions[1].answer' must be 'myth' or 'fact', not 'no'",
    ),
    (
        "missing field",
        bank(GOOD_QUESTION.format(qid="one").replace("    difficulty: easy\n", "")),
        "questions/zz-broken.yaml:7:5: missing required key 'difficulty' in 'questions[1]'",
    ),
    (
        "id that is not a slug",
        bank(GOOD_QUESTION.format(qid="Not A Slug")),
        "questions/zz-broken.yaml:7:9: 'questions[1].id' must be a slug",
    ),
    (
        "bank id differs from the file name",
        bank(bank_id="other-name"),
        "questions/zz-broken.yaml:3:7: bank id 'other-name' must equal the file name 'zz-broken'",
    ),
    (
        "missing section with a hint",
        bank(GOOD_QUESTION.format(qid="one").replace("#first", "#firts")),
        "questions/zz-broken.yaml:14:14: article 'sample-article' has no section 'firts' (did you mean 'first'?)",
    ),
    (
        "missing article",
        bank(GOOD_QUESTION.format(qid="one").replace("sample-article#", "gone#")),
        "questions/zz-broken.yaml:14:14: no article 'gone'",
    ),
    (
        "question id used in another bank",
        bank(GOOD_QUESTION.format(qid="sky-is-green")),
        "questions/zz-broken.yaml:7:9: question id 'sky-is-green' is already used in bank 'sample-quiz'",
    ),
    (
        "tab indentation",
        bank().replace("    type:", "\ttype:"),
        "questions/zz-broken.yaml:8:1: YAML syntax: a tab character is not allowed here",
    ),
    (
        "python tag",
        bank().replace("statement: A statement.", "statement: !!python/object:os.system x"),
        "questions/zz-broken.yaml:9:16: YAML tags (!name) are not allowed in content",
    ),
    (
        "alias",
        bank()
        .replace("    sources:\n", "    sources: &s\n")
        .replace("stance: contradicts\n", "stance: contradicts\n    tags: *s\n"),
        "questions/zz-broken.yaml:13:14: YAML anchors and aliases (&name, *name) are not allowed",
    ),
    (
        "empty bank",
        bank("  []\n").replace("questions:\n  []", "questions: []"),
        "questions/zz-broken.yaml:6:12: 'questions' needs at least one entry",
    ),
]


@pytest.mark.parametrize(
    ("source", "expected"), [c[1:] for c in BANK_CASES], ids=[c[0] for c in BANK_CASES]
)
def test_a_malformed_bank_is_reported_at_its_line_and_left_out(content, source, expected):
    (content / "questions" / "zz-broken.yaml").write_text(source)
    library, problems = load_library(content)
    assert any(str(p).startswith(expected) for p in problems), problems
    assert "zz-broken" not in library.banks and "other-name" not in library.banks
    assert "sample-quiz" in library.banks  # the others still load


def test_a_file_that_is_not_utf8_is_reported_where_the_bad_byte_is(content):
    (content / "questions" / "zz-broken.yaml").write_bytes(
        bank().encode().replace(b"A statement", b"A st\xe9tement")
    )
    _, problems = load_library(content)
    assert [str(p) for p in problems] == [
        "questions/zz-broken.yaml:9:20: the file is not UTF-8 text; save it with UTF-8 encoding"
    ]


ARTICLE_CASES = [
    (
        "heading without an id",
        "## No id here\n\nText.\n",
        "articles/broken.md:9:14: a section heading needs an id at its end",
    ),
    (
        "text before the first section",
        "Loose text.\n\n## Part {#part}\n",
        "articles/broken.md:9:1: text before the first section",
    ),
    (
        "a level-1 heading",
        "# Title\n\n## Part {#part}\n",
        "articles/broken.md:9:1: use '##' for sections",
    ),
    (
        "a section id used twice",
        "## A {#part}\n\n## B {#part}\n",
        "articles/broken.md:11:8: section id 'part' is used twice",
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [c[1:] for c in ARTICLE_CASES], ids=[c[0] for c in ARTICLE_CASES]
)
def test_a_malformed_article_is_reported_at_its_line_and_left_out(content, body, expected):
    front = "---\ntitle: Broken\nsource:\n  publisher: Me\n  kind: Test\nsummary: Broken.\n---\n\n"
    (content / "articles" / "broken.md").write_text(front + body)
    library, problems = load_library(content)
    assert str(problems[0]).startswith(expected), problems
    assert "broken" not in library.articles
    assert "sample-article" in library.articles


def test_front_matter_problems_point_into_the_front_matter(content):
    text = (
        "---\ntitle: Broken\nsource:\n  publisher: Me\n  kind: Test\n"
        "sumary: Broken.\n---\n\n## A {#a}\n"
    )
    (content / "articles" / "broken.md").write_text(text)
    _, problems = load_library(content)
    assert "articles/broken.md:6:1: unknown key 'sumary' (did you mean 'summary'?)" in [
        str(p).split(";")[0] for p in problems
    ]


def test_markdown_escapes_raw_html_and_drops_script_links():
    html = render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) *ok*")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<em>ok</em>" in html
