"""Scores go back to the LMS: written with the attempt that finishes, sent once, retried while
the platform is down, and shown to the course's teachers when the platform refuses one."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from quizapp import db
from quizapp.db import as_utc
from quizapp.lti import cli, outbox, scores
from quizapp.lti.models import AccessToken, Link, Score
from quizapp.lti.models import User as LtiUser
from quizapp.models import Attempt, AttemptItem, Classroom, utcnow
from quizapp.quiz import attempts

from .conftest import register_second_client, text
from .lms import User, parse_timestamp

ANN = User("ann-1", "Ann Learner")
BOB = User("bob-2", "Bob Learner")
KEY = {
    "sky-is-green": "myth",
    "grass-is-green": "fact",
    "detail-matters": "myth",
    "water-is-wet": "fact",
    "deferred-one": "fact",
    "deferred-two": "myth",
    "deferred-three": "fact",
    "deferred-four": "myth",
}
UNPROCESSABLE = "User not found in course or is not a student"


def take(frame, app, answers="RRRR", *, user=ANN, quiz="sample-quiz", sure=None, submit=True,
         **launch):  # fmt: skip
    """A learner opens the quiz from the course and answers statement by statement: R right,
    W wrong, `sure` the certainty of each (certainty-based quizzes). Returns the attempt id."""
    custom = {"quiz": quiz, **launch.pop("custom", {})}
    opened = frame.launch_as(user, custom=custom, **launch)
    assert opened.status_code == 302, text(opened)[:300]
    begun = frame.client.post(opened.location, data={"display_name": ""})
    assert begun.status_code == 302
    attempt_id = begun.location.rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        items = db.session().scalars(
            select(AttemptItem)
            .where(AttemptItem.attempt_id == attempt_id)
            .order_by(AttemptItem.position)
        )
        items = [(i.position, i.question_id) for i in items]
    for (number, question), verdict in zip(items, answers, strict=True):
        right = KEY[question]
        data = {"answer": right if verdict == "R" else {"myth": "fact", "fact": "myth"}[right]}
        if sure:
            data["certainty"] = sure[number - 1]
        assert frame.client.post(f"/attempts/{attempt_id}/{number}", data=data).status_code == 302
    if quiz == "deferred-quiz" and submit:
        assert frame.client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    return attempt_id


def outbox_rows(app) -> list[Score]:
    with app.app_context():
        return list(db.session().scalars(select(Score).order_by(Score.id)))


def send(app, now=None):
    with app.app_context():
        return scores.send_due(db.session(), now=now)


def finished_at(app, attempt_id):
    """When the attempt finished, to the millisecond, as scores are stamped."""
    with app.app_context():
        finished = as_utc(db.session().get(Attempt, attempt_id).finished_at)
    return finished.replace(microsecond=finished.microsecond // 1000 * 1000)


def test_a_finished_attempt_is_one_score_and_reaches_the_lms_once(frame, tool, lms):
    attempt_id = take(frame, tool, "RRRW")
    (row,) = outbox_rows(tool)
    assert (row.attempt_id, row.score_given, row.score_maximum) == (attempt_id, 75, 100)
    assert row.sent_at is None and lms.scores == []  # nothing went out during the request

    assert send(tool).sent == 1
    (received,) = lms.scores
    with tool.app_context():
        assert received["lineitem"] == db.session().scalars(select(Link.lineitem_url)).one()
    payload = received["payload"]
    assert parse_timestamp(payload.pop("timestamp")) == finished_at(tool, attempt_id)
    assert payload == {
        "userId": "ann-1",
        "scoreGiven": 75,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    assert outbox_rows(tool)[0].sent_at is not None
    assert send(tool).sent == 0
    assert len(lms.scores) == 1


def test_a_finish_that_is_not_committed_leaves_no_score(frame, tool, monkeypatch):
    """The server dies as it commits the submission: neither the finish nor its score is kept,
    and submitting again finishes the attempt with one score."""
    attempt_id = take(frame, tool, "RRRR", quiz="deferred-quiz", sure="3333", submit=False)

    class Died(Exception):
        pass

    with tool.app_context():
        session = db.session()
        record = attempts.load(attempt_id, {"deferred-quiz": _bank(tool)})[0]
        commits = []
        real_commit = session.commit

        def commit():
            commits.append(1)
            if len(commits) == 2:  # the first ends the reads before the write (begin_write)
                raise Died
            real_commit()

        monkeypatch.setattr(session, "commit", commit)
        with pytest.raises(Died):
            attempts.submit(session, record)
        session.rollback()
    assert outbox_rows(tool) == []
    with tool.app_context():
        assert db.session().get(Attempt, attempt_id).finished_at is None

    assert frame.client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    assert [r.attempt_id for r in outbox_rows(tool)] == [attempt_id]


def _bank(app):
    from quizapp import catalog

    with app.test_request_context():
        return catalog.library().banks["deferred-quiz"]


def test_submitting_twice_makes_one_score(frame, tool):
    attempt_id = take(frame, tool, "RRRR", quiz="deferred-quiz", sure="3333")
    assert frame.client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    with tool.app_context():
        outbox.enqueue(db.session(), attempt_id)  # even if it were enqueued again
        db.session().commit()
    assert len(outbox_rows(tool)) == 1


def test_the_platform_down_then_up_gets_the_score_once(frame, tool, lms):
    take(frame, tool)
    lms.down = True
    now = utcnow()
    summary = send(tool, now)
    assert (summary.sent, summary.failed) == (0, 1)
    (row,) = outbox_rows(tool)
    assert row.tries == 1 and "503" in row.last_error
    assert as_utc(row.next_try_at) == now + timedelta(minutes=1)

    lms.down = False
    assert send(tool, now + timedelta(seconds=30)).sent == 0  # not due yet
    assert send(tool, now + timedelta(minutes=1)).sent == 1
    assert len(lms.scores) == 1
    assert outbox_rows(tool)[0].last_error is None


def test_failures_wait_longer_each_time_up_to_a_day(frame, tool, lms):
    take(frame, tool)
    lms.down = True
    now, waits = utcnow(), []
    for _ in range(13):
        send(tool, now)
        (row,) = outbox_rows(tool)
        waits.append(as_utc(row.next_try_at) - now)
        now = as_utc(row.next_try_at)
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(days=1)


def test_a_score_the_platform_refuses_is_shown_on_the_gradebook_and_sent_again(frame, tool, lms):
    lms.reject_scores_for.add("ann-1")
    take(frame, tool, "RRWW")
    now = utcnow()
    assert send(tool, now).failed == 1
    (row,) = outbox_rows(tool)
    assert "422" in row.last_error and UNPROCESSABLE in row.last_error
    # the platform said no: asking again every minute would not change its mind
    assert as_utc(row.next_try_at) == now + timedelta(hours=1)

    gradebook = frame.teacher(custom={"quiz": "sample-quiz"})
    assert gradebook.location.endswith("/gradebook")
    page = text(frame.client.get(gradebook.location))
    assert "Grades sent to the LMS" in page
    assert "Ann Learner" in page and UNPROCESSABLE in page and "422" in page

    lms.reject_scores_for.clear()  # the teacher enrols Ann properly in the LMS course
    again = frame.client.post(gradebook.location.replace("/gradebook", "/lms/resend"))
    assert again.status_code == 303
    assert "sent again" in text(frame.client.get(again.location))
    assert send(tool).sent == 1
    assert [s["payload"]["scoreGiven"] for s in lms.scores] == [50]
    assert UNPROCESSABLE not in text(frame.client.get(gradebook.location))


def test_a_score_written_before_the_server_died_is_sent_by_the_next_pass(frame, tool, lms,
                                                                         make_app):  # fmt: skip
    """The process is killed after the commit and before any post: the row is in the database,
    so the next `flask lti send-scores`, from a fresh process, sends it."""
    take(frame, tool)
    restarted = make_app()
    result = restarted.test_cli_runner().invoke(args=["lti", "send-scores"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(lms.scores) == 1
    again = restarted.test_cli_runner().invoke(args=["lti", "send-scores"])
    assert "0 sent" in again.output and len(lms.scores) == 1


def test_two_workers_at_once_never_post_the_same_score(frame, tool, lms):
    """Both also fetch an access token at once: the cache takes both without a conflict."""
    for n in range(4):
        take(frame, tool, user=User(f"l-{n}", f"Learner {n}"))
    start = threading.Barrier(2)
    summaries = []

    def worker():
        with tool.app_context():
            start.wait()
            summaries.append(scores.send_due(db.session(), limit=3))

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(s.sent for s in summaries) == 4
    posted = sorted(s["payload"]["userId"] for s in lms.scores)
    assert posted == [f"l-{n}" for n in range(4)]


def test_scores_claimed_by_a_worker_that_died_are_sent_after_its_lease(frame, tool, lms):
    take(frame, tool)
    now = utcnow()
    with tool.app_context():
        assert len(scores._claim(db.session(), now, scores.BATCH)) == 1  # and then it died
    assert send(tool, now).sent == 0
    assert send(tool, now + scores.LEASE).sent == 1
    assert len(lms.scores) == 1


def test_send_scores_keeps_going_with_loop(frame, tool, lms, monkeypatch):
    take(frame, tool)
    naps = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise Stop

    monkeypatch.setattr(cli.time, "sleep", sleep)
    result = tool.test_cli_runner().invoke(args=["lti", "send-scores", "--loop", "60"])
    assert isinstance(result.exception, Stop)
    assert naps == [60, 60]
    assert result.output.count("scores:") == 2 and "1 sent" in result.output
    assert len(lms.scores) == 1


def test_a_score_that_could_not_be_sent_is_replaced_by_a_later_one(frame, tool, lms):
    """The platform would ignore (Moodle) or refuse (Canvas) an older timestamp after a newer
    one, so only the latest of a learner's unsent scores for a link is kept."""
    take(frame, tool, "RWWW")
    lms.down = True
    send(tool)
    lms.down = False
    latest = take(frame, tool, "RRRR")
    (row,) = outbox_rows(tool)
    assert row.attempt_id == latest and row.tries == 0
    assert send(tool).sent == 1
    (received,) = lms.scores
    assert parse_timestamp(received["payload"]["timestamp"]) == finished_at(tool, latest)


def test_sends_reuse_one_access_token(frame, tool, lms):
    take(frame, tool, user=ANN)
    send(tool)
    take(frame, tool, user=BOB)
    send(tool)
    assert len(lms.scores) == 2
    assert [r["status"] for r in lms.token_requests] == [200]


def test_an_expired_token_is_replaced_once(frame, tool, lms):
    take(frame, tool, user=ANN)
    send(tool)
    lms.expire_tokens()  # the platform forgets it before its expiry time
    take(frame, tool, user=BOB)
    assert send(tool).sent == 1
    assert len(lms.scores) == 2
    assert [r["status"] for r in lms.token_requests] == [200, 200]


def test_two_client_ids_of_one_issuer_get_tokens_of_their_own(app, lms, frame):
    """The library keyed its token cache by issuer and scopes: the second registration would
    have sent the first one's token, which the platform refuses for the other's line item."""
    second = register_second_client(app, lms)
    take(frame, app, user=ANN)
    send(app)
    take(frame, app, user=BOB, client_id=second.client_id, context={"id": "c-2", "title": "Two"})
    assert send(app).sent == 1
    assert {s["payload"]["userId"] for s in lms.scores} == {"ann-1", "bob-2"}
    granted = [r["client_id"] for r in lms.token_requests if r["status"] == 200]
    assert sorted(granted) == sorted([lms.client_id, second.client_id])
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(AccessToken)) == 2


@pytest.mark.parametrize(
    ("policy", "received"),
    [("best", [50, 100, 100]), ("latest", [50, 100, 75]), ("first", [50, 50, 50])],
)
def test_the_links_policy_chooses_the_score(frame, tool, lms, policy, received):
    for answers in ("RRWW", "RRRR", "RRRW"):
        take(frame, tool, answers, custom={"policy": policy})
        send(tool)
    assert [s["payload"]["scoreGiven"] for s in lms.scores] == received


def test_a_retry_of_missed_statements_reports_nothing(frame, tool):
    attempt_id = take(frame, tool, "RRWW")
    retried = frame.client.post(f"/attempts/{attempt_id}/retry")
    assert retried.status_code == 302
    retry_id = retried.location.rstrip("/").rsplit("/", 1)[-1]
    with tool.app_context():
        items = db.session().scalars(select(AttemptItem).where(AttemptItem.attempt_id == retry_id))
        missed = {i.position: i.question_id for i in items}
    for number, question in missed.items():
        frame.client.post(f"/attempts/{retry_id}/{number}", data={"answer": KEY[question]})
    with tool.app_context():
        assert db.session().get(Attempt, retry_id).finished_at is not None
    assert [r.attempt_id for r in outbox_rows(tool)] == [attempt_id]


@pytest.mark.parametrize(
    ("answers", "sure", "percent"),
    [
        ("RRRR", "3333", 100),  # 12 of 12
        ("RRWW", "3311", 50),  # 3 + 3 + 0 + 0 = 6 of 12
        ("RRRR", "1111", 33.33),  # right but unsure: 4 of 12
        ("RRRW", "3333", 25),  # 9 - 6 = 3 of 12
        ("WWWW", "3333", 0),  # -24, and an LMS takes no negative score
    ],
)
def test_certainty_based_scores_are_scaled_to_a_percentage(frame, tool, answers, sure, percent):
    take(frame, tool, answers, quiz="deferred-quiz", sure=sure)
    assert outbox_rows(tool)[0].score_given == percent


@pytest.mark.parametrize(
    ("marks", "statements", "percent"),
    [([3, 3, 3, 3], 4, 100), ([1, 0, -2], 3, 0), ([2, -2, 3], 3, 100 / 3), ([], 0, 0)],
)
def test_cbm_percent(marks, statements, percent):
    assert outbox.cbm_percent(marks, statements) == pytest.approx(percent)


def test_attempts_outside_an_lms_course_cost_one_lookup_and_send_nothing(app, learner):
    url = learner.start()
    attempt_id = url.split("/")[-2]
    for number in range(1, 5):
        learner.answer(url.rsplit("/", 1)[0] + f"/{number}", "myth")
    with app.app_context():
        assert db.session().get(Attempt, attempt_id).finished_at is not None
        statements = []
        engine = db.engine()

        def count(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert outbox.enqueue(db.session(), attempt_id) == 0
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert db.session().scalar(select(func.count()).select_from(Score)) == 0


def test_a_link_without_a_gradebook_column_sends_nothing(frame, tool):
    take(frame, tool, lineitem=False)
    assert outbox_rows(tool) == []


def test_resend_from_the_command_line(frame, tool, lms):
    lms.reject_scores_for.add("ann-1")
    take(frame, tool)
    send(tool)
    (row,) = outbox_rows(tool)
    lms.reject_scores_for.clear()
    runner = tool.test_cli_runner()
    listed = runner.invoke(args=["lti", "scores"]).output  # where the admin finds the id
    assert listed.startswith(f"{row.id}  ") and "tries 1" in listed
    assert "User not found in course or is not a student" in listed
    assert "0 sent" in runner.invoke(args=["lti", "send-scores"]).output  # due in an hour
    by_id = runner.invoke(args=["lti", "resend", str(row.id)])
    assert by_id.exit_code == 0 and "1 score" in by_id.output
    assert "1 sent" in runner.invoke(args=["lti", "send-scores"]).output
    assert "every score has been accepted" in runner.invoke(args=["lti", "scores"]).output
    nothing = runner.invoke(args=["lti", "resend", "--all-failed"])
    assert "0 scores" in nothing.output
    assert runner.invoke(args=["lti", "resend"]).exit_code != 0  # which ones?


def test_the_scores_of_a_course_are_shown_only_to_its_teachers(frame, tool, lms, teacher):
    lms.reject_scores_for.add("ann-1")
    take(frame, tool)
    send(tool)
    with tool.app_context():
        classroom_id = db.session().scalars(select(Classroom.id)).one()
        assert db.session().scalars(select(LtiUser.sub)).all() == ["ann-1"]
    assert teacher.get(f"/instructor/classes/{classroom_id}/gradebook").status_code == 404
    assert teacher.post(f"/instructor/classes/{classroom_id}/lms/resend").status_code == 404
