"""An LMS course's members as its platform lists them (NRPS), so that the gradebook can show
who has not opened the quiz yet.

The list is read by every `flask lti send-scores` pass, for a few courses whose list is older
than `MAX_AGE`, and when a teacher presses "Read the member list again" on the gradebook; never
while a learner waits, and never by the gradebook's GET, which shows the list as last read
and when.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.utils import add_param_to_url
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import as_utc, begin_write
from ..models import Classroom, Member, utcnow
from . import tool
from .launches import is_staff
from .models import Context, Platform, User

MAX_AGE = timedelta(minutes=10)  # an older list is read again by the next pass
PAGE_SIZE = 100  # members per NRPS page
PER_PASS = 10  # courses read per pass at most, so that a pass stays short


class RosterError(Exception):
    """The member list could not be read; the message says what the platform answered."""


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None
    email: str | None
    roles: list[str]
    status: str

    @property
    def label(self) -> str:
        return self.name or self.email or f"LMS user {self.user_id}"


@dataclass(frozen=True)
class Roster:
    """What the gradebook says of its course's member list."""

    platform: str
    offered: bool  # the platform offers its member list to the tool
    read_at: datetime | None
    error: str | None  # the last reading's failure, if it failed
    not_started: list[Person]  # learners on the list who have not opened a quiz here


def refresh(db: Session, context: Context, page_size: int = PAGE_SIZE) -> int:
    """Read the course's member list, every page, and keep it; returns how many members."""
    if not context.memberships_url:
        raise RosterError("The LMS does not offer this course's member list to the tool.")
    platform = db.get(Platform, context.platform_id)
    url = add_param_to_url(context.memberships_url, "limit", page_size)
    service = NamesRolesProvisioningService(
        tool.connector(db, platform), {"context_memberships_url": url}
    )
    try:
        members = service.get_members()
    except LtiServiceException as e:
        error = tool.answered(e.response)
    except requests.RequestException as e:
        error = tool.unreachable(e)
    except (LtiException, ValueError, AttributeError) as e:  # not a membership container
        error = f"The LMS sent something that is not a member list: {e}"
    else:
        error = None
    now = utcnow()
    begin_write(db)
    context.roster_tried_at = now
    context.roster_error = error
    if error is None:
        context.roster = [_entry(m) for m in members if isinstance(m, dict) and m.get("user_id")]
        context.roster_read_at = now
    db.commit()
    if error is not None:
        raise RosterError(error)
    return len(context.roster)


def _entry(member: dict) -> dict:
    given = " ".join(str(member[k]) for k in ("given_name", "family_name") if member.get(k))
    return {
        "user_id": str(member["user_id"]),
        "name": str(member.get("name") or given)[:120] or None,
        "email": str(member["email"])[:254] if member.get("email") else None,
        "roles": [str(r) for r in member.get("roles", []) if isinstance(r, str)],
        "status": str(member.get("status") or "Active"),  # NRPS: Active when left out
    }


def refresh_stale(
    db: Session, now: datetime | None = None, limit: int = PER_PASS
) -> tuple[int, int]:
    """Read the lists older than MAX_AGE (never read first) of courses not archived; a
    platform that fails is not asked again in the same pass. Returns (read, failed)."""
    now = now or utcnow()
    query = (
        select(Context)
        .join(Classroom, Classroom.id == Context.classroom_id)
        .where(
            Context.memberships_url.is_not(None),
            Classroom.archived.is_(False),
            (Context.roster_tried_at.is_(None)) | (Context.roster_tried_at <= now - MAX_AGE),
        )
        .order_by(Context.roster_tried_at.asc().nulls_first(), Context.id)
        .limit(limit)
    )
    contexts = list(db.scalars(query))
    db.commit()
    read, failed, down = 0, 0, set()
    for context in contexts:
        if context.platform_id in down:
            continue
        try:
            refresh(db, context)
            read += 1
        except RosterError:
            failed += 1
            down.add(context.platform_id)
    return read, failed


def context_of(db: Session, classroom: Classroom) -> Context | None:
    """The LMS course a class is, if it is one."""
    return db.scalars(select(Context).where(Context.classroom_id == classroom.id)).first()


def for_class(db: Session, classroom: Classroom) -> Roster | None:
    """The course's member list as last read, for the class's gradebook; None for a class
    that is not an LMS course."""
    context = context_of(db, classroom)
    if context is None:
        return None
    platform = db.get(Platform, context.platform_id)
    opened = set(
        db.scalars(
            select(User.sub)
            .join(Member, Member.learner_id == User.learner_id)
            .where(User.platform_id == context.platform_id, Member.classroom_id == classroom.id)
        )
    )
    people = [
        Person(e["user_id"], e.get("name"), e.get("email"), e.get("roles", []), e["status"])
        for e in context.roster or []
    ]
    not_started = [
        p
        for p in people
        if p.status == "Active" and not is_staff(p.roles) and p.user_id not in opened
    ]
    return Roster(
        platform=platform.name,
        offered=bool(context.memberships_url),
        read_at=as_utc(context.roster_read_at),
        error=context.roster_error,
        not_started=sorted(not_started, key=lambda p: p.label.lower()),
    )
