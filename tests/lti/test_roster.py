"""The course's member list from the LMS (NRPS): the gradebook shows who has not opened a quiz
yet, read by the score sender or at a teacher's request, never while the page loads."""

import re
from datetime import timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.lti import roster
from quizapp.lti.models import Context
from quizapp.models import utcnow

from .conftest import text
from .lms import User

QUIZ = {"quiz": "sample-quiz"}
NOT_OPENED = "in the LMS course, has not opened a quiz yet"


def words(response) -> str:
    """The page's text as a person reads it, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def membership_requests(lms) -> int:
    return sum(1 for r in lms.requests if r["path"].endswith("/memberships"))


def test_members_who_have_not_started_appear_on_the_gradebook(frame, tool, lms):
    lms.enrol(User("bob-2", "Bob Absent"))
    lms.enrol(User("cy-3", "Cy Absent", email="cy@example.edu"))
    frame.launch_as(User("ann-1", "Ann Learner"), custom=QUIZ)  # she opens the quiz
    gradebook = frame.teacher(custom=QUIZ).location

    asked = len(lms.requests)
    page = words(frame.client.get(gradebook))
    assert len(lms.requests) == asked  # the page asked the LMS nothing
    assert "The member list has not been read" in page and "Bob Absent" not in page

    passed = tool.test_cli_runner().invoke(args=["lti", "send-scores"])
    assert "member lists: 1 read, 0 failed" in passed.output

    page = words(frame.client.get(gradebook))
    assert f"Bob Absent · {NOT_OPENED}" in page
    assert f"Cy Absent · {NOT_OPENED}" in page
    assert "2 learners in the course have not opened a quiz yet" in page
    assert "Ann Learner" in page and f"Ann Learner · {NOT_OPENED}" not in page
    assert f"Tess Teacher · {NOT_OPENED}" not in page  # teachers are not learners


def test_the_list_is_read_page_by_page(frame, tool, lms):
    for n in range(5):
        lms.enrol(User(f"l-{n}", f"Learner {n}"))
    frame.teacher(custom=QUIZ)
    with tool.app_context():
        found = db.session().scalars(select(Context)).one()
        assert roster.refresh(db.session(), found, page_size=2) == 6  # and the teacher
    with tool.app_context():
        stored = db.session().scalars(select(Context)).one()
        assert {m["user_id"] for m in stored.roster} >= {f"l-{n}" for n in range(5)}
        assert stored.roster_read_at is not None
    assert membership_requests(lms) == 3


def test_a_teacher_reads_the_list_again_and_sees_why_it_failed(frame, lms):
    lms.enrol(User("bob-2", "Bob Absent"))
    gradebook = frame.teacher(custom=QUIZ).location
    refresh = gradebook.replace("/gradebook", "/lms/roster")

    lms.down = True
    failed = frame.client.post(refresh)
    assert failed.status_code == 303
    page = words(frame.client.get(failed.location))
    assert "The member list could not be read" in page and "503" in page
    assert "The last reading failed" in page

    lms.down = False
    read = frame.client.post(refresh)
    page = words(frame.client.get(read.location))
    assert "The member list was read: 2 in the course" in page
    assert f"Bob Absent · {NOT_OPENED}" in page
    assert "The last reading failed" not in page


def test_a_pass_reads_a_list_again_only_when_it_is_older_than_ten_minutes(frame, tool, lms):
    frame.teacher(custom=QUIZ)
    now = utcnow()
    with tool.app_context():
        assert roster.refresh_stale(db.session(), now) == (1, 0)
        assert roster.refresh_stale(db.session(), now + timedelta(minutes=1)) == (0, 0)
        assert roster.refresh_stale(db.session(), now + timedelta(minutes=11)) == (1, 0)
    assert membership_requests(lms) == 2


def test_a_platform_that_is_down_is_asked_once_per_pass(frame, tool, lms):
    frame.teacher(custom=QUIZ, context={"id": "c-1", "title": "One"})
    frame.teacher(custom=QUIZ, context={"id": "c-2", "title": "Two"})
    lms.down = True
    with tool.app_context():
        assert roster.refresh_stale(db.session()) == (0, 1)
    assert membership_requests(lms) == 0  # the token request failed first
    assert sum(1 for r in lms.requests if r["path"].endswith("/token.php")) == 1


def test_a_class_outside_an_lms_has_no_lms_sections(teacher):
    made = teacher.post("/instructor/classes/new", data={"name": "Own", "quizzes": QUIZ["quiz"]})
    page = made.location
    gradebook = teacher.get(page + "/gradebook")
    assert gradebook.status_code == 200
    assert "Grades sent to the LMS" not in text(gradebook)
    assert teacher.post(page + "/lms/roster").status_code == 404
    assert teacher.post(page + "/lms/resend").status_code == 404
