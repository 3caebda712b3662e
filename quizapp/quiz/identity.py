"""Who the learner is: a learner row, found from this browser's learner cookie.

The cookie holds a random device token (the database keeps only its SHA-256) and the day it
was last issued. It is its own cookie, apart from the Flask session, so that nothing a learner
page does changes a signed-in instructor's session. It lasts a year and is issued again, at most
once a day, whenever the learner comes back: a learner who keeps visiting keeps their work.

A learner who makes a way-back code can open it on another device, which then carries the same
learner: attempts, progress and classes follow.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app, g, request, session
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import Attempt, Learner, LearnerDevice, Member

COOKIE = "quizapp_learner"
LIFETIME = 365 * 86400  # seconds: a year without a visit, and the cookie is gone
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# way-back codes: 15 symbols of 31 (no 0/O, 1/I/L) are 74 bits, read aloud in three groups
WAY_BACK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
WAY_BACK_LENGTH = 15


@dataclass(frozen=True)
class Device:
    token: str
    token_hash: str
    issue: bool  # send the cookie with this response: new, or due for renewal


def recognise() -> None:
    """Read this browser's device token at the start of every request (set unconditionally:
    a test client may keep another request's app context, and with it `g`)."""
    token, _, issued = request.cookies.get(COOKIE, "").partition(".")
    if not _TOKEN.fullmatch(token):
        # made on the first visit; nothing is stored until it is needed
        token = _legacy_token() or secrets.token_urlsafe(32)
        issued = ""
    g.quizapp_device = Device(token, digest(token), issue=issued != str(_today()))
    g.pop("quizapp_learner", None)


def device() -> Device:
    """This browser's device token."""
    return g.quizapp_device


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _today() -> int:
    return int(time.time() // 86400)


def _legacy_token() -> str | None:
    """A token kept in the session cookie before learners had their own cookie: it is adopted,
    so that nobody loses the attempts made before."""
    token = session.get("browser") if "browser" in session else None
    if token is not None:
        session.pop("browser")
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def learner_id(db: Session) -> int | None:
    """This browser's learner, or None if it has not started or joined anything yet."""
    if "quizapp_learner" not in g:
        query = select(LearnerDevice.learner_id).where(
            LearnerDevice.token_hash == device().token_hash
        )
        g.quizapp_learner = db.scalar(query)
    return g.quizapp_learner


def ensure_learner(db: Session) -> int:
    """This browser's learner, made now if it has none."""
    found = learner_id(db)
    if found is None:
        learner = Learner()
        begin_write(db)
        db.add(learner)
        db.flush()
        db.add(LearnerDevice(token_hash=device().token_hash, learner_id=learner.id))
        db.commit()
        found = g.quizapp_learner = learner.id
    return found


def new_way_back(db: Session, learner: int) -> str:
    """A new way-back code for the learner; the one before stops working."""
    code = "".join(secrets.choice(WAY_BACK_ALPHABET) for _ in range(WAY_BACK_LENGTH))
    begin_write(db).execute(
        update(Learner).where(Learner.id == learner).values(way_back_hash=digest(code))
    )
    db.commit()
    return format_way_back(code)


def has_way_back(db: Session, learner: int) -> bool:
    return db.scalar(select(Learner.way_back_hash).where(Learner.id == learner)) is not None


def format_way_back(code: str) -> str:
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


def normalise_way_back(code: str) -> str:
    """What a learner types: any case, with or without dashes or spaces."""
    return re.sub(r"[^A-Za-z0-9]", "", code).upper()


def find_by_way_back(db: Session, code: str) -> int | None:
    code = normalise_way_back(code)
    if len(code) != WAY_BACK_LENGTH:
        return None
    return db.scalar(select(Learner.id).where(Learner.way_back_hash == digest(code)))


def carry_on_as(db: Session, target: int) -> None:
    """Make this browser a device of `target`, with a new token (the old one is retired).

    Whatever the browser's learner had before (attempts, classes, other devices) joins the
    target; a class both were in keeps one membership, the target's.
    """
    previous = learner_id(db)
    fresh = secrets.token_urlsafe(32)
    connection = begin_write(db)
    if previous is not None and previous != target:
        _merge(connection, previous, target)
    connection.execute(delete(LearnerDevice).where(LearnerDevice.token_hash == device().token_hash))
    connection.execute(
        LearnerDevice.__table__.insert().values(token_hash=digest(fresh), learner_id=target)
    )
    db.commit()
    g.quizapp_device = Device(fresh, digest(fresh), issue=True)
    g.quizapp_learner = target


def _merge(connection, source: int, target: int) -> None:
    def classes(learner: int) -> dict[int, int]:
        query = select(Member.classroom_id, Member.id).where(Member.learner_id == learner)
        return dict(connection.execute(query).all())

    kept = classes(target)
    for classroom, duplicate in classes(source).items():
        if classroom in kept:  # in the class twice: one gradebook row, the target's
            connection.execute(
                update(Attempt)
                .where(Attempt.member_id == duplicate)
                .values(member_id=kept[classroom])
            )
            connection.execute(delete(Member).where(Member.id == duplicate))
    for model in (Member, Attempt, LearnerDevice):
        connection.execute(
            update(model).where(model.learner_id == source).values(learner_id=target)
        )
    connection.execute(delete(Learner).where(Learner.id == source))


def issue_cookie(response):
    """Send the learner cookie when it is new or due for renewal (at most once a day)."""
    found = g.get("quizapp_device")  # none when the request was refused before it was read
    if found is not None and found.issue:
        response.set_cookie(
            COOKIE,
            f"{found.token}.{_today()}",
            max_age=LIFETIME,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response
