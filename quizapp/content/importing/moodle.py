"""Read Moodle XML as Moodle's own importer does (question/format/xml/format.php), with a
parser that refuses entity declarations and external references (defusedxml).

    <quiz>
      <question type="category"><category><text>$course$/top/Pores</text></category>
        <info format="html"><text>What the category is about</text></info></question>
      <question type="truefalse">
        <name><text>pores-shrink</text></name>
        <questiontext format="html"><text><![CDATA[<p>Pores can shrink.</p>]]></text></questiontext>
        <generalfeedback format="markdown"><text>Why.</text></generalfeedback>
        <answer fraction="0"><text>true</text><feedback><text>...</text></feedback></answer>
        <answer fraction="100"><text>false</text><feedback><text>...</text></feedback></answer>
        <tags><tag><text>pore-size</text></tag></tags>
      </question>
    </quiz>
"""

import io
import xml.sax
from dataclasses import dataclass, field

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.sax import make_parser

from ..errors import ContentError
from . import htmltext
from .questions import Found, Skipped, TrueFalse

# Moodle's names for its text formats, as htmltext knows them; Moodle reads others as HTML
_FORMATS = {
    "moodle_auto_format": "moodle",
    "html": "html",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "moodle",
}
_KINDS = {
    "multichoice": "multiple choice",
    "shortanswer": "short answer",
    "match": "matching",
    "cloze": "embedded answers (cloze)",
    "multianswer": "embedded answers (cloze)",
}
_XML_ENTITIES = "&amp; &lt; &gt; &quot; &apos;"


@dataclass
class _Element:
    """An element with its own text and where it starts (1-based line and column)."""

    tag: str
    attrs: dict[str, str]
    line: int
    col: int
    children: list["_Element"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def first(self, *path: str) -> "_Element | None":
        """The first element along path (tag names), or None."""
        found: _Element | None = self
        for tag in path:
            found = next((c for c in found.children if c.tag == tag), None) if found else None
        return found

    def text(self, *path: str) -> str:
        """The text of the `<text>` inside the element along path, or its own text."""
        found = self.first(*path)
        if found is None:
            return ""
        inner = found.first("text")
        return "".join((inner or found).parts).strip()


class _Builder(xml.sax.handler.ContentHandler):
    def __init__(self):
        super().__init__()
        self.root: _Element | None = None
        self.open: list[_Element] = []

    def setDocumentLocator(self, locator):
        self.locator = locator

    def startElement(self, name, attrs):
        line, col = self.locator.getLineNumber(), self.locator.getColumnNumber() + 1
        element = _Element(name, dict(attrs), line, col)
        if self.open:
            self.open[-1].children.append(element)
        else:
            self.root = element
        self.open.append(element)

    def endElement(self, name):
        self.open.pop()

    def characters(self, content):
        if self.open:
            self.open[-1].parts.append(content)


def read(text: str, path: str) -> Found:
    root = _parse(text, path)
    if root.tag != "quiz":
        raise ContentError.at(
            path,
            root.line,
            root.col,
            f"the file's element is <{root.tag}>, not <quiz>: is it a Moodle XML export?",
        )
    found = Found("Moodle XML")
    category = ""
    for question in (c for c in root.children if c.tag == "question"):
        kind = question.attrs.get("type", "")
        if kind == "category":
            category = question.text("category")
            found.categories[category] = _markdown(question, "info", "moodle")
            continue
        name, kind = question.text("name"), _KINDS.get(kind, kind or "untyped")
        try:
            item = (
                _true_false(question, path, category)
                if kind == "truefalse"
                else Skipped(kind, name, question.line, question.col)
            )
        except htmltext.TooLong as exc:
            raise ContentError.at(path, question.line, question.col, f"{name!r}: {exc}") from None
        if isinstance(item, Skipped):
            found.skipped.append(item)
        else:
            found.questions.append(item)
    return found


def _parse(text: str, path: str) -> _Element:
    builder = _Builder()
    parser = make_parser()
    parser.setContentHandler(builder)
    source = xml.sax.InputSource()
    source.setCharacterStream(io.StringIO(text))
    try:
        parser.parse(source)
    except EntitiesForbidden:
        at = text.find("<!ENTITY")
        line = text.count("\n", 0, at) + 1
        col = at - text.rfind("\n", 0, at)
        raise ContentError.at(
            path,
            line,
            col,
            "the file declares XML entities, which are refused for safety; "
            "Moodle's exports never declare any",
        ) from None
    except ExternalReferenceForbidden as exc:
        where = builder.locator.getLineNumber(), builder.locator.getColumnNumber() + 1
        raise ContentError.at(
            path,
            *where,
            f"the file refers to another document ({exc.sysid}), "
            "which is refused for safety; Moodle's exports never do",
        ) from None
    except xml.sax.SAXParseException as exc:
        problem = exc.getMessage()
        if problem == "undefined entity":
            problem += (
                f": XML knows only {_XML_ENTITIES} (write &#160; for &nbsp;, "
                "or put HTML inside <![CDATA[ ... ]]>)"
            )
        raise ContentError.at(
            path, exc.getLineNumber(), exc.getColumnNumber() + 1, f"malformed XML: {problem}"
        ) from None
    assert builder.root is not None  # a document that parsed has an element
    return builder.root


def _true_false(question: _Element, path: str, category: str) -> TrueFalse | Skipped:
    name = question.text("name")
    markup = _markup(question.first("questiontext"), "html")
    statement = htmltext.as_plain(question.text("questiontext"), markup)
    true_is_right, feedback = _answers(question, path, name, markup)
    if not statement:
        hint = "it has no text to become a statement"
        return Skipped("true/false", name, question.line, question.col, hint=hint)
    right, wrong = ("true", "false") if true_is_right else ("false", "true")
    general = _markdown(question, "generalfeedback", markup)
    listed = question.first("tags")
    tags = [tag.text() for tag in listed.children] if listed is not None else []
    return TrueFalse(
        name or question.text("idnumber"),
        statement,
        "fact" if true_is_right else "myth",
        general or feedback.get(right) or feedback.get(wrong, ""),
        question.line,
        question.col,
        tags=tuple(tag for tag in tags if tag),
        category=category,
    )


def _answers(question: _Element, path: str, name: str, markup: str) -> tuple[bool, dict]:
    """Whether "true" is the right answer (the one with fraction 100), and the feedback on
    answering "true" and "false"."""
    true_is_right, feedback = None, {}
    answers = [a for a in question.children if a.tag == "answer"]
    for index, answer in enumerate(answers):
        said = answer.text()
        if said not in ("true", "false"):  # an old export, in the order true, false
            said = "true" if index == 0 else "false"
        fraction = answer.attrs.get("fraction", "0")
        try:
            full = float(fraction) == 100
        except ValueError:
            raise ContentError.at(
                path,
                answer.line,
                answer.col,
                f"question '{name}': the answer's fraction must be a number, not {fraction!r}",
            ) from None
        true_is_right = full if said == "true" else not full
        feedback[said] = _markdown(answer, "feedback", markup)
    if true_is_right is None:
        raise ContentError.at(
            path,
            question.line,
            question.col,
            f"question '{name}': a true/false question needs its answers, 'true' and 'false'",
        )
    return true_is_right, feedback


def _markup(element: _Element | None, default: str) -> str:
    if element is None or "format" not in element.attrs:
        return default
    return _FORMATS.get(element.attrs["format"].strip(), "html")


def _markdown(parent: _Element, tag: str, default: str) -> str:
    return htmltext.as_markdown(parent.text(tag), _markup(parent.first(tag), default))
