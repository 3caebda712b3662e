"""Read an article: YAML front matter, then Markdown sections whose headings carry ids.

    ---
    title: ...
    ---
    ## Why pores look larger {#why-larger}
    ### Excess oil {#excess-oil}

Level-2 and level-3 headings start sections and must carry an explicit `{#id}`, so that a
reference keeps working when the heading is reworded.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from . import files, validation, yamlsource
from .errors import ContentError, ContentProblem
from .schema import SLUG_PATTERN, ArticleMeta

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_ID_SUFFIX = re.compile(r"^(.*?)[ \t]*\{#([^}]*)\}$")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int
    body: str
    line: int


@dataclass(frozen=True)
class Article:
    slug: str
    meta: ArticleMeta
    sections: tuple[Section, ...]
    path: str

    @property
    def title(self) -> str:
        return self.meta.title

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


def load_article(path: Path, display_path: str) -> Article:
    """Parse and validate one article file, raising ContentError with every problem found."""
    text = files.read_text(path, display_path)
    slug = path.stem
    if not re.match(SLUG_PATTERN, slug):
        raise ContentError.at(
            display_path, 1, 1, f"the file name '{slug}' must be a slug, like 'pore-truth.md'"
        )
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError.at(display_path, 1, 1, "an article starts with '---' and front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise ContentError.at(
            display_path, 1, 1, "the front matter is not closed; add a '---' line after it"
        )
    data, positions = yamlsource.parse("\n".join(lines[1:end]), display_path, line_offset=1)
    if not isinstance(data, dict):
        raise ContentError.at(display_path, 2, 1, "the front matter must be a mapping of keys")
    meta = validation.validate(ArticleMeta, data, positions, display_path)
    sections = _sections(lines, end + 1, display_path)
    return Article(slug=slug, meta=meta, sections=sections, path=display_path)


def _sections(lines: list[str], first: int, path: str) -> tuple[Section, ...]:
    problems: list[ContentProblem] = []
    found: list[tuple[str, str, int, int]] = []  # id, title, level, line index
    in_fence = seen_heading = False
    for index in range(first, len(lines)):
        line = lines[index]
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            if not seen_heading and line.strip():
                seen_heading = True  # report the stray text once
                problems.append(
                    ContentProblem(
                        path,
                        index + 1,
                        1,
                        "text before the first section; start with '## Title {#id}'",
                    )
                )
            continue
        seen_heading = True
        level, rest = len(heading.group(1)), heading.group(2)
        if level == 1:
            problems.append(
                ContentProblem(
                    path, index + 1, 1, "use '##' for sections; the title is in the front matter"
                )
            )
            continue
        if level > 3:
            continue
        with_id = _ID_SUFFIX.match(rest)
        if with_id is None:
            problems.append(
                ContentProblem(
                    path,
                    index + 1,
                    len(line) + 1,
                    "a section heading needs an id at its end, like '{#why-larger}'",
                )
            )
            continue
        title, section_id = with_id.groups()
        if not re.match(SLUG_PATTERN, section_id):
            col = line.rindex("{#") + 3
            problems.append(
                ContentProblem(path, index + 1, col, f"section id '{section_id}' must be a slug")
            )
        elif any(section_id == f[0] for f in found):
            col = line.rindex("{#") + 3
            problems.append(
                ContentProblem(path, index + 1, col, f"section id '{section_id}' is used twice")
            )
        found.append((section_id, title, level, index))
    if not found and not problems:
        problems.append(ContentProblem(path, len(lines), 1, "the article has no sections"))
    if problems:
        raise ContentError(problems)
    sections = []
    for n, (section_id, title, level, index) in enumerate(found):
        stop = found[n + 1][3] if n + 1 < len(found) else len(lines)
        body = "\n".join(lines[index + 1 : stop]).strip("\n")
        sections.append(Section(section_id, title, level, body, index + 1))
    return tuple(sections)
