"""Where the bundled templates, static files and content are, installed or in a checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The wheel carries these inside the package; a checkout keeps them at the top level."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def content_root() -> Path:
    """The folder holding articles/ and questions/."""
    inside = _PACKAGE / "bundled"
    return inside if inside.is_dir() else _PACKAGE.parent
