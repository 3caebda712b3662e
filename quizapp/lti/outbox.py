"""The score outbox: what a course's gradebook in the LMS should show once a learner finishes a
quiz, written in the transaction that finishes the attempt and sent later (`scores`).

One row per finished attempt and LTI link that reports it: the links of the learner's class
(its LMS course) that open the attempt's quiz and have a gradebook column (a line item). A
retry of missed statements reports nothing. The row carries the score the link's policy gives
over the learner's finished attempts at the quiz in that class (retries left out): `best`,
`latest` or `first`, as a percentage (`score_maximum` 100), and the timestamp of the attempt
that finished (AGS keeps a learner's score with the latest timestamp).

A certainty-based attempt scores 100 * max(0, total CBM mark) / (3 * statements): each
statement's mark is 1, 2 or 3 when right and 0, -2 or -6 when wrong (by the certainty given),
so only all-right-and-certain gives 100 %, and a total at or below zero gives 0 % (an LMS
takes no negative score). Any other attempt scores 100 * right / statements. "Statements" are
the ones the attempt asked.

Nothing here talks to another server, and an attempt outside any LMS course costs one indexed
lookup that finds nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from ..db import as_utc, begin_write, insert_for
from ..models import Attempt, Member, Response, utcnow
from ..quiz import scoring
from .deeplinking import SCORE_MAXIMUM
from .models import Context, Link, Platform, Score, User

# the links an attempt reports to, each with the learner's LMS user on its platform: one query
# down indexed keys (attempt, member, lti_context by class, lti_link by context, lti_user by
# learner), which finds nothing for an attempt outside an LMS course
_TARGETS = (
    select(
        Link.id.label("link_id"),
        Link.policy,
        User.id.label("user_id"),
        Attempt.member_id,
        Attempt.bank_id,
        Attempt.finished_at,
    )
    .select_from(Attempt)
    .join(Member, Member.id == Attempt.member_id)
    .join(Context, Context.classroom_id == Member.classroom_id)
    .join(
        Link,
        (Link.context_id == Context.id)
        & (Link.bank_id == Attempt.bank_id)
        & Link.lineitem_url.is_not(None),
    )
    .join(User, (User.platform_id == Context.platform_id) & (User.learner_id == Attempt.learner_id))
    .where(
        Attempt.id == bindparam("attempt_id"),
        Attempt.retry_of.is_(None),
        Attempt.finished_at.is_not(None),
    )
    .order_by(Link.id)
)


def cbm_percent(marks: list[int], statements: int) -> float:
    """The certainty-based score as a percentage: 100 * max(0, total mark) / (3 * statements)."""
    return 100 * max(0, sum(marks)) / (3 * statements) if statements else 0.0


def may_report(member_id: int | None, retry_of: str | None) -> bool:
    """Whether an attempt could have scores to send (see _TARGETS): only a class member's can,
    and not a retry."""
    return member_id is not None and retry_of is None


def enqueue(db: Session, attempt_id: str) -> int:
    """Write the scores a just-finished attempt sends, in the caller's transaction (before its
    commit); returns how many. A second call for the same attempt writes nothing."""
    targets = db.execute(_TARGETS, {"attempt_id": attempt_id}).all()
    if not targets:
        return 0
    scores = _scores(db, targets[0].member_id, targets[0].bank_id)
    now = utcnow()
    rows = [
        {
            "attempt_id": attempt_id,
            "link_id": t.link_id,
            "user_id": t.user_id,
            "score_given": round(_by_policy(t.policy, scores, attempt_id), 2),
            "score_maximum": float(SCORE_MAXIMUM),
            "finished_at": t.finished_at,
            "created_at": now,
            "tries": 0,
            "next_try_at": now,
        }
        for t in targets
    ]
    for t in targets:
        # a later score replaces an unsent earlier one: it carries the policy's score as of
        # now, and a platform ignores or refuses an older timestamp once it has a newer one
        db.execute(
            delete(Score)
            .where(
                Score.link_id == t.link_id,
                Score.user_id == t.user_id,
                Score.sent_at.is_(None),
                Score.attempt_id != attempt_id,
                Score.finished_at <= t.finished_at,
            )
            .execution_options(synchronize_session=False)
        )
    db.execute(_insert_or_ignore(db), rows)
    return len(rows)


@dataclass(frozen=True)
class _Scored:
    finished_at: datetime
    started_at: datetime
    percent: float


def _scores(db: Session, member_id: int, bank_id: str) -> dict[str, _Scored]:
    """The member's finished attempts at the quiz (retries left out), each with its score."""
    attempts = db.execute(
        select(
            Attempt.id,
            Attempt.finished_at,
            Attempt.started_at,
            Attempt.certainty,
            Attempt.question_count,
            Attempt.score,
        ).where(
            Attempt.member_id == member_id,
            Attempt.bank_id == bank_id,
            Attempt.finished_at.is_not(None),
            Attempt.retry_of.is_(None),
        )
    ).all()
    certain = [a.id for a in attempts if a.certainty]
    marks: dict[str, list[int]] = {a: [] for a in certain}
    if certain:
        answers = db.execute(
            select(Response.attempt_id, Response.correct, Response.certainty).where(
                Response.attempt_id.in_(certain), Response.certainty.is_not(None)
            )
        )
        for attempt_id, correct, certainty in answers:
            marks[attempt_id].append(scoring.cbm_mark(correct, certainty))
    return {
        a.id: _Scored(
            as_utc(a.finished_at),
            as_utc(a.started_at),
            cbm_percent(marks[a.id], a.question_count) if a.certainty else 100 * (a.score or 0.0),
        )
        for a in attempts
    }


def _by_policy(policy: str, scores: dict[str, _Scored], attempt_id: str) -> float:
    if policy == "first":
        earliest = min(scores, key=lambda a: (scores[a].finished_at, scores[a].started_at, a))
        return scores[earliest].percent
    if policy == "latest":
        return scores[attempt_id].percent
    return max(s.percent for s in scores.values())


def _insert_or_ignore(db: Session):
    """An INSERT that skips a row whose attempt and link have one already (a double submit)."""
    return insert_for(db.get_bind())(Score.__table__).on_conflict_do_nothing(
        index_elements=["attempt_id", "link_id"]
    )


@dataclass(frozen=True)
class Waiting:
    """A score not yet accepted by the LMS, as the class's gradebook shows it."""

    id: int
    learner: str
    link_title: str | None
    bank_id: str | None
    platform: str
    score_given: float
    tries: int
    last_error: str | None
    next_try_at: datetime


def waiting(db: Session, classroom_id: int | None = None) -> list[Waiting]:
    """The class's scores (or every class's) that the LMS has not accepted yet, the failed
    ones first."""
    query = (
        select(
            Score.id,
            func.coalesce(Member.display_name, User.name, User.sub),
            Link.title,
            Link.bank_id,
            Platform.name,
            Score.score_given,
            Score.tries,
            Score.last_error,
            Score.next_try_at,
        )
        .join(Link, Link.id == Score.link_id)
        .join(Context, Context.id == Link.context_id)
        .join(Platform, Platform.id == Context.platform_id)
        .join(User, User.id == Score.user_id)
        .outerjoin(
            Member,
            (Member.learner_id == User.learner_id) & (Member.classroom_id == Context.classroom_id),
        )
        .where(Score.sent_at.is_(None))
        .order_by(Score.tries.desc(), Score.next_try_at, Score.id)
    )
    if classroom_id is not None:
        query = query.where(Context.classroom_id == classroom_id)
    return [Waiting(*row[:8], as_utc(row[8])) for row in db.execute(query)]


def resend(
    db: Session,
    ids: list[int] | None = None,
    *,
    all_failed: bool = False,
    classroom_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Make unsent scores due now: the ones given by id, every one that failed at least once,
    or every one of a class; returns how many. The next `send_due` posts them."""
    if ids is None and not all_failed and classroom_id is None:
        raise ValueError("name the scores to send again")
    query = update(Score).where(Score.sent_at.is_(None))
    if ids is not None:
        query = query.where(Score.id.in_(ids))
    if all_failed:
        query = query.where(Score.tries > 0)
    if classroom_id is not None:
        links = select(Link.id).join(Context, Context.id == Link.context_id)
        query = query.where(Score.link_id.in_(links.where(Context.classroom_id == classroom_id)))
    found = begin_write(db).execute(
        query.values(next_try_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    db.commit()
    return found.rowcount
