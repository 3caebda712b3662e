"""The LTI tool under gunicorn, in production settings, with a fake Moodle on loopback that
checks what it is sent against the specs: a teacher adds a quiz by deep linking, a learner
launches it and finishes it, `flask lti send-scores` posts the score, and the teacher's launch
opens the gradebook with the platform's roster."""

import re
import subprocess
import sys
from urllib.parse import urlencode, urlsplit

import requests

from bench.client import Browser, Learner
from bench.server import REPO

from ..lti.lms import INSTRUCTOR, FakeLMS, User
from .conftest import database_url


def flask(server, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp", *args],
        env=server.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def launch(browser: Browser, lms: FakeLMS, **params) -> str:
    """The whole launch over HTTP; returns where the tool sends the browser."""
    login = browser.get("/lti/login?" + urlencode(lms.login_params(**params)))
    assert login.status == 302, login.body[:300]
    redirect_uri, form = lms.authorize(login.location)
    assert urlsplit(redirect_uri).path == "/lti/launch"
    arrived = browser.request("POST", "/lti/launch", form)
    assert arrived.status in (302, 303), arrived.body[:500]
    return urlsplit(arrived.location).path + (
        "?" + urlsplit(arrived.location).query if urlsplit(arrived.location).query else ""
    )


def test_a_course_adds_a_quiz_a_learner_takes_it_and_the_score_reaches_the_lms(servers, tmp_path):
    server = servers(database_url("sqlite", tmp_path))
    with FakeLMS(server.url) as lms:
        flask(
            server, "lti", "add-platform", "--issuer", lms.issuer, "--client-id", lms.client_id,
            "--deployment-id", lms.deployment_id, "--auth-login-url", lms.auth_url,
            "--token-url", lms.token_url, "--jwks-url", lms.jwks_url,
        )  # fmt: skip
        teacher = Browser(server.url)
        picker = launch(teacher, lms, user=User("t-1", "Tess Teacher"), roles=(INSTRUCTOR,),
                        message_type="LtiDeepLinkingRequest")  # fmt: skip
        assert teacher.get(picker).status == 200
        answer = teacher.post(picker, {"quiz": "load-test", "policy": "best", "title": ""})
        token = re.search(r'name="JWT" value="([^"]+)"', answer.body).group(1)
        assert requests.post(lms.deep_link_return_url, data={"JWT": token}, timeout=10).ok
        item = lms.deep_link_items[-1]
        custom = item["custom"]

        waiting = User("l-2", "Wes Waiting")
        lms.enrol(waiting)
        learner = Browser(server.url)
        start = launch(learner, lms, user=User("l-1", "Lee Learner"), custom=custom,
                       resource_link_id="quiz-link")  # fmt: skip
        assert start.startswith("/quizzes/load-test")
        taking = Learner(learner, bank="load-test")
        taking.start()
        taking.finish()

        sent = flask(server, "lti", "send-scores")
        assert "scores: 1 sent, 0 failed" in sent, sent
        assert len(lms.scores) == 1
        payload = lms.scores[0]["payload"]
        assert payload["userId"] == "l-1"
        assert payload["scoreMaximum"] == 100
        assert payload["activityProgress"] == "Completed"
        assert payload["gradingProgress"] == "FullyGraded"
        assert "scores: 0 sent" in flask(server, "lti", "send-scores")  # never twice
        assert len(lms.scores) == 1

        gradebook = launch(teacher, lms, user=User("t-1", "Tess Teacher"), roles=(INSTRUCTOR,),
                           custom=custom, resource_link_id="quiz-link")  # fmt: skip
        page = teacher.get(gradebook)
        assert page.status == 200
        assert "Lee Learner" in page.body
        assert "Wes Waiting" in page.body  # on the LMS roster, not started yet
