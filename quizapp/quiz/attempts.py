"""Attempts in the database: start one, find it for its learner, record answers exactly once."""

import random
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import JSON, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from .. import db as db_module
from ..content import Bank, Question
from ..lti import outbox
from ..models import Attempt, AttemptItem, Classroom, LearnerDevice, Member, Response, utcnow
from . import scoring


class Answer(NamedTuple):
    """What the learner answered to one statement, as stored."""

    answer: str
    correct: bool
    certainty: int | None


class Step(NamedTuple):
    """One statement of an attempt, with the learner's answer once there is one."""

    number: int  # the position in the attempt, 1-based, as used in URLs
    question: Question
    response: Answer | None


class AttemptRecord(NamedTuple):
    """An attempt as one request read it (the ORM's Attempt is for starting and writing).

    It, Step and Answer are named tuples rather than dataclasses: a learner's page makes a Step
    and an Answer for every statement, and a named tuple is made in half the time."""

    id: str
    bank_id: str
    learner_id: int
    member_id: int | None
    classroom_id: int | None  # the member's class
    class_code: str | None
    retry_of: str | None
    feedback: str
    certainty: bool
    display_name: str | None
    finished_at: datetime | None
    question_count: int
    correct_count: int
    viewer: int | None  # the learner of the device that asked, if it has one


class _JSONRows(FunctionElement):
    """The rows of a subquery as one JSON array, each row an array of the given columns (in
    no set order): SQLite's json_group_array, PostgreSQL's json_agg (NULL over no rows)."""

    type = JSON()
    name = "json_rows"
    inherit_cache = True


@compiles(_JSONRows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(_JSONRows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


# an attempt, its class, and its statements, each with its answer if there is one: one query,
# and one row (the statements in one JSON column), on the path of every page a learner turns
_ITEMS = (
    select(
        _JSONRows(
            AttemptItem.position,
            AttemptItem.question_id,
            Response.answer,
            Response.correct,
            Response.certainty,
        )
    )
    .select_from(AttemptItem)
    .outerjoin(
        Response,
        (Response.attempt_id == AttemptItem.attempt_id)
        & (Response.question_id == AttemptItem.question_id),
    )
    .where(AttemptItem.attempt_id == Attempt.id)
    .scalar_subquery()
)
_READ = (
    select(
        Attempt.id,
        Attempt.bank_id,
        Attempt.learner_id,
        Attempt.member_id,
        Member.classroom_id,
        Classroom.join_code.label("class_code"),
        Attempt.retry_of,
        Attempt.feedback,
        Attempt.certainty,
        Attempt.display_name,
        Attempt.finished_at,
        Attempt.question_count,
        Attempt.correct_count,
        select(LearnerDevice.learner_id)
        .where(LearnerDevice.token_hash == bindparam("device"))
        .scalar_subquery()
        .label("viewer"),
        _ITEMS.label("items"),
    )
    .outerjoin(Member, Member.id == Attempt.member_id)
    .outerjoin(Classroom, Classroom.id == Member.classroom_id)
    .where(Attempt.id == bindparam("attempt_id"))
)

# Recording an answer, in statements built once and run as Core on the session's connection:
# the ORM's unit of work took longer than the writes themselves, inside the write lock.
_responses, _attempts = Response.__table__, Attempt.__table__
_GIVEN = {
    "answer": bindparam("given"),
    "correct": bindparam("right"),
    "certainty": bindparam("sure"),
    "answered_at": bindparam("now"),
}
# the attempt's row is locked first (FOR UPDATE, on PostgreSQL; SQLite's BEGIN IMMEDIATE
# locks the whole database): answers to one attempt are stored one after the other, so that
# the last one counts every other (_FINISH_IF_COMPLETE) and finishes the attempt
_ANSWERED = {"question_id": "question", "revision": "revision"} | {
    column: given.key for column, given in _GIVEN.items()
}  # column: parameter
_ANSWER = insert(_responses).from_select(
    ["attempt_id", *_ANSWERED],
    select(
        _attempts.c.id,
        *(bindparam(name, type_=_responses.c[c].type) for c, name in _ANSWERED.items()),
    )
    .where(_attempts.c.id == bindparam("attempt"))
    .with_for_update(),
)
_CHANGE_ANSWER = (
    update(_responses)
    .where(
        _responses.c.attempt_id == bindparam("attempt"),
        _responses.c.question_id == bindparam("question"),
        select(_attempts.c.id)
        .where(_attempts.c.id == bindparam("attempt"), _attempts.c.finished_at.is_(None))
        .exists(),
    )
    .values(**_GIVEN)
)
# an attempt finishes with its score, in one statement the database checks
_FINISH = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt"), _attempts.c.finished_at.is_(None))
    .values(
        finished_at=bindparam("now"),
        correct_count=select(func.count())
        .where(_responses.c.attempt_id == bindparam("attempt"), _responses.c.correct.is_(True))
        .scalar_subquery(),
    )
)
_FINISH_IF_COMPLETE = _FINISH.where(
    select(func.count()).where(_responses.c.attempt_id == bindparam("attempt")).scalar_subquery()
    >= _attempts.c.question_count
)


def start(
    db: Session,
    bank: Bank,
    learner: int,
    display_name: str | None,
    member: Member | None = None,
    only: list[Question] | None = None,
    retry_of: str | None = None,
) -> Attempt:
    """A new attempt whose statement order (shuffled and drawn per the bank) is fixed now.

    Started by a class member, it is recorded under the class with the member's name, and
    takes the class's feedback timing where the class sets one. `only` limits it to some
    statements (a retry of what an earlier attempt missed).
    """
    rng = random.SystemRandom()
    settings = bank.info.settings
    if only is not None:
        chosen = list(only)
    elif settings.draw:
        chosen = rng.sample(bank.questions, bank.length)
    else:
        chosen = list(bank.questions)
    if settings.shuffle:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=bank.questions.index)
    classroom_feedback = member.classroom.feedback if member else None
    attempt = Attempt(
        id=secrets.token_urlsafe(16),
        bank_id=bank.id,
        learner_id=learner,
        member_id=member.id if member else None,
        display_name=member.display_name if member else display_name,
        retry_of=retry_of,
        feedback=classroom_feedback or settings.feedback,
        certainty=settings.certainty,
        question_count=len(chosen),
        items=[
            AttemptItem(position=n, question_id=q.id, revision=q.revision)
            for n, q in enumerate(chosen, start=1)
        ],
    )
    db_module.begin_write(db)
    db.add(attempt)
    db.commit()
    return attempt


def load(
    attempt_id: str, banks: Mapping[str, Bank], device: str = ""
) -> tuple[AttemptRecord, Bank, list[Step]] | None:
    """The attempt, its quiz and its steps; None when there is no such attempt or quiz.

    A statement removed from the quiz since the attempt started is skipped. Whose attempt it
    is, the caller checks: `viewer` is the learner of the device whose token hash is given.
    """
    rows = db_module.read(_READ, attempt_id=attempt_id, device=device)
    if not rows:
        return None
    *record, items = rows[0]
    attempt = AttemptRecord(*record)
    bank = banks.get(attempt.bank_id)
    if bank is None:
        return None
    steps = []
    for position, question_id, answer, correct, certainty in sorted(items or ()):
        question = bank.question(question_id)
        if question is not None:
            given = Answer(answer, bool(correct), certainty) if answer is not None else None
            steps.append(Step(position, question, given))
    return attempt, bank, steps


def of_member(db: Session, member_id: int, bank_id: str) -> list[Attempt]:
    """A class member's attempts at one quiz, oldest first."""
    query = (
        select(Attempt)
        .where(Attempt.member_id == member_id, Attempt.bank_id == bank_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    return list(db.scalars(query))


def unfinished(db: Session, bank_id: str, learner: int, member_id: int | None) -> Attempt | None:
    """This learner's latest attempt at the bank, for this class membership (None: on their
    own), that still has statements to answer."""
    query = (
        select(Attempt)
        .where(
            Attempt.learner_id == learner,
            Attempt.bank_id == bank_id,
            Attempt.member_id.is_(None) if member_id is None else Attempt.member_id == member_id,
            Attempt.finished_at.is_(None),
        )
        .order_by(Attempt.started_at.desc())
        .limit(1)
    )
    return db.scalars(query).first()


def record(
    db: Session, attempt: AttemptRecord, step: Step, answer: str, certainty: int | None = None
) -> None:
    """Store an answer, scored here on the server.

    With immediate feedback the first answer stands (a double click or the back button changes
    nothing) and the attempt finishes with its last answer. With deferred feedback an answer
    may be changed until the attempt is submitted.
    """
    values = {
        "attempt": attempt.id,
        "question": step.question.id,
        "given": answer,
        "right": scoring.is_correct(step.question, answer),
        "sure": certainty,
        "now": utcnow(),
    }
    if step.response is not None:
        if attempt.feedback == "deferred":
            db_module.begin_write(db).execute(_CHANGE_ANSWER, values)
            db.commit()
        return
    values["revision"] = step.question.revision
    immediate = attempt.feedback == "immediate"
    try:
        if not (immediate and outbox.may_report(attempt.member_id, attempt.retry_of)):
            # no score to send when it finishes: the answer, and the attempt's end, in one go
            finishing = [(_FINISH_IF_COMPLETE, values)] if immediate else []
            db_module.write((_ANSWER, values), *finishing)
            return
        with db_module.transaction() as write:
            write.execute(_ANSWER, values)
            if write.execute(_FINISH_IF_COMPLETE, values) != 1:
                return
            write.rollback()  # it finishes an attempt that may report: written again below,
            # with the scores it sends
    except IntegrityError:  # the same answer arrived twice at once; the other one stands
        return
    connection = db_module.begin_write(db)
    try:
        connection.execute(_ANSWER, values)
        if connection.execute(_FINISH_IF_COMPLETE, values).rowcount == 1:
            outbox.enqueue(db, attempt.id)  # in the same transaction: the score goes out
        db.commit()
    except IntegrityError:
        db.rollback()


def submit(db: Session, attempt: AttemptRecord) -> None:
    """End a deferred attempt: its answers are final and its results can be shown."""
    finished = db_module.begin_write(db).execute(_FINISH, {"attempt": attempt.id, "now": utcnow()})
    if finished.rowcount == 1:  # not when submitted twice
        outbox.enqueue(db, attempt.id)
    db.commit()


def missed(attempt: AttemptRecord, steps: list[Step]) -> list[Question]:
    """What a retry asks: the statements answered wrong, and with certainty the ones answered
    right but with low certainty."""
    return [
        s.question
        for s in steps
        if s.response is not None
        and (not s.response.correct or (attempt.certainty and s.response.certainty == 1))
    ]
