"""A learner's own history: their finished attempts, with scores over time, and where they
stand with each quiz of each class."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

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


def standings(db: Session, learner: int) -> dict[tuple[int | None, str], Standing]:
    """(member id, or None for on their own; bank id) -> the learner's standing."""
    whole = Attempt.retry_of.is_(None)
    finished = Attempt.finished_at.is_not(None)
    query = (
        select(
            Attempt.member_id,
            Attempt.bank_id,
            func.count().filter(finished & whole),
            func.max(Attempt.score).filter(finished & whole),
        )
        .where(Attempt.learner_id == learner)
        .group_by(Attempt.member_id, Attempt.bank_id)
    )
    rows = db.execute(query).all()
    latest = {
        (member, bank): attempt_id
        for member, bank, attempt_id in db.execute(
            select(Attempt.member_id, Attempt.bank_id, Attempt.id)
            .where(Attempt.learner_id == learner, ~finished)
            .order_by(Attempt.started_at)
        )
    }
    return {
        (member, bank): Standing(count, best, latest.get((member, bank)))
        for member, bank, count, best in rows
    }
