"""Bar chart geometry for the statistics page: the template draws it as inline SVG, so the
chart needs no JavaScript and no image request.

0 % and "nothing resolved" must not look alike: a bar at 0 % keeps its grey track and gets a
thin red stub at its start; a row with nothing resolved has no track at all, only a dashed
outline with the words inside it."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320
LABEL_HEIGHT = 16
BAR_HEIGHT = 14
ROW_GAP = 10
MAX_LABEL = 42
# The stub that marks 0 %: visible, and much thinner than the 1 % a real bar starts at.
ZERO_STUB = 3.0

NONE = "none"  # nothing resolved: no rate to draw
ZERO = "zero"
SOME = "some"


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    percent: float | None
    label_y: int
    bar_y: int
    width: float
    kind: str  # NONE, ZERO or SOME


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    track: int
    bar_height: int
    bars: tuple[Bar, ...]


def bars(rows: list[tuple[str, float | None]]) -> Chart:
    """One bar per (label, percent); None draws no bar (nothing was resolved)."""
    track = WIDTH - 48
    drawn = []
    y = 0
    for label, percent in rows:
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"
        if percent is None:
            kind, width = NONE, 0.0
        elif percent == 0:
            kind, width = ZERO, ZERO_STUB
        else:
            kind, width = SOME, round(track * percent / 100, 1)
        drawn.append(Bar(short, label, percent, y + 12, y + LABEL_HEIGHT, width, kind))
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(WIDTH, max(y, 1), track, BAR_HEIGHT, tuple(drawn))
