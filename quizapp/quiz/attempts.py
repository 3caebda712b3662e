"""Attempts in the database: start one, find it for its owner, record answers exactly once."""

import random
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..content import Bank, Question
from ..models import Attempt, AttemptItem, Member, Response, utcnow
from . import scoring


@dataclass(frozen=True)
class Step:
    """One statement of an attempt, with the learner's answer once there is one."""

    number: int  # the position in the attempt, 1-based, as used in URLs
    question: Question
    response: Response | None


def start(
    db: Session, bank: Bank, owner: str, display_name: str | None, member: Member | None = None
) -> Attempt:
    """A new attempt whose statement order (shuffled and drawn per the bank) is fixed now.

    Started by a class member, it is recorded under the class with the member's name.
    """
    rng = random.SystemRandom()
    settings = bank.info.settings
    chosen = rng.sample(bank.questions, bank.length) if settings.draw else list(bank.questions)
    if settings.shuffle:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=bank.questions.index)
    attempt = Attempt(
        id=secrets.token_urlsafe(16),
        bank_id=bank.id,
        owner=owner,
        member_id=member.id if member else None,
        display_name=member.display_name if member else display_name,
        question_count=len(chosen),
        items=[
            AttemptItem(position=n, question_id=q.id, revision=q.revision)
            for n, q in enumerate(chosen, start=1)
        ],
    )
    db.add(attempt)
    db.commit()
    return attempt


def find(db: Session, attempt_id: str, owner: str) -> Attempt | None:
    """The attempt, only if this owner started it."""
    query = (
        select(Attempt)
        .where(Attempt.id == attempt_id, Attempt.owner == owner)
        .options(selectinload(Attempt.items), selectinload(Attempt.responses))
    )
    return db.scalars(query).one_or_none()


def get(db: Session, attempt_id: str) -> Attempt | None:
    """Any attempt, for the instructor views (which check the class themselves)."""
    query = (
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(selectinload(Attempt.items), selectinload(Attempt.responses))
    )
    return db.scalars(query).one_or_none()


def of_member(db: Session, member_id: int, bank_id: str) -> list[Attempt]:
    """A class member's attempts at one quiz, oldest first."""
    query = (
        select(Attempt)
        .where(Attempt.member_id == member_id, Attempt.bank_id == bank_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    return list(db.scalars(query))


def unfinished(db: Session, bank_id: str, owner: str) -> Attempt | None:
    """This owner's latest attempt at the bank that still has statements to answer."""
    query = (
        select(Attempt)
        .where(Attempt.owner == owner, Attempt.bank_id == bank_id, Attempt.finished_at.is_(None))
        .order_by(Attempt.started_at.desc())
        .limit(1)
    )
    return db.scalars(query).first()


def steps(attempt: Attempt, bank: Bank) -> list[Step]:
    """The attempt's statements in order; one removed from the bank since is skipped."""
    answers = {r.question_id: r for r in attempt.responses}
    result = []
    for item in attempt.items:
        question = bank.question(item.question_id)
        if question is not None:
            result.append(Step(item.position, question, answers.get(question.id)))
    return result


def record(db: Session, attempt: Attempt, step: Step, answer: str) -> Response:
    """Store an answer, scored here on the server. Asked again, the first answer stands."""
    if step.response is not None:
        return step.response
    response = Response(
        question_id=step.question.id,
        revision=step.question.revision,
        answer=answer,
        correct=scoring.is_correct(step.question, answer),
    )
    attempt.responses.append(response)
    counts = {"correct_count": Attempt.correct_count + int(response.correct)}  # atomic in SQL
    if len(attempt.responses) >= len(attempt.items):
        counts["finished_at"] = utcnow()
    try:
        db.flush()
        db.execute(update(Attempt).where(Attempt.id == attempt.id).values(**counts))
        db.commit()
    except IntegrityError:  # the same answer arrived twice at once; the other one was stored
        db.rollback()
        query = select(Response).where(
            Response.attempt_id == attempt.id, Response.question_id == step.question.id
        )
        return db.scalars(query).one()
    return response
