"""Item-writing checks: wording that gives the verdict away is reported at the statement's
path:line:col, and its rewritten twin is clean."""

from pathlib import Path

import pytest

from quizapp.content import itemwriting, load_library
from quizapp.paths import content_root

ARTICLE = """---
title: A source
source: {publisher: Someone, kind: A page}
summary: What it says.
---

## Part {#part}

Text.
"""


def write_bank(root: Path, bank_id: str, statements: list[tuple[str, str]], extra="") -> Path:
    """A bank of (statement, verdict) pairs, citing the one article."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "articles" / "source.md").write_text(ARTICLE)
    (root / "questions").mkdir(exist_ok=True)
    items = "".join(
        f"""  - id: {bank_id}-{n}
    type: myth_fact
    statement: "{text}"
    answer: {verdict}
    difficulty: easy
    explanation: Why.
    sources: [{{ref: source#part, stance: {"contradicts" if verdict == "myth" else "supports"}}}]
{extra if n == 0 else ""}"""
        for n, (text, verdict) in enumerate(statements)
    )
    path = root / "questions" / f"{bank_id}.yaml"
    path.write_text(
        "# yaml-language-server: $schema=bank.schema.json\nschema_version: 1\n"
        f"bank: {{id: {bank_id}, title: {bank_id}, description: A bank.}}\n"
        f"questions:\n{items}"
    )
    return path


def wording(root: Path, **options) -> list[str]:
    _, problems = load_library(root, **options)
    return [str(p) for p in problems if p.message.endswith("]")]


# Absolutes all on the myths, hedges all on the facts: a test-wise learner's dream
CUED = [
    ("Toner always closes pores for good.", "myth"),
    ("Steam completely unclogs every pore.", "myth"),
    ("Scrubbing permanently removes blackheads.", "myth"),
    ("Retinoids can make pores look smaller.", "fact"),
    ("Sunscreen may slow the loss of collagen.", "fact"),
    ("Clay masks can soak up surface oil.", "fact"),
]
# The same knowledge, with the cues on both sides
REWRITTEN = [
    ("Toner closes pores for good.", "myth"),
    ("Steam can unclog pores on its own.", "myth"),
    ("Scrubbing removes the blackhead's root.", "myth"),
    ("Retinoids make pores look smaller for good.", "fact"),
    ("Sunscreen slows the loss of collagen.", "fact"),
    ("Clay masks can soak up surface oil.", "fact"),
]


def test_cue_words_that_lean_one_way_are_reported_and_the_rewritten_twin_is_clean(tmp_path):
    write_bank(tmp_path / "cued", "cued", CUED)
    found = wording(tmp_path / "cued")
    assert any("hedges are in no myth and 3 facts" in p for p in found)
    assert any("absolutes are in 3 myths and no fact" in p for p in found)
    assert any(p.startswith("questions/cued.yaml:") and "[cue-word]" in p for p in found)
    write_bank(tmp_path / "twin", "twin", REWRITTEN)
    assert wording(tmp_path / "twin") == []


def test_a_word_that_leans_is_reported_at_each_statement_that_uses_it(tmp_path):
    statements = [
        ("Pores shrink permanently with toner.", "myth"),
        ("Pores shrink permanently with steam.", "myth"),
        ("Pores look smaller with retinoids.", "fact"),
        ("Pores look smaller with sunscreen.", "fact"),
    ]
    write_bank(tmp_path, "lean", statements)
    found = [p for p in wording(tmp_path) if "“permanently”" in p]
    assert [p.split(": ")[0] for p in found] == [
        "questions/lean.yaml:7:16",
        "questions/lean.yaml:14:16",
    ]
    assert "is in 2 myths and no fact across bank lean" in found[0]


@pytest.mark.parametrize(
    "statement, claims",
    [
        ("Steaming opens pores and cleans them out.", 2),
        ("Steaming opens pores, cleans them and tightens them.", 3),
        ("Toner tightens pores; it also kills bacteria.", 2),
        ("Oil and dead skin stretch a pore.", 1),  # one claim, two subjects
        ("A wash removes sunscreen and make-up that a first wash leaves behind.", 1),
        ("Retinoids make pores look smaller over months.", 1),
    ],
)
def test_a_statement_holds_one_claim(statement, claims):
    assert len(itemwriting.claims(statement)) == claims


@pytest.mark.parametrize(
    "statement, message",
    [
        ("Pore strips do not shrink pores.", "a negative statement"),
        ("Steam isn't a way to clean pores.", "a negative statement"),
        ("It is not true that pores never change.", "a double negative (2 negations)"),
    ],
)
def test_negatives_and_double_negatives_are_reported(tmp_path, statement, message):
    write_bank(tmp_path, "neg", [(statement, "fact"), ("Retinoids help pores.", "myth")])
    assert any(message in p and "[negative]" in p for p in wording(tmp_path))


def test_an_author_silences_a_check_for_one_statement_with_a_reason(tmp_path):
    allow = "    allow: [{check: negative, reason: The negation is what the source says.}]\n"
    write_bank(tmp_path, "neg", [("Pore strips do not shrink pores.", "fact"),
                                 ("Retinoids shrink large oily pores fast.", "myth")], extra=allow)  # fmt: skip
    assert wording(tmp_path) == []


def test_a_silenced_check_needs_a_known_check_and_a_reason(tmp_path):
    allow = "    allow: [{check: negatives, reason: x}]\n"
    write_bank(tmp_path, "neg", [("Pore strips shrink pores.", "myth"),
                                 ("Retinoids help pores.", "fact")], extra=allow)  # fmt: skip
    _, problems = load_library(tmp_path)
    messages = [str(p) for p in problems if p.severity == "error"]
    assert (
        "questions/neg.yaml:12:21: error: 'questions[1].allow[1].check' must be 'cue-word', 'two-claims', 'negative' or 'near-duplicate', not 'negatives'"
        in messages
    )
    assert (
        "questions/neg.yaml:12:40: error: 'questions[1].allow[1].reason' must be at least 10 characters: say why"
        in messages
    )


def test_myths_and_facts_of_different_lengths_are_reported(tmp_path):
    statements = [
        ("Toner shrinks pores.", "myth"),
        ("Steam opens pores.", "myth"),
        ("Retinoids speed the turnover of skin cells, which keeps pore linings clear.", "fact"),
        ("Sunscreen slows the slow loss of collagen that leaves pores looking larger.", "fact"),
    ]
    write_bank(tmp_path, "long", statements)
    assert any("the facts are longer" in p and "[length-skew]" in p for p in wording(tmp_path))


def test_near_duplicates_across_banks_are_reported_on_both(tmp_path):
    write_bank(tmp_path, "one", [("Glycolic acid works deep inside oily pores.", "myth"),
                                 ("Retinoids help pores.", "fact")])  # fmt: skip
    write_bank(tmp_path, "two", [("Glycolic acid works deep inside clogged oily pores.", "myth"),
                                 ("Sunscreen protects collagen.", "fact")])  # fmt: skip
    found = [p for p in wording(tmp_path) if "[near-duplicate]" in p]
    assert len(found) == 2
    assert "asks nearly what 'two-0' (two)" in found[0]


def test_a_bank_whose_words_give_the_verdicts_away_is_reported_with_the_words(tmp_path):
    statements = [(f"Pores shrink with product {n}.", "myth") for n in range(5)] + [
        (f"Pores look smaller with habit {n}.", "fact") for n in range(5)
    ]
    write_bank(tmp_path, "easy", statements)
    found = [p for p in wording(tmp_path) if "[guessable]" in p]
    assert found and "guesses 100% of this bank's 10 verdicts" in found[0]
    assert "shrink" in found[0] and "look" in found[0]
    assert [p for p in wording(tmp_path, guessable=1.0) if "[guessable]" in p] == []


def test_the_review_is_deterministic():
    """Authors and CI must see the same warnings for the same files."""
    library, _ = load_library(content_root())
    banks = [(b.id, b.questions) for b in library.banks.values()]
    assert itemwriting.review(banks).findings == itemwriting.review(banks).findings
