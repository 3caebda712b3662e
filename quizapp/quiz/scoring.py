"""Scoring, done only on the server. Pure: takes answers, returns numbers.

Certainty-based marking (Gardner-Medwin, as in Moodle): a learner says how sure they are,
1 (low), 2 (medium) or 3 (high). Right answers score 1, 2 or 3; wrong ones 0, -2 or -6, so
that claiming certainty pays only when it is justified.
"""

from dataclasses import dataclass

from ..content import Question

CERTAINTY = {
    1: ("Low", "a guess, or not sure", 1, 0),
    2: ("Medium", "fairly sure", 2, -2),
    3: ("High", "certain", 3, -6),
}
CONFIDENT = 2  # medium or high: "held with confidence"


def is_correct(question: Question, answer: str) -> bool:
    return question.answer == answer


def cbm_mark(correct: bool, certainty: int) -> int:
    _, _, right, wrong = CERTAINTY[certainty]
    return right if correct else wrong


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    cbm: int | None = None  # the certainty-based score, when certainty was asked

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def cbm_average(self) -> float | None:
        """Per statement, from -6 to 3; a learner who only guesses scores 0.5 on average."""
        return self.cbm / self.total if self.cbm is not None and self.total else None


def score(answers: list[tuple[bool, int | None]]) -> Score:
    """The score of an attempt from (correct, certainty) per answer; certainty may be None."""
    correct = sum(right for right, _ in answers)
    with_certainty = [(right, c) for right, c in answers if c is not None]
    cbm = sum(cbm_mark(right, c) for right, c in with_certainty) if with_certainty else None
    return Score(correct=correct, total=len(answers), cbm=cbm)
