"""Moodle's rich text as our text: HTML (or Moodle's auto-format) as the Markdown of an
explanation, or as the one line of plain text of a statement.

Paragraphs, line breaks, lists, emphasis and links are kept; entities are unescaped; scripts,
styles and other tags are dropped, keeping their text.
"""

import re
from html.parser import HTMLParser

_BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "hr",
    "section",
    "article",
    "figure",
}
_HIDDEN = {"script", "style", "head", "title", "template"}
_MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}
_UNSAFE_LINK = re.compile(r"^\s*(javascript|data|vbscript):", re.I)
# Markdown's inline syntax, and an underscore that is not inside a word (where it is literal)
_SPECIAL = re.compile(r"[\\`*\[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?[A-Za-z0-9]+;)")
# what starts a block at the start of a line: a heading, quote, list item, rule or table
_BLOCK_START = re.compile(r"^([ \t]*)(?:([#>+=|~-])|(\d+)([.)]))", re.M)
_PARAGRAPH = "\n\n"
# Python's HTML parser takes time that grows with the square of some inputs (runs of "</" or
# "<?", CVE-2025-6069, before 3.11.13); no statement or explanation is near this long
MAX_TEXT = 20_000


class TooLong(ValueError):
    """A text too long to be a statement or an explanation."""


def as_markdown(text: str, markup: str) -> str:
    """Text in one of Moodle's formats (moodle, html, plain, markdown) as Markdown, for an
    explanation. Moodle's auto-format is HTML in which a line break is kept."""
    if markup == "markdown":
        return text.strip()
    if markup == "plain":
        return escape(text.strip())
    return _convert(text, markdown=True, newlines=markup == "moodle")


def as_plain(text: str, markup: str) -> str:
    """The text alone, on one line, for a statement."""
    if markup not in ("markdown", "plain"):
        text = _convert(text, markdown=False, newlines=False)
    return " ".join(text.split())


def escape(text: str, line_start: bool = True) -> str:
    """Plain text as Markdown that shows the same characters; `line_start` says whether the
    text begins a line (where `# `, `> `, `- `, `1. ` would start a block)."""
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _BLOCK_START.sub(_inert, text) if line_start else _unmarked_after_first(text)


def _unmarked_after_first(text: str) -> str:
    first, newline, rest = text.partition("\n")
    return first + newline + _BLOCK_START.sub(_inert, rest) if newline else text


def _inert(found: re.Match) -> str:
    indent, marker, number, dot = found.groups()
    return indent + ("\\" + marker if marker else number + "\\" + dot)


def _convert(html: str, markdown: bool, newlines: bool) -> str:
    if len(html) > MAX_TEXT:
        raise TooLong(
            f"a text of {len(html):,} characters, more than the {MAX_TEXT:,} a statement or "
            "explanation may have"
        )
    converter = _Converter(markdown, newlines)
    converter.feed(html)
    converter.close()
    lines = [line.strip() for line in "".join(converter.parts).split("\n")]
    return re.sub(r"\n{3,}", _PARAGRAPH, "\n".join(lines)).strip()


class _Converter(HTMLParser):
    def __init__(self, markdown: bool, newlines: bool):
        super().__init__(convert_charrefs=True)
        self.markdown, self.newlines = markdown, newlines
        self.parts: list[str] = []
        self.hidden = 0
        self.lists: list[list[int]] = []  # per open list: [next number], or [] when unordered
        self.links: list[tuple[str, int]] = []  # per open link: (href, where its text starts)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self.lists.append([1] if tag == "ol" else [])
            self.parts.append(_PARAGRAPH)
        elif tag == "li":
            self.parts.append("\n" + self._bullet())
        elif tag in _BLOCKS:
            self.parts.append(_PARAGRAPH)
        elif tag == "a":
            if self.links:  # a link cannot hold a link: the open one ends here, as in browsers
                self._close_link(*self.links.pop())
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag in _MARKS and self.markdown:
            self.parts.append(_MARKS[tag])
        elif tag == "img":
            self.handle_data(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.parts.append(_PARAGRAPH)
        elif tag in _BLOCKS:
            self.parts.append(_PARAGRAPH)
        elif tag == "a" and self.links:
            self._close_link(*self.links.pop())
        elif tag in _MARKS and self.markdown:
            self.parts.append(_MARKS[tag])

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        text = data.replace("\xa0", " ")
        text = re.sub(r"[^\S\n]+" if self.newlines else r"\s+", " ", text)
        line_start = not self.parts or self.parts[-1].endswith("\n")
        self.parts.append(escape(text, line_start) if self.markdown else text)

    def _bullet(self) -> str:
        if not self.lists or not self.markdown:
            return "- " if self.markdown else ""
        numbering = self.lists[-1]
        if not numbering:
            return "- "
        numbering[0] += 1
        return f"{numbering[0] - 1}. "

    def _close_link(self, href: str, start: int) -> None:
        text = "".join(self.parts[start:]).strip()
        if not self.markdown or not href or _UNSAFE_LINK.match(href):
            return
        target = href.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        del self.parts[start:]
        self.parts.append(f"[{text or escape(href)}]({target})")
