"""Scoring, done only on the server. Pure: takes content and answers, returns numbers."""

from dataclasses import dataclass

from ..content import Question


def is_correct(question: Question, answer: str) -> bool:
    return question.answer == answer


@dataclass(frozen=True)
class Score:
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def score(answers: list[bool]) -> Score:
    """The score of a finished attempt, from whether each answer was right."""
    return Score(correct=sum(answers), total=len(answers))
