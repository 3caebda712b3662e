"""Load every article and bank into one immutable Library, cross-checking references.

A file with problems is left out and its problems are returned; everything else still loads.
A bank that cites a missing article or section is left out too, pointed at the bad reference.
"""

import gc
from collections import defaultdict
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from . import files, itemwriting, lint, validation, yamlsource
from .articles import Article, load_article
from .errors import ContentError, ContentProblem
from .schema import BankFile, BankInfo, Question


@dataclass(frozen=True)
class Bank:
    info: BankInfo
    questions: tuple[Question, ...]
    path: str

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def current(self, question_id: str, revision: str) -> Question | None:
        """The question, only if `revision` is its current wording (answers to an earlier
        wording are not counted with today's)."""
        question = self.question(question_id)
        return question if question is not None and question.revision == revision else None

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @property
    def length(self) -> int:
        """How many statements one attempt asks."""
        draw = self.info.settings.draw
        return min(draw, len(self.questions)) if draw else len(self.questions)

    @property
    def article_slugs(self) -> tuple[str, ...]:
        """The articles this bank draws on, in order of first citation."""
        slugs = (s.article for q in self.questions for s in q.sources)
        return tuple(dict.fromkeys(slugs))


@dataclass(frozen=True)
class Citation:
    bank: Bank
    question: Question


@dataclass(frozen=True)
class Library:
    articles: Mapping[str, Article]
    banks: Mapping[str, Bank]
    citations: Mapping[tuple[str, str], tuple[Citation, ...]] = field(repr=False)
    # what the item-writing checks found, made once at load (the author preview shows it)
    wording: itemwriting.Review | None = field(default=None, repr=False, compare=False)

    def cited_by(self, article: str, section: str) -> tuple[Citation, ...]:
        return self.citations.get((article, section), ())


@contextmanager
def _no_cycle_collection():
    """Loading makes a great many small objects and no reference cycles: the cycle collector
    would only scan them again and again (it doubled the time to load 5,000 statements)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_library(
    root: Path, guessable: float = itemwriting.GUESSABLE
) -> tuple[Library, list[ContentProblem]]:
    """Load root/articles/*.md and root/questions/*.yaml; return the library and every problem.

    Files with errors are left out; warnings are advice on files that are served.
    """
    with _no_cycle_collection():
        return _load(root, guessable)


def _load(root: Path, guessable: float) -> tuple[Library, list[ContentProblem]]:
    problems: list[ContentProblem] = []
    articles: dict[str, Article] = {}
    for path in sorted((root / "articles").glob("*.md")):
        display = _display(path, root)
        try:
            article = load_article(path, display)
        except ContentError as exc:
            problems.extend(exc.problems)
        except RecursionError:
            problems.append(_too_deep(display))
        else:
            articles[article.slug] = article

    banks: dict[str, Bank] = {}
    places: dict[str, yamlsource.Positions] = {}
    owners: dict[str, str] = {}  # question id -> bank id, across banks
    for path in sorted((root / "questions").glob("*.yaml")):
        display = _display(path, root)
        try:
            bank, positions, warnings = _load_bank(path, display)
            _check_references(bank, positions, articles, owners)
        except ContentError as exc:
            problems.extend(exc.problems)
        except RecursionError:
            problems.append(_too_deep(display))
        else:
            banks[bank.id] = bank
            places[bank.id] = positions
            owners.update((q.id, bank.id) for q in bank.questions)
            problems.extend(warnings)

    citations: dict[tuple[str, str], list[Citation]] = defaultdict(list)
    for bank in banks.values():
        for question in bank.questions:
            for source in question.sources:
                citations[(source.article, source.section)].append(Citation(bank, question))
    ordered = dict(sorted(banks.items(), key=lambda kv: (kv[1].info.order, kv[1].title)))
    review = (
        itemwriting.review([(b.id, b.questions) for b in ordered.values()], guessable)
        if ordered
        else None
    )
    library = Library(
        articles=MappingProxyType(articles),
        banks=MappingProxyType(ordered),
        citations=MappingProxyType({k: tuple(v) for k, v in citations.items()}),
        wording=review,
    )
    problems.extend(lint.uncited_sections(articles, set(citations)))
    if review is not None:
        problems.extend(lint.wording(library.banks, places, review))
    return library, problems


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _too_deep(display: str) -> ContentProblem:
    # a parser step that recurses once per level (PyYAML's own, without libyaml) ran out of stack
    return ContentProblem(display, 1, 1, yamlsource.TOO_DEEP)


def _load_bank(path: Path, display: str) -> tuple[Bank, yamlsource.Positions, list[ContentProblem]]:
    text = files.read_text(path, display)
    data, positions = yamlsource.parse(text, display)
    if not isinstance(data, dict):
        raise ContentError.at(
            display, 1, 1, "a bank is a mapping with schema_version, bank, questions"
        )
    parsed = validation.validate(BankFile, data, positions, display)
    problems = []
    if parsed.bank.id != path.stem:
        line, col = yamlsource.locate(positions, ("bank", "id"))
        problems.append(
            ContentProblem(
                display,
                line,
                col,
                f"bank id '{parsed.bank.id}' must equal the file name '{path.stem}'",
            )
        )
    seen: set[str] = set()
    for index, question in enumerate(parsed.questions):
        if question.id in seen:
            line, col = yamlsource.locate(positions, ("questions", index, "id"))
            problems.append(
                ContentProblem(display, line, col, f"question id '{question.id}' is used twice")
            )
        seen.add(question.id)
    draw = parsed.bank.settings.draw
    if draw and draw > len(parsed.questions):
        line, col = yamlsource.locate(positions, ("bank", "settings", "draw"))
        problems.append(
            ContentProblem(
                display,
                line,
                col,
                f"draw is {draw} but the bank has {len(parsed.questions)} statements",
            )
        )
    if problems:
        raise ContentError(problems)
    bank = Bank(info=parsed.bank, questions=parsed.questions, path=display)
    return bank, positions, lint.bank_warnings(parsed, positions, text, display)


def _check_references(
    bank: Bank,
    positions: yamlsource.Positions,
    articles: Mapping[str, Article],
    owners: Mapping[str, str],
) -> None:
    problems = []
    for qi, question in enumerate(bank.questions):
        if question.id in owners:
            line, col = yamlsource.locate(positions, ("questions", qi, "id"))
            problems.append(
                ContentProblem(
                    bank.path,
                    line,
                    col,
                    f"question id '{question.id}' is already used in bank '{owners[question.id]}'",
                )
            )
        for si, source in enumerate(question.sources):
            message = _resolve(source.article, source.section, articles)
            if message:
                line, col = yamlsource.locate(positions, ("questions", qi, "sources", si, "ref"))
                problems.append(ContentProblem(bank.path, line, col, message))
    if problems:
        raise ContentError(problems)


def _resolve(slug: str, section: str, articles: Mapping[str, Article]) -> str | None:
    article = articles.get(slug)
    if article is None:
        hint = yamlsource.did_you_mean(slug, list(articles))
        return f"no article '{slug}' (it may have failed to load){hint}"
    if article.section(section) is None:
        hint = yamlsource.did_you_mean(section, [s.id for s in article.sections])
        return f"article '{slug}' has no section '{section}'{hint}"
    return None
