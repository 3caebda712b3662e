"""Read Moodle's GIFT format as Moodle's own importer does (question/format/gift/format.php).

A blank line ends a question; a line starting with `//` is a comment, in which Moodle 4 reads
`[id:...]` and `[tag:...]`; `$CATEGORY: path` files the questions after it; `::name::` names a
question; `[markdown]`, `[html]`, `[plain]` or `[moodle]` gives its text's format; a backslash
escapes `~ = # { } : \\` and `\\n` is a new line. A true/false question is `statement{T}` (or
`{TRUE}`, `{F}`, `{FALSE}`), optionally with `#feedback on a wrong answer#feedback on a right
one####general feedback`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ContentError
from . import htmltext
from .questions import Found, Skipped, TrueFalse

# an escaped character is hidden as a Unicode noncharacter until the syntax has been read
_ESCAPABLE = ":#={}~"
_HIDE = {char: chr(0xFDD0 + i) for i, char in enumerate(_ESCAPABLE)}
_SHOW = str.maketrans({hidden: char for char, hidden in _HIDE.items()})
_FORMATS = {"moodle", "html", "plain", "markdown"}
_TRUE, _FALSE = {"T", "TRUE"}, {"F", "FALSE"}
_NO_BRACE = "write \\{ or \\} for a brace in the text"
# Moodle 4's ID number and tags, in a question's comment lines; \] is a ] inside them
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f])+)\]")


@dataclass(frozen=True)
class _Block:
    """One question's lines with their escapes read and where each character was in the file,
    and its comment lines apart."""

    text: str
    where: list[tuple[int, int]]
    comments: str


def read(text: str, path: str) -> Found:
    found = Found("GIFT")
    category = ""
    for block in _blocks(text, path):
        if block.text.startswith("$CATEGORY:"):
            category = _category(block, path)
            found.categories.setdefault(category, "")
            continue
        try:
            question = _question(block, path, category)
        except htmltext.TooLong as exc:
            raise ContentError.at(path, *block.where[0], f"this question has {exc}") from None
        if isinstance(question, Skipped):
            found.skipped.append(question)
        else:
            found.questions.append(question)
    return found


def _blocks(text: str, path: str) -> Iterator[_Block]:
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    comments: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as Moodle splits
    for number, line in enumerate([*lines, ""], start=1):
        body = line.strip()
        if not body:
            if chars:
                yield _Block("".join(chars), where, "\n".join(comments))
            chars, where, comments = [], [], []
        elif body.startswith("//"):
            comments.append(body)
        else:
            if chars:
                chars.append("\n")
                where.append(where[-1])
            _scan(line, number, path, chars, where)


def _scan(line: str, number: int, path: str, chars: list, where: list) -> None:
    """Add one line's characters, its escapes read, to chars (and their places to where)."""
    indent = len(line) - len(line.lstrip())
    body = line.strip()
    index = 0
    while index < len(body):
        char, col = body[index], indent + index + 1
        if char.translate(_SHOW) != char:
            raise ContentError.at(
                path, number, col, f"the character U+{ord(char):04X} is not text; delete it"
            )
        following = body[index + 1 : index + 2]
        if char == "\\" and following and following in _ESCAPABLE + "\\n":
            chars.append("\n" if following == "n" else _HIDE.get(following, following))
            index += 2
        else:
            chars.append(char)
            index += 1
        where.append((number, col))


def _category(block: _Block, path: str) -> str:
    if "\n" in block.text:
        # where the next line starts; an escaped \n ending the line has no next line
        line, col = block.where[min(block.text.index("\n") + 1, len(block.where) - 1)]
        raise ContentError.at(
            path,
            line,
            col,
            "a category's name is one line, with no \\n in it: put a blank line after the "
            "$CATEGORY line (Moodle reads everything up to the next blank line as the name)",
        )
    return _show(block.text.removeprefix("$CATEGORY:"))


def _question(block: _Block, path: str, category: str) -> TrueFalse | Skipped:
    text, where = block.text, block.where

    def fail(index: int, message: str) -> ContentError:
        return ContentError.at(path, *where[index], message)

    name, start = "", 0
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise fail(0, "the question name opened with '::' is not closed; end it with '::'")
        name, start = _show(text[2:end]), end + 2
    opening, closing = text.find("{", start), text.find("}", start)
    if opening < 0 and closing < 0:
        return Skipped("description", name, *where[0])
    if closing < 0:
        raise fail(
            opening,
            "the answer opened with '{' is not closed with '}' (a blank line ends a question: "
            f"write \\n for a new line inside one); {_NO_BRACE}",
        )
    if opening < 0 or closing < opening:
        raise fail(closing, f"a '}}' with no '{{' before it; {_NO_BRACE}")
    after = text[closing + 1 :]
    # Moodle's "missing word" format: an answer inside the text leaves a blank there
    question_text = text[start:opening] + ("_____" + after if after.strip() else "")
    answer, general = text[opening + 1 : closing].strip(), ""
    if "####" in answer:
        answer, _, general = answer.rpartition("####")
        answer = answer.strip()
    kind = _kind(answer)
    problem = _malformed(kind, answer)
    if problem:
        raise fail(opening, problem)
    markup, question_text = _with_format(question_text, "moodle")
    statement = htmltext.as_plain(_show(question_text), markup)
    if kind != "true/false" or not statement:
        return Skipped(kind, name, *where[0], hint=_why_skipped(kind, answer, statement))
    key, wrong, right = [*answer.split("#", 2), "", ""][:3]
    feedback = (_markdown(f, markup) for f in (general, right, wrong))
    idnumber = _ID.search(block.comments)
    return TrueFalse(
        name or (_unescape_bracket(idnumber.group(1)) if idnumber else ""),
        statement,
        "fact" if key.strip() in _TRUE else "myth",
        next((f for f in feedback if f), ""),
        *where[0],
        tags=tuple(_unescape_bracket(tag) for tag in _TAG.findall(block.comments)),
        category=category,
    )


def _kind(answer: str) -> str:
    """The question type of an answer block, decided in Moodle's order."""
    if not answer:
        return "essay"
    if answer.startswith("#"):
        return "numerical"
    if "~" in answer:
        return "multiple choice"
    if "=" in answer and "->" in answer:
        return "matching"
    if answer.partition("#")[0].strip() in _TRUE | _FALSE:
        return "true/false"
    return "short answer"


def _why_skipped(kind: str, answer: str, statement: str) -> str:
    if not statement:
        return "it has no text to become a statement"
    key = answer.partition("#")[0].strip()
    if kind == "short answer" and key.upper() in _TRUE | _FALSE:
        return f"Moodle reads {{{key}}} as a short answer; write {{{key.upper()}}} for true/false"
    return ""


def _malformed(kind: str, answer: str) -> str | None:
    """What Moodle refuses in an answer block of a type that is otherwise skipped."""
    if kind == "numerical" and not answer[1:].partition("~")[0].strip(" ="):
        return "a numerical answer needs a number after '#', like {#1822} or {#3:0.5}"
    if kind == "multiple choice":
        choices = [c for c in answer.replace("=", "~=").split("~") if c.strip()]
        if len(choices) < 2:
            return "a multiple-choice answer needs two choices or more: =right ~wrong"
    if kind == "matching" and any("->" not in p for p in answer.split("=") if p.strip()):
        return "each pair of a matching answer is written =item -> its match"
    return None


def _with_format(text: str, default: str) -> tuple[str, str]:
    """A text's format from its [format] prefix, and the text without it."""
    text = text.strip()
    if text.startswith("["):
        name, closed, rest = text[1:].partition("]")
        if closed and name in _FORMATS:
            return name, rest
    return default, text


def _markdown(feedback: str, default: str) -> str:
    markup, text = _with_format(feedback, default)
    return htmltext.as_markdown(_show(text), markup)


def _unescape_bracket(text: str) -> str:
    return text.replace("\\]", "]").strip()


def _show(text: str) -> str:
    return text.translate(_SHOW).strip()
