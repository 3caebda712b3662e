"""Classes from the learner's side: find one by its join code, join it, take its quizzes."""

import re

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..db import begin_write, read
from ..models import Classroom, Member

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read aloud
_MEMBERSHIPS = select(Member.id).where(Member.learner_id == bindparam("learner"))


def normalise_code(code: str) -> str:
    """'abc-def', 'ABC DEF' and 'ABCDEF' are the same code."""
    return re.sub(r"[^A-Za-z0-9]", "", code).upper()


def format_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def find_class(db: Session, code: str) -> Classroom | None:
    query = select(Classroom).where(Classroom.join_code == normalise_code(code))
    return db.scalars(query).one_or_none()


def member_of(db: Session, classroom: Classroom | None, learner: int | None) -> Member | None:
    if classroom is None or learner is None:
        return None
    query = select(Member).where(Member.classroom_id == classroom.id, Member.learner_id == learner)
    return db.scalars(query).one_or_none()


def classes_of(db: Session, learner: int | None) -> list[Member]:
    """The learner's memberships of classes that are not archived, with their classes and the
    classes' quizzes (loaded with them, not one class at a time)."""
    # most learners are in no class: one lean read says so, before the ORM loads classes
    if learner is None or not read(_MEMBERSHIPS, learner=learner):
        return []
    query = (
        select(Member)
        .join(Classroom, Classroom.id == Member.classroom_id)
        .where(Member.learner_id == learner, Classroom.archived.is_(False))
        .options(joinedload(Member.classroom).selectinload(Classroom.quizzes))
        .order_by(Classroom.name, Classroom.id)
    )
    return list(db.scalars(query))


def join(db: Session, classroom: Classroom, learner: int, display_name: str) -> Member:
    """Add the learner to the class; joining again keeps the first membership."""
    member = Member(classroom_id=classroom.id, learner_id=learner, display_name=display_name)
    begin_write(db)
    db.add(member)
    try:
        db.commit()
    except IntegrityError:  # the same learner joined twice at once
        db.rollback()
        return member_of(db, classroom, learner)
    return member
