"""Import Moodle GIFT and Moodle XML files as new banks.

True/false questions become statements (true is a fact, false a myth), the feedback becomes
the explanation, categories become the title or tags; questions of other types are listed as
skipped. Every statement waits for its sources (`sources: []`, which `content check` reports).
"""

import codecs
from pathlib import Path

from .. import files, yamlsource
from ..errors import ContentError
from . import gift, moodle
from .draft import Draft, compose, slug
from .questions import Found, Skipped, TrueFalse

MAX_IMPORT_BYTES = 5_000_000
_XML_STARTS = ("<?xml", "<quiz", "<!DOCTYPE", "<!--")

__all__ = [
    "MAX_IMPORT_BYTES",
    "Draft",
    "Found",
    "Skipped",
    "TrueFalse",
    "compose",
    "ids_in_use",
    "read",
    "slug",
    "target",
    "write",
]


def read(path: Path, display: str) -> Found:
    """The questions in the file at path, its format (GIFT or Moodle XML) told by its content."""
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise ContentError.at(
            display,
            1,
            1,
            f"the file is {size:,} bytes, more than the {MAX_IMPORT_BYTES:,} an import may "
            "read; export fewer categories at a time",
        )
    text = files.decode(path.read_bytes().removeprefix(codecs.BOM_UTF8), display)
    reader = moodle.read if text.lstrip().startswith(_XML_STARTS) else gift.read
    return reader(text, display)


def ids_in_use(root: Path) -> dict[str, str]:
    """Question id -> bank, from every bank file, those with errors too: an id taken by a bank
    that does not load today would take that bank offline once it is mended."""
    taken: dict[str, str] = {}
    for path in sorted((root / "questions").glob("*.yaml")):
        try:
            data, _ = yamlsource.parse(path.read_text(encoding="utf-8", errors="replace"), "")
        except ContentError:
            continue  # not YAML at all: it names no id
        questions = data.get("questions") if isinstance(data, dict) else None
        for question in questions if isinstance(questions, list) else ():
            if isinstance(question, dict) and isinstance(question.get("id"), str):
                taken.setdefault(question["id"], path.stem)
    return taken


def target(root: Path, bank_id: str) -> Path:
    """Where the bank is written: questions/BANK_ID.yaml, which must not exist yet."""
    path = root / "questions" / f"{bank_id}.yaml"
    if path.exists():
        raise _exists(path, root)
    return path


def write(draft: Draft, path: Path, root: Path) -> None:
    """Write the bank, never over a file that appeared since target() looked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(draft.text)
    except FileExistsError:
        raise _exists(path, root) from None


def _exists(path: Path, root: Path) -> ContentError:
    return ContentError.at(
        str(path.relative_to(root)),
        1,
        1,
        f"the bank '{path.stem}' exists already; choose another --bank or delete this file",
    )
