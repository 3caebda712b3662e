"""The item statistics, checked against numbers worked out by hand."""

import pytest

from quizapp.content.schema import Question, SourceRef
from quizapp.instructor import statistics
from quizapp.instructor.statistics import ItemCounts


def question(answer="myth") -> Question:
    return Question(
        id="q", type="myth_fact", statement="S.", answer=answer, difficulty="easy",
        explanation="E.", sources=(SourceRef(ref="a#b", stance="contradicts"),),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("attempts", "size"), [(0, 0), (1, 0), (2, 1), (4, 2), (10, 3), (100, 27), (101, 28)]
)
def test_the_upper_and_lower_groups_are_27_percent_rounded_up(attempts, size):
    assert statistics.group_size(attempts) == size


def test_facility_and_upper_minus_lower_discrimination():
    # 10 attempts: groups of 3. Upper group: 3 of 3 right; lower group: 1 of 3 right.
    counts = ItemCounts(
        responses=10, correct=6, answered_fact=4, upper=3, upper_correct=3, lower=3, lower_correct=1
    )
    stats = statistics.item_stats(question("myth"), counts, attempts=10)
    assert stats.facility == 0.6
    assert stats.discrimination == pytest.approx(1 - 1 / 3)
    assert stats.wrong_way == 4  # a myth judged a fact four times
    assert stats.answered_myth == 6
    assert stats.flags == ()


def test_flags_for_too_easy_too_hard_and_not_discriminating():
    easy = ItemCounts(20, 19, 1, 6, 6, 6, 6)
    assert statistics.item_stats(question(), easy, 20).flags == ("too easy", "not discriminating")
    hard = ItemCounts(20, 4, 16, 6, 3, 6, 0)
    assert statistics.item_stats(question(), hard, 20).flags == ("too hard",)


def test_discrimination_needs_four_attempts():
    counts = ItemCounts(3, 2, 1, 1, 1, 1, 0)
    assert statistics.item_stats(question(), counts, attempts=3).discrimination is None


def test_no_answers_gives_no_numbers():
    stats = statistics.item_stats(question("fact"), ItemCounts(0, 0, 0, 0, 0, 0, 0), attempts=0)
    assert stats.facility is None and stats.discrimination is None and stats.flags == ()


def test_histogram_bands_put_a_full_score_in_the_top_band():
    bands = statistics.histogram({0: 1, 5: 2, 9: 3})
    assert bands[0] == ("0–9%", 1)
    assert bands[5] == ("50–59%", 2)
    assert bands[9] == ("90–100%", 3)
    assert len(bands) == 10
