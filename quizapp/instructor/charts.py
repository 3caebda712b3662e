"""Geometry for the inline SVG charts; the templates draw them. Pure numbers in, shapes out.

Charts are horizontal bars, one row per value. Across, positions are percentages of the
chart's width; down, pixels. An SVG without a viewBox is not scaled, so its text keeps the
size the stylesheet gives it on a phone as on a desktop, while the bars take the width there is.
"""

from dataclasses import dataclass

ROW = 30  # px: one bar and the space below it
# percent of the width kept left of the bars for their labels ("#12"; "90–100%"), and right of
# the longest bar for its value ("100%"): enough at 13 px on a 320 px phone
SHORT_LABELS, LONG_LABELS = 12, 22
VALUES = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown beside the bar
    x: float  # percent of the chart's width
    y: float  # px
    width: float  # percent of the chart's width
    height: float  # px


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int  # px


def bars(values: list[tuple[str, float, str]], labels: float) -> Chart:
    """A bar per (label, share of the longest possible bar from 0 to 1, text) row."""
    plot = 100 - labels - VALUES
    drawn = [
        Bar(label, share, text, labels, n * ROW + 4, plot * share, ROW - 10)
        for n, (label, share, text) in enumerate(values)
    ]
    return Chart(drawn, len(drawn) * ROW + 4)


def shares(values: list[tuple[str, float | None]]) -> Chart:
    """Bars for shares between 0 and 1 (facility); None is shown as a dash, with no bar."""
    return bars(
        [
            (label, value or 0, "–" if value is None else f"{round(100 * value)}%")
            for label, value in values
        ],
        SHORT_LABELS,
    )


def counts(values: list[tuple[str, int]]) -> Chart:
    """Bars for counts (a histogram), scaled to the largest."""
    top = max((count for _, count in values), default=0) or 1
    return bars([(label, count / top, str(count)) for label, count in values], LONG_LABELS)


def x_of(share: float) -> float:
    """Where a share (the 50% guessing line) falls across a chart of shares, in percent."""
    return SHORT_LABELS + (100 - SHORT_LABELS - VALUES) * share
