"""When a meeting meets: its next start in its own zone, and that moment in the reader's.

A weekly meeting meets on its weekday at its time in the zone its chair chose (so it follows
that zone's summer time); a one-off meets once. Moments are stored naive in UTC, as the rest
of Harbor stores them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from forum.data.local_time import zone_name, zone_named
from forum.meetings.models import Meeting

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _at(meeting: Meeting) -> time:
    hours, minutes = meeting.at_time.split(":")
    return time(int(hours), int(minutes))


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start (aware, UTC) of the next meeting not yet over at `now` (aware); None when a
    one-off is past."""
    zone = zone_named(meeting.time_zone)
    length = timedelta(minutes=meeting.duration_minutes)
    if meeting.weekday is None:
        if meeting.starts_on is None:
            return None
        start = datetime.combine(meeting.starts_on, _at(meeting), zone).astimezone(UTC)
        return start if start + length > now else None
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(meeting.weekday - local.weekday()) % 7)
    for week in (0, 1):
        start = datetime.combine(day + timedelta(weeks=week), _at(meeting), zone)
        if start.astimezone(UTC) + length > now:
            return start.astimezone(UTC)
    return None


@dataclass(frozen=True)
class WhenShown:
    """A meeting's time as one reader reads it."""

    moment: datetime  # in the reader's zone
    zone: str
    repeats: str  # "weekly on Tuesdays at 19:00, Europe/London time", or ""

    @property
    def label(self) -> str:
        return self.moment.strftime("%a %d %b, %H:%M")


def shown_to(meeting: Meeting, reader: Any, now: datetime) -> WhenShown | None:
    start = next_start(meeting, now)
    if start is None:
        return None
    zone = zone_name(reader)
    repeats = ""
    if meeting.weekday is not None:
        day = WEEKDAYS[meeting.weekday]
        repeats = f"weekly on {day}s at {meeting.at_time}, {meeting.time_zone} time"
    return WhenShown(start.astimezone(zone_named(zone)), zone, repeats)
