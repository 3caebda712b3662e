"""Hake's normalized gain, for the class and per learner, with the edge cases."""

import pytest

from quizapp.instructor.gain import LearnerScores, gain, learner_gain


def test_hakes_gain_of_the_class_and_the_mean_of_learner_gains_differ():
    # Ann 50 -> 75 (g = 25/50 = 0.5); Bob 80 -> 90 (g = 10/20 = 0.5); Cy 20 -> 20 (g = 0)
    result = gain([LearnerScores(50, 75, 2), LearnerScores(80, 90, 3), LearnerScores(20, 20, 2)])
    assert result.learners == 3
    assert result.mean_pre == 50 and result.mean_post == pytest.approx(185 / 3)
    assert result.class_gain == pytest.approx((185 / 3 - 50) / 50)  # 0.2333
    assert result.mean_learner_gain == pytest.approx(1 / 3)
    assert result.learners_with_gain == 3


def test_a_first_attempt_at_100_percent_has_no_individual_gain():
    assert learner_gain(100, 100) is None
    result = gain([LearnerScores(100, 90, 2), LearnerScores(60, 80, 2)])
    assert result.learners == 2 and result.learners_with_gain == 1
    assert result.mean_learner_gain == pytest.approx(0.5)
    assert result.class_gain == pytest.approx((85 - 80) / 20)


def test_a_class_whose_mean_pre_score_is_100_has_no_gain():
    result = gain([LearnerScores(100, 100, 2)])
    assert result.class_gain is None and result.mean_learner_gain is None


def test_one_learner():
    result = gain([LearnerScores(40, 70, 2)])
    assert result.class_gain == pytest.approx(0.5) == result.mean_learner_gain


def test_learners_without_a_second_attempt_are_not_counted():
    result = gain([LearnerScores(40, 40, 1)])
    assert result.learners == 0 and result.class_gain is None and result.mean_pre is None
    assert gain([]).learners == 0


def test_a_learner_who_got_worse_has_a_negative_gain():
    assert learner_gain(50, 25) == -0.5
