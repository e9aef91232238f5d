"""Progress drawn as inline SVG on the server: plain shapes with classes, no scripts, no styles.

Only geometry lives here; what the numbers mean comes from the progress use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

WIDTH, HEIGHT = 360, 72
_PAD = 4


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str  # status class: met, on-track, behind, missed, upcoming, paused
    label: str


@dataclass(frozen=True, slots=True)
class PeriodChart:
    bars: list[Bar]
    target_y: float  # where "target met" sits
    first: str = ""  # the first and last period shown, for the axis
    last: str = ""
    width: int = WIDTH
    height: int = HEIGHT


def fill_percent(done: int, target: int) -> float:
    """How much of the progress bar to fill, 0 to 100."""
    return 100.0 if target <= 0 else round(min(done / target, 1.0) * 100, 1)


def periods(recent: list[dict[str, Any]]) -> PeriodChart:
    """Bars of the last periods (up to 12), each relative to its own target; over-achievement
    shows up to half a target above the line."""
    usable = HEIGHT - 2 * _PAD
    full = usable / 1.5  # a bar at its target
    slot = (WIDTH - 2 * _PAD) / 12
    bars = []
    for index, item in enumerate(recent[-12:]):
        ratio = min(item["done"] / item["target"], 1.5) if item["target"] else 0.0
        height = max(ratio * full, 2.0)  # an empty period still shows as a sliver
        x = _PAD + index * slot + slot * 0.15
        bars.append(
            Bar(
                round(x, 1),
                round(HEIGHT - _PAD - height, 1),
                round(slot * 0.7, 1),
                round(height, 1),
                item["status"],
                f"{item['period_start']} to {item['period_end']}: {item['done']} of {item['target']},"
                f" {item['status']}",
            )
        )
    shown = recent[-12:]
    first = shown[0]["period_start"] if shown else ""
    last = shown[-1]["period_start"] if shown else ""
    return PeriodChart(bars, round(HEIGHT - _PAD - full, 1), first, last)


@dataclass(frozen=True, slots=True)
class DeadlineChart:
    """Actual against the straight line from 0 at the start to the target at the deadline."""

    expected_line: tuple[float, float, float, float]  # x1, y1, x2, y2
    today_x: float
    actual_y: float
    expected_y: float
    actual_path: str  # a step from the start to today at the actual count
    label: str
    width: int = WIDTH
    height: int = HEIGHT


def deadline(line: dict[str, Any], today: date) -> DeadlineChart:
    start = date.fromisoformat(line["period_start"])
    end = date.fromisoformat(line["period_end"])
    span = max((end - start).days + 1, 1)
    elapsed = min(max((today - start).days + 1, 0), span)
    target = max(line["target"], 1)
    top = max(target, line["done"])
    left, right = _PAD, WIDTH - _PAD
    bottom, ceiling = HEIGHT - _PAD, _PAD

    def y(value: float) -> float:
        return round(float(bottom - (bottom - ceiling) * value / top), 1)

    today_x = round(left + (right - left) * elapsed / span, 1)
    expected = line["expected_by_now"] if line["expected_by_now"] is not None else 0
    return DeadlineChart(
        (left, bottom, right, y(target)),
        today_x,
        y(line["done"]),
        y(expected),
        f"M{left},{bottom} L{left},{y(line['done'])} L{today_x},{y(line['done'])}",
        f"{line['done']} done, {expected} expected by now, {line['target']} by {line['period_end']}",
    )
