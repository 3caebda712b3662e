"""db.read, the learner pages' read path, returns what SQLAlchemy's own execution returns."""

from datetime import datetime

from quizapp import catalog, db
from quizapp.models import Learner
from quizapp.quiz import attempts
from quizapp.quiz.attempts import _READ


def test_read_matches_sqlalchemy_row_for_row_with_types(app):
    with app.test_request_context():
        banks = catalog.library().banks
        bank = banks["sample-quiz"]
        session = db.session()
        learner = Learner()
        session.add(learner)
        session.commit()
        started = attempts.start(session, bank, learner.id, display_name="Ada")
        attempt, _, steps = attempts.load(started.id, banks)
        assert attempt.finished_at is None
        assert attempt.certainty is bank.info.settings.certainty
        for step in steps:
            attempts.record(session, attempt, step, step.question.answer)

        attempt, _, steps = attempts.load(started.id, banks)
        params = {"attempt_id": started.id, "device": "no such device"}
        expected = [tuple(row) for row in session.execute(_READ, params)]
        assert [tuple(row) for row in db.read(_READ, **params)] == expected

    assert isinstance(attempt.finished_at, datetime)  # not the text SQLite stores
    assert attempt.correct_count == attempt.question_count == len(steps)
    assert [step.response.correct for step in steps] == [True] * len(steps)  # not 1


def test_read_of_an_unknown_attempt_is_empty(app):
    with app.test_request_context():
        assert db.read(_READ, attempt_id="no-such-attempt", device="") == []
        assert attempts.load("no-such-attempt", catalog.library().banks) is None
