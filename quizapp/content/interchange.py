"""What every export writes the same way: a statement's feedback, and what a format leaves out.

The feedback is the explanation (Markdown), then a blank line, "Sources:" and one line per
source, an absolute link to the article section with its stance:

    - [Article › Section](https://quiz.example.org/articles/slug#section) (contradicts)

A statement without sources (an imported one, say) gets the explanation alone.
"""

from .library import Bank, Library
from .schema import Question

PROMPT = "Myth or fact? "  # before each statement, in a format that has no title of its own
CATEGORY_ROOT = "$course$/top/Myth or Fact"  # where a bank's Moodle category is made
SOURCES_HEADING = "Sources:"
STANCES = {"supports": "supports", "contradicts": "contradicts", "context": "gives context"}
ARTICLE_PATH = "/articles/{slug}#{section}"  # the articles blueprint's page, with its anchor
# escaped in link text; PHP Markdown (Moodle) reads these escapes too, not every CommonMark one
_LINK_TEXT = str.maketrans({c: "\\" + c for c in "\\`*_[]"})


def article_url(public_url: str, slug: str, section: str) -> str:
    return public_url.rstrip("/") + ARTICLE_PATH.format(slug=slug, section=section)


def one_line(text: str) -> str:
    """Text on one line, its runs of spaces and line breaks one space each."""
    return " ".join(text.split())


def category(title: str) -> str:
    """The Moodle category path of a bank titled `title`. '/' separates a path's steps: a '/'
    of the title's own is doubled, as Moodle's assemble_category_path does."""
    name = one_line(title).replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return f"{CATEGORY_ROOT}/{name}"


def feedback(question: Question, library: Library, public_url: str) -> str:
    """The explanation and, when it has sources, a list of links to them with their stances."""
    explanation = question.explanation.strip()
    if not question.sources:
        return explanation
    lines = []
    for source in question.sources:
        article = library.articles[source.article]
        text = f"{article.title} › {article.section(source.section).title}".translate(_LINK_TEXT)
        url = article_url(public_url, source.article, source.section)
        lines.append(f"- [{text}]({url}) ({STANCES[source.stance]})")
    return f"{explanation}\n\n{SOURCES_HEADING}\n\n" + "\n".join(lines)


def left_out(bank: Bank, carried: frozenset[str]) -> str:
    """One sentence naming what this bank has and the format cannot hold; `carried` names the
    settings (shuffle, draw, feedback) and fields (tags) the format does hold."""
    settings = bank.info.settings
    lost = ["each statement's difficulty"]
    if "tags" not in carried and any(q.tags for q in bank.questions):
        lost.append("tags")
    if settings.certainty:
        lost.append("certainty-based marking")
    if settings.shuffle and "shuffle" not in carried:
        lost.append("shuffling the statements")
    if settings.draw and "draw" not in carried:
        lost.append(f"drawing {settings.draw} of them per attempt")
    if settings.feedback == "deferred" and "feedback" not in carried:
        lost.append("holding the verdicts back until the end")
    return (
        f"Not carried: {', '.join(lost)}. The sources, each with its stance, are listed in each "
        "statement's general feedback, not kept as data."
    )
