"""The daily pledge, its evening review, and the streak only its maker sees.

A pledge belongs to the member's own calendar day (forum/practice/local_time.py). The streak
counts the days in a row they showed up and pledged, whatever the day then brought: a slip
told honestly in the review does not break it, and a missed day starts a new run without a
zero on show. Total days in recovery come from the fellowship's count (milestones.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.data.clock import utcnow
from forum.data.local_time import is_evening, local_today, zone_name
from forum.data.models import User
from forum.data.posting import PostingError
from forum.extensions import db
from forum.fellowship.milestones import day_count_label, days_in_recovery
from forum.practice.models import Pledge, PracticeProfile, WentHow
from forum.practice.sealing import profile_for_writing, seal, unseal_or_note

WORDS_MAX_CHARS = 200
NOTE_MAX_CHARS = 500
WORD_SUGGESTIONS = (
    "Just for today, I won't drink.",
    "Just for today, I won't use.",
    "Just for today, I won't drink or use.",
)
# how far back the streak is counted; a longer run still shows as this many days and more
STREAK_LOOKBACK_DAYS = 3660


def pledge_on(user_id: int, day: date) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.user_id == user_id, Pledge.day == day))


def checked_in(user: User, moment: datetime | None = None) -> bool:
    """Whether the member pledged today, in their own day: all a partner ever sees."""
    return pledge_on(user.id, local_today(user, moment)) is not None


def make_pledge(user: User, words: str, moment: datetime | None = None) -> Pledge:
    """Today's pledge (the caller commits). A second one the same day is refused kindly."""
    day = local_today(user, moment)
    if pledge_on(user.id, day) is not None:
        raise PostingError("You have already made today's pledge. That is all today needs.", 409)
    profile = profile_for_writing(user.id)
    pledge = Pledge(user_id=user.id, day=day, words_sealed=seal(profile, "pledge", words))
    db.session.add(pledge)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form sent twice at once
        db.session.rollback()
        raise PostingError("You have already made today's pledge.", 409) from error
    return pledge


def pledge_to_review(user: User, moment: datetime | None = None) -> Pledge | None:
    """Today's pledge if it waits for its review, else yesterday's (a review forgotten last
    night can still be done in the morning)."""
    today = local_today(user, moment)
    for day in (today, today - timedelta(days=1)):
        pledge = pledge_on(user.id, day)
        if pledge is not None and pledge.reviewed_at is None:
            return pledge
    return None


def review(pledge: Pledge, difficulty: int, went: WentHow, note: str) -> None:
    """Record the evening review (the caller commits). Nothing here is shown to anyone else."""
    if pledge.reviewed_at is not None:
        raise PostingError("You have already reviewed that day.", 409)
    profile = profile_for_writing(pledge.user_id)
    pledge.difficulty = difficulty
    pledge.went = went
    pledge.note_sealed = seal(profile, "pledge-note", note) if note else None
    pledge.reviewed_at = utcnow()


def streak_ending(days: list[date], today: date) -> int:
    """Days in a row with a pledge, ending today, or yesterday while today is still open."""
    pledged = set(days)
    day = today if today in pledged else today - timedelta(days=1)
    run = 0
    while day in pledged:
        run += 1
        day -= timedelta(days=1)
    return run


@dataclass(frozen=True)
class PracticeDay:
    """What the pledge page (and the recovery page's summary) shows a member about today."""

    today: date
    zone: str
    zone_chosen: bool
    evening: bool
    pledge: Pledge | None
    words: str
    to_review: Pledge | None
    streak: int
    show_streak: bool
    pledges_made: int
    sober_days: int | None
    sober_label: str | None
    # the last run, when a missed day ended it: for "welcome back", never for a zero
    came_back_after: bool

    @property
    def reviewed_today(self) -> bool:
        return self.pledge is not None and self.pledge.reviewed_at is not None


def practice_day(user: Any, moment: datetime | None = None) -> PracticeDay:
    """Read-only: a page view writes nothing."""
    today = local_today(user, moment)
    profile = db.session.get(PracticeProfile, user.id)
    since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
    days = list(
        db.session.scalars(select(Pledge.day).where(Pledge.user_id == user.id, Pledge.day >= since))
    )
    pledge = pledge_on(user.id, today)
    streak = streak_ending(days, today)
    started = user.recovery_started_on
    return PracticeDay(
        today=today,
        zone=zone_name(user),
        zone_chosen=user.time_zone is not None,
        evening=is_evening(user, moment),
        pledge=pledge,
        words=unseal_or_note(profile, "pledge", pledge.words_sealed) if pledge else "",
        to_review=pledge_to_review(user, moment),
        streak=streak,
        show_streak=bool(profile and profile.show_streak),
        pledges_made=db.session.scalar(
            select(func.count()).select_from(Pledge).where(Pledge.user_id == user.id)
        )
        or 0,
        sober_days=days_in_recovery(started, today) if started else None,
        sober_label=day_count_label(started, today) if started else None,
        came_back_after=bool(days) and streak == 0,
    )
