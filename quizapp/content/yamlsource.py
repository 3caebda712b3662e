"""Safe YAML 1.2 reading that keeps the position of every key and value.

ruamel.yaml's round-trip loader builds only plain mappings, sequences and scalars, reports
duplicate keys, and records where each node starts. The tree it returns is kept beside the plain
data so that a validation error found later can still be pointed at a line and column.
"""

import difflib
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError

from .errors import ContentError

Position = tuple[int, int]


def read_text(path: str, raw: bytes) -> str:
    """Decode a content file as UTF-8, or say where the first bad byte is."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ContentError.at(
            path, line, col, "the file is not UTF-8 text; save it with UTF-8 encoding"
        ) from None


def parse(text: str, path: str, line_offset: int = 0) -> tuple[Any, Any]:
    """Parse YAML text into (plain data, positioned tree); lines shift by line_offset."""
    yaml = YAML(typ="rt", pure=True)
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "'\\t'" in problem:
            problem = "a tab character is not allowed here; indent with spaces"
        elif exc.context and exc.context.startswith("while parsing") and exc.context_mark:
            start = f"{exc.context_mark.line + 1 + line_offset}:{exc.context_mark.column + 1}"
            problem += f" ({exc.context.removeprefix('while ')} that starts at {start})"
        raise ContentError.at(path, line + line_offset, col, f"YAML syntax: {problem}") from None
    return _plain(tree, path, line_offset, set()), tree


def _plain(node: Any, path: str, offset: int, seen: set[int], pos: Position = (1, 1)) -> Any:
    """Copy the tree into plain dicts, lists and scalars, refusing tags and aliases.

    pos is where the parent says this node starts (a scalar does not know its own place).
    """
    container = isinstance(node, (CommentedMap, CommentedSeq))
    if isinstance(node, TaggedScalar) or (container and node.tag.value is not None):
        raise ContentError.at(
            path, pos[0] + offset, pos[1], "YAML tags (!name) are not allowed in content"
        )
    if container:
        if id(node) in seen:
            raise ContentError.at(
                path,
                pos[0] + offset,
                pos[1],
                "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
            )
        seen.add(id(node))
    if isinstance(node, CommentedMap):
        return {
            str(k): _plain(v, path, offset, seen, _one_based(node.lc.value(k)))
            for k, v in node.items()
        }
    if isinstance(node, CommentedSeq):
        return [
            _plain(v, path, offset, seen, _one_based(node.lc.item(i))) for i, v in enumerate(node)
        ]
    if isinstance(node, str):
        return str(node)
    return node


def _one_based(position: tuple[int, int]) -> Position:
    return position[0] + 1, position[1] + 1


def _start(node: Any) -> Position:
    lc = getattr(node, "lc", None)
    return (lc.line + 1, lc.col + 1) if lc is not None else (1, 1)


def locate(tree: Any, loc: tuple, *, at_key: bool = False) -> Position:
    """The 1-based position of the node at loc; the nearest existing parent if it is missing."""
    node, pos = tree, _start(tree)
    for depth, step in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and step in node:
            line, col = node.lc.key(step) if (last and at_key) else node.lc.value(step)
            pos, node = (line + 1, col + 1), node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
            line, col = node.lc.item(step)
            pos, node = (line + 1, col + 1), node[step]
        else:
            break
    return pos


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' (did you mean 'x'?)' hint when a close match exists, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
