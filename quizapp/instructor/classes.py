"""An instructor's classes in the database: create, find (only one's own), change."""

import secrets

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import Classroom, ClassroomQuiz, ClassroomStaff, Instructor, Member
from ..quiz.membership import CODE_ALPHABET

CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create(
    db: Session,
    instructor: Instructor,
    name: str,
    bank_ids: list[str],
    feedback: str | None = None,
) -> Classroom:
    """A class with a fresh join code; a code already taken is drawn again.

    feedback ('immediate' or 'deferred') overrides the quizzes' own timing; None keeps it.
    """
    for _ in range(5):
        classroom = Classroom(
            instructor_id=instructor.id, name=name, join_code=new_code(), feedback=feedback
        )
        classroom.quizzes = [
            ClassroomQuiz(bank_id=bank_id, position=n) for n, bank_id in enumerate(bank_ids)
        ]
        begin_write(db)
        db.add(classroom)
        try:
            db.commit()
            return classroom
        except IntegrityError:
            db.rollback()
    raise RuntimeError("could not draw an unused join code")


def _theirs(instructor: Instructor):
    """Classes this instructor owns, or is staff of (an LMS course they teach)."""
    staff = select(ClassroomStaff.classroom_id).where(ClassroomStaff.instructor_id == instructor.id)
    return or_(Classroom.instructor_id == instructor.id, Classroom.id.in_(staff))


def owned(db: Session, instructor: Instructor, classroom_id: int) -> Classroom | None:
    """The class, only if this instructor owns it or is one of its staff."""
    query = select(Classroom).where(Classroom.id == classroom_id, _theirs(instructor))
    return db.scalars(query).one_or_none()


def listing(db: Session, instructor: Instructor) -> list[tuple[Classroom, int]]:
    """The instructor's classes, newest first, each with its number of learners."""
    learners = (
        select(func.count(Member.id))
        .where(Member.classroom_id == Classroom.id)
        .correlate(Classroom)
        .scalar_subquery()
    )
    query = (
        select(Classroom, learners)
        .where(_theirs(instructor))
        .order_by(Classroom.archived, Classroom.created_at.desc(), Classroom.id.desc())
    )
    return [(classroom, count) for classroom, count in db.execute(query)]


def update(db: Session, classroom: Classroom, **changes) -> None:
    """Rename, open or close joining, archive, set feedback: name=, joining_open=, archived=,
    feedback=."""
    begin_write(db)
    for field, value in changes.items():
        setattr(classroom, field, value)
    db.commit()
