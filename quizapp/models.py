"""Learner state: attempts, the statements each one asks, and the answers given."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Attempt(Base):
    """One run through a quiz by one browser; its id is unguessable and never shown to others."""

    __tablename__ = "attempt"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bank_id: Mapped[str] = mapped_column(String(80))
    owner: Mapped[str] = mapped_column(String(64))  # hash of the browser's session token
    display_name: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list["AttemptItem"]] = relationship(
        order_by="AttemptItem.position", cascade="all, delete-orphan"
    )
    responses: Mapped[list["Response"]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (Index("ix_attempt_owner_bank", "owner", "bank_id"),)


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
    """One answer, stored the moment the server accepts it; the first answer stands."""

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    revision: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(8))
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_response_attempt_question"),
        Index("ix_response_question", "question_id", "revision"),
    )
