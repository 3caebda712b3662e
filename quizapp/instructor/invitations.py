"""Invitations: one-time links with which a new colleague creates their instructor account.

The link carries a random token of 256 bits; the database keeps only its SHA-256, so a copy of
the database opens no account. A link works once, and only until it expires.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import db as db_module
from ..models import Instructor, Invitation, utcnow
from ..security import digest
from . import accounts

LIFETIME = timedelta(days=7)
OPEN, USED, EXPIRED, TAKEN = "open", "used", "expired", "taken"


class InvitationClosed(Exception):
    """The invitation can no longer be accepted; `state` says why (used, expired, taken)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def create(
    db: Session, email: str, invited_by: Instructor | None = None, lifetime: timedelta = LIFETIME
) -> tuple[Invitation, str]:
    """A new invitation for the email, and its token (to put in the link, and nowhere else)."""
    email = accounts.checked_email(email)
    if accounts.find(db, email) is not None:
        raise accounts.AccountError(f"{email} already has an account")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=digest(token),
        email=email,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + lifetime,
    )
    db_module.begin_write(db)
    db.add(invitation)
    db.commit()
    return invitation, token


def find(db: Session, token: str) -> Invitation | None:
    """The invitation whose link carries this token, whatever its state."""
    query = select(Invitation).where(Invitation.token_hash == digest(token))
    return db.scalars(query).one_or_none()


def state(db: Session, invitation: Invitation) -> str:
    """open, or why it is closed: used, expired, or taken (the email has an account now)."""
    found = _state(invitation)
    if found == OPEN and accounts.find(db, invitation.email) is not None:
        return TAKEN
    return found


def _state(invitation: Invitation) -> str:
    if invitation.used_at is not None:
        return USED
    if db_module.as_utc(invitation.expires_at) <= utcnow():
        return EXPIRED
    return OPEN


def accept(db: Session, invitation: Invitation, password: str) -> Instructor:
    """Create the invited account and use up the invitation, both or neither.

    Two acceptances at once (a double click, two tabs) make one account: only one of them
    finds the invitation still unused.
    """
    closed = state(db, invitation)
    if closed != OPEN:
        raise InvitationClosed(closed)
    instructor = accounts.new_instructor(invitation.email, password)  # hashed before locking
    now = utcnow()
    marked = db_module.begin_write(db).execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    if marked.rowcount != 1:
        db.rollback()
        raise InvitationClosed(USED)
    db.add(instructor)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise InvitationClosed(TAKEN) from None
    return instructor


def sent_by(db: Session, instructor: Instructor, limit: int = 50) -> list[tuple[Invitation, str]]:
    """The invitations an instructor sent, newest first, each with its state."""
    query = (
        select(Invitation)
        .where(Invitation.invited_by_id == instructor.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    )
    return [(invitation, _state(invitation)) for invitation in db.scalars(query)]
