"""Days in recovery and the traditional milestones, counted from a start date.

Nothing is scheduled: every figure is computed from the start date and today's date (UTC)
when a page needs it. Months are calendar months: six months from 31 August is 28 February
(or the 29th in a leap year), the last day of the shorter month.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# The traditional chips: 24 hours, 30, 60 and 90 days, 6 and 9 months, then every year.
DAY_MILESTONES = ((1, "24 hours"), (30, "30 days"), (60, "60 days"), (90, "90 days"))
MONTH_MILESTONES = ((6, "6 months"), (9, "9 months"))


@dataclass(frozen=True)
class Milestone:
    label: str
    reached_on: date


def utc_today() -> date:
    return datetime.now(UTC).date()


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day if it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def days_in_recovery(started_on: date, today: date) -> int:
    """Whole days since the start: 0 on the first day, 1 once 24 hours have passed."""
    return max(0, (today - started_on).days)


def day_count_label(started_on: date, today: date) -> str:
    days = days_in_recovery(started_on, today)
    return "first day" if days == 0 else f"day {days:,}"


def _milestones_from(started_on: date) -> "list[Milestone]":
    """The milestones of the first year, in order (years are added by `milestones_until`)."""
    found = [Milestone(label, started_on + timedelta(days=days)) for days, label in DAY_MILESTONES]
    found += [Milestone(label, add_months(started_on, m)) for m, label in MONTH_MILESTONES]
    return sorted(found, key=lambda milestone: milestone.reached_on)


def _year(started_on: date, years: int) -> Milestone:
    return Milestone(
        "1 year" if years == 1 else f"{years} years", add_months(started_on, 12 * years)
    )


def milestones_until(started_on: date, today: date) -> list[Milestone]:
    """Every milestone reached on or before `today`, oldest first."""
    reached = [m for m in _milestones_from(started_on) if m.reached_on <= today]
    years = 1
    while (milestone := _year(started_on, years)).reached_on <= today:
        reached.append(milestone)
        years += 1
    return reached


def latest_milestone(started_on: date, today: date) -> Milestone | None:
    reached = milestones_until(started_on, today)
    return reached[-1] if reached else None


def next_milestone(started_on: date, today: date) -> Milestone:
    upcoming = [m for m in _milestones_from(started_on) if m.reached_on > today]
    if upcoming:
        return upcoming[0]
    years = 1
    while (milestone := _year(started_on, years)).reached_on <= today:
        years += 1
    return milestone


def milestone_to_offer(
    started_on: date | None, acknowledged_on: date | None, today: date
) -> Milestone | None:
    """The latest milestone reached, unless the member already used or dismissed its offer."""
    if started_on is None:
        return None
    milestone = latest_milestone(started_on, today)
    if milestone is None or (
        acknowledged_on is not None and milestone.reached_on <= acknowledged_on
    ):
        return None
    return milestone
