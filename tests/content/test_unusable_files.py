"""A file that cannot be read or parsed is reported as path:line:col, and every other bank keeps
working: in `content check`, at app start (as under gunicorn) and in the dev server."""

import os
import shutil
from pathlib import Path

import pytest
import yaml

from quizapp.content import load_library, yamlsource

from ..conftest import FIXTURE_CONTENT

TITLES = ("A sample quiz", "B drawn quiz", "C deferred quiz")  # the fixture's banks
TOO_DEEP = "nested more than 50 levels deep; look for an unclosed '[' or '{', or indentation that keeps growing"


def folder(path: Path, monkeypatch) -> None:
    path.mkdir()


def dangling_link(path: Path, monkeypatch) -> None:
    path.symlink_to(path.parent / "deleted-long-ago")


def unreadable(path: Path, monkeypatch) -> None:
    path.write_text("schema_version: 1\n")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: refuse as the system would anyone else
        read_bytes = Path.read_bytes

        def refuse(self):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", refuse)


def writes(data: str | bytes):
    def write(path: Path, monkeypatch) -> None:
        path.write_bytes(data if isinstance(data, bytes) else data.encode())

    return write


def nested_mappings(depth: int) -> str:
    return "".join(f"{'  ' * level}k:\n" for level in range(depth)) + "  " * depth + "v: 1\n"


# (name, file, how to spoil it, the one line `content check` prints for it)
CASES = [
    (
        "folder named like a bank",
        "questions/x.yaml",
        folder,
        "questions/x.yaml:1:1: error: this is a folder, not a file; rename it so that its name does not end in '.yaml'",
    ),
    (
        "folder named like an article",
        "articles/x.md",
        folder,
        "articles/x.md:1:1: error: this is a folder, not a file; rename it so that its name does not end in '.md'",
    ),
    (
        "link to a missing bank",
        "questions/y.yaml",
        dangling_link,
        "questions/y.yaml:1:1: error: this is a link to a file that does not exist; fix the link or remove it",
    ),
    (
        "link to a missing article",
        "articles/y.md",
        dangling_link,
        "articles/y.md:1:1: error: this is a link to a file that does not exist; fix the link or remove it",
    ),
    (
        "unreadable bank",
        "questions/z.yaml",
        unreadable,
        "questions/z.yaml:1:1: error: the file cannot be read (Permission denied); make it a plain file that the app's user may read",
    ),
    (
        "article not in UTF-8",
        "articles/w.md",
        writes(b"---\ntitle: caf\xe9\n---\n"),
        "articles/w.md:2:11: error: the file is not UTF-8 text; save it with UTF-8 encoding",
    ),
    (
        "control character",
        "questions/nul.yaml",
        writes("schema_version: 1\nbank: a\x00b\n"),
        "questions/nul.yaml:2:8: error: the character U+0000 is not allowed in YAML; delete it (most editors do not show it)",
    ),
    (
        "a number too long to read",
        "questions/big.yaml",
        writes("schema_version: " + "9" * 5000 + "\n"),
        "questions/big.yaml:1:17: error: this number has too many digits; quote it if it is text",
    ),
    (
        "mappings 500 deep",
        "questions/deep.yaml",
        writes(nested_mappings(500)),
        f"questions/deep.yaml:52:103: error: {TOO_DEEP}",
    ),
    (
        "lists 900 deep",
        "questions/deep.yaml",
        writes("a: " + "[" * 900 + "]" * 900 + "\n"),
        f"questions/deep.yaml:1:54: error: {TOO_DEEP}",
    ),
    (
        "10,000 unclosed '['",
        "questions/deep.yaml",
        writes("a: " + "[" * 10_000 + "\n"),
        f"questions/deep.yaml:1:1003: error: {TOO_DEEP}",
    ),
    (
        "front matter 500 deep",
        "articles/deep.md",
        writes("---\n" + nested_mappings(500) + "---\n\n## Part {#part}\n"),
        f"articles/deep.md:53:103: error: {TOO_DEEP}",
    ),
]
parametrize = pytest.mark.parametrize(
    ("name", "spoil", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)


@pytest.fixture
def content(tmp_path):
    """A copy of the fixture content that a test can spoil."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def assert_every_other_bank_is_served(app) -> None:
    home = app.test_client().get("/")
    assert home.status_code == 200
    assert all(title in home.text for title in TITLES)


@parametrize
def test_content_check_reports_the_file_and_nothing_else(
    make_app, content, monkeypatch, name, spoil, expected
):
    spoil(content / name, monkeypatch)
    result = (
        make_app(QUIZAPP_CONTENT_DIR=str(content))
        .test_cli_runner()
        .invoke(args=["content", "check"])
    )
    assert result.stdout.splitlines() == [expected]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1


@parametrize
def test_the_app_starts_and_serves_every_other_bank(
    make_app, content, monkeypatch, name, spoil, expected
):
    spoil(content / name, monkeypatch)
    app = make_app(QUIZAPP_CONTENT_DIR=str(content))  # as gunicorn does at start: it must not raise
    assert [str(p) for p in app.extensions["quizapp.catalog"].current().problems] == [expected]
    assert_every_other_bank_is_served(app)


@parametrize
def test_the_dev_server_keeps_serving_when_such_a_file_appears(
    make_app, content, monkeypatch, name, spoil, expected
):
    app = make_app(QUIZAPP_CONTENT_DIR=str(content), QUIZAPP_CONTENT_RELOAD=True)
    assert_every_other_bank_is_served(app)
    spoil(content / name, monkeypatch)
    assert_every_other_bank_is_served(app)
    assert [str(p) for p in app.extensions["quizapp.catalog"].current().problems] == [expected]


def test_a_parser_that_runs_out_of_stack_is_reported_as_too_deep(content, monkeypatch):
    """PyYAML without libyaml composes in Python, which recurses once per level of nesting."""
    pure = type(
        "PureComposer",
        (yaml.SafeLoader,),
        {
            name: vars(yamlsource._Composer)[name]
            for name in ("resolve", "descend_resolver", "ascend_resolver")
        },
    )
    monkeypatch.setattr(yamlsource, "_Composer", pure)
    (content / "questions" / "deep.yaml").write_text("a: " + "[" * 900 + "]" * 900 + "\n")
    library, problems = load_library(content)
    assert [str(p) for p in problems] == [f"questions/deep.yaml:1:1: error: {TOO_DEEP}"]
    assert {bank.title for bank in library.banks.values()} == set(TITLES)
