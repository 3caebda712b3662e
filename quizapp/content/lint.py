"""Warnings: content that loads and works, but that an author will want to improve."""

from . import itemwriting, yamlsource
from .articles import Article
from .errors import ContentProblem
from .schema import BankFile

SCHEMA_COMMENT = "# yaml-language-server: $schema=bank.schema.json"
MAX_STATEMENT = 200
MAX_EXPLANATION = 1200
MYTH_SHARE = (0.4, 0.6)
NO_SOURCES = (
    "no sources yet: cite at least one `ref: article#section` with its stance "
    "before learners see this statement"
)


def bank_warnings(
    parsed: BankFile, positions: yamlsource.Positions, text: str, path: str
) -> list[ContentProblem]:
    """Advice on one bank that loaded without errors."""
    warnings = []

    def warn(loc: tuple, message: str, at_key: bool = False) -> None:
        line, col = yamlsource.locate(positions, loc, at_key=at_key)
        warnings.append(ContentProblem(path, line, col, message, "warning"))

    if not text.startswith(SCHEMA_COMMENT):
        warnings.append(
            ContentProblem(
                path,
                1,
                1,
                f"start the file with '{SCHEMA_COMMENT}' for editor completion",
                "warning",
            )
        )
    questions = parsed.questions
    myths = sum(q.answer == "myth" for q in questions)
    low, high = MYTH_SHARE
    if not low <= myths / len(questions) <= high:
        warn(
            ("questions",),
            f"{myths} of {len(questions)} statements are myths ({myths / len(questions):.0%}); "
            f"keep between {low:.0%} and {high:.0%} so that guessing one way does not pay",
        )
    for index, question in enumerate(questions):
        stances = {s.stance for s in question.sources}
        if not question.sources:  # an imported statement, until its author cites the articles
            warn(("questions", index, "sources"), NO_SOURCES, at_key=True)
        elif question.answer == "myth" and "contradicts" not in stances:
            warn(("questions", index, "sources"), "a myth should cite a source that contradicts it")
        elif question.answer == "fact" and "supports" not in stances:
            warn(("questions", index, "sources"), "a fact should cite a source that supports it")
        if len(question.statement) > MAX_STATEMENT:
            warn(
                ("questions", index, "statement"),
                f"the statement is {len(question.statement)} characters; keep it under "
                f"{MAX_STATEMENT} so it reads as one clear claim",
            )
        if len(question.explanation) > MAX_EXPLANATION:
            warn(
                ("questions", index, "explanation"),
                f"the explanation is {len(question.explanation)} characters; keep it under "
                f"{MAX_EXPLANATION} (two to five sentences)",
            )
    return warnings


def uncited_sections(articles: dict[str, Article], cited: set[tuple[str, str]]) -> list:
    """A warning for each article section that no statement cites."""
    return [
        ContentProblem(
            article.path,
            section.line,
            1,
            f"no statement cites section '{section.id}'; cite it or fold it into another",
            "warning",
        )
        for article in articles.values()
        for section in article.sections
        if (article.slug, section.id) not in cited
    ]


def wording(banks, positions: dict, review: itemwriting.Review) -> list[ContentProblem]:
    """The item-writing checks' findings (see itemwriting), each at the statement or bank it
    is about; a finding about all banks together is placed at the first bank's questions."""
    first = next(iter(banks.values()))
    index = {q.id: i for bank in banks.values() for i, q in enumerate(bank.questions)}
    problems = []
    for finding in review.findings:
        bank = banks[finding.bank] if finding.bank else first
        loc = ("questions",)
        if finding.question is not None:
            loc = ("questions", index[finding.question], "statement")
        line, col = yamlsource.locate(positions[bank.id], loc)
        message = f"{finding.message} [{finding.check}]"
        problems.append(ContentProblem(bank.path, line, col, message, "warning"))
    return problems
