"""Geometry for the inline SVG charts; the templates draw them. Pure numbers in, shapes out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown beside the bar
    x: float
    y: float
    width: float
    height: float


def columns(values: list[tuple[str, int]], width=640, height=220, gap=6) -> list[Bar]:
    """Vertical bars for a histogram, scaled to the largest count."""
    top = max((v for _, v in values), default=0) or 1
    slot = width / max(len(values), 1)
    plot = height - 40  # room for labels below and the count above
    bars = []
    for n, (label, value) in enumerate(values):
        h = plot * value / top
        bars.append(Bar(label, value, str(value), n * slot + gap / 2, 20 + plot - h, slot - gap, h))
    return bars


def rows(values: list[tuple[str, float | None]], width=640, row=26, label_width=60) -> list[Bar]:
    """Horizontal bars for shares between 0 and 1 (facility), one per row."""
    plot = width - label_width - 50
    return [
        Bar(
            label,
            value or 0,
            "–" if value is None else f"{round(100 * value)}%",
            label_width,
            n * row + 4,
            plot * (value or 0),
            row - 8,
        )
        for n, (label, value) in enumerate(values)
    ]


def x_of(share: float, width=640, label_width=60) -> float:
    """Where a share (the 50% guessing line) falls on the rows chart."""
    return label_width + (width - label_width - 50) * share
