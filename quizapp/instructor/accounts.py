"""Instructor accounts: creating them, checking passwords, and the login session."""

from flask import Flask, session
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import func, select
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
    # Templates ask signed_in() rather than being handed the account on every page.
    login_manager.init_app(app, add_context_processor=False)


def signed_in() -> bool:
    """Whether an instructor is signed in.

    A learner's session holds no account id (Flask-Login keeps it under "_user_id"), so their
    pages are answered without loading an account or checking the session's fingerprint.
    """
    return "_user_id" in session and current_user.is_authenticated


@login_manager.user_loader
def _load(user_id: str) -> Instructor | None:
    return db.session().get(Instructor, int(user_id)) if user_id.isdigit() else None


def create(db_session: Session, email: str, password: str) -> Instructor:
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    instructor = Instructor(email=email, password_hash=generate_password_hash(password))
    db.begin_write(db_session)
    db_session.add(instructor)
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        raise AccountError(f"an instructor with the email {email} already exists") from None
    return instructor


def authenticate(db_session: Session, email: str, password: str) -> Instructor | None:
    query = select(Instructor).where(Instructor.email == func.lower(email.strip()))
    instructor = db_session.scalars(query).one_or_none()
    if instructor is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return instructor if check_password_hash(instructor.password_hash, password) else None


def sign_in(instructor: Instructor) -> None:
    """Start a fresh session (no fixation), keeping only this browser's learner identity."""
    browser = session.get("browser")
    session.clear()
    if browser:
        session["browser"] = browser
    login_user(instructor)


def sign_out() -> None:
    logout_user()
    browser = session.get("browser")
    session.clear()
    if browser:
        session["browser"] = browser
