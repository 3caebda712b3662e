"""Markdown to HTML for explanations, descriptions and article sections, with raw HTML off."""

from functools import lru_cache

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("replacements")


@lru_cache(maxsize=4096)
def render(text: str) -> str:
    """Safe HTML: raw HTML in the source is escaped, and unsafe link schemes are dropped."""
    return _md.render(text)
