"""The new bank's YAML text, written for an author to read and finish, and what was changed on
the way (an id that was taken, a category that became a tag, feedback that was missing)."""

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import files, interchange, yamlsource
from ..errors import ContentError
from ..lint import SCHEMA_COMMENT
from ..schema import CONTROL
from .questions import Found, TrueFalse

_MOODLE_ROOTS = {"$course$", "$system$", "$module$", "$coursecategory$", "top"}
_SLUG_WORD = re.compile(r"[a-z0-9]+")
# characters YAML does not allow as they are, or that libyaml reads as line breaks
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_CITED = re.compile(
    r"/articles/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)#(?P<section>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r".*\((?P<stance>[a-z ]+)\)\s*$"
)
_STANCES = {said: stance for stance, said in interchange.STANCES.items()}
# the list's heading, as our exporters write it, or as HTML made it (bold) on the way back
_HEADINGS = {interchange.SOURCES_HEADING, f"**{interchange.SOURCES_HEADING}**"}


@dataclass
class Draft:
    """A bank ready to be written, and what the author should know about it."""

    text: str
    statements: int
    changes: list[str] = field(default_factory=list)


def compose(found: Found, bank_id: str, taken: Mapping[str, str], path: str) -> Draft:
    """The bank BANK_ID made of the true/false questions found in the file at path; taken maps
    the question ids already in use to their banks."""
    if not found.questions:
        raise ContentError.at(
            path, 1, 1, "the file has no true/false question, so there is nothing to import"
        )
    origin = path.replace("\\", "/").rsplit("/", 1)[-1]
    draft = Draft("", len(found.questions))
    title, description, tagged = _bank_info(found, origin, draft.changes)
    lines = [
        SCHEMA_COMMENT,
        f"# Imported from {origin} ({found.format}) by `flask content import`.",
        "schema_version: 1",
        "bank:",
        f"  id: {_scalar(bank_id)}",
        f"  title: {_scalar(title)}",
        f"  description: {_block(description, 4)}",
        f"# {found.format} has no difficulty: every statement is `medium` until you choose.",
        "questions:",
    ]
    used: dict[str, str] = dict(taken)
    for question in found.questions:
        where = f"{path}:{question.line}:{question.col}"
        lines += _question(question, used, tagged, (bank_id, where), draft.changes)
    draft.text = "\n".join(lines)
    size = len(draft.text.encode())
    if size > files.MAX_FILE_BYTES:
        raise ContentError.at(
            path,
            1,
            1,
            f"the bank would be {size:,} bytes, more than the {files.MAX_FILE_BYTES:,} a bank "
            "may have; import the questions a few categories at a time",
        )
    return draft


def _bank_info(found: Found, origin: str, changes: list[str]) -> tuple[str, str, dict[str, str]]:
    """The bank's title and description, and the tag for each category when there are several."""
    used = list(dict.fromkeys(q.category for q in found.questions if q.category))
    paths = {category: _segments(category) for category in used}
    common: list[str] = []
    for parts in zip(*paths.values(), strict=False):
        if len(set(parts)) > 1:
            break
        common.append(parts[0])
    named = common or (paths[used[0]] if used else [])
    title = named[-1] if named else _title_from(origin)
    info = next((i for c, i in found.categories.items() if named and _segments(c) == named), "")
    description = info or f"Imported from {origin} ({found.format})."
    tagged = {}
    if len(used) > 1:
        for category, parts in paths.items():
            tagged[category] = slug(" ".join(parts[len(common) :] or parts[-1:])) or "uncategorised"
        changes.append(
            f"{len(used)} categories: each statement is tagged with its own "
            f"({', '.join(dict.fromkeys(tagged.values()))}); the title is '{title}'"
        )
    return title, description, tagged


def _segments(category: str) -> list[str]:
    """A Moodle category path as its names: `/` separates them and `//` is a slash in one."""
    parts = [p.replace("\0", "/").strip() for p in category.replace("//", "\0").split("/")]
    while parts and (parts[0] in _MOODLE_ROOTS or not parts[0]):
        parts.pop(0)
    return [p for p in parts if p]


def _title_from(origin: str) -> str:
    stem = origin.rsplit(".", 1)[0] if "." in origin else origin
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else "Imported questions"


def _question(
    question: TrueFalse,
    used: dict[str, str],
    tagged: dict[str, str],
    place: tuple[str, str],
    changes: list[str],
) -> list[str]:
    """The question's lines in the bank; place is (the new bank's id, path:line:col)."""
    bank_id, where = place
    statement = question.statement.removeprefix(interchange.PROMPT).strip() or question.statement
    given = [statement, question.explanation]
    statement, explanation = cleaned = [CONTROL.sub("", text) for text in given]
    if cleaned != given:
        changes.append(f"{where}: control characters, which no page shows, were left out")
    wanted = slug(question.name) or slug(statement, 60) or "statement"
    question_id = _unique(wanted, used)
    if question_id != wanted:
        owner = used[wanted]
        by = "an earlier question of this file" if owner == bank_id else f"bank '{owner}'"
        changes.append(
            f"{where}: the id '{wanted}' is used by {by} (ids are unique across all banks); "
            f"this statement is '{question_id}'"
        )
    used[question_id] = bank_id
    explanation, cited = _without_sources(explanation)
    if not explanation:
        explanation = f"(The file gave no feedback: say why this is a {question.verdict}.)"
        changes.append(f"{where}: no feedback became the explanation of '{question_id}'; write one")
    tags = [slug(tag) for tag in question.tags]
    tags.append(tagged.get(question.category, ""))
    tags = list(dict.fromkeys(t for t in tags if t))
    lines = [
        f"  - id: {_scalar(question_id)}",
        "    type: myth_fact",
        f"    statement: {_scalar(statement)}",
        f"    answer: {question.verdict}",
        "    difficulty: medium",
        *([f"    tags: [{', '.join(map(_scalar, tags))}]"] if tags else []),
        f"    explanation: {_block(explanation, 6)}",
        "    sources: []",
    ]
    if cited:
        lines.append("    # The export cited these; to restore them, replace [] above with:")
        for ref, stance in cited:
            lines += [f"    #   - ref: {ref}", f"    #     stance: {stance}"]
    return [*lines, ""]


def _unique(wanted: str, used: Mapping[str, str]) -> str:
    number, candidate = 1, wanted
    while candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = wanted[: 80 - len(suffix)].rstrip("-") + suffix
    return candidate


def _without_sources(explanation: str) -> tuple[str, list[tuple[str, str]]]:
    """The explanation without the "Sources:" list our exporters add, and the references
    (article#section, stance) that its links name. A list of the author's own (whose items
    are not all links to our articles with a stance) is part of the explanation, and stays."""
    lines = explanation.split("\n")
    heading = next(
        (i for i in range(len(lines) - 1, -1, -1) if lines[i].strip() in _HEADINGS), None
    )
    if heading is None:
        return explanation, []
    items = [line for line in lines[heading + 1 :] if line.strip()]
    cited = [_CITED.search(item) for item in items]
    if not items or not all(link and link["stance"] in _STANCES for link in cited):
        return explanation, []
    kept = "\n".join(lines[:heading]).strip()
    return kept, [(f"{link['slug']}#{link['section']}", _STANCES[link["stance"]]) for link in cited]


def slug(text: str, limit: int = 80) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word to at most limit characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _SLUG_WORD.findall(ascii_text.lower())
    result = words[0][:limit] if words else ""
    for word in words[1:]:
        if len(result) + 1 + len(word) > limit:
            break
        result += "-" + word
    return result


def _scalar(text: str) -> str:
    """One line of text as YAML: as it is where YAML reads it back unchanged, else quoted."""
    if "\n" not in text and not _UNPRINTABLE.search(text):
        try:
            data, _ = yamlsource.parse(f"k: {text}\n", "")
        except ContentError:
            data = None
        if data == {"k": text}:
            return text
    return _quoted(text)


def _block(text: str, indent: int) -> str:
    """Text as a YAML literal block (`|`), or quoted where a block cannot hold it."""
    if _UNPRINTABLE.search(text) or "\t" in text or text[:1].isspace():
        return _quoted(text)
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def _quoted(text: str) -> str:
    # a JSON string is a YAML double-quoted scalar; YAML escapes a few more characters
    return _UNPRINTABLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )
