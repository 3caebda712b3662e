"""What learners learned: first against latest attempt, and the myths that survive.

Counted in SQL over whole (not retry) finished attempts, per learner (a browser; in a class, a
member). Learners with a single attempt have no "latest" to compare and are left out of the
gain and persistence figures.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..content import Bank, Question
from ..models import Attempt, Classroom, Member, Response
from ..quiz.scoring import CONFIDENT
from .gain import Gain, LearnerScores, gain


@dataclass(frozen=True)
class Persistence:
    question: Question
    wrong_first: int  # learners wrong on their first attempt
    still_wrong: int  # of those, wrong again on their latest

    @property
    def share(self) -> float | None:
        return self.still_wrong / self.wrong_first if self.wrong_first else None


@dataclass(frozen=True)
class Misconception:
    question: Question
    answers: int
    confident_wrong: int  # wrong with medium or high certainty

    @property
    def share(self) -> float | None:
        return self.confident_wrong / self.answers if self.answers else None


@dataclass(frozen=True)
class Learning:
    gain: Gain
    persistence: list[Persistence]
    misconceptions: list[Misconception]  # most believed first

    @property
    def answered(self) -> bool:
        """Whether any learner's latest attempt has an answer counted here."""
        return any(m.answers for m in self.misconceptions)


def _ranked(bank: Bank, classroom: Classroom | None):
    """Whole finished attempts, each marked first and latest for its learner."""
    learner = Attempt.learner_id
    query = select(
        Attempt.id,
        learner.label("learner"),
        (100 * Attempt.score).label("percent"),
        func.row_number()
        .over(partition_by=learner, order_by=(Attempt.started_at, Attempt.id))
        .label("nth"),
        func.row_number()
        .over(partition_by=learner, order_by=(Attempt.started_at.desc(), Attempt.id.desc()))
        .label("from_last"),
        func.count().over(partition_by=learner).label("attempts"),
    ).where(
        Attempt.bank_id == bank.id,
        Attempt.finished_at.is_not(None),
        Attempt.retry_of.is_(None),
    )
    if classroom is not None:
        query = query.join(Member, Member.id == Attempt.member_id).where(
            Member.classroom_id == classroom.id
        )
    return query.subquery()


def learning(db: Session, bank: Bank, classroom: Classroom | None = None) -> Learning:
    ranked = _ranked(bank, classroom)
    first, last = ranked.c.nth == 1, ranked.c.from_last == 1
    per_learner = select(
        func.max(case((first, ranked.c.percent))),
        func.max(case((last, ranked.c.percent))),
        func.max(ranked.c.attempts),
    ).group_by(ranked.c.learner)
    scores = [LearnerScores(pre, post, n) for pre, post, n in db.execute(per_learner)]

    wrong = Response.correct.is_(False)
    repeated = ranked.c.attempts >= 2
    by_learner = (
        select(
            Response.question_id,
            Response.revision,
            func.max(case((and_(first, repeated, wrong), 1), else_=0)).label("wrong_first"),
            func.max(case((and_(last, repeated, wrong), 1), else_=0)).label("wrong_last"),
        )
        .join(ranked, ranked.c.id == Response.attempt_id)
        .where(first | last)
        .group_by(ranked.c.learner, Response.question_id, Response.revision)
        .subquery()
    )
    persisting = select(
        by_learner.c.question_id,
        by_learner.c.revision,
        func.sum(by_learner.c.wrong_first),
        func.sum(by_learner.c.wrong_first * by_learner.c.wrong_last),
    ).group_by(by_learner.c.question_id, by_learner.c.revision)
    persist = _current(bank, db.execute(persisting))

    confident_wrong = and_(wrong, Response.certainty >= CONFIDENT)
    believed = (
        select(
            Response.question_id,
            Response.revision,
            func.count(),
            func.sum(case((confident_wrong, 1), else_=0)),
        )
        .join(ranked, ranked.c.id == Response.attempt_id)
        .where(last)
        .group_by(Response.question_id, Response.revision)
    )
    believe = _current(bank, db.execute(believed))

    misconceptions = [Misconception(q, *believe.get(q.id, (0, 0))) for q in bank.questions]
    misconceptions.sort(key=lambda m: (-(m.share or 0), -m.confident_wrong))
    return Learning(
        gain=gain(scores),
        persistence=[Persistence(q, *persist.get(q.id, (0, 0))) for q in bank.questions],
        misconceptions=misconceptions,
    )


def _current(bank: Bank, rows) -> dict[str, tuple[int, int]]:
    """Counts per statement, for its current wording only."""
    counts = {}
    for question_id, revision, a, b in rows:
        if bank.current(question_id, revision) is not None:
            counts[question_id] = (int(a or 0), int(b or 0))
    return counts
