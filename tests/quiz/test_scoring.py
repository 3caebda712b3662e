"""Certainty-based marks and scores."""

import pytest

from quizapp.quiz import scoring


@pytest.mark.parametrize(
    ("correct", "certainty", "mark"),
    [(True, 1, 1), (True, 2, 2), (True, 3, 3), (False, 1, 0), (False, 2, -2), (False, 3, -6)],
)
def test_cbm_marks_follow_gardner_medwin(correct, certainty, mark):
    assert scoring.cbm_mark(correct, certainty) == mark


def test_a_score_has_accuracy_and_the_certainty_score_side_by_side():
    result = scoring.score([(True, 3), (True, 1), (False, 3), (False, 1)])
    assert (result.correct, result.total, result.percent) == (2, 4, 50)
    assert result.cbm == 3 + 1 - 6 + 0
    assert result.cbm_average == -0.5


def test_without_certainty_there_is_no_certainty_score():
    result = scoring.score([(True, None), (False, None)])
    assert result.cbm is None and result.cbm_average is None
    assert result.percent == 50
