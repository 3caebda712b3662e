"""Who the learner is: a learner row, found from this browser's learner cookie.

The cookie holds a random device token (the database keeps only its SHA-256) and the day it
was last issued. It is its own cookie, apart from the Flask session, so that nothing a learner
page does changes a signed-in instructor's session. It lasts a year and is issued again, at most
once a day, whenever the learner comes back: a learner who keeps visiting keeps their work.
Over HTTPS it is a `__Host-` cookie, which no other site, not even a sibling subdomain, can set.

A learner who makes a way-back code can type it on another device, which then carries the same
learner: attempts, progress and classes follow. Work is never merged between learners: a device
that carries work of its own must be switched over on purpose, and its work stays with its own
learner (so a code someone else made can never take a learner's work away).
"""

import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app, g, request, session
from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import begin_write, read
from ..models import Attempt, Learner, LearnerDevice, Member
from ..security import digest
from .membership import CODE_ALPHABET, normalise_code

LIFETIME = 365 * 86400  # seconds: a year without a visit, and the cookie is gone
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
LMS_LEARNER = "lms_learner"  # the session's learner after an LTI launch (quizapp.lti.views)
WAY_BACK_LENGTH = 15  # symbols of the join codes' 31: 74 bits, read aloud in three groups
_LEARNER_OF_DEVICE = select(LearnerDevice.learner_id).where(
    LearnerDevice.token_hash == bindparam("token_hash")
)


@dataclass(frozen=True)
class Device:
    token: str
    token_hash: str
    issue: bool  # send the cookie with this response: new, or due for renewal


def cookie_name() -> str:
    secure = current_app._get_current_object().config.get("SESSION_COOKIE_SECURE", False)
    return "__Host-quizapp_learner" if secure else "quizapp_learner"


def recognise() -> None:
    """Read this browser's device token at the start of every request (set unconditionally:
    a test client may keep another request's app context, and with it `g`)."""
    globals_ = g._get_current_object()  # see security.PROXIES
    cookies = request._get_current_object().cookies
    token, _, issued = cookies.get(cookie_name(), "").partition(".")
    if not _TOKEN.fullmatch(token):
        # made on the first visit; nothing is stored until it is needed
        token = _legacy_token() or secrets.token_urlsafe(32)
        issued = ""
    from_lms = lms_learner()
    globals_.quizapp_device = Device(
        token, digest(token), issue=from_lms is None and issued != str(_today())
    )
    globals_.pop("quizapp_learner", None)
    if from_lms is not None:
        globals_.quizapp_learner = from_lms


def lms_learner() -> int | None:
    """The learner an LTI launch signed in, if any."""
    found = session._get_current_object().get(LMS_LEARNER)  # see security.PROXIES
    return found if isinstance(found, int) else None


def from_lms() -> bool:
    """Whether the learner came from an LMS (an LTI launch): their work stays with that LMS
    identity, so no way-back code is made for it and no device joins it."""
    return lms_learner() is not None


def device() -> Device:
    """This browser's device token."""
    return g._get_current_object().quizapp_device  # see security.PROXIES


def _today() -> int:
    return int(time.time() // 86400)


def _legacy_token() -> str | None:
    """A token kept in the (signed) session cookie before learners had their own cookie: it
    is adopted, so that nobody loses the attempts made before."""
    if "browser" not in session:  # a pop would mark the session changed, and re-send it
        return None
    token = session.pop("browser")
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def learner_id(db: Session) -> int | None:
    """This browser's learner, or None if it has not started or joined anything yet."""
    if "quizapp_learner" not in g:
        rows = read(_LEARNER_OF_DEVICE, token_hash=device().token_hash)
        g.quizapp_learner = rows[0][0] if rows else None
    return g.quizapp_learner


def ensure_learner(db: Session) -> int:
    """This browser's learner, made now if it has none."""
    found = learner_id(db)
    if found is not None:
        return found
    begin_write(db)
    learner = Learner()
    db.add(learner)
    db.flush()
    db.add(LearnerDevice(token_hash=device().token_hash, learner_id=learner.id))
    try:
        db.commit()
    except IntegrityError:  # the same new browser's other request (a double click) won
        db.rollback()
        g.pop("quizapp_learner")
        return learner_id(db)
    g.quizapp_learner = learner.id
    return learner.id


def has_work(db: Session, learner: int) -> bool:
    """Whether the learner has started an attempt or joined a class."""
    return bool(
        db.scalar(
            select(
                exists().where(Attempt.learner_id == learner)
                | exists().where(Member.learner_id == learner)
            )
        )
    )


def has_way_back(db: Session, learner: int) -> bool:
    return db.scalar(select(Learner.way_back_hash).where(Learner.id == learner)) is not None


def new_way_back(db: Session, learner: int) -> str:
    """A new way-back code for the learner. The code before stops working, and every other
    device the learner was carried to is signed out: a leaked code can be taken back."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(WAY_BACK_LENGTH))
    connection = begin_write(db)
    connection.execute(
        update(Learner).where(Learner.id == learner).values(way_back_hash=digest(code))
    )
    connection.execute(
        delete(LearnerDevice).where(
            LearnerDevice.learner_id == learner,
            LearnerDevice.token_hash != device().token_hash,
        )
    )
    db.commit()
    return "-".join(code[i : i + 5] for i in range(0, WAY_BACK_LENGTH, 5))


def find_by_way_back(db: Session, code: str) -> int | None:
    code = normalise_code(code)
    if len(code) != WAY_BACK_LENGTH:
        return None
    return db.scalar(select(Learner.id).where(Learner.way_back_hash == digest(code)))


def carry_on_as(db: Session, target: int) -> None:
    """Make this browser a device of `target`, under a new token.

    The browser's previous token is retired; the learner it carried keeps all of its work
    (and its other devices), untouched.
    """
    fresh = secrets.token_urlsafe(32)
    begin_write(db).execute(
        delete(LearnerDevice).where(LearnerDevice.token_hash == device().token_hash)
    )
    db.add(LearnerDevice(token_hash=digest(fresh), learner_id=target))
    db.commit()
    g.quizapp_device = Device(fresh, digest(fresh), issue=True)
    g.quizapp_learner = target


def issue_cookie(response):
    """Send the learner cookie when it is new or due for renewal (at most once a day)."""
    # none when the request was refused before it was read; see security.PROXIES
    found = g._get_current_object().get("quizapp_device")
    if found is not None and found.issue:
        response.set_cookie(
            cookie_name(),
            f"{found.token}.{_today()}",
            max_age=LIFETIME,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response
