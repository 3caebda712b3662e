"""A learner keeps their work for a whole course: the learner cookie is renewed while they keep
visiting, and a way-back code carries their attempts, progress and classes to another device."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from ..conftest import create_class

WAY_BACK = re.compile(r"\b([A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5})\b")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False)
    return time_machine


def learner_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("quizapp_learner="):
            return header
    return None


def expires_in_days(cookie: str) -> float:
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))
    return max_age / 86400


def make_way_back(client) -> str:
    made = client.post("/progress/way-back")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    return WAY_BACK.search(made.text).group(1)


def test_a_learner_who_keeps_visiting_keeps_their_work_for_a_year(client, learner, clock):
    first = client.get("/")
    assert expires_in_days(learner_cookie(first)) == pytest.approx(365)
    url = learner.start()
    learner.answer(url, "myth")
    for _ in range(20):  # a visit a week for twenty weeks
        clock.shift(timedelta(days=7))
        page = client.get(url)
        assert page.status_code == 200 and "Statement 1 of 4" in page.text
        renewed = learner_cookie(page)
        assert renewed is not None and expires_in_days(renewed) == pytest.approx(365)
    assert learner_cookie(client.get(url)) is None  # renewed at most once a day


def test_the_learner_cookie_is_separate_from_the_session_and_protected(client):
    cookie = learner_cookie(client.get("/"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "session=" not in "".join(client.get("/").headers.getlist("Set-Cookie"))


def test_a_way_back_code_carries_attempts_progress_and_classes_to_another_device(
    app, client, learner, teacher
):
    class_url, code = create_class(teacher)
    assert client.post(f"/join/{code}", data={"display_name": "Ann"}).status_code == 302
    started = client.post("/quizzes/sample-quiz", data={"class_code": code})
    first = client.get(started.location).location
    learner.answer(first, "myth")
    way_back = make_way_back(client)
    assert len(way_back.replace("-", "")) == 15  # 15 symbols of 31: 74 bits

    phone = app.test_client()
    assert phone.get(first).status_code == 404  # not this device's, yet
    form = phone.get(f"/back?code={way_back}")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert way_back not in form.text  # never filled in from a link: it must be typed
    assert 'autocomplete="off"' in form.text
    arrived = phone.post("/back", data={"code": way_back.lower()})
    assert arrived.status_code == 302
    assert phone.get(first).status_code == 200
    assert "Statement 1 of 4" in phone.get(first).text
    assert phone.get(f"/classes/{code}").status_code == 200  # still a member, not asked again
    assert phone.get(f"/join/{code}").location == f"/classes/{code}"

    gradebook = teacher.get(class_url + "/gradebook").text
    assert gradebook.count('<th scope="row">') == 1


def test_a_device_with_work_of_its_own_switches_only_when_told_and_keeps_that_work(
    app, client, teacher
):
    # an attacker sends their own code; the victim's device has work of its own
    class_url, code = create_class(teacher)
    attacker_code = make_way_back(client)
    victim = app.test_client()
    victim.post(f"/join/{code}", data={"display_name": "Vic"})
    started = victim.post("/quizzes/sample-quiz", data={"class_code": code})
    attempt = victim.get(started.location).location.rsplit("/", 1)[0]

    asked = victim.post("/back", data={"code": attacker_code})
    assert asked.status_code == 200 and "already has work of its own" in asked.text
    assert victim.get(attempt + "/1").status_code == 200  # nothing switched yet
    assert client.get(attempt + "/1").status_code == 404

    switched = victim.post("/back", data={"code": attacker_code, "switch": "y"})
    assert switched.status_code == 302
    assert client.get(attempt + "/1").status_code == 404  # the attacker never gets Vic's work
    assert victim.get(attempt + "/1").status_code == 404  # this device now carries the code's
    gradebook = teacher.get(class_url + "/gradebook").text
    assert ">Vic<" in gradebook  # Vic's row and work stay where they were


def test_a_new_way_back_code_signs_out_the_devices_the_old_one_carried(app, client, learner):
    url = learner.start()
    old = make_way_back(client)
    elsewhere = app.test_client()
    assert elsewhere.post("/back", data={"code": old}).status_code == 302
    assert elsewhere.get(url).status_code == 200
    make_way_back(client)
    assert elsewhere.get(url).status_code == 404  # a leaked code can be taken back
    assert client.get(url).status_code == 200  # the device that made the new code stays


def test_the_learner_cookie_is_a_host_cookie_over_https(make_app):
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    cookie = next(
        h for h in secure.get("/").headers.getlist("Set-Cookie") if "quizapp_learner" in h
    )
    assert cookie.startswith("__Host-quizapp_learner=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_a_new_browsers_two_first_posts_at_once_make_one_learner(app, client):
    from quizapp import db
    from quizapp.models import Learner, LearnerDevice
    from quizapp.quiz import identity

    client.get("/")  # the cookie is issued; nothing is stored yet
    cookie = client.get_cookie("quizapp_learner").value
    with app.test_request_context(headers={"Cookie": f"quizapp_learner={cookie}"}):
        identity.recognise()
        assert identity.learner_id(db.session()) is None  # this request saw no learner ...
        with app.extensions["quizapp.db"]() as other:  # ... then the other request made one
            winner = Learner()
            other.add(winner)
            other.flush()
            other.add(LearnerDevice(token_hash=identity.device().token_hash, learner_id=winner.id))
            other.commit()
        assert identity.ensure_learner(db.session()) == winner.id  # not an IntegrityError
    with app.extensions["quizapp.db"]() as fresh:
        assert fresh.query(Learner).count() == 1


def test_a_new_way_back_code_revokes_the_old_one(app, client):
    client.get("/")
    old = make_way_back(client)
    new = make_way_back(client)
    assert old != new
    other = app.test_client()
    refused = other.post("/back", data={"code": old})
    assert refused.status_code == 400
    assert "does not match" in refused.text
    assert other.post("/back", data={"code": new}).status_code == 302


def test_way_back_codes_are_guess_limited(app):
    guesser = app.test_client()
    statuses = [
        guesser.post("/back", data={"code": f"AAAAA-AAAAA-AAAA{c}"}).status_code
        for c in "ABCDEFGHJKMNPQRS"
    ]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}


def test_the_way_back_code_is_shown_only_to_its_learner_and_only_once(app, client):
    client.get("/")
    way_back = make_way_back(client)
    assert way_back not in client.get("/progress").text  # shown once, when made
    assert way_back not in app.test_client().get("/progress").text
    assert way_back not in str(client.get_cookie("session"))  # nor kept in a cookie
