"""Bar chart geometry for the statistics page: the template draws it as inline SVG, so the
chart needs no JavaScript and no image request."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320
LABEL_HEIGHT = 16
BAR_HEIGHT = 14
ROW_GAP = 10
MAX_LABEL = 42


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    percent: float | None
    label_y: int
    bar_y: int
    width: float


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
        width = 0.0 if percent is None else round(track * percent / 100, 1)
        drawn.append(Bar(short, label, percent, y + 12, y + LABEL_HEIGHT, width))
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(WIDTH, max(y, 1), track, BAR_HEIGHT, tuple(drawn))
