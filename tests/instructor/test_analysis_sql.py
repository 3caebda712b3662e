"""Item analysis computed in SQL over real attempts matches the hand computation."""

from quizapp import catalog, db
from quizapp.instructor.analysis import analyse
from quizapp.models import Learner
from quizapp.quiz import attempts


def test_discrimination_over_four_learners(app):
    # Scores 4, 3, 2 and 1 of 4: the upper group is the first two, the lower the last two.
    # "Water is wet." is right for the first three only: upper 2/2, lower 1/2, D = 0.5.
    plans = [
        {
            "sky-is-green": "myth",
            "grass-is-green": "fact",
            "detail-matters": "myth",
            "water-is-wet": "fact",
        },
        {
            "sky-is-green": "myth",
            "grass-is-green": "fact",
            "detail-matters": "fact",
            "water-is-wet": "fact",
        },
        {
            "sky-is-green": "myth",
            "grass-is-green": "myth",
            "detail-matters": "fact",
            "water-is-wet": "fact",
        },
        {
            "sky-is-green": "myth",
            "grass-is-green": "myth",
            "detail-matters": "fact",
            "water-is-wet": "myth",
        },
    ]
    with app.test_request_context():
        bank = catalog.library().banks["sample-quiz"]
        session = db.session()
        banks = catalog.library().banks
        for plan in plans:
            learner = Learner()
            session.add(learner)
            session.commit()
            attempt = attempts.start(session, bank, learner.id, display_name=None)
            record, _, steps = attempts.load(attempt.id, banks)
            for step in steps:
                attempts.record(session, record, step, plan[step.question.id])
        result = analyse(session, bank)
    assert result.attempts == 4 and result.group_size == 2
    assert result.mean_score == (4 + 3 + 2 + 1) / 16
    by_id = {item.question.id: item for item in result.items}
    assert by_id["water-is-wet"].discrimination == 0.5
    assert by_id["sky-is-green"].discrimination == 0.0  # everyone right: no separation
    assert by_id["sky-is-green"].flags == ("too easy", "not discriminating")
    assert by_id["grass-is-green"].discrimination == 1.0  # upper 2/2, lower 0/2
    assert by_id["detail-matters"].facility == 0.25
    assert by_id["detail-matters"].flags == ("too hard",)
    assert [count for _, count in result.histogram] == [0, 0, 1, 0, 0, 1, 0, 1, 0, 1]
