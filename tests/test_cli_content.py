"""`flask content check|schema|export`: an author's compiler-style diagnostics and tools."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from quizapp import create_app
from quizapp.content import jsonschema, load_library
from quizapp.paths import content_root

from .conftest import FIXTURE_CONTENT, content_command

GOOD_BANK = """\
# yaml-language-server: $schema=bank.schema.json
schema_version: 1
bank:
  id: zz-broken
  title: Broken
  description: A bank with a problem.
questions:
  - id: one
    type: myth_fact
    statement: A statement.
    answer: myth
    difficulty: easy
    tags: [pores]
    explanation: Why.
    sources:
      - ref: sample-article#first
        stance: contradicts
  - id: two
    type: myth_fact
    statement: Another statement.
    answer: fact
    difficulty: easy
    tags: [pores]
    explanation: Why not.
    sources:
      - ref: sample-article#second
        stance: supports
"""

GOOD_ARTICLE = """\
---
title: Broken
source:
  publisher: Me
  kind: Test
summary: An article with a problem.
---

## Part {#part}

Text.
"""

B = "questions/zz-broken.yaml"
A = "articles/zz-broken.md"


def bank(old: str = "", new: str = "", count: int = 1) -> str:
    assert old in GOOD_BANK
    return GOOD_BANK.replace(old, new, count)


def article(old: str = "", new: str = "") -> str:
    assert old in GOOD_ARTICLE
    return GOOD_ARTICLE.replace(old, new, 1)


# (name, file, content, expected line); the file is added to a copy of the fixture content
CASES = [
    (
        "unclosed '['",
        B,
        bank("tags: [pores]\n    explanation: Why.", "tags: [pores\n    explanation: Why."),
        f"{B}:13:11: error: YAML syntax: unclosed '[': the list opened here is not closed (at 14:16 a ',' or ']' was expected); close it with ']' after its last item",
    ),
    (
        "unclosed '{'",
        B,
        bank(
            "  description: A bank with a problem.\n",
            "  description: A bank with a problem.\n  settings: {shuffle: true\n",
        ),
        f"{B}:7:13: error: YAML syntax: unclosed '{{': the mapping opened here is not closed (at 8:10 a ',' or '}}' was expected); close it with '}}' after its last entry",
    ),
    (
        "unclosed double quote",
        B,
        bank("statement: A statement.", 'statement: "A statement.'),
        f'{B}:10:16: error: YAML syntax: unclosed quote: the " opened here is never closed; add the closing " where the text ends',
    ),
    (
        "unclosed single quote",
        B,
        bank("statement: Another statement.", "statement: 'Another statement."),
        f"{B}:20:16: error: YAML syntax: unclosed quote: the ' opened here is never closed; add the closing ' where the text ends",
    ),
    (
        "unclosed quote in the front matter",
        A,
        article("summary: An article", 'summary: "An article'),
        f'{A}:6:10: error: YAML syntax: unclosed quote: the " opened here is never closed; add the closing " where the text ends',
    ),
    (
        "YAML syntax",
        B,
        bank("  title: Broken", "  title: Broken\n bad"),
        f"{B}:6:2: error: YAML syntax: did not find expected key (parsing a block mapping that starts at 2:1)",
    ),
    (
        "tab",
        B,
        bank("    type: myth_fact", "\ttype: myth_fact"),
        f"{B}:9:1: error: YAML syntax: a tab character is not allowed here; indent with spaces",
    ),
    (
        "duplicate key",
        B,
        bank("    answer: myth\n", "    answer: myth\n    answer: fact\n"),
        f"{B}:12:5: error: duplicate key 'answer' (first at line 11); keep one",
    ),
    (
        "unknown key",
        B,
        bank("explanation: Why.", "explaination: Why."),
        f"{B}:14:5: error: unknown key 'explaination' (did you mean 'explanation'?); allowed keys: allow, answer, difficulty, explanation, id, sources, statement, tags, type",
    ),
    (
        "unknown key with a hyphen",
        B,
        bank("  title: Broken", "  title: Broken\n  sub-title: Broken"),
        f"{B}:6:3: error: unknown key 'sub-title' (did you mean 'title'?); allowed keys: description, id, order, settings, title",
    ),
    (
        "unknown top-level key",
        B,
        bank("schema_version: 1\n", "schema_version: 1\nx-tra: 1\n"),
        f"{B}:3:1: error: unknown key 'x-tra'; allowed keys: bank, questions, schema_version",
    ),
    (
        "unknown bank key",
        B,
        bank("  title: Broken", "  titel: Broken"),
        f"{B}:5:3: error: unknown key 'titel' (did you mean 'title'?); allowed keys: description, id, order, settings, title",
    ),
    (
        "number for text",
        B,
        bank("statement: A statement.", "statement: 42"),
        f"{B}:10:16: error: 'questions[1].statement' must be text, not 42 (a number)",
    ),
    (
        "text for a list",
        B,
        bank("tags: [pores]", "tags: pores"),
        f"{B}:13:11: error: 'questions[1].tags' must be a list, not the text 'pores'",
    ),
    (
        "YAML 1.1 yes",
        B,
        bank(
            "  description: A bank with a problem.\n",
            "  description: A bank with a problem.\n  settings: {shuffle: yes}\n",
        ),
        f"{B}:7:23: error: 'bank.settings.shuffle' must be true or false, not the text 'yes'",
    ),
    (
        "missing key",
        B,
        bank("    difficulty: easy\n", ""),
        f"{B}:8:5: error: missing required key 'difficulty' in 'questions[1]'",
    ),
    (
        "missing top-level key",
        B,
        bank("schema_version: 1\n", ""),
        f"{B}:2:1: error: missing required key 'schema_version'",
    ),
    (
        "answer outside its set",
        B,
        bank("answer: myth", "answer: maybe"),
        f"{B}:11:13: error: 'questions[1].answer' must be 'myth' or 'fact', not 'maybe'",
    ),
    (
        "YAML 1.1 no is not false",
        B,
        bank("answer: myth", "answer: no"),
        f"{B}:11:13: error: 'questions[1].answer' must be 'myth' or 'fact', not 'no'",
    ),
    (
        "stance outside its set",
        B,
        bank("stance: contradicts", "stance: disagrees"),
        f"{B}:17:17: error: 'questions[1].sources[1].stance' must be 'supports', 'contradicts' or 'context', not 'disagrees'",
    ),
    (
        "difficulty outside its set",
        B,
        bank("difficulty: easy", "difficulty: trivial"),
        f"{B}:12:17: error: 'questions[1].difficulty' must be 'easy', 'medium' or 'hard', not 'trivial'",
    ),
    (
        "unknown schema version",
        B,
        bank("schema_version: 1", "schema_version: 2"),
        f"{B}:2:17: error: 'schema_version' must be 1, not 2",
    ),
    (
        "a control character in a statement",
        B,
        bank("statement: A statement.", 'statement: "A \\x01statement."'),
        f"{B}:10:16: error: 'questions[1].statement' has the control character U+0001, which no page or export can show; delete it",
    ),
    (
        "id not a slug",
        B,
        bank("- id: one", "- id: One Two"),
        f"{B}:8:9: error: 'questions[1].id' must be a slug: lowercase letters, digits and single hyphens",
    ),
    (
        "tag not a slug",
        B,
        bank("tags: [pores]", "tags: [Pores!]"),
        f"{B}:13:12: error: 'questions[1].tags[1]' must be a slug: lowercase letters, digits and single hyphens",
    ),
    (
        "bank id is not the file name",
        B,
        bank("  id: zz-broken", "  id: other"),
        f"{B}:4:7: error: bank id 'other' must equal the file name 'zz-broken'",
    ),
    (
        "question id twice in a bank",
        B,
        bank("- id: two", "- id: one"),
        f"{B}:18:9: error: question id 'one' is used twice",
    ),
    (
        "question id used by another bank",
        B,
        bank("- id: one", "- id: sky-is-green"),
        f"{B}:8:9: error: question id 'sky-is-green' is already used in bank 'sample-quiz'",
    ),
    (
        "missing article",
        B,
        bank("sample-article#first", "sample-articel#first"),
        f"{B}:16:14: error: no article 'sample-articel' (it may have failed to load) (did you mean 'sample-article'?)",
    ),
    (
        "missing section",
        B,
        bank("#first", "#frist"),
        f"{B}:16:14: error: article 'sample-article' has no section 'frist' (did you mean 'first'?)",
    ),
    (
        "reference without a section",
        B,
        bank("ref: sample-article#first", "ref: sample-article"),
        f"{B}:16:14: error: 'questions[1].sources[1].ref' must look like 'article-slug#section-id'",
    ),
    (
        "empty bank",
        B,
        GOOD_BANK[: GOOD_BANK.index("questions:")] + "questions: []\n",
        f"{B}:7:12: error: 'questions' needs at least one entry",
    ),
    (
        "no sources",
        B,
        bank(
            "    sources:\n      - ref: sample-article#first\n        stance: contradicts\n",
            "    sources: []\n",
        ),
        f"{B}:15:5: warning: no sources yet: cite at least one `ref: article#section` with its stance before learners see this statement",
    ),
    (
        "draw larger than the bank",
        B,
        bank(
            "  description: A bank with a problem.\n",
            "  description: A bank with a problem.\n  settings: {draw: 5}\n",
        ),
        f"{B}:7:20: error: draw is 5 but the bank has 2 statements",
    ),
    (
        "empty file",
        B,
        "",
        f"{B}:1:1: error: a bank is a mapping with schema_version, bank, questions",
    ),
    (
        "Python tag",
        B,
        bank("statement: A statement.", "statement: !!python/object/apply:os.system [ls]"),
        f"{B}:10:16: error: YAML tags (!name) are not allowed in content",
    ),
    (
        "alias",
        B,
        bank("    tags: [pores]\n", "    tags: &t [pores]\n").replace(
            "    tags: [pores]\n", "    tags: *t\n"
        ),
        f"{B}:13:11: error: YAML anchors and aliases (&name, *name) are not allowed; write the value out",
    ),
    (
        "text before the first section",
        A,
        article("## Part {#part}", "Loose text.\n\n## Part {#part}"),
        f"{A}:9:1: error: text before the first section; start with '## Title {{#id}}'",
    ),
    (
        "heading without an id",
        A,
        article("## Part {#part}", "## Part"),
        f"{A}:9:8: error: a section heading needs an id at its end, like '{{#why-larger}}'",
    ),
    (
        "level-1 heading",
        A,
        article("## Part {#part}", "# Title\n\n## Part {#part}"),
        f"{A}:9:1: error: use '##' for sections; the title is in the front matter",
    ),
    (
        "section id used twice",
        A,
        article("Text.", "Text.\n\n### Again {#part}"),
        f"{A}:13:13: error: section id 'part' is used twice",
    ),
    (
        "section id not a slug",
        A,
        article("{#part}", "{#Part_1}"),
        f"{A}:9:11: error: section id 'Part_1' must be a slug",
    ),
    (
        "unknown front matter key",
        A,
        article("summary:", "sumary:"),
        f"{A}:6:1: error: unknown key 'sumary' (did you mean 'summary'?); allowed keys: how_to_read, source, summary, title",
    ),
    (
        "no front matter",
        A,
        GOOD_ARTICLE[GOOD_ARTICLE.index("## Part") :],
        f"{A}:1:1: error: an article starts with '---' and front matter",
    ),
    (
        "front matter not closed",
        A,
        article("---\n\n## Part", "\n## Part"),
        f"{A}:1:1: error: the front matter is not closed; add a '---' line after it",
    ),
    (
        "article without sections",
        A,
        GOOD_ARTICLE[: GOOD_ARTICLE.index("## Part")],
        f"{A}:8:1: error: the article has no sections",
    ),
    (
        "uncited section",
        A,
        GOOD_ARTICLE,
        f"{A}:9:1: warning: no statement cites section 'part'; cite it or fold it into another",
    ),
    (
        "myth with no contradicting source",
        B,
        bank("stance: contradicts", "stance: context"),
        f"{B}:16:7: warning: a myth should cite a source that contradicts it",
    ),
    (
        "fact with no supporting source",
        B,
        bank("stance: supports", "stance: context"),
        f"{B}:26:7: warning: a fact should cite a source that supports it",
    ),
    (
        "myth share outside 40-60%",
        B,
        bank("answer: fact", "answer: myth").replace("stance: supports", "stance: contradicts"),
        f"{B}:8:3: warning: 2 of 2 statements are myths (100%); keep between 40% and 60% so that guessing one way does not pay",
    ),
    (
        "statement too long",
        B,
        bank("statement: A statement.", "statement: " + "word " * 41 + "end."),
        f"{B}:10:16: warning: the statement is 209 characters; keep it under 200 so it reads as one clear claim",
    ),
    (
        "explanation too long",
        B,
        bank("explanation: Why.", "explanation: " + "Because. " * 134 + "End."),
        f"{B}:14:18: warning: the explanation is 1210 characters; keep it under 1200 (two to five sentences)",
    ),
    (
        "no schema comment",
        B,
        GOOD_BANK.split("\n", 1)[1],
        f"{B}:1:1: warning: start the file with '# yaml-language-server: $schema=bank.schema.json' for editor completion",
    ),
]


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content that a test can spoil."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path, dirs_exist_ok=True)
    return tmp_path


def check(content, *args):
    return content_command(content, "check", *args)


@pytest.mark.parametrize(
    ("path", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_is_reported_at_its_line_and_column(content, path, text, expected):
    (content / path).write_text(text)
    result = check(content, "--strict", str(content / path))
    assert expected in result.stdout.splitlines(), result.stdout
    assert "Traceback" not in result.output
    assert result.exit_code == 1


def test_the_table_covers_at_least_25_rules():
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


def test_a_file_that_is_not_utf8_is_reported_where_the_bad_byte_is(content):
    (content / B).write_bytes(GOOD_BANK.encode().replace(b"A statement", b"A st\xe9tement"))
    result = check(content)
    assert result.stdout.splitlines() == [
        f"{B}:10:20: error: the file is not UTF-8 text; save it with UTF-8 encoding"
    ]
    assert result.exit_code == 1


def test_a_file_over_the_size_limit_is_refused_unread(content):
    (content / B).write_text(GOOD_BANK + "#" * 1_000_001)
    result = check(content)
    assert f"{B}:1:1: error: the file is larger than 1,000,000 bytes; split it" in result.stdout


def test_every_problem_is_printed_at_once(content):
    (content / B).write_text(
        bank("answer: myth", "answer: maybe").replace("difficulty: easy", "difficulty: hard!")
    )
    (content / A).write_text(article("## Part {#part}", "## Part"))
    lines = check(content).stdout.splitlines()
    # the answer, and the difficulty of both questions; then the heading
    assert sum(line.startswith(B) for line in lines) == 3, lines
    assert sum(line.startswith(A) for line in lines) == 1


def test_each_problem_is_printed_once_on_the_terminal(content, tmp_path_factory):
    """Every command starts the app, which loads the content first: only the check lists."""
    (content / B).write_text(bank("statement: A statement.", 'statement: "A statement.'))
    (content / A).write_text(GOOD_ARTICLE)  # a warning: no statement cites its section
    env = os.environ | {
        "QUIZAPP_CONTENT_DIR": str(content),
        "QUIZAPP_DATABASE_URL": "sqlite://",
        "QUIZAPP_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
    }
    command = [sys.executable, "-m", "flask", "--app", "quizapp", "content", "check"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    problems = run.stdout.splitlines()
    assert [line.split(":")[0] for line in problems] == [B, A], run.stdout
    for problem in problems:
        assert (run.stdout + run.stderr).count(problem) == 1, run.stderr


def test_clean_content_exits_0_and_warnings_fail_only_with_strict(content):
    clean = check(content)
    assert clean.exit_code == 0 and clean.stdout == ""
    assert "0 error(s), 0 warning(s)" in clean.stderr
    (content / B).write_text(bank("stance: contradicts", "stance: context"))
    assert check(content).exit_code == 0
    assert check(content, "--strict").exit_code == 1


def test_paths_limit_the_report_to_those_files(content):
    (content / B).write_text("")
    (content / A).write_text("")
    only_articles = check(content, str(content / "articles"))
    assert [line.split(":")[0] for line in only_articles.stdout.splitlines()] == [A]


def test_a_path_outside_the_content_folder_is_a_usage_error(content, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    result = check(content, str(outside))
    assert result.exit_code == 2
    assert "is not inside the content folder" in result.output


def test_json_output_for_tools(content):
    (content / B).write_text(bank("answer: myth", "answer: maybe"))
    result = check(content, "--format", "json")
    assert json.loads(result.stdout) == [
        {
            "path": B,
            "line": 11,
            "col": 13,
            "severity": "error",
            "message": "'questions[1].answer' must be 'myth' or 'fact', not 'maybe'",
        }
    ]


def test_the_shipped_content_passes_the_strict_check():
    app = create_app({"SECRET_KEY": "x", "QUIZAPP_DATABASE_URL": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["content", "check", "--strict"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_the_committed_json_schema_is_current():
    committed = (content_root() / "questions" / jsonschema.SCHEMA_FILE).read_text()
    assert committed == jsonschema.render(), (
        "run: flask --app quizapp content schema > questions/bank.schema.json"
    )


def test_the_schema_is_draft_07_with_every_reference_defined():
    app = create_app({"SECRET_KEY": "x", "QUIZAPP_DATABASE_URL": "sqlite://"})
    schema = json.loads(app.test_cli_runner().invoke(args=["content", "schema"]).stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    refs = set(re.findall(r'"#/definitions/(\w+)"', json.dumps(schema)))
    assert refs and refs <= set(schema["definitions"])
    question = schema["definitions"]["Question"]
    assert question["additionalProperties"] is False
    assert set(question["required"]) >= {"id", "statement", "answer", "sources"}


def test_every_shipped_bank_points_its_editor_at_the_schema():
    for path in (content_root() / "questions").glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=bank.schema.json\n"), (
            path
        )


def parse_gift(text: str) -> list[dict]:
    """A small reader of GIFT true/false questions, as Moodle's importer splits them."""
    questions = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith(("//", "$CATEGORY"))]
        if not lines:
            continue
        parts, current, escaped = [], "", False
        for char in "\n".join(lines):
            if escaped:
                current += "\n" if char == "n" else char
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in "{}#":
                parts.append(current)
                parts.append(char)
                current = ""
            else:
                current += char
        parts.append(current)
        head, _, answer, _, wrong, _, right, *general = parts
        name, text_ = re.fullmatch(r"::(.*?)::\[markdown\](.*)", head, re.S).groups()
        questions.append(
            {
                "name": name,
                "text": text_,
                "answer": answer,
                "wrong": wrong,
                "right": right,
                "general": "".join(p for p in general if p not in "#}"),
            }
        )
    return questions


def test_a_bank_exports_to_gift_that_reads_back_to_the_same_statements():
    app = create_app(
        {
            "SECRET_KEY": "x",
            "QUIZAPP_DATABASE_URL": "sqlite://",
            "QUIZAPP_PUBLIC_URL": "https://quiz.example.org/",
        }
    )
    result = app.test_cli_runner().invoke(
        args=["content", "export", "--format", "gift", "reading-the-sources"]
    )
    assert result.exit_code == 0
    bank = load_library(content_root())[0].banks["reading-the-sources"]
    parsed = parse_gift(result.stdout)
    assert [q["name"] for q in parsed] == [q.id for q in bank.questions]
    for read, question in zip(parsed, bank.questions, strict=True):
        assert read["text"] == f"Myth or fact? {question.statement}"
        assert read["answer"] == ("TRUE" if question.answer == "fact" else "FALSE")
        assert read["right"] == f"Right: it is a {question.answer}."
        assert read["general"].startswith(question.explanation.strip())
        assert "Sources:\n\n- [" in read["general"]
        assert "](https://quiz.example.org/articles/" in read["general"]


def test_gift_escapes_its_reserved_characters(content):
    (content / B).write_text(
        bank("statement: A statement.", "statement: 'Is 1 = 1 {really} #1: ~yes?'")
    )
    app = create_app(
        {
            "QUIZAPP_CONTENT_DIR": str(content),
            "SECRET_KEY": "x",
            "QUIZAPP_DATABASE_URL": "sqlite://",
            "QUIZAPP_PUBLIC_URL": "https://quiz.example.org/",
        }
    )
    out = app.test_cli_runner().invoke(args=["content", "export", "zz-broken"]).stdout
    assert "Is 1 \\= 1 \\{really\\} \\#1\\: \\~yes?" in out
    assert parse_gift(out)[0]["text"] == "Myth or fact? Is 1 = 1 {really} #1: ~yes?"


def test_exporting_an_unknown_bank_names_the_known_ones():
    app = create_app({"SECRET_KEY": "x", "QUIZAPP_DATABASE_URL": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["content", "export", "nope"])
    assert result.exit_code == 2
    assert "no bank 'nope' loaded (known: pore-basics," in result.output
