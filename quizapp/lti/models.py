"""The LTI tables: platforms and their deployments, the tool's keys, launches in flight, who and
which course a launch came from, and the scores waiting to go back to the LMS."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow


class Platform(Base):
    """An LMS registration: one issuer with one client id (Canvas has one issuer for every
    customer, told apart by client id)."""

    __tablename__ = "lti_platform"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))  # None: the token URL
    # the platform's JWKS as last fetched; fetched again once when a launch names an unknown kid
    key_set: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list["Deployment"]] = relationship(
        cascade="all, delete-orphan", order_by="Deployment.deployment_id"
    )

    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),)


class Deployment(Base):
    __tablename__ = "lti_deployment"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="CASCADE"), primary_key=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255), primary_key=True)


class ToolKey(Base):
    """One of the tool's RSA keys. A new key is published at once and signs from `signs_from`
    (after platforms have had time to fetch it); a replaced key stays published until
    `unpublish_at`, when nothing it signed can still be valid."""

    __tablename__ = "lti_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signs_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    unpublish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Login(Base):
    """An OIDC login in flight: the state (bound to the browser that began it) and the nonce
    the platform must put in the id_token. Used once."""

    __tablename__ = "lti_login"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    # the login request's parameters, to begin it again in a window of its own
    params: Mapped[dict] = mapped_column(JSON)
    # SHA-256 of the secret kept in the platform's storage, when cookies may not get through
    storage_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    platform: Mapped[Platform] = relationship()


class Launch(Base):
    """A validated launch's claims, kept server-side for the pages that follow it (the deep
    linking picker, the services)."""

    __tablename__ = "lti_launch"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    claims: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person as an LMS knows them (`iss` + `sub`): a learner of their own, never one of the
    cookie learners, and an instructor account once they launch as a teacher."""

    __tablename__ = "lti_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learner.id", ondelete="SET NULL"))
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructor.id", ondelete="SET NULL")
    )
    name: Mapped[str | None] = mapped_column(String(120))  # only if the platform sends it
    email: Mapped[str | None] = mapped_column(String(254))  # only if the platform sends it

    __table_args__ = (
        UniqueConstraint("platform_id", "sub", name="uq_lti_user_sub"),
        Index("ix_lti_user_learner", "learner_id"),
    )


class Context(Base):
    """An LMS course: a class of its own, made on its first launch."""

    __tablename__ = "lti_context"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))  # NRPS, when offered
    roster: Mapped[list | None] = mapped_column(JSON)  # the platform's members, last read
    roster_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the last reading, read or not, and what the platform said when it failed
    roster_tried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    roster_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("platform_id", "context_id", name="uq_lti_context"),
        Index("ix_lti_context_classroom", "classroom_id"),
    )


class Link(Base):
    """A resource link in a course: the quiz it opens and the gradebook column it reports to."""

    __tablename__ = "lti_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    bank_id: Mapped[str | None] = mapped_column(String(80))  # None until a teacher picks one
    title: Mapped[str | None] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))  # AGS, when offered
    ags_scopes: Mapped[list | None] = mapped_column(JSON)
    policy: Mapped[str] = mapped_column(String(10), default="best", server_default="best")

    context: Mapped[Context] = relationship()

    __table_args__ = (UniqueConstraint("context_id", "resource_link_id", name="uq_lti_link"),)


class Score(Base):
    """The outbox: a score to post to the LMS, written in the transaction that finished the
    attempt, sent by `flask lti send-scores`. One row per attempt and link, so a submission is
    never posted twice; `sent_at` is set only once the platform accepted it."""

    __tablename__ = "lti_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_link.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the timestamp
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    link: Mapped[Link] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("attempt_id", "link_id", name="uq_lti_score_attempt_link"),
        Index("ix_lti_score_due", "sent_at", "next_try_at"),
    )


class AccessToken(Base):
    """An OAuth access token from a platform's token URL, per client id and scopes."""

    __tablename__ = "lti_token"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="CASCADE"), primary_key=True
    )
    scopes: Mapped[str] = mapped_column(String(1000), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
