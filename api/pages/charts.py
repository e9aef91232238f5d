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


def periods(recent: list[dict[str, Any]], frame: str = "month") -> PeriodChart:
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
                f"{period_name(date.fromisoformat(item['period_start']), frame)}: {item['done']} of "
                f"{item['target']}, {status_words(item['status'])}",
            )
        )
    shown = recent[-12:]
    first = period_name(date.fromisoformat(shown[0]["period_start"]), frame) if shown else ""
    last = period_name(date.fromisoformat(shown[-1]["period_start"]), frame) if shown else ""
    return PeriodChart(bars, round(HEIGHT - _PAD - full, 1), first, last)


# --- the goal page: a year of periods, and the deadline goal's pace ----------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    x: int
    y: int
    css: str
    label: str


@dataclass(frozen=True, slots=True)
class YearChart:
    """One cell per period of the last year, oldest first, coloured by status."""

    cells: list[Cell]
    summary: str  # "12 months: 8 met, 3 missed, 1 on track"
    single: bool  # only one period so far: the page says so instead of drawing a calendar
    first: str
    last: str
    width: int
    height: int
    size: int = 24


_UNITS = {"week": "week", "month": "month", "quarter": "quarter"}
_STATUS_WORDS = {
    "met": "met",
    "on-track": "on track",
    "behind": "behind",
    "missed": "missed",
    "upcoming": "not started",
    "paused": "paused",
}


def period_name(start: date, frame: str) -> str:
    if frame == "week":
        return f"week of {start:%d %b %Y}"
    if frame == "month":
        return f"{start:%B %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def status_words(status: str) -> str:
    return _STATUS_WORDS.get(status, status)


def streak_calendar(year: list[Any], frame: str) -> YearChart:
    """`year` holds PeriodProgress items. Weeks wrap in rows of 13 (a quarter each)."""
    per_row = {"week": 13, "month": 12, "quarter": 4}.get(frame, 12)
    size, gap = 24, 5
    cells = []
    for index, item in enumerate(year):
        row, column = divmod(index, per_row)
        name = period_name(item.period.start, frame)
        cells.append(
            Cell(
                column * (size + gap),
                row * (size + gap),
                item.status,
                f"{name}: {item.done} of {item.target}, {status_words(item.status)}",
            )
        )
    counts: dict[str, int] = {}
    for item in year:
        counts[item.status] = counts.get(item.status, 0) + 1
    unit = _UNITS.get(frame, "period")
    told = ", ".join(f"{n} {status_words(s)}" for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    rows = max(1, -(-len(year) // per_row))
    return YearChart(
        cells,
        f"{len(year)} {unit}{'s' if len(year) != 1 else ''}: {told}" if year else f"no {unit}s yet",
        len(year) <= 1,
        period_name(year[0].period.start, frame) if year else "",
        period_name(year[-1].period.start, frame) if year else "",
        min(len(year), per_row) * (size + gap) - gap if year else 0,
        rows * (size + gap) - gap,
        size,
    )


@dataclass(frozen=True, slots=True)
class PaceChart:
    """A deadline goal: the straight line to the target against the running total of what was done."""

    expected: tuple[float, float, float, float]
    actual_path: str
    today_x: float
    dots: list[tuple[float, float, str]]
    label: str
    start: str
    end: str
    width: int = WIDTH
    height: int = 120


def pace(line: dict[str, Any], done_at: list[tuple[date, int]], today: date) -> PaceChart:
    height = 120
    start = date.fromisoformat(line["period_start"])
    end = date.fromisoformat(line["period_end"])
    span = max((end - start).days + 1, 1)
    top = max(line["target"], line["done"], 1)
    left, right, bottom, ceiling = _PAD, WIDTH - _PAD, height - _PAD, _PAD

    def x(day: date) -> float:
        return round(left + (right - left) * min(max((day - start).days, 0), span) / span, 1)

    def y(value: float) -> float:
        return round(float(bottom - (bottom - ceiling) * value / top), 1)

    path, dots, level = [f"M{left},{bottom}"], [], 0
    for day, total in done_at:
        path.append(f"L{x(day)},{y(level)} L{x(day)},{y(total)}")
        dots.append((x(day), y(total), f"{day:%d %b}: {total} done"))
        level = total
    today_x = x(min(today, end))
    path.append(f"L{today_x},{y(level)}")
    expected = line["expected_by_now"] if line["expected_by_now"] is not None else 0
    return PaceChart(
        (left, bottom, right, y(line["target"])),
        " ".join(path),
        today_x,
        dots,
        f"{line['done']} done so far; the pace line expects {expected} by now and {line['target']} by "
        f"{end:%d %b %Y}",
        f"{start:%d %b %Y}",
        f"{end:%d %b %Y}",
        height=height,
    )


# --- the network ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrengthRow:
    label: str
    count: int
    width: float  # of the bar, 0 to 100


def strengths(by_strength: dict[str, int]) -> list[StrengthRow]:
    """How many contacts at each strength, strongest first, each bar relative to the largest."""
    order = [
        ("5", "5 · strong"),
        ("4", "4"),
        ("3", "3"),
        ("2", "2"),
        ("1", "1 · weak"),
        ("unrated", "unrated"),
    ]
    most = max([*by_strength.values(), 1])
    return [
        StrengthRow(label, by_strength.get(k, 0), round(100 * by_strength.get(k, 0) / most, 1))
        for k, label in order
    ]


@dataclass(frozen=True, slots=True)
class Trend:
    points: str  # an SVG polyline
    dots: list[tuple[float, float, str]]
    single: bool
    width: int = WIDTH
    height: int = 60


def strength_trend(history: list[tuple[str, int]]) -> Trend:
    """A contact's strength re-assessments over time (1 at the bottom, 5 at the top)."""
    height = 60
    if not history:
        return Trend("", [], True, height=height)
    step = (WIDTH - 2 * _PAD) / max(len(history) - 1, 1)
    dots = []
    for index, (day, value) in enumerate(history):
        x = round(_PAD + index * step, 1)
        y = round(height - _PAD - (height - 2 * _PAD) * (value - 1) / 4, 1)
        dots.append((x, y, f"{date.fromisoformat(day):%d %b %Y}: {value} of 5"))
    return Trend(" ".join(f"{x},{y}" for x, y, _ in dots), dots, len(history) == 1, height=height)
