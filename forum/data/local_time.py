"""The member's own day: "this morning", "this evening" and "today" in the time zone they chose.

A member picks an IANA zone ("Europe/London", "Pacific/Auckland"); until they do, Harbor says
plainly that it counts in UTC. Days here are calendar days in that zone, so a pledge made at
23:30 in Auckland belongs to that Auckland day, whatever the date is in UTC.
"""

import zoneinfo
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import Any

UTC_NAME = "UTC"
# the evening review is offered from this hour of the member's day (it can be done earlier)
EVENING_STARTS_AT = 17


def now_utc() -> datetime:
    """This moment, aware, in UTC (the one place practice code reads the clock)."""
    return datetime.now(UTC)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_known_zone(name: str | None) -> bool:
    return bool(name) and name in known_zones()


def zone_named(name: str | None) -> tzinfo:
    """The zone of that name, or UTC if there is none (a name dropped from tzdata, say)."""
    if is_known_zone(name):
        return zoneinfo.ZoneInfo(name)  # type: ignore[arg-type]
    return UTC


def zone_name(user: Any) -> str:
    name = getattr(user, "time_zone", None)
    return name if is_known_zone(name) else UTC_NAME


def local_now(user: Any, moment: datetime | None = None) -> datetime:
    return (moment or now_utc()).astimezone(zone_named(zone_name(user)))


def local_today(user: Any, moment: datetime | None = None) -> date:
    return local_now(user, moment).date()


def is_evening(user: Any, moment: datetime | None = None) -> bool:
    return local_now(user, moment).hour >= EVENING_STARTS_AT


def local_day_of(user: Any, naive_utc: datetime) -> date:
    """The member's calendar day of a stored (naive UTC) moment."""
    return local_now(user, naive_utc.replace(tzinfo=UTC)).date()


@cache
def zone_choices() -> list[tuple[str, list[str]]]:
    """Every zone, grouped by its region ("Europe", "America"...), for a <select>."""
    groups: dict[str, list[str]] = {}
    for name in sorted(known_zones()):
        region = name.split("/", 1)[0] if "/" in name else "Other"
        if region in ("Etc", "SystemV", "US", "posix", "right") or name.startswith("Etc/"):
            continue
        groups.setdefault(region, []).append(name)
    return sorted(groups.items())
