"""The network drawn as inline SVG on the server: strength by aspiration (stacked bars) and who has
gone quiet (days past their cadence). Geometry only; no scripts, no styles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 360
ROW = 22
LABEL = 0  # labels sit above the bars, in HTML, so long aspiration texts wrap


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    width: float
    css: str  # strength-1 .. strength-5, strength-unrated
    label: str


@dataclass(frozen=True, slots=True)
class StackedRow:
    title: str
    total: int
    segments: list[Segment]
    width: int = WIDTH
    height: int = 14


def strength_rows(views: list[dict[str, Any]]) -> list[StackedRow]:
    """One bar per aspiration, its length the number who can help, split by strength (5 first)."""
    widest = max((sum(v["by_strength"].values()) for v in views), default=0) or 1
    rows = []
    for view in views:
        x = 0.0
        segments = []
        for key in ("5", "4", "3", "2", "1", "unrated"):
            count = view["by_strength"][key]
            if not count:
                continue
            width = round(WIDTH * count / widest, 1)
            what = "unrated" if key == "unrated" else f"strength {key}"
            segments.append(Segment(round(x, 1), width, f"strength-{key}", f"{count} at {what}"))
            x += width
        rows.append(StackedRow(view["aspiration"], sum(view["by_strength"].values()), segments))
    return rows


@dataclass(frozen=True, slots=True)
class QuietBar:
    y: float
    width: float
    name: str
    days: int
    strong: bool


@dataclass(frozen=True, slots=True)
class QuietChart:
    bars: list[QuietBar]
    width: int
    height: int
    label_width: int = 140


def quiet_chart(people: list[tuple[str, int, int | None]], limit: int = 12) -> QuietChart:
    """(name, days overdue, strength), most overdue first: a bar per person."""
    shown = people[:limit]
    longest = max((days for _, days, _ in shown), default=0) or 1
    room = WIDTH - 140 - 40
    bars = [
        QuietBar(i * ROW, max(round(room * days / longest, 1), 2.0), name, days, (strength or 0) >= 4)
        for i, (name, days, strength) in enumerate(shown)
    ]
    return QuietChart(bars, WIDTH, max(len(bars) * ROW, ROW))
