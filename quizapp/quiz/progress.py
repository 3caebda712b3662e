"""A learner's own history: their finished attempts, with scores over time, and where they
stand with each quiz of each class."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from ..db import read
from ..models import Attempt, Classroom, Member, Response
from . import scoring


@dataclass(frozen=True)
class Past:
    """One finished attempt in a learner's history."""

    id: str
    bank_id: str
    finished_at: datetime
    correct: int
    total: int
    cbm: int | None
    retry: bool
    class_name: str | None


def history(db: Session, learner: int) -> list[Past]:
    """This learner's finished attempts, oldest first, with their scores (summed in SQL)."""
    right = Response.correct.is_(True)
    marks = case(
        *(
            ((Response.certainty == level) & (right if is_right else ~right), mark)
            for level, (_, _, *by_outcome) in scoring.CERTAINTY.items()
            for is_right, mark in zip((True, False), by_outcome, strict=True)
        ),
        else_=None,
    )
    query = (
        select(
            Attempt.id,
            Attempt.bank_id,
            Attempt.finished_at,
            Attempt.correct_count,
            Attempt.question_count,
            func.sum(marks),
            Attempt.retry_of.is_not(None),
            Classroom.name,
        )
        .join(Response, Response.attempt_id == Attempt.id)
        .outerjoin(Member, Member.id == Attempt.member_id)
        .outerjoin(Classroom, Classroom.id == Member.classroom_id)
        .where(Attempt.learner_id == learner, Attempt.finished_at.is_not(None))
        .group_by(Attempt.id, Classroom.name)
        .order_by(Attempt.finished_at, Attempt.id)
    )
    return [Past(*row) for row in db.execute(query)]


@dataclass(frozen=True)
class Standing:
    """Where a learner stands with one quiz (in one class, or on their own)."""

    finished: int  # whole attempts finished
    best: float | None  # the best finished score, 0 to 1
    unfinished: str | None  # the latest attempt still under way


# a learner's attempts, oldest first, for where they stand: built once, run on every Home
_ATTEMPTS = (
    select(
        Attempt.member_id,
        Attempt.bank_id,
        Attempt.id,
        Attempt.finished_at.is_not(None),
        Attempt.retry_of.is_(None),
        Attempt.correct_count,
        Attempt.question_count,
    )
    .where(Attempt.learner_id == bindparam("learner"))
    .order_by(Attempt.started_at, Attempt.id)
)


def standings(learner: int) -> dict[tuple[int | None, str], Standing]:
    """(member id, or None for on their own; bank id) -> the learner's standing."""
    found: dict[tuple[int | None, str], Standing] = {}
    for member, bank, attempt_id, finished, whole, right, asked in read(_ATTEMPTS, learner=learner):
        was = found.get((member, bank), Standing(0, None, None))
        score = right / asked if asked else None
        if not finished:  # the latest one under way is the one to carry on
            found[member, bank] = replace(was, unfinished=attempt_id)
        elif whole:
            best = max((s for s in (was.best, score) if s is not None), default=None)
            found[member, bank] = replace(was, finished=was.finished + 1, best=best)
        else:
            found.setdefault((member, bank), was)
    return found
