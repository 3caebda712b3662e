"""The database: instructors and their classes, learners' attempts and every answer given."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    cast,
    false,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Instructor(UserMixin, Base):
    """A person who runs classes; signs in with email and password (see instructor.accounts),
    or, for a teacher who comes from an LMS, only through an LTI launch (no email, no password).
    """

    __tablename__ = "instructor"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str | None] = mapped_column(String(256))
    name: Mapped[str | None] = mapped_column(String(120))  # as an LMS sent it, if it did
    # part of every session's id: raising it (sign-out, a new password) ends every copy
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def label(self) -> str:
        return self.email or self.name or "a teacher from your LMS"


class Invitation(Base):
    """A one-time link with which the person invited creates their instructor account.

    The database keeps the SHA-256 of the link's token, never the token; a used or expired
    invitation is kept, so that its link can say why it no longer works.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))  # the account it creates, lower-case
    # who sent it; None when it was made on the command line
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructor.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invited_by: Mapped[Instructor | None] = relationship()

    __table_args__ = (Index("ix_invitation_invited_by", "invited_by_id"),)


class Learner(Base):
    """A person taking quizzes, on every device that carries one of their learner cookies.

    Attempts and class memberships belong to the learner, not to a device, so a learner who
    brings another device along with their way-back code finds their work there.
    """

    __tablename__ = "learner"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the learner's way-back code, never the code; None until they make one
    way_back_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnerDevice(Base):
    """A browser's learner cookie, stored as the SHA-256 of its random token."""

    __tablename__ = "learner_device"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_learner_device_learner", "learner_id"),)


class RateLimit(Base):
    """A fixed-window counter of attempts (sign-ins, code guesses), shared by every worker."""

    __tablename__ = "rate_limit"

    bucket: Mapped[str] = mapped_column(String(300), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch


class Classroom(Base):
    """An instructor's class: learners join it by a short code and take its quizzes."""

    __tablename__ = "classroom"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a course that came from an LMS: its teachers there are its staff (ClassroomStaff)
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructor.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    joining_open: Mapped[bool] = mapped_column(Boolean, default=True)
    feedback: Mapped[str | None] = mapped_column(String(10))  # None: as each quiz sets
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    quizzes: Mapped[list["ClassroomQuiz"]] = relationship(
        order_by="ClassroomQuiz.position", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_classroom_instructor", "instructor_id"),)

    @property
    def bank_ids(self) -> list[str]:
        return [q.bank_id for q in self.quizzes]


class ClassroomStaff(Base):
    """An instructor who may review a class they do not own: a course's teachers and teaching
    assistants, as their LMS says on each launch."""

    __tablename__ = "classroom_staff"

    classroom_id: Mapped[int] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), primary_key=True
    )
    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("instructor.id", ondelete="CASCADE"), primary_key=True
    )


class ClassroomQuiz(Base):
    __tablename__ = "classroom_quiz"

    classroom_id: Mapped[int] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int]


class Member(Base):
    """A learner in a class, under the display name they gave when joining."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(80))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    classroom: Mapped[Classroom] = relationship()

    __table_args__ = (
        UniqueConstraint("classroom_id", "learner_id", name="uq_member_classroom_learner"),
    )


class Attempt(Base):
    """One run through a quiz by one learner; its id is unguessable and never shown to others."""

    __tablename__ = "attempt"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bank_id: Mapped[str] = mapped_column(String(80))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL", name="fk_attempt_member")
    )
    # a retry asks only what an earlier attempt missed; reports leave retries out
    retry_of: Mapped[str | None] = mapped_column(
        ForeignKey("attempt.id", ondelete="SET NULL", name="fk_attempt_retry_of")
    )
    feedback: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )
    certainty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    display_name: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set when the attempt finishes, so that reports aggregate attempts, not responses
    question_count: Mapped[int] = mapped_column(default=0, server_default="0")
    correct_count: Mapped[int] = mapped_column(default=0, server_default="0")

    @hybrid_property
    def score(self) -> float:
        """The share of statements answered right, from 0 to 1 (in SQL too)."""
        return self.correct_count / self.question_count if self.question_count else 0.0

    @score.inplace.expression
    @classmethod
    def _score_expression(cls):
        return cast(cls.correct_count, Float) / func.nullif(cls.question_count, 0)

    items: Mapped[list["AttemptItem"]] = relationship(
        order_by="AttemptItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_attempt_learner_bank", "learner_id", "bank_id"),
        Index("ix_attempt_bank_finished", "bank_id", "finished_at"),
        Index("ix_attempt_member_bank", "member_id", "bank_id"),
    )


class AttemptItem(Base):
    """The statement asked at one position of an attempt, fixed when the attempt starts."""

    __tablename__ = "attempt_item"

    attempt_id: Mapped[str] = mapped_column(
        ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1-based, as the learner sees it
    question_id: Mapped[str] = mapped_column(String(80))
    revision: Mapped[str] = mapped_column(String(16))


class Response(Base):
    """One answer, stored the moment the server accepts it.

    With immediate feedback the first answer stands; with deferred feedback the learner may
    change it until they submit the attempt.
    """

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    revision: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(8))
    correct: Mapped[bool]
    certainty: Mapped[int | None]  # 1 low, 2 medium, 3 high; None when not asked
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_response_attempt_question"),
        # covers the item analysis, which reads every answer of the attempts it counts
        Index(
            "ix_response_attempt_cover",
            "attempt_id",
            "question_id",
            "revision",
            "answer",
            "correct",
        ),
    )
