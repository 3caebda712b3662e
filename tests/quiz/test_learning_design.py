"""Certainty-based marking, deferred feedback, retrying what was missed, and progress.

The fixture bank `deferred-quiz` asks certainty and defers feedback. Its key, in file order:
one fact, two myth, three fact, four myth.
"""

import re

from sqlalchemy import select

from quizapp import db
from quizapp.models import Response

KEY = ["fact", "myth", "fact", "myth"]
FLIP = {"myth": "fact", "fact": "myth"}
LEAKS = ("-WHY", "You were right", "Not quite", "It is a", "/articles/", "correct (")


def start(client, bank="deferred-quiz", **data) -> str:
    started = client.post(f"/quizzes/{bank}", data=data)
    return client.get(started.location).location.rsplit("/", 1)[0]


def answer(client, attempt, number, value, certainty=2):
    return client.post(f"{attempt}/{number}", data={"answer": value, "certainty": certainty})


def test_deferred_feedback_reveals_nothing_before_submission(client):
    attempt = start(client)
    pages = []
    for number in range(1, 5):
        pages.append(client.get(f"{attempt}/{number}").text)
        moved = answer(client, attempt, number, KEY[number - 1], certainty=3)
        assert moved.location == (f"{attempt}/{number + 1}" if number < 4 else f"{attempt}/check")
        pages.append(client.get(f"{attempt}/{number}").text)  # answered, still no verdict
    pages.append(client.get(f"{attempt}/check").text)
    assert client.get(f"{attempt}/results").location == attempt  # not before submission
    for page in pages:
        for leak in LEAKS:
            assert leak not in page
    assert "Your answer so far: <strong>fact</strong>, high certainty" in pages[1]

    assert client.post(f"{attempt}/submit").location == f"{attempt}/results"
    results = client.get(f"{attempt}/results").text
    assert "<strong>4 of 4</strong> correct (100%)" in results
    assert "DEFERRED-TWO-WHY" in results


def test_deferred_answers_can_change_until_submitted_and_not_after(app, client):
    attempt = start(client)
    answer(client, attempt, 1, "myth")  # wrong
    answer(client, attempt, 1, "fact", certainty=1)  # changed: right, low certainty
    for number in (2, 3, 4):
        answer(client, attempt, number, KEY[number - 1])
    assert (
        "Your answer: <strong>fact</strong>, low certainty" in client.get(f"{attempt}/check").text
    )
    client.post(f"{attempt}/submit")
    answer(client, attempt, 1, "myth", certainty=3)  # too late: ignored
    with app.app_context():
        stored = (
            db.session()
            .scalars(select(Response).where(Response.question_id == "deferred-one"))
            .all()
        )
    assert [(r.answer, r.certainty) for r in stored] == [("fact", 1)]
    assert "<strong>4 of 4</strong>" in client.get(f"{attempt}/results").text


def test_submitting_needs_every_statement_answered(client):
    attempt = start(client)
    answer(client, attempt, 1, "fact")
    assert "3 still to go" in client.get(f"{attempt}/check").text
    assert client.post(f"{attempt}/submit").status_code == 400
    assert client.get(f"{attempt}/results").location == attempt


def test_certainty_must_be_given_and_is_explained(app, client):
    attempt = start(client)
    page = client.get(f"{attempt}/1").text
    assert "How sure are you?" in page
    assert "<strong>High</strong> (certain): +3 if right, -6 if wrong." in page
    refused = client.post(f"{attempt}/1", data={"answer": "fact"})
    assert refused.status_code == 400
    assert "Choose how sure you are (Low, Medium or High), then your answer again." in refused.text
    with app.app_context():
        assert db.session().scalars(select(Response)).all() == []


def test_results_show_accuracy_and_certainty_score_and_what_was_held_with_confidence(client):
    attempt = start(client)
    answer(client, attempt, 1, "fact", certainty=3)  # right, high: +3
    answer(client, attempt, 2, "fact", certainty=3)  # wrong, high: -6
    answer(client, attempt, 3, "fact", certainty=1)  # right, low: +1
    answer(client, attempt, 4, "myth", certainty=2)  # right, medium: +2
    client.post(f"{attempt}/submit")
    page = client.get(f"{attempt}/results").text
    assert "<strong>3 of 4</strong> correct (75%)" in page
    assert "Certainty marks: <strong>0</strong> in all, +0.0 a statement." in page
    assert "from −6 (certain, and wrong) to +3 (certain, and right)" in page  # the scale
    held = page[page.index('id="held-title"') : page.index("<h2>What you missed</h2>")]
    assert "Deferred two is a myth." in held
    assert "You said fact (high certainty); it is a myth." in held  # says what is so
    assert "Deferred one is a fact." not in held
    assert page.count("DEFERRED-TWO-WHY") == 1  # explained once, not twice
    missed = page[page.index("<h2>What you missed</h2>") : page.index("<h2>What you got right")]
    assert "Deferred two is a myth." in missed and '<details class="review__why" open>' in missed
    assert "with high certainty (-6)" in page


def test_retry_asks_exactly_what_was_missed_or_known_only_by_a_guess(client):
    attempt = start(client)
    answer(client, attempt, 1, "fact", certainty=3)  # right, sure: not asked again
    answer(client, attempt, 2, "fact", certainty=2)  # wrong: asked again
    answer(client, attempt, 3, "fact", certainty=1)  # right by a guess: asked again
    answer(client, attempt, 4, "myth", certainty=2)  # right: not asked again
    client.post(f"{attempt}/submit")
    assert "Retry what I missed (2)" in client.get(f"{attempt}/results").text
    retry = client.get(client.post(f"{attempt}/retry").location).location.rsplit("/", 1)[0]
    asked = [
        re.search(r'<h1 class="statement">(.*?)</h1>', client.get(f"{retry}/{n}").text).group(1)
        for n in (1, 2)
    ]
    assert sorted(asked) == ["Deferred three is a fact.", "Deferred two is a myth."]
    assert client.get(f"{retry}/3").status_code == 404
    answer(client, retry, 1, KEY[1] if "two" in asked[0] else KEY[2], certainty=3)
    answer(client, retry, 2, KEY[1] if "two" in asked[1] else KEY[2], certainty=3)
    client.post(f"{retry}/submit")
    results = client.get(f"{retry}/results").text
    assert "a retry of what you missed" in results and "Retry what I missed" not in results

    progress = client.get("/progress").text
    assert "C deferred quiz" in progress
    assert progress.count("<tr>") == 1 + 2  # header and two attempts
    assert "retry of what was missed" in progress and "whole quiz" in progress


def test_nothing_to_retry_is_refused(client):
    attempt = start(client)
    for number in range(1, 5):
        answer(client, attempt, number, KEY[number - 1], certainty=3)
    client.post(f"{attempt}/submit")
    assert "Retry what I missed" not in client.get(f"{attempt}/results").text
    assert client.post(f"{attempt}/retry").status_code == 400


def test_immediate_feedback_with_certainty_shows_the_mark(make_app):
    # sample-quiz has immediate feedback and no certainty; progress shows no certainty score
    client = make_app().test_client()
    attempt = start(client, "sample-quiz")
    client.post(f"{attempt}/1", data={"answer": "myth"})
    assert "You were right" in client.get(f"{attempt}/1").text
    assert "How sure are you?" not in client.get(f"{attempt}/2").text


def test_progress_is_private_to_the_learner(app, client):
    attempt = start(client)
    for number in range(1, 5):
        answer(client, attempt, number, KEY[number - 1])
    client.post(f"{attempt}/submit")
    assert "C deferred quiz" in client.get("/progress").text
    assert "You have not finished a quiz yet." in app.test_client().get("/progress").text
