"""Question banks and articles: loading, validation and rendering. Pure Python, no Flask."""

from . import exporting, gift, jsonschema
from .articles import Article, Section
from .errors import ContentError, ContentProblem
from .library import Bank, Citation, Library, load_library
from .markdown import render as render_markdown
from .schema import Question, SourceRef

__all__ = [
    "Article",
    "Bank",
    "Citation",
    "ContentError",
    "ContentProblem",
    "Library",
    "Question",
    "Section",
    "SourceRef",
    "exporting",
    "gift",
    "jsonschema",
    "load_library",
    "render_markdown",
]
