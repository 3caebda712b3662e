"""The gradebook of a class: learners by quizzes, aggregated in SQL over finished attempts.

Retries of missed statements are left out: they ask only part of a quiz.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..models import Attempt, Classroom, Member

WHOLE = Attempt.retry_of.is_(None)  # a retry of missed statements is not a score for the quiz


@dataclass(frozen=True)
class Cell:
    attempts: int  # finished
    started: int  # including one in progress
    best: float | None  # 0..1
    latest: float | None
    latest_attempt_id: str | None


@dataclass(frozen=True)
class Row:
    member_id: int
    name: str
    cells: dict[str, Cell]  # by bank id


EMPTY = Cell(0, 0, None, None, None)


def gradebook(db: Session, classroom: Classroom) -> list[Row]:
    """One row per learner in the class, ordered by name."""
    finished = Attempt.finished_at.is_not(None)
    totals = (
        select(
            Attempt.member_id,
            Attempt.bank_id,
            func.sum(case((finished, 1), else_=0)).label("attempts"),
            func.count().label("started"),
            func.max(case((finished, Attempt.score))).label("best"),
        )
        .join(Member, Member.id == Attempt.member_id)
        .where(Member.classroom_id == classroom.id, WHOLE)
        .group_by(Attempt.member_id, Attempt.bank_id)
    )
    ranked = (
        select(
            Attempt.member_id,
            Attempt.bank_id,
            Attempt.id,
            Attempt.score.label("score"),
            func.row_number()
            .over(
                partition_by=(Attempt.member_id, Attempt.bank_id),
                order_by=(Attempt.finished_at.desc(), Attempt.id),
            )
            .label("rank"),
        )
        .join(Member, Member.id == Attempt.member_id)
        .where(and_(Member.classroom_id == classroom.id, finished, WHOLE))
        .subquery()
    )
    latest = {
        (r.member_id, r.bank_id): (r.score, r.id)
        for r in db.execute(select(ranked).where(ranked.c.rank == 1))
    }
    cells: dict[int, dict[str, Cell]] = {}
    for r in db.execute(totals):
        score, attempt_id = latest.get((r.member_id, r.bank_id), (None, None))
        cells.setdefault(r.member_id, {})[r.bank_id] = Cell(
            r.attempts, r.started, r.best, score, attempt_id
        )
    members = db.execute(
        select(Member.id, Member.display_name)
        .where(Member.classroom_id == classroom.id)
        .order_by(func.lower(Member.display_name), Member.id)
    )
    return [Row(m.id, m.display_name, cells.get(m.id, {})) for m in members]


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """By name, or by the best score in one quiz (learners without one last)."""
    if key == "name":
        return sorted(rows, key=lambda r: r.name.lower(), reverse=descending)
    scored = [r for r in rows if r.cells.get(key, EMPTY).best is not None]
    unscored = [r for r in rows if r.cells.get(key, EMPTY).best is None]
    return sorted(scored, key=lambda r: r.cells[key].best, reverse=descending) + unscored
