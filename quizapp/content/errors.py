"""Content problems that carry the place an author must look: path, line and column."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ContentProblem:
    """One problem in one file, as a compiler would report it.

    An error leaves the file out; a warning is advice and the file is still served.
    """

    path: str
    line: int
    col: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


class ContentError(Exception):
    """Raised when a file cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[ContentProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def at(cls, path: str, line: int, col: int, message: str) -> "ContentError":
        return cls([ContentProblem(path, line, col, message)])
