"""What a reader finds in a GIFT or Moodle XML file, before it becomes a bank."""

from dataclasses import dataclass, field

from ..schema import Verdict


@dataclass(frozen=True)
class TrueFalse:
    """A true/false question: a statement that is a fact (true) or a myth (false)."""

    name: str  # the question's name in the file, "" when it has none
    statement: str  # plain text
    verdict: Verdict
    explanation: str  # Markdown; "" when the file gives no feedback
    line: int
    col: int
    tags: tuple[str, ...] = ()
    category: str = ""  # the category path it was filed under


@dataclass(frozen=True)
class Skipped:
    """A question of another type: listed for the author, never silently dropped."""

    kind: str  # "multiple choice", "essay", ...
    name: str
    line: int
    col: int
    hint: str = ""  # why, where the type is not what it seems

    def __str__(self) -> str:
        article = "an" if self.kind[:1] in "aeiou" else "a"
        named = f" '{self.name}'" if self.name else ""
        return f"skipped {article} {self.kind} question{named}" + (
            f": {self.hint}" if self.hint else ""
        )


@dataclass
class Found:
    """Everything read from one file, in its order."""

    format: str  # "GIFT" or "Moodle XML"
    questions: list[TrueFalse] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)  # path -> its description
