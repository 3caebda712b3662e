"""Learning gain, Hake's normalized gain: g = (post - pre) / (100 - pre), in percent.

Pure. `class_gain` is Hake's g of the class: computed from the class's mean pre and mean post
scores. `mean_learner_gain` is the mean of each learner's own g. Both count only learners with
at least two attempts; a learner whose first attempt scored 100% has no room to gain and is
left out of the mean of individual gains (their g is undefined).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LearnerScores:
    pre: float  # first attempt, percent
    post: float  # latest attempt, percent
    attempts: int


def learner_gain(pre: float, post: float) -> float | None:
    return None if pre >= 100 else (post - pre) / (100 - pre)


@dataclass(frozen=True)
class Gain:
    learners: int  # with two attempts or more
    mean_pre: float | None
    mean_post: float | None
    class_gain: float | None  # Hake's g from the means
    mean_learner_gain: float | None  # the mean of individual g
    learners_with_gain: int  # those whose individual g is defined (pre below 100%)


def gain(scores: list[LearnerScores]) -> Gain:
    matched = [s for s in scores if s.attempts >= 2]
    if not matched:
        return Gain(0, None, None, None, None, 0)
    pre = sum(s.pre for s in matched) / len(matched)
    post = sum(s.post for s in matched) / len(matched)
    individual = [g for s in matched if (g := learner_gain(s.pre, s.post)) is not None]
    return Gain(
        learners=len(matched),
        mean_pre=pre,
        mean_post=post,
        class_gain=learner_gain(pre, post),
        mean_learner_gain=sum(individual) / len(individual) if individual else None,
        learners_with_gain=len(individual),
    )
