"""Safe YAML 1.2 reading that keeps the position of every key and value.

libyaml (through PyYAML's C loader) parses and composes nodes; nothing is constructed, so no
tag can make Python objects. The nodes are turned into plain data here with YAML 1.2 core
scalars (`no` stays a string), refusing duplicate keys, tags and aliases. The position of
each key and value is kept beside the data, so that a validation error found later can still
be pointed at a line and column.
"""

import difflib
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ContentError

Position = tuple[int, int]
# where each key's value starts, by path: ("questions", 3, "answer") -> (key, value) positions
Positions = dict[tuple, tuple[Position, Position]]

# a bank nests 5 levels deep; converting recurses twice a level, within Python's 1,000 frames
MAX_DEPTH = 50
TOO_DEEP = (
    f"nested more than {MAX_DEPTH} levels deep; "
    "look for an unclosed '[' or '{', or indentation that keeps growing"
)

_CORE = "tag:yaml.org,2002:"
_DEFAULT_TAGS = {ScalarNode: f"{_CORE}str", SequenceNode: f"{_CORE}seq", MappingNode: f"{_CORE}map"}


# libyaml's C parser; PyYAML's pure-Python one (the same API, slower) where it is missing
_Parser = yaml.cyaml.CParser if yaml.__with_libyaml__ else yaml.SafeLoader


class _Composer(_Parser):
    """libyaml's parser and composer, without PyYAML's YAML 1.1 tag resolution.

    Untagged nodes get the default tag of their kind and _Converter reads their scalars
    as YAML 1.2; explicit tags are kept, so that they can be refused.
    """

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


_PLAIN_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL = {
    **dict.fromkeys(("null", "Null", "NULL", "~", ""), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}


def parse(text: str, path: str, line_offset: int = 0) -> tuple[Any, Positions]:
    """Parse YAML text into (plain data, positions); lines shift by line_offset."""
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, path, line_offset) from None
    except yaml.reader.ReaderError as exc:
        raise _bad_character(exc, text, path, line_offset) from None
    positions: Positions = {}
    if root is None:
        return None, positions
    converter = _Converter(path, line_offset, positions)
    start = converter.position(root)
    positions[()] = (start, start)
    return converter.plain(root, ()), positions


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str, offset: int) -> ContentError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if exc.problem == "exceeded maximum nesting depth":  # libyaml's own limit, at 1,000 levels
        return ContentError.at(path, line + offset, col, TOO_DEEP)
    problem = exc.problem or exc.context or "invalid YAML"
    lines = text.splitlines()
    opened = exc.context_mark
    unclosed = opened and _unclosed(exc, lines, stopped=f"{line + offset}:{col}")
    if mark and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
        problem = "a tab character is not allowed here; indent with spaces"
    elif unclosed:
        # where the parser gave up can be the end of the file: point at what was left open
        line, col, problem = opened.line + 1, opened.column + 1, unclosed
    elif exc.context and exc.context.startswith("while parsing") and opened:
        start = f"{opened.line + 1 + offset}:{opened.column + 1}"
        problem += f" ({exc.context.removeprefix('while ')} that starts at {start})"
    return ContentError.at(path, line + offset, col, f"YAML syntax: {problem}")


# libyaml's words for a quote that runs on to the end, then PyYAML's
_RAN_OUT = {
    "found unexpected end of stream",
    "found unexpected document indicator",
    "found unexpected document separator",
}
_BRACKETS = {
    "while parsing a flow sequence": ("[", "list", "]", "item"),
    "while parsing a flow mapping": ("{", "mapping", "}", "entry"),
}


def _unclosed(exc: yaml.MarkedYAMLError, lines: list[str], stopped: str) -> str | None:
    """What to say when the error is a quote or a bracket left open, else None."""
    if exc.context == "while scanning a quoted scalar" and exc.problem in _RAN_OUT:
        quote = lines[exc.context_mark.line][exc.context_mark.column]
        return (
            f"unclosed quote: the {quote} opened here is never closed; "
            f"add the closing {quote} where the text ends"
        )
    if exc.context in _BRACKETS:
        bracket, kind, closing, item = _BRACKETS[exc.context]
        return (
            f"unclosed '{bracket}': the {kind} opened here is not closed "
            f"(at {stopped} a ',' or '{closing}' was expected); "
            f"close it with '{closing}' after its last {item}"
        )
    return None


def _bad_character(exc: yaml.reader.ReaderError, text: str, path: str, offset: int) -> ContentError:
    # libyaml gives the character's code and a byte offset; PyYAML the character and an index
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    index = text.find(char)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return ContentError.at(
        path,
        line + offset,
        col,
        f"the character U+{ord(char):04X} is not allowed in YAML; "
        "delete it (most editors do not show it)",
    )


class _Converter:
    def __init__(self, path: str, offset: int, positions: Positions):
        self.path, self.offset, self.positions = path, offset, positions
        self.seen: set[int] = set()

    def position(self, node: Node) -> Position:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def fail(self, node: Node, message: str) -> ContentError:
        line, col = self.position(node)
        return ContentError.at(self.path, line, col, message)

    def plain(self, node: Node, loc: tuple) -> Any:
        if id(node) in self.seen:  # the composer hands back the same node for an alias
            raise self.fail(
                node, "YAML anchors and aliases (&name, *name) are not allowed; write the value out"
            )
        self.seen.add(id(node))
        if len(loc) > MAX_DEPTH:
            raise self.fail(node, TOO_DEEP)
        if isinstance(node, MappingNode):
            return self.mapping(node, loc)
        if isinstance(node, SequenceNode):
            if node.tag != f"{_CORE}seq":
                raise self.fail(node, "YAML tags (!name) are not allowed in content")
            items = []
            for index, item in enumerate(node.value):
                here = self.position(item)
                self.positions[(*loc, index)] = (here, here)
                items.append(self.plain(item, (*loc, index)))
            return items
        return self.scalar(node)

    def mapping(self, node: MappingNode, loc: tuple) -> dict:
        if node.tag != f"{_CORE}map":
            raise self.fail(node, "YAML tags (!name) are not allowed in content")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(self.scalar(key_node)) if isinstance(key_node, ScalarNode) else None
            if key is None:
                raise self.fail(key_node, "a key must be a plain name")
            if key in result:
                first = self.positions[(*loc, key)][0]
                raise self.fail(
                    key_node, f"duplicate key '{key}' (first at line {first[0]}); keep one"
                )
            self.positions[(*loc, key)] = (self.position(key_node), self.position(value_node))
            result[key] = self.plain(value_node, (*loc, key))
        return result

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, "YAML tags (!name) are not allowed in content")
        text = node.value
        if node.style:  # quoted or a block scalar: always text
            return text
        if text in _SPECIAL:
            return _SPECIAL[text]
        if _INT.fullmatch(text):
            try:
                return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
            except ValueError:  # longer than Python converts (4,300 digits)
                raise self.fail(
                    node, "this number has too many digits; quote it if it is text"
                ) from None
        if _FLOAT.fullmatch(text):
            return float(text)
        return text


def locate(positions: Positions, loc: tuple, *, at_key: bool = False) -> Position:
    """The 1-based position of the node at loc; the nearest existing parent if it is missing."""
    for length in range(len(loc), -1, -1):
        found = positions.get(tuple(loc[:length]))
        if found is not None:
            return found[0] if at_key and length == len(loc) else found[1]
    return (1, 1)


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' (did you mean 'x'?)' hint when a close match exists, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
