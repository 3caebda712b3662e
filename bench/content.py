"""Benchmark: load and validate a generated set of 5,000 statements (bar: under 1 s).

Writes 50 banks of 100 statements, citing the bundled articles, into a temporary folder and
times quizapp.content.load_library over the whole folder: parsing, validation, references
and warnings. Reports the best of three runs, and the bundled content as a baseline.

    python -m bench.content [--check]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from quizapp.content import load_library
from quizapp.paths import content_root

BANKS, EACH, BAR_S = 50, 100, 1.0

STATEMENT = """  - id: gen-{b}-{n}
    type: myth_fact
    statement: Generated statement {n} of bank {b}, about as long as a real one is.
    answer: {answer}
    difficulty: medium
    tags: [generated, pores]
    explanation: |
      The explanation of generated statement {n}. It has two sentences and *Markdown*.
    sources:
      - ref: pore-truth#intro
        stance: {stance}
"""


def generate(root: Path) -> None:
    (root / "articles").mkdir(parents=True)
    (root / "questions").mkdir()
    for article in (content_root() / "articles").glob("*.md"):
        (root / "articles" / article.name).write_text(article.read_text())
    for b in range(BANKS):
        body = "".join(
            STATEMENT.format(
                b=b, n=n, answer=("myth", "fact")[n % 2], stance=("contradicts", "supports")[n % 2]
            )
            for n in range(EACH)
        )
        (root / "questions" / f"gen-{b}.yaml").write_text(
            "# yaml-language-server: $schema=bank.schema.json\nschema_version: 1\n"
            f"bank:\n  id: gen-{b}\n  title: Generated {b}\n  description: Generated.\n"
            f"questions:\n{body}"
        )


def best_of(root: Path, runs: int = 3) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        library, _ = load_library(root)
        times.append(time.perf_counter() - began)
    return min(times), sum(len(b.questions) for b in library.banks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 if over {BAR_S} s")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="quizapp-content-")) / "content"
    generate(root)
    seconds, statements = best_of(root)
    shipped_s, shipped = best_of(content_root())
    verdict = "ok" if seconds < BAR_S else "MISSED"
    print(f"content: {statements:,} statements loaded and validated in {seconds:.2f} s")
    print(f"  bar: under {BAR_S:.0f} s: {verdict}")
    print(f"  baseline, the bundled content: {shipped} statements in {shipped_s * 1000:.0f} ms")
    generated_us, bundled_us = seconds / statements * 1e6, shipped_s / shipped * 1e6
    print(f"  per statement: {generated_us:.0f} us generated, {bundled_us:.0f} us bundled")
    return 1 if verdict == "MISSED" and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
