"""A learner takes a quiz: start, answer, read why, see the results, come back, retake."""

import re
import threading
from urllib.parse import quote

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from quizapp import catalog, db
from quizapp.models import Attempt, Response
from quizapp.quiz import attempts
from quizapp.quiz.forms import AnswerForm, CertainAnswerForm, posted_answer

ANSWERS = {  # the fixture bank's key, in file order (it is not shuffled)
    "The sky is green.": "myth",
    "Grass is green.": "fact",
    "Details are irrelevant.": "myth",
    "Water is wet.": "fact",
}


def response_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Response))


def test_home_lists_quizzes_with_their_length_and_the_articles(client):
    html = client.get("/").get_data(as_text=True)
    assert "A sample quiz" in html
    assert "4 statements" in html
    assert "B drawn quiz" in html and "2 statements" in html
    assert 'href="/articles/sample-article"' in html


def test_start_page_describes_the_quiz_and_offers_a_name_field(client):
    html = client.get("/quizzes/sample-quiz").get_data(as_text=True)
    assert "Four statements for the tests." in html
    assert '<label for="display_name">Your name (optional)</label>' in html
    assert "A sample article" in html  # what the quiz draws on
    assert ">Start</button>" in html


def test_whole_journey_from_start_to_results_and_retake(client, learner):
    url = learner.start(name="Ada")
    assert url.endswith("/1")
    page = client.get(url).get_data(as_text=True)
    assert "Statement 1 of 4" in page
    assert '<progress id="progress" max="4" value="0">' in page

    wrong_on = "Grass is green."
    for number in range(1, 5):
        url = re.sub(r"/\d+$", f"/{number}", url)
        statement = learner.statement_text(url)
        right = ANSWERS[statement]
        given = ("myth" if right == "fact" else "fact") if statement == wrong_on else right
        assert learner.answer(url, given).location == url
        feedback = client.get(url).get_data(as_text=True)
        assert ("You were right" if given == right else "Not quite") in feedback
        assert f"It is a <strong>{right}</strong>" in feedback
        assert "-EXPLANATION" in feedback
        assert 'href="/articles/sample-article?from=' in feedback

    feedback = client.get(url).get_data(as_text=True)
    results_url = url.rsplit("/", 1)[0] + "/results"
    assert f'href="{results_url}"' in feedback

    results = client.get(results_url).get_data(as_text=True)
    assert "<strong>3 of 4</strong> correct (75%)" in results
    assert "Ada" in results
    assert results.count('class="review__item') == 4
    assert "it is a <strong>fact</strong>; you said myth." in results

    retake = client.post("/quizzes/sample-quiz", data={"display_name": "Ada"})
    assert retake.status_code == 302
    assert retake.location != url.rsplit("/", 1)[0]


def test_feedback_labels_each_source_with_article_section_and_stance(client, learner):
    url = learner.start()
    learner.answer(url, "myth")
    html = client.get(url).get_data(as_text=True)
    assert f'href="/articles/sample-article?from={url}#first"' in html
    assert "A sample article" in html and "First part" in html
    assert "This section contradicts this statement." in html
    # the article offers the way back to the statement, and to nowhere else
    article = client.get(f"/articles/sample-article?from={quote(url, safe='')}").text
    assert f'<a href="{url}">← Back to your quiz</a>' in article
    elsewhere = client.get("/articles/sample-article?from=%2F%2Fevil.example%2F").text
    assert "Back to your quiz" not in elsewhere


def test_leaving_and_coming_back_resumes_at_the_first_unanswered_statement(client, learner):
    first = learner.start()
    attempt = first.rsplit("/", 1)[0]
    learner.answer(first, "myth")
    learner.answer(attempt + "/2", "fact")
    assert client.get(attempt).location == attempt + "/3"
    start_page = client.get("/quizzes/sample-quiz").get_data(as_text=True)
    assert f'href="{attempt}">Continue where you left off' in start_page


def test_answering_twice_stores_one_answer_and_keeps_the_score(app, client, learner):
    url = learner.start()
    learner.answer(url, "myth")  # right
    learner.answer(url, "myth")  # double click
    learner.answer(url, "fact")  # back button, then the other choice
    assert response_count(app) == 1
    assert "You were right" in client.get(url).get_data(as_text=True)


def test_the_last_two_answers_at_once_finish_the_attempt(app, client, learner):
    """Two tabs answer the last two statements at the same moment: whichever is stored second
    finishes the attempt (on PostgreSQL each used to count only the answers committed before
    it, so neither did, and the attempt was left with every answer and no results)."""
    for _ in range(5):
        url = learner.start()
        attempt_id = url.split("/")[2]
        for number in (1, 2):
            learner.answer(f"/attempts/{attempt_id}/{number}", "myth")
        together = threading.Barrier(2)

        def answer(number, attempt_id=attempt_id, together=together):
            with app.app_context():
                attempt, _bank, steps = attempts.load(attempt_id, catalog.library().banks)
                together.wait()
                attempts.record(db.session(), attempt, steps[number - 1], "fact")

        tabs = [threading.Thread(target=answer, args=(n,)) for n in (3, 4)]
        for tab in tabs:
            tab.start()
        for tab in tabs:
            tab.join()
        with app.app_context():
            finished = db.session().get(Attempt, attempt_id)
            assert finished.finished_at is not None
            assert finished.correct_count == 2  # the sky and water
        assert "2 of 4" in client.get(f"/attempts/{attempt_id}/results").text


def test_the_same_last_answer_twice_at_once_is_stored_once(app, client, learner):
    """A double click on the last statement sends its answer twice at the same moment: one is
    stored and finishes the attempt, the other is refused by the database as a duplicate and
    changes nothing (on PostgreSQL with everything it would have written, in one go)."""
    for _ in range(3):
        attempt_id = learner.start().split("/")[2]
        for number in (1, 2, 3):
            learner.answer(f"/attempts/{attempt_id}/{number}", "myth")
        together = threading.Barrier(2)
        failures = []

        def answer(attempt_id=attempt_id, together=together, failures=failures):
            with app.app_context():
                attempt, _bank, steps = attempts.load(attempt_id, catalog.library().banks)
                together.wait()
                try:
                    attempts.record(db.session(), attempt, steps[3], "fact")
                except Exception as exc:  # any failure, reported below
                    failures.append(exc)

        clicks = [threading.Thread(target=answer) for _ in range(2)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
        assert failures == []
        with app.app_context():
            finished = db.session().get(Attempt, attempt_id)
            assert finished.finished_at is not None and finished.correct_count == 3
            stored = select(func.count()).where(Response.attempt_id == attempt_id)
            assert db.session().scalar(stored) == 4


def test_an_answer_is_read_and_written_in_two_round_trips_on_postgresql(app, learner, tmp_path):
    """A worker stands idle for every round trip to PostgreSQL while a learner waits: an answer
    reads its attempt in one, and stores the answer (the last one finishing the attempt) in
    another. It used to take five: the read, BEGIN, the answer, the finishing check, COMMIT."""
    engine = app.extensions["quizapp.db"].kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("round trips to a database server: PostgreSQL only (SQLite is in process)")
    attempt = learner.start().rsplit("/", 1)[0]
    trace = tmp_path / "protocol.log"

    def traced(dbapi_connection, _record, _proxy):
        dbapi_connection.pgconn.trace(log.fileno())

    def untraced(dbapi_connection, _record):
        dbapi_connection.pgconn.untrace()

    (kept,) = db._READERS[engine.pool]  # the connection reads are made on, out of the pool
    reader = kept[0]
    with trace.open("w") as log:
        reader.pgconn.trace(log.fileno())
        event.listen(engine, "checkout", traced)
        event.listen(engine, "checkin", untraced)
        try:
            for number in range(1, 5):
                assert learner.answer(f"{attempt}/{number}", "myth").status_code == 302
        finally:
            event.remove(engine, "checkout", traced)
            event.remove(engine, "checkin", untraced)
            reader.pgconn.untrace()
    assert db._READERS[engine.pool] == [kept]
    # the server ends each round trip with ReadyForQuery
    assert trace.read_text().count("\tReadyForQuery") == 4 * 2
    with app.app_context():
        assert db.session().get(Attempt, attempt.split("/")[2]).correct_count == 2


def test_results_wait_until_every_statement_is_answered(client, learner):
    url = learner.start()
    attempt = url.rsplit("/", 1)[0]
    assert client.get(attempt + "/results").location == attempt
    assert "correct (" not in client.get(attempt + "/results", follow_redirects=True).text


def test_statement_page_holds_no_answer_key(client, learner):
    url = learner.start()
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert "The sky is green." in html
    for leak in ("SKY-EXPLANATION", "You were right", "Not quite", "It is a", "/articles/"):
        assert leak not in html
    headers = str(response.headers).lower()
    assert "myth" not in headers.split("set-cookie")[0]
    with client.session_transaction() as session:
        assert set(session) <= {"browser", "csrf_token", "_permanent", "_fresh", "_id"}
        assert "myth" not in str(dict(session)) and "SKY" not in str(dict(session))


def test_another_browser_cannot_see_or_answer_an_attempt(app, learner):
    url = learner.start()
    attempt = url.rsplit("/", 1)[0]
    stranger = app.test_client()
    assert stranger.get(url).status_code == 404
    assert stranger.get(attempt).status_code == 404
    assert stranger.get(attempt + "/results").status_code == 404
    assert stranger.post(url, data={"answer": "myth"}).status_code == 404
    assert response_count(app) == 0


def test_unknown_quiz_attempt_and_statement_are_404_in_the_layout(client, learner):
    assert client.get("/quizzes/no-such-quiz").status_code == 404
    assert client.get("/attempts/not-an-attempt").status_code == 404
    url = learner.start()
    page = client.get(url.rsplit("/", 1)[0] + "/99")
    assert page.status_code == 404
    assert "Page not found" in page.text and "Myth or Fact" in page.text


def test_a_malformed_answer_is_a_400_page_and_stores_nothing(app, client, learner):
    url = learner.start()
    for data in ({"answer": "maybe"}, {}):
        page = client.post(url, data=data)
        assert page.status_code == 400
        assert "Something was wrong with that request" in page.text
    assert response_count(app) == 0


def test_a_display_name_too_long_is_refused_with_a_message(client):
    page = client.post("/quizzes/sample-quiz", data={"display_name": "x" * 81})
    assert page.status_code == 400
    assert "Field cannot be longer than 80 characters." in page.text


def test_a_display_name_is_shown_as_text_not_markup(client, learner):
    url = learner.start(name='<script>alert("x")</script>')
    attempt = url.rsplit("/", 1)[0]
    for number in range(1, 5):
        learner.answer(f"{attempt}/{number}", "myth")
    html = client.get(attempt + "/results").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html
    assert '<script>alert("x")' not in html


def test_draw_and_shuffle_fix_the_order_when_the_attempt_starts(client, learner):
    url = learner.start("drawn-quiz")
    attempt = url.rsplit("/", 1)[0]
    first = [learner.statement_text(f"{attempt}/{n}") for n in (1, 2)]
    again = [learner.statement_text(f"{attempt}/{n}") for n in (1, 2)]
    assert first == again
    assert len(set(first)) == 2
    assert client.get(f"{attempt}/3").status_code == 404
    assert "Statement 1 of 2" in client.get(url).text


def test_the_server_error_page_uses_the_layout(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    page = app.test_client().get("/boom")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "Myth or Fact" in page.text


SPELLINGS = st.one_of(
    st.sampled_from(["myth", "fact", "Myth", " fact", "1", "2", "3", " 2", "02", "+3", "4", ""]),
    st.text(max_size=4),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answer=st.none() | SPELLINGS,
    certainty=st.none() | SPELLINGS,
    certain=st.booleans(),
)
def test_an_answer_taken_without_its_form_is_what_the_form_takes(app, answer, certainty, certain):
    """An answer post is read without making its form, when it is plainly one of the page's
    choices: the answer and certainty stored are then the ones the form would have taken, and
    whatever the quick reading leaves, the form judges as before."""
    posted = {k: v for k, v in {"answer": answer, "certainty": certainty}.items() if v is not None}
    with app.test_request_context("/", method="POST", data=posted):
        quick = posted_answer(request.form, certain)
        form = (CertainAnswerForm if certain else AnswerForm)()
        if quick is not None:
            assert form.validate_on_submit()
            assert quick == (form.answer.data, form.certainty.data if certain else None)
