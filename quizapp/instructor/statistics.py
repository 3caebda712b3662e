"""Item statistics for true/false statements. Pure: counts in, numbers and flags out.

Facility is the share of answers that were right; with two choices, 50% is what guessing
gives. Discrimination is the upper-minus-lower index: the facility among the 27% of attempts
with the highest scores minus the facility among the 27% with the lowest (Kelley's groups).
"""

import math
from dataclasses import dataclass

from ..content import Question

GROUP_SHARE = 0.27
GUESSING = 0.5
TOO_EASY = 0.9  # facility above this: nearly everyone knows it already
TOO_HARD = 0.3  # facility below this: well under guessing, a misconception or a flawed item
WEAK_DISCRIMINATION = 0.2
MIN_ATTEMPTS_FOR_DISCRIMINATION = 4


@dataclass(frozen=True)
class ItemCounts:
    """What SQL counts for one statement over the chosen attempts."""

    responses: int
    correct: int
    answered_fact: int
    upper: int
    upper_correct: int
    lower: int
    lower_correct: int


@dataclass(frozen=True)
class ItemStats:
    question: Question
    responses: int
    correct: int
    facility: float | None
    discrimination: float | None
    answered_fact: int
    answered_myth: int
    flags: tuple[str, ...]

    @property
    def wrong_way(self) -> int:
        """Myths judged facts, or facts judged myths."""
        return self.answered_fact if self.question.answer == "myth" else self.answered_myth


def group_size(attempts: int) -> int:
    """How many attempts form the upper group, and the lower."""
    return math.ceil(GROUP_SHARE * attempts) if attempts >= 2 else 0


def item_stats(question: Question, counts: ItemCounts, attempts: int) -> ItemStats:
    facility = counts.correct / counts.responses if counts.responses else None
    discrimination = None
    if attempts >= MIN_ATTEMPTS_FOR_DISCRIMINATION and counts.upper and counts.lower:
        discrimination = counts.upper_correct / counts.upper - counts.lower_correct / counts.lower
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("too easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("too hard")
    if discrimination is not None and discrimination < WEAK_DISCRIMINATION:
        flags.append("not discriminating")
    return ItemStats(
        question=question,
        responses=counts.responses,
        correct=counts.correct,
        facility=facility,
        discrimination=discrimination,
        answered_fact=counts.answered_fact,
        answered_myth=counts.responses - counts.answered_fact,
        flags=tuple(flags),
    )


def histogram(bins: dict[int, int], size: int = 10) -> list[tuple[str, int]]:
    """Score bands of `size` percent, 100% counted in the top band: [('0–9%', n), ...]."""
    bands = []
    for start in range(0, 100, size):
        last = 100 if start + size >= 100 else start + size - 1
        bands.append((f"{start}–{last}%", bins.get(start // size, 0)))
    return bands
