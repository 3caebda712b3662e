"""The bundled quizzes hold to the content rules: complete, balanced, cited, and in our words."""

import os
import re
from pathlib import Path

import pytest

from quizapp.content import load_library
from quizapp.paths import content_root

LIBRARY, PROBLEMS = load_library(content_root())
BANKS = list(LIBRARY.banks.values())
QUESTIONS = [q for bank in BANKS for q in bank.questions]
SOURCES = Path(
    os.environ.get(
        "QUIZAPP_SOURCES_DIR", Path(__file__).resolve().parents[3] / "shared" / "sources"
    )
)


def test_the_content_loads_cleanly_and_every_reference_resolves():
    assert [str(p) for p in PROBLEMS] == []
    assert len(BANKS) >= 4


def test_every_section_of_every_article_is_cited():
    cited = {(s.article, s.section) for q in QUESTIONS for s in q.sources}
    uncited = [
        f"{a.slug}#{s.id}"
        for a in LIBRARY.articles.values()
        for s in a.sections
        if (a.slug, s.id) not in cited
    ]
    assert uncited == []


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_each_bank_is_a_quiz_of_8_to_15_statements_with_40_to_60_percent_myths(bank):
    assert 8 <= len(bank.questions) <= 15
    myths = sum(q.answer == "myth" for q in bank.questions)
    assert 0.4 <= myths / len(bank.questions) <= 0.6


def test_there_are_at_least_45_statements_in_all():
    assert len(QUESTIONS) >= 45


def test_at_least_10_statements_cite_a_source_on_each_side():
    both = [q.id for q in QUESTIONS if {"supports", "contradicts"} <= {s.stance for s in q.sources}]
    assert len(both) >= 10, both


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_statement_is_tagged_and_explained_in_two_to_five_sentences(question):
    assert question.tags
    sentences = re.split(r"(?<=[.!?])[\"”)]?\s+(?=[A-Z\"“(*])", question.explanation.strip())
    assert 2 <= len(sentences) <= 5, sentences
    if question.answer == "myth":
        assert "myth" in question.explanation  # the myth is named as a myth


def words(text: str) -> list[str]:
    """Lower-case words; punctuation, quotes and Markdown marks do not hide a copied run."""
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(tokens: list[str], n: int = 12) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def test_no_run_of_12_words_is_copied_from_the_source_articles():
    texts = sorted(SOURCES.glob("*.txt")) if SOURCES.is_dir() else []
    if not texts:
        pytest.skip(f"the source articles are not at {SOURCES}; set QUIZAPP_SOURCES_DIR")
    source_runs = set().union(*(runs(words(p.read_text())) for p in texts))
    ours = {
        path.name: path.read_text()
        for path in [
            *content_root().glob("articles/*.md"),
            *content_root().glob("questions/*.yaml"),
        ]
    }
    copied = {name: runs(words(text)) & source_runs for name, text in ours.items()}
    assert {name: found for name, found in copied.items() if found} == {}
