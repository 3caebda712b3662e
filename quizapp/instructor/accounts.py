"""Instructor accounts: creating them, checking passwords, and the login session.

A session names the account and its session version; raising the version (signing out, a new
password) ends every copy of every session of that account, wherever it was copied to.
"""

from flask import Flask, session
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import db
from ..models import Instructor

MIN_PASSWORD = 10
login_manager = LoginManager()
login_manager.login_view = "instructor.login"
login_manager.login_message = "Please sign in as an instructor to see that page."
login_manager.session_protection = "strong"
# A hash to check against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(Exception):
    pass


def init_app(app: Flask) -> None:
    # As LoginManager.init_app attaches it, less its two per-request additions: the account
    # handed to every template (templates ask signed_in()), and the hook that refreshes a
    # remember-me cookie after every request, reading the session to find none (a sign-in
    # here lasts as long as the browser's session: sign_in sets no remember-me cookie).
    app.login_manager = login_manager


def signed_in() -> bool:
    """Whether an instructor is signed in.

    A learner's session holds no account id (Flask-Login keeps it under "_user_id"), so their
    pages are answered without loading an account or checking the session's fingerprint.
    """
    # the session itself, not its proxy (see security.PROXIES)
    return "_user_id" in session._get_current_object() and current_user.is_authenticated


@login_manager.user_loader
def _load(session_id: str) -> Instructor | None:
    """The account a session names, if the session is still of its current version."""
    account, _, version = session_id.partition(".")
    if not (account.isdigit() and version.isdigit()):
        return None
    instructor = db.session().get(Instructor, int(account))
    if instructor is None or instructor.session_version != int(version):
        return None
    return instructor


def normalise_email(email: str) -> str:
    """Emails are kept, looked up and limited in one form: trimmed and lower-case."""
    return email.strip().lower()


def find(db_session: Session, email: str) -> Instructor | None:
    query = select(Instructor).where(Instructor.email == normalise_email(email))
    return db_session.scalars(query).one_or_none()


def checked_email(email: str) -> str:
    """The email normalised, if it can name an account."""
    email = normalise_email(email)
    name, at, domain = email.partition("@")
    if not (name and at and domain) or any(c.isspace() for c in email):
        raise AccountError(f"'{email}' is not an email address")
    return email


def new_instructor(email: str, password: str) -> Instructor:
    """An account to add: the email checked, the password long enough and hashed."""
    return Instructor(email=checked_email(email), password_hash=_hashed(password))


def _hashed(password: str) -> str:
    """The hash to keep of a new password, once it is long enough."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


def create(db_session: Session, email: str, password: str) -> Instructor:
    instructor = new_instructor(email, password)
    db.begin_write(db_session)
    db_session.add(instructor)
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        raise AccountError(
            f"an instructor with the email {instructor.email} already exists"
        ) from None
    return instructor


def password_matches(instructor: Instructor | None, password: str) -> bool:
    """Whether the password is the account's; as slow for no account as for a wrong password."""
    if instructor is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(instructor.password_hash, password)


def sign_in(instructor: Instructor) -> None:
    """Start a fresh session (no fixation); it ends when the browser closes."""
    session.clear()
    login_user(instructor)


def sign_out(db_session: Session, instructor: Instructor) -> None:
    """End this session and every copy of it (and the account's other sessions)."""
    db.begin_write(db_session).execute(
        update(Instructor)
        .where(Instructor.id == instructor.id)
        .values(session_version=Instructor.session_version + 1)
    )
    db_session.commit()
    logout_user()
    session.clear()


def set_password(db_session: Session, email: str, password: str) -> Instructor:
    """A new password for the account; every session it had ends."""
    instructor = find(db_session, email)
    if instructor is None:
        raise AccountError(f"there is no instructor with the email {email}")
    db.begin_write(db_session).execute(
        update(Instructor)
        .where(Instructor.id == instructor.id)
        .values(
            password_hash=_hashed(password),
            session_version=Instructor.session_version + 1,
        )
    )
    db_session.commit()
    return instructor
