"""What a checked launch means here: who (a learner, or an instructor of the course), which
class (the LMS course), and which quiz (the resource link)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import begin_write
from ..instructor import classes
from ..models import Classroom, ClassroomQuiz, ClassroomStaff, Instructor, Learner, Member
from .models import Context, Link, Platform, User

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# Context (course) roles that see the course's gradebook: teachers, teaching assistants (a
# sub-role of Instructor), content developers and administrators of *this* course. Institution
# and system roles do not count: a student here may well teach another course.
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
STAFF = ("Instructor", "ContentDeveloper", "Administrator")
POLICIES = ("best", "latest", "first")


def is_staff(roles) -> bool:
    """Whether the roles claim makes this user one of the course's teachers: a membership role
    (or a sub-role of one, such as Instructor#TeachingAssistant), or its deprecated simple name."""
    if not isinstance(roles, list):
        return False
    for role in roles:
        if not isinstance(role, str):
            continue
        if role in STAFF:
            return True
        if role.startswith(MEMBERSHIP):
            rest = role.removeprefix(MEMBERSHIP)  # "#Instructor" or "/Instructor#TeachingAssistant"
            if rest.lstrip("#/").split("#")[0] in STAFF:
                return True
    return False


@dataclass(frozen=True)
class Arrival:
    """Where a launch leads: the user, their class, and the link's quiz (if one is set)."""

    user: User
    staff: bool
    classroom: Classroom | None
    link: Link | None
    member: Member | None


def display_name(claims: dict) -> str | None:
    given = " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    name = claims.get("name") or given
    return str(name)[:80] if name else None


def arrive(db: Session, platform: Platform, claims: dict) -> Arrival:
    """Record the launch's user, course and link (made on their first launch), and return
    where it leads. Names and emails are kept only when the platform sends them."""
    try:
        return _arrive(db, platform, claims)
    except IntegrityError:  # a course's first launch by two people at once: the other won
        db.rollback()
        return _arrive(db, platform, claims)


def _arrive(db: Session, platform: Platform, claims: dict) -> Arrival:
    begin_write(db)
    user = _user(db, platform, claims)
    staff = is_staff(claims.get(CLAIM + "roles", []))
    context = _context(db, platform, claims)
    classroom = db.get(Classroom, context.classroom_id) if context else None
    member = None
    if staff:
        _instructor_for(db, user)
        if classroom is not None:
            db.merge(ClassroomStaff(classroom_id=classroom.id, instructor_id=user.instructor_id))
    else:
        _learner_for(db, user)
        if classroom is not None:
            member = _member(db, classroom, user)
    link = _link(db, context, claims) if context else None
    if link is not None and link.bank_id and classroom is not None:
        _offer(db, classroom, link.bank_id)
    db.commit()
    return Arrival(user, staff, classroom, link, member)


def _user(db: Session, platform: Platform, claims: dict) -> User:
    query = select(User).where(User.platform_id == platform.id, User.sub == claims["sub"])
    user = db.scalars(query).one_or_none()
    if user is None:
        user = User(platform_id=platform.id, sub=claims["sub"])
        db.add(user)
    if display_name(claims):
        user.name = display_name(claims)
    if claims.get("email"):
        user.email = str(claims["email"])[:254]
    db.flush()
    return user


def _learner_for(db: Session, user: User) -> None:
    """The LMS user's own learner: never a cookie learner, never merged with one."""
    if user.learner_id is None:
        learner = Learner()
        db.add(learner)
        db.flush()
        user.learner_id = learner.id


def _instructor_for(db: Session, user: User) -> None:
    """An instructor account with no email and no password: it opens only by a launch."""
    if user.instructor_id is None:
        instructor = Instructor(name=user.name)
        db.add(instructor)
        db.flush()
        user.instructor_id = instructor.id
    elif user.name:
        db.get(Instructor, user.instructor_id).name = user.name


def _context(db: Session, platform: Platform, claims: dict) -> Context | None:
    """The course's class, made on the course's first launch; None for a launch outside any
    course."""
    course = claims.get(CLAIM + "context") or {}
    if not isinstance(course, dict) or not course.get("id"):
        return None
    query = select(Context).where(
        Context.platform_id == platform.id, Context.context_id == str(course["id"])
    )
    found = db.scalars(query).one_or_none()
    title = str(course.get("title") or course.get("label") or f"A course on {platform.name}")
    if found is None:
        classroom = Classroom(
            instructor_id=None,
            name=title[:120],
            join_code=_unused_code(db),
            joining_open=False,  # its learners come from the LMS, not with a code
        )
        db.add(classroom)
        db.flush()
        found = Context(
            platform_id=platform.id, context_id=str(course["id"]), classroom_id=classroom.id
        )
        db.add(found)
    service = claims.get(NRPS) or {}
    if isinstance(service, dict) and isinstance(service.get("context_memberships_url"), str):
        found.memberships_url = service["context_memberships_url"]
    db.flush()
    return found


def _unused_code(db: Session) -> str:
    while True:
        code = classes.new_code()
        if db.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


def _member(db: Session, classroom: Classroom, user: User) -> Member:
    query = select(Member).where(
        Member.classroom_id == classroom.id, Member.learner_id == user.learner_id
    )
    member = db.scalars(query).one_or_none()
    name = user.name or f"Learner {user.sub[-6:]}"
    if member is None:
        member = Member(classroom_id=classroom.id, learner_id=user.learner_id, display_name=name)
        db.add(member)
    elif user.name:
        member.display_name = user.name
    db.flush()
    return member


def _link(db: Session, context: Context, claims: dict) -> Link | None:
    resource = claims.get(CLAIM + "resource_link") or {}
    if not isinstance(resource, dict) or not resource.get("id"):
        return None
    query = select(Link).where(
        Link.context_id == context.id, Link.resource_link_id == str(resource["id"])
    )
    link = db.scalars(query).one_or_none()
    custom = claims.get(CLAIM + "custom")
    custom = custom if isinstance(custom, dict) else {}
    if link is None:
        # the picker's choices come back as custom parameters on the link's first launch;
        # a teacher's later choice here is never undone by them
        policy = custom.get("policy") if custom.get("policy") in POLICIES else "best"
        link = Link(context_id=context.id, resource_link_id=str(resource["id"]), policy=policy)
        db.add(link)
    if link.bank_id is None and isinstance(custom.get("quiz"), str):
        link.bank_id = custom["quiz"][:80]
    if resource.get("title"):
        link.title = str(resource["title"])[:255]
    endpoint = claims.get(AGS) or {}
    if isinstance(endpoint, dict):
        if isinstance(endpoint.get("lineitem"), str):
            link.lineitem_url = endpoint["lineitem"][:1000]
        scopes = endpoint.get("scope")
        if isinstance(scopes, list) and all(isinstance(x, str) for x in scopes):
            link.ags_scopes = scopes
    db.flush()
    return link


def _offer(db: Session, classroom: Classroom, bank_id: str) -> None:
    """The link's quiz joins the class's quizzes, so the gradebook shows it."""
    if bank_id not in classroom.bank_ids:
        db.add(
            ClassroomQuiz(
                classroom_id=classroom.id, bank_id=bank_id, position=len(classroom.quizzes)
            )
        )
        db.flush()
        db.refresh(classroom)


def choose_quiz(db: Session, link: Link, bank_id: str, policy: str) -> None:
    """A teacher sets which quiz a link opens (a link made by hand in the LMS names none)."""
    begin_write(db)
    link.bank_id = bank_id
    link.policy = policy
    classroom = db.get(Classroom, link.context.classroom_id)
    _offer(db, classroom, bank_id)
    db.commit()
