"""The journal chart's geometry: two panels (craving 0 to 10, mood 1 to 5) over the same days,
with the SOS days marked. Pure Python; the template draws it as inline SVG, so the page loads
no script and the chart follows the page's light or dark colours.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from forum.practice.journal import DayPoint

WIDTH = 640
PANEL_HEIGHT = 150
LEFT, RIGHT, TOP, GAP, BOTTOM = 44, 12, 28, 46, 34


@dataclass(frozen=True)
class Panel:
    key: str  # "craving" or "mood": the class the template styles it by
    title: str
    top: float
    bottom: float
    y_ticks: list[tuple[float, str]]
    # the days with a value, joined in order (a day without an entry is passed over), as a
    # polyline's "x,y x,y ..."
    lines: list[str]
    points: list[tuple[float, float, str]]


@dataclass(frozen=True)
class Chart:
    days: int
    width: int
    height: int
    left: float
    right: float
    panels: list[Panel]
    x_ticks: list[tuple[float, str]]
    sos_marks: list[tuple[float, str]]
    summary: str
    rows: list[DayPoint] = field(repr=False)


def _panel(
    key: str,
    title: str,
    series: list[DayPoint],
    value: Callable[[DayPoint], float | None],
    low: int,
    high: int,
    top: float,
    x_of: Callable[[int], float],
) -> Panel:
    bottom = top + PANEL_HEIGHT

    def y_of(v: float) -> float:
        return round(bottom - (v - low) / (high - low) * PANEL_HEIGHT, 1)

    points = []
    for index, point in enumerate(series):
        v = value(point)
        if v is not None:
            points.append((x_of(index), y_of(v), f"{point.day.day} {point.day:%b}: {v:g}"))
    lines = [" ".join(f"{x},{y}" for x, y, _ in points)] if len(points) > 1 else []
    middle = (low + high) // 2
    ticks = [(y_of(v), str(v)) for v in (low, middle, high)]
    return Panel(key, title, top, bottom, ticks, lines, points)


def _summary(series: list[DayPoint]) -> str:
    cravings = [p.craving for p in series if p.craving is not None]
    moods = [p.mood for p in series if p.mood is not None]
    sos_days = sum(1 for p in series if p.sos_uses)
    parts = [f"Your last {len(series)} days."]
    if cravings:
        highest = max(series, key=lambda p: p.craving if p.craving is not None else -1)
        parts.append(
            f"Craving: average {sum(cravings) / len(cravings):.1f} out of 10 on the "
            f"{len(cravings)} days you wrote, strongest {highest.craving:g} on "
            f"{highest.day.day} {highest.day:%B}."
        )
        parts.append(f"Mood: average {sum(moods) / len(moods):.1f} out of 5.")
    else:
        parts.append("No journal entries in these days yet.")
    parts.append(
        f"You used the craving SOS on {sos_days} day{'' if sos_days == 1 else 's'}."
        if sos_days
        else "You did not use the craving SOS in these days."
    )
    return " ".join(parts)


def build_chart(series: list[DayPoint]) -> Chart:
    days = len(series)
    plot_width = WIDTH - LEFT - RIGHT

    def x_of(index: int) -> float:
        return round(LEFT + (index * plot_width / (days - 1) if days > 1 else 0), 1)

    craving = _panel(
        "craving", "Craving strength (0 to 10)", series, lambda p: p.craving, 0, 10, TOP, x_of
    )
    mood_top = craving.bottom + GAP
    mood = _panel("mood", "Mood (1 to 5)", series, lambda p: p.mood, 1, 5, mood_top, x_of)
    tick_indexes = sorted({0, days // 3, 2 * days // 3, days - 1})
    return Chart(
        days=days,
        width=WIDTH,
        height=int(mood.bottom + BOTTOM),
        left=LEFT,
        right=WIDTH - RIGHT,
        panels=[craving, mood],
        x_ticks=[(x_of(i), f"{series[i].day.day} {series[i].day:%b}") for i in tick_indexes],
        sos_marks=[
            (x_of(i), f"{p.day.day} {p.day:%B}: SOS used {p.sos_uses}×")
            for i, p in enumerate(series)
            if p.sos_uses
        ],
        summary=_summary(series),
        rows=series,
    )
