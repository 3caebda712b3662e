"""The gradebook of a class: learners by quizzes, aggregated in SQL over finished attempts.

Retries of missed statements are left out: they ask only part of a quiz.
"""

from dataclasses import dataclass, replace

from sqlalchemy import case, func, select
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
    best_attempt_id: str | None  # of equal best scores, the latest


@dataclass(frozen=True)
class Row:
    member_id: int | None  # None: on the LMS course's member list, never came to the class
    name: str
    cells: dict[str, Cell]  # by bank id


EMPTY = Cell(0, 0, None, None, None, None)


def gradebook(db: Session, classroom: Classroom) -> list[Row]:
    """One row per learner in the class, ordered by name."""
    finished = Attempt.finished_at.is_not(None)
    per_cell = (Attempt.member_id, Attempt.bank_id)
    # finished attempts first, latest first; unfinished ones last
    order = (Attempt.finished_at.is_(None), Attempt.finished_at.desc(), Attempt.id)
    whole = {"partition_by": per_cell, "order_by": order, "rows": (None, None)}
    # one pass over the class's attempts, every figure a window over the same order
    ranked = (
        select(
            Attempt.member_id,
            Attempt.bank_id,
            Attempt.id,
            Attempt.score.label("score"),
            finished.label("finished"),
            func.row_number().over(partition_by=per_cell, order_by=order).label("from_last"),
            func.count().over(**whole).label("started"),
            func.sum(case((finished, 1), else_=0)).over(**whole).label("attempts"),
            func.max(case((finished, Attempt.score))).over(**whole).label("best"),
        )
        .join(Member, Member.id == Attempt.member_id)
        .where(Member.classroom_id == classroom.id, WHOLE)
        .subquery()
    )
    # each cell's latest attempt, and its attempts that scored the best (the latest of them wins)
    best_ones = ranked.c.finished & (ranked.c.score == ranked.c.best)
    chosen = (
        select(ranked).where((ranked.c.from_last == 1) | best_ones).order_by(ranked.c.from_last)
    )
    cells: dict[int, dict[str, Cell]] = {}
    for r in db.execute(chosen):
        by_bank = cells.setdefault(r.member_id, {})
        if r.from_last == 1:
            latest, latest_id = (r.score, r.id) if r.finished else (None, None)
            best_id = r.id if r.finished and r.score == r.best else None
            by_bank[r.bank_id] = Cell(r.attempts, r.started, r.best, latest, latest_id, best_id)
        elif by_bank[r.bank_id].best_attempt_id is None:
            by_bank[r.bank_id] = replace(by_bank[r.bank_id], best_attempt_id=r.id)
    members = db.execute(
        select(Member.id, Member.display_name)
        .where(Member.classroom_id == classroom.id)
        .order_by(func.lower(Member.display_name), Member.id)
    )
    return [Row(m.id, m.display_name, cells.get(m.id, {})) for m in members]


def with_absent(rows: list[Row], names: list[str]) -> list[Row]:
    """The rows and one for each person of an LMS course who has not opened a quiz yet."""
    return rows + [Row(None, name, {}) for name in names]


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """By name, or by the best score in one quiz (learners without one last)."""
    if key == "name":
        return sorted(rows, key=lambda r: r.name.lower(), reverse=descending)
    scored = [r for r in rows if r.cells.get(key, EMPTY).best is not None]
    unscored = [r for r in rows if r.cells.get(key, EMPTY).best is None]
    return sorted(scored, key=lambda r: r.cells[key].best, reverse=descending) + unscored
