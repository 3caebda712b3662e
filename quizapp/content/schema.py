"""The shapes of a question bank and of an article's front matter.

These pydantic models are the single definition of the formats: they validate what the loader
reads and they are the immutable objects the app serves. Scalars are strict (YAML `yes` is not
a string, `1` is not a boolean) and unknown keys are errors.
"""

import hashlib
import re
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(strict=True, pattern=SLUG_PATTERN, max_length=80)]
# C0 and C1 control characters but tab and line feed: no page shows them, XML cannot hold them
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_control_character(text: str) -> str:
    found = CONTROL.search(text)
    if found:
        raise ValueError(
            f"has the control character U+{ord(found.group()):04X}, which no page or export "
            "can show; delete it"
        )
    return text


Text = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1),
    AfterValidator(_no_control_character),
]
Ref = Annotated[
    str,
    StringConstraints(strict=True, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*#[a-z0-9]+(?:-[a-z0-9]+)*$"),
]
Stance = Literal["supports", "contradicts", "context"]
Verdict = Literal["myth", "fact"]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Frozen):
    """A statement's link to one article section, and what that section says about it."""

    ref: Ref = Field(description="article-slug#section-id; must name an existing section")
    stance: Stance = Field(description="what the section says about the statement")

    @property
    def article(self) -> str:
        return self.ref.partition("#")[0]

    @property
    def section(self) -> str:
        return self.ref.partition("#")[2]


WordingCheck = Literal["cue-word", "two-claims", "negative", "near-duplicate"]


class Allowance(Frozen):
    """An item-writing check turned off for one statement, and why (see docs/authoring.md)."""

    check: WordingCheck = Field(description="the check this statement is exempt from")
    reason: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=10)] = (
        Field(description="why the wording is right as it is, for the next author")
    )


class Question(Frozen):
    """One statement the learner judges as a myth or a fact."""

    id: Slug = Field(description="unique across all banks, never reused")
    type: Literal["myth_fact"]
    statement: Text
    answer: Verdict
    difficulty: Literal["easy", "medium", "hard"]
    tags: tuple[Slug, ...] = ()
    explanation: Text = Field(description="Markdown; raw HTML is shown as text")
    sources: tuple[SourceRef, ...] = Field(
        description="the article sections the verdict rests on; empty only while a new statement "
        "waits for them (content check warns)"
    )
    allow: tuple[Allowance, ...] = Field(
        (), description="item-writing checks turned off for this statement, each with a reason"
    )

    @cached_property  # the model is frozen; a copy forgets it (model_copy, below)
    def revision(self) -> str:
        """Changes when what is being judged changes, so old answers are never mixed in.
        Worked out once per statement: a results page asks it for every statement shown."""
        key = f"{self.statement}\0{self.answer}".encode()
        return hashlib.sha256(key).hexdigest()[:12]

    def model_copy(self, *, update=None, deep=False):
        """A copy, with its revision worked out afresh (a copy would keep the cached one)."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("revision", None)
        return copied


Feedback = Literal["immediate", "deferred"]


class Settings(Frozen):
    feedback: Feedback = Field(
        "immediate",
        description="immediate: the verdict after each statement; deferred: all at the end",
    )
    certainty: StrictBool = Field(
        False, description="ask how sure the learner is, and mark by certainty (CBM)"
    )
    shuffle: StrictBool = Field(False, description="shuffle the statements for each attempt")
    draw: Annotated[int, Field(strict=True, gt=0)] | None = Field(
        None, description="ask only this many statements, drawn at random per attempt"
    )


class BankInfo(Frozen):
    id: Slug = Field(description="equals the file name without .yaml")
    title: Text
    description: Text = Field(description="Markdown, shown on the quiz's start page")
    order: Annotated[int, Field(strict=True)] = Field(
        100, description="place in the list of quizzes: lower first, then by title"
    )
    settings: Settings = Settings()


class BankFile(Frozen):
    """The whole of a `questions/<bank-id>.yaml` file."""

    schema_version: Literal[1]
    bank: BankInfo
    questions: tuple[Question, ...] = Field(min_length=1)


class SourceInfo(Frozen):
    publisher: Text = Field(description="who published the original")
    kind: Text = Field(description="what kind of source it is")


class ArticleMeta(Frozen):
    """The front matter of an `articles/<slug>.md` file."""

    title: Text
    source: SourceInfo
    summary: Text
    how_to_read: Text | None = Field(None, description="how a learner should weigh the source")
