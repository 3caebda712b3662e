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
    assert made.status_code == 302 and made.location == "/progress"
    page = client.get("/progress")
    assert page.headers["Cache-Control"] == "no-store"
    return WAY_BACK.search(page.text).group(1)


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
    form = phone.get(f"/back?code={way_back.lower()}")
    assert form.status_code == 200 and way_back.lower() in form.text
    assert 'autocomplete="off"' in form.text
    arrived = phone.post("/back", data={"code": way_back.lower()})
    assert arrived.status_code == 302
    assert phone.get(first).status_code == 200
    assert "Statement 1 of 4" in phone.get(first).text
    assert phone.get(f"/classes/{code}").status_code == 200  # still a member, not asked again
    assert phone.get(f"/join/{code}").location == f"/classes/{code}"

    gradebook = teacher.get(class_url + "/gradebook").text
    assert gradebook.count('<th scope="row">') == 1


def test_joining_a_learner_merges_what_this_device_had_and_keeps_one_gradebook_row(
    app, client, teacher
):
    class_url, code = create_class(teacher)
    client.post(f"/join/{code}", data={"display_name": "Ann"})
    way_back = make_way_back(client)
    phone = app.test_client()  # used before the code: it joined the class again as "Ann P"
    phone.post(f"/join/{code}", data={"display_name": "Ann P"})
    started = phone.post("/quizzes/sample-quiz", data={"class_code": code})
    attempt = phone.get(started.location).location.rsplit("/", 1)[0]
    assert teacher.get(class_url + "/gradebook").text.count('<th scope="row">') == 2

    assert phone.post("/back", data={"code": way_back}).status_code == 302
    assert client.get(attempt + "/1").status_code == 200  # the phone's attempt came along
    gradebook = teacher.get(class_url + "/gradebook").text
    assert gradebook.count('<th scope="row">') == 1 and ">Ann<" in gradebook


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


def test_the_way_back_code_is_shown_only_to_its_learner(app, client):
    client.get("/")
    way_back = make_way_back(client)
    assert way_back not in client.get("/progress").text  # shown once, when made
    assert way_back not in app.test_client().get("/progress").text
