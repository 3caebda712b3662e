"""Signing in under limits a guesser cannot turn against the account's owner.

Every attempt counts against the limits of its address and of the account before the password
is checked, and is given back when it succeeds. A browser that has signed in to the account
before carries a signed "known browser" cookie: its attempts count only against that browser's
own limit, so a guesser elsewhere (even behind the same school address) cannot lock the owner
out (OWASP: "Slow Down Online Guessing Attacks with Device Cookies"). A new password makes
every known-browser cookie of the account void.
"""

import hashlib
import secrets

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from .. import throttle
from ..models import Instructor
from . import accounts

KNOWN_COOKIE = "quizapp_known"
KNOWN_LIFETIME = 180 * 86400  # seconds


def attempt(db_session: Session, email: str, password: str) -> Instructor | None:
    """The account, if the password is its own; 429 once this attempt is over a limit."""
    instructor = accounts.find(db_session, email)
    browser = _known_browser(instructor)
    if browser:
        keys = [("browser", browser)]
    else:
        keys = [("address", throttle.address()), ("account", accounts.normalise_email(email))]
    for key in keys:
        throttle.spend("sign-in", *key)
    if not accounts.password_matches(instructor, password):
        return None
    for key in keys:
        throttle.refund("sign-in", *key)
    return instructor


def remember_browser(response, instructor: Instructor):
    """Mark this browser as known to the account it has just signed in to."""
    mark = {"account": instructor.id, "password": _fingerprint(instructor)}
    response.set_cookie(
        KNOWN_COOKIE,
        _serializer().dumps(mark | {"browser": secrets.token_urlsafe(16)}),
        max_age=KNOWN_LIFETIME,
        path=url_for("instructor.login"),
        httponly=True,
        samesite="Strict",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def _known_browser(instructor: Instructor | None) -> str | None:
    """This browser's id, if its cookie is for this account and its current password."""
    cookie = request.cookies.get(KNOWN_COOKIE)
    if instructor is None or not cookie:
        return None
    try:
        known = _serializer().loads(cookie, max_age=KNOWN_LIFETIME)
    except BadSignature:
        return None
    mark = {"account": instructor.id, "password": _fingerprint(instructor)}
    matches = all(known.get(name) == value for name, value in mark.items())
    return str(known["browser"]) if matches else None


def _fingerprint(instructor: Instructor) -> str:
    return hashlib.sha256(instructor.password_hash.encode()).hexdigest()[:16]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="quizapp known browser")
