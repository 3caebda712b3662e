"""Item analysis of one quiz, overall or in one class, counted in SQL over finished attempts
(whole attempts: a retry of missed statements is left out)."""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..content import Bank
from ..models import Attempt, Classroom, Member, Response
from . import statistics
from .statistics import ItemCounts, ItemStats


@dataclass(frozen=True)
class Analysis:
    attempts: int
    mean_score: float | None
    group_size: int
    items: list[ItemStats]
    histogram: list[tuple[str, int]]
    earlier_revisions: int  # answers to wordings since changed, not counted

    @property
    def myths_judged_facts(self) -> int:
        return sum(i.answered_fact for i in self.items if i.question.answer == "myth")

    @property
    def facts_judged_myths(self) -> int:
        return sum(i.answered_myth for i in self.items if i.question.answer == "fact")


def analyse(
    db: Session, bank: Bank, classroom: Classroom | None = None, first_only: bool = True
) -> Analysis:
    """Statistics for each statement; first_only keeps each learner's first finished attempt."""
    kept = _attempts(bank, classroom, first_only)
    bins, count, total = {}, 0, 0.0
    for band, n, score_sum in db.execute(_bands(kept)):
        bins[int(band)] = n
        count, total = count + n, total + score_sum
    size = statistics.group_size(count)
    # each attempt's group is decided once, by its rank; responses then only look it up
    rank = func.row_number().over(order_by=(kept.c.score.desc(), kept.c.id))
    ranked = select(
        kept.c.id,
        case((rank <= size, 1), (rank > count - size, -1), else_=0).label("grp"),
    ).subquery()
    right = Response.correct.is_(True)
    upper, lower = ranked.c.grp == 1, ranked.c.grp == -1
    per_item = (
        select(
            Response.question_id,
            Response.revision,
            func.count().label("responses"),
            func.sum(case((right, 1), else_=0)).label("correct"),
            func.sum(case((Response.answer == "fact", 1), else_=0)).label("answered_fact"),
            func.sum(case((upper, 1), else_=0)).label("upper"),
            func.sum(case((upper & right, 1), else_=0)).label("upper_correct"),
            func.sum(case((lower, 1), else_=0)).label("lower"),
            func.sum(case((lower & right, 1), else_=0)).label("lower_correct"),
        )
        .join(ranked, ranked.c.id == Response.attempt_id)
        .group_by(Response.question_id, Response.revision)
    )
    counts, earlier = {}, 0
    for row in db.execute(per_item):
        if bank.current(row.question_id, row.revision) is None:
            earlier += row.responses
            continue
        counts[row.question_id] = ItemCounts(*(int(value) for value in row[2:]))
    empty = ItemCounts(0, 0, 0, 0, 0, 0, 0)
    items = [statistics.item_stats(q, counts.get(q.id, empty), count) for q in bank.questions]
    mean = total / count if count else None
    return Analysis(count, mean, size, items, statistics.histogram(bins), earlier)


def _attempts(bank: Bank, classroom: Classroom | None, first_only: bool):
    """The finished attempts to count, with their scores."""
    columns = [
        Attempt.id,
        Attempt.score.label("score"),
        Attempt.correct_count,
        Attempt.question_count,
    ]
    if first_only:
        nth = func.row_number().over(
            partition_by=Attempt.learner_id, order_by=(Attempt.started_at, Attempt.id)
        )
        columns.append(nth.label("nth"))
    chosen = select(*columns).where(
        Attempt.bank_id == bank.id, Attempt.finished_at.is_not(None), Attempt.retry_of.is_(None)
    )
    if classroom is not None:
        chosen = chosen.join(Member, Member.id == Attempt.member_id).where(
            Member.classroom_id == classroom.id
        )
    if not first_only:
        return chosen.subquery()
    chosen = chosen.subquery()
    columns = (chosen.c.id, chosen.c.score, chosen.c.correct_count, chosen.c.question_count)
    return select(*columns).where(chosen.c.nth == 1).subquery()


def _bands(kept):
    """Attempts and summed scores in each 10% band (band 9 holds 90–100%)."""
    # integer division, the same on every database (a float cast rounds on PostgreSQL)
    tenth = kept.c.correct_count * 10 // kept.c.question_count
    band = case((tenth >= 9, 9), else_=tenth)
    return select(band, func.count(), func.sum(kept.c.score)).group_by(band)
