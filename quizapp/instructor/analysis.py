"""Item analysis of one quiz, overall or in one class, counted in SQL over finished attempts."""

from dataclasses import dataclass

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from ..content import Bank
from ..models import Attempt, Classroom, Member, Response
from . import statistics
from .statistics import ItemCounts, ItemStats

SCORE = cast(Attempt.correct_count, Float) / func.nullif(Attempt.question_count, 0)


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
    chosen = select(
        Attempt.id,
        SCORE.label("score"),
        Attempt.correct_count,
        Attempt.question_count,
        func.row_number()
        .over(partition_by=Attempt.owner, order_by=(Attempt.started_at, Attempt.id))
        .label("nth"),
    ).where(Attempt.bank_id == bank.id, Attempt.finished_at.is_not(None))
    if classroom is not None:
        chosen = chosen.join(Member, Member.id == Attempt.member_id).where(
            Member.classroom_id == classroom.id
        )
    chosen = chosen.subquery()
    kept = select(chosen.c.id, chosen.c.score, chosen.c.correct_count, chosen.c.question_count)
    if first_only:
        kept = kept.where(chosen.c.nth == 1)
    kept = kept.subquery()

    count, mean = db.execute(select(func.count(), func.avg(kept.c.score))).one()
    size = statistics.group_size(count)
    ranked = select(
        kept.c.id,
        kept.c.score,
        func.row_number().over(order_by=(kept.c.score.desc(), kept.c.id)).label("rank"),
    ).subquery()
    group = case((ranked.c.rank <= size, "upper"), (ranked.c.rank > count - size, "lower"))
    right = Response.correct.is_(True)
    per_item = (
        select(
            Response.question_id,
            Response.revision,
            func.count().label("responses"),
            func.sum(case((right, 1), else_=0)).label("correct"),
            func.sum(case((Response.answer == "fact", 1), else_=0)).label("answered_fact"),
            func.sum(case((group == "upper", 1), else_=0)).label("upper"),
            func.sum(case(((group == "upper") & right, 1), else_=0)).label("upper_correct"),
            func.sum(case((group == "lower", 1), else_=0)).label("lower"),
            func.sum(case(((group == "lower") & right, 1), else_=0)).label("lower_correct"),
        )
        .join(ranked, ranked.c.id == Response.attempt_id)
        .group_by(Response.question_id, Response.revision)
    )
    counts, earlier = {}, 0
    for row in db.execute(per_item):
        question = bank.question(row.question_id)
        if question is None or question.revision != row.revision:
            earlier += row.responses
            continue
        counts[row.question_id] = ItemCounts(
            *(int(row[i]) for i in range(2, 9))  # responses .. lower_correct
        )
    bins = _score_bins(db, kept)
    empty = ItemCounts(0, 0, 0, 0, 0, 0, 0)
    items = [statistics.item_stats(q, counts.get(q.id, empty), count) for q in bank.questions]
    return Analysis(count, mean, size, items, statistics.histogram(bins), earlier)


def _score_bins(db: Session, kept) -> dict[int, int]:
    """How many attempts scored in each 10% band (band 9 holds 90–100%)."""
    # integer division, the same on every database (a float cast rounds on PostgreSQL)
    tenth = kept.c.correct_count * 10 // kept.c.question_count
    band = case((tenth >= 9, 9), else_=tenth)
    return {int(b): n for b, n in db.execute(select(band, func.count()).group_by(band))}
