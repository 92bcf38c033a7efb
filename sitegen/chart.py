"""The score chart of a report: score against weight per first-level indicator, as SVG.

Only geometry is computed here — every coordinate an exact decimal, so two builds make
byte-identical pages; `templates/_score_chart.html` draws it as inline SVG (no script,
no web font) with the labels in the page language. The page prints the same numbers in
a table beside it, for screen readers and for anyone who cannot see the bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import Text

# Drawn 400 wide and scaled to the column: on a 360 px phone the 14-unit labels stay
# about 11 px high (drawn 640 wide they were 7 px), and no more than 17 px on a desktop.
WIDTH = 400
PLOT_WIDTH = 290  # the widest bar; the rest of the width holds its "score / weight" label
LEGEND_HEIGHT = 32
ROW_HEIGHT = 56
LABEL_BASELINE = 16  # below the top of a row
BAR_TOP = 24
BAR_HEIGHT = 20
GAP = 8
_STEP = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    """One first-level indicator: its label above, the weight bar with the score over it."""

    label: Text
    weight: Decimal
    score: Decimal
    label_y: int
    bar_y: int
    weight_width: Decimal
    score_width: Decimal
    value_x: Decimal
    value_y: int


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    bar_height: int
    bars: tuple[Bar, ...]


def _scaled(value: Decimal, largest: Decimal) -> Decimal:
    if largest <= 0:
        return Decimal(0)
    share = max(Decimal(0), min(value, largest)) / largest
    return (share * PLOT_WIDTH).quantize(_STEP, ROUND_HALF_UP)


def score_chart(levels: Sequence[tuple[Text, Decimal, Decimal]]) -> ScoreChart:
    """Bars for (label, weight, score) triples, all drawn to the scale of the largest."""
    largest = max((max(weight, score) for _, weight, score in levels), default=Decimal(0))
    bars = []
    for index, (label, weight, score) in enumerate(levels):
        top = LEGEND_HEIGHT + index * ROW_HEIGHT
        weight_width = _scaled(weight, largest)
        # A score above its weight still gets a bar as long as it says, marked by the page.
        score_width = _scaled(score, largest)
        bars.append(Bar(label, weight, score, top + LABEL_BASELINE, top + BAR_TOP,
                        weight_width, score_width,
                        max(weight_width, score_width) + GAP,
                        top + BAR_TOP + BAR_HEIGHT - 5))
    height = LEGEND_HEIGHT + len(bars) * ROW_HEIGHT
    return ScoreChart(WIDTH, height, BAR_HEIGHT, tuple(bars))
