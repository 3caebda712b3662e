"""Learning gain, myth persistence and misconceptions for a class, checked by hand.

Key of `deferred-quiz` (file order): one fact, two myth, three fact, four myth.
  Ann: first attempt wrong on one and two (high certainty): 50%; latest all right: 100%.
  Bob: first wrong on three (high): 75%; latest wrong on three again (medium): 75%.
  Cy:  one attempt, all wrong (low certainty): 0%; no second attempt, so no gain.
Gain, over Ann and Bob: mean pre 62.5%, mean post 87.5%, Hake's g = 25 / 37.5 = 0.67;
individual gains 1 and 0, mean 0.50.
Persistence: one, two: 1 wrong at first, 0 still; three: 1 and 1 (100%); four: none.
Misconceptions on latest attempts (Ann's second, Bob's second, Cy's only): three has one
wrong-and-confident answer of three (33%); every other statement 0%.
"""

import re

from ..conftest import create_class

KEY = ["fact", "myth", "fact", "myth"]
FLIP = {"myth": "fact", "fact": "myth"}


def attempt_in_class(client, code, wrong: dict[int, int], default_certainty=2):
    """wrong: statement number -> certainty of a wrong answer."""
    attempt = client.get(
        client.post("/quizzes/deferred-quiz", data={"class_code": code}).location
    ).location
    attempt = attempt.rsplit("/", 1)[0]
    for number in range(1, 5):
        value = FLIP[KEY[number - 1]] if number in wrong else KEY[number - 1]
        certainty = wrong.get(number, default_certainty)
        client.post(f"{attempt}/{number}", data={"answer": value, "certainty": certainty})
    assert client.post(f"{attempt}/submit").status_code == 302


def test_gain_persistence_and_misconceptions_match_the_hand_computation(app, teacher):
    class_url, code = create_class(teacher, quizzes=("deferred-quiz",))
    learners = {}
    for name in ("Ann", "Bob", "Cy"):
        learners[name] = app.test_client()
        learners[name].post(f"/join/{code}", data={"display_name": name})
    attempt_in_class(learners["Ann"], code, {1: 3, 2: 3})
    attempt_in_class(learners["Ann"], code, {})
    attempt_in_class(learners["Bob"], code, {3: 3})
    attempt_in_class(learners["Bob"], code, {3: 2})
    attempt_in_class(learners["Cy"], code, {1: 1, 2: 1, 3: 1, 4: 1})

    page = teacher.get(class_url + "/quizzes/deferred-quiz/learning").text
    assert "<strong>2</strong> learners with two attempts or more" in page
    cells = dict(
        re.findall(
            r'<tr><th scope="row">([^<]*?)(?:\s*\([^)]*\))?</th>\s*<td>([^<]*)</td></tr>', page
        )
    )
    assert cells["Mean score on the first attempt"] == "62.5%"
    assert cells["Mean score on the latest attempt"] == "87.5%"
    assert cells["Class gain, Hake's g = (post − pre) / (100 − pre), from the two means"] == "0.67"
    assert "Mean of each learner's own gain (2 learners" in page
    assert ">0.50</td>" in page

    persistence = page[page.index(">Myth persistence</h2>") : page.index(">Misconceptions")]
    rows = re.findall(
        r'<th scope="row">(.*?)</th><td>\w+</td><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>',
        persistence,
    )
    assert rows == [
        ("Deferred one is a fact.", "1", "0", "0%"),
        ("Deferred two is a myth.", "1", "0", "0%"),
        ("Deferred three is a fact.", "1", "1", "100%"),
        ("Deferred four is a myth.", "0", "0", "–"),
    ]
    believed = page[page.index(">Misconceptions") :]
    rows = re.findall(
        r'<th scope="row">(.*?)</th><td>\w+</td><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>',
        believed,
    )
    assert rows[0] == ("Deferred three is a fact.", "3", "1", "33%")
    assert all(share == "0%" for *_, share in rows[1:])


def test_a_class_can_defer_feedback_for_a_quiz_that_gives_it_at_once(app, teacher):
    made = teacher.post(
        "/instructor/classes/new",
        data={"name": "Exam practice", "quizzes": ["sample-quiz"], "feedback": "deferred"},
    )
    code = re.search(r"/join/([A-Z0-9]{6})", teacher.get(made.location).text).group(1)
    learner = app.test_client()
    learner.post(f"/join/{code}", data={"display_name": "Di"})
    attempt = learner.get(
        learner.post("/quizzes/sample-quiz", data={"class_code": code}).location
    ).location
    moved = learner.post(attempt, data={"answer": "myth"})
    assert moved.location.endswith("/2")  # on to the next statement, no verdict
    assert "You were right" not in learner.get(attempt).text
    # and the quiz outside the class still gives immediate feedback
    on_own = learner.post("/quizzes/sample-quiz", data={"class_code": "none"})
    outside = learner.get(on_own.location).location
    learner.post(outside, data={"answer": "myth"})
    assert "You were right" in learner.get(outside).text


def test_with_no_learner_taking_the_quiz_twice_the_reports_say_so_instead_of_empty_rows(
    app, teacher
):
    class_url, code = create_class(teacher, quizzes=("deferred-quiz",))
    url = class_url + "/quizzes/deferred-quiz/learning"
    nothing = teacher.get(url).text
    persistence = nothing[
        nothing.index(">Myth persistence</h2>") : nothing.index(">Misconceptions")
    ]
    assert "No learner has taken this quiz twice yet" in persistence
    assert "<table" not in persistence
    believed = nothing[nothing.index(">Misconceptions") :]
    assert "No learner has finished this quiz yet" in believed
    assert "<table" not in believed

    ann = app.test_client()
    ann.post(f"/join/{code}", data={"display_name": "Ann"})
    attempt_in_class(ann, code, {1: 3})
    once = teacher.get(url).text
    persistence = once[once.index(">Myth persistence</h2>") : once.index(">Misconceptions")]
    assert "No learner has taken this quiz twice yet" in persistence
    assert "<table" in once[once.index(">Misconceptions") :]

    attempt_in_class(ann, code, {})  # twice, and right the second time
    twice = teacher.get(url).text
    persistence = twice[twice.index(">Myth persistence</h2>") : twice.index(">Misconceptions")]
    assert "No learner has taken this quiz twice yet" not in persistence
    assert re.search(r"Deferred one is a fact\.</th><td>fact</td><td>1</td><td>0</td>", persistence)
