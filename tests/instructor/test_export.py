"""CSV cells a spreadsheet would run as a formula are written as text; numbers stay numbers."""

import pytest

from quizapp.instructor.export import safe


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ann;=1+1", "Ann;'=1+1"),
        ('Ann,=HYPERLINK("x")', 'Ann,\'=HYPERLINK("x")'),
        ("a; -2", "a; '-2"),
        ("Ann Lee", "Ann Lee"),
        ("4 of 5", "4 of 5"),
        (None, ""),
        (75, "75"),
        (-6, "-6"),  # a number the app wrote is no formula
        ("-6", "'-6"),  # but text that looks like one is written as text
    ],
)
def test_formula_starts_are_neutralised_after_separators_too(cell, written):
    assert safe(cell) == written
