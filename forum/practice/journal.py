"""The private journal: entries with mood, craving strength and trigger tags.

Only the writer reads an entry: there is no page, list or export of it for anyone else,
moderators and admins included, and it is not a post, so it never enters search. The words and
the trigger tags are sealed (forum/practice/sealing.py); mood and craving stay numbers so the
chart can be drawn.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.local_time import local_today
from forum.data.models import User
from forum.data.posting import PostingError
from forum.extensions import db
from forum.practice.models import JournalEntry, PracticeProfile, SosUse
from forum.practice.sealing import profile_for_writing, seal, unseal_or_note

BODY_MAX_CHARS = 10_000
TRIGGER_MAX_CHARS = 32
TRIGGERS_MAX = 8
MOODS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "very good"}
TRIGGER_SUGGESTIONS = (
    "stress",
    "loneliness",
    "boredom",
    "tiredness",
    "hunger",
    "conflict",
    "celebration",
    "social pressure",
    "payday",
    "pain",
    "places",
    "people",
)
CHART_PERIODS = (30, 90)


@dataclass(frozen=True)
class ReadEntry:
    """An entry as its writer reads it, unsealed."""

    id: int
    written_at: datetime
    day: date
    mood: int
    craving: int
    body: str
    triggers: list[str]

    @property
    def mood_label(self) -> str:
        return MOODS[self.mood]


def clean_triggers(chosen: list[str], other: str) -> list[str]:
    """The suggested tags ticked plus the member's own (comma-separated), each once."""
    own = [part.strip().lower() for part in other.split(",") if part.strip()]
    if any(len(tag) > TRIGGER_MAX_CHARS for tag in own):
        raise PostingError(f"Keep each trigger under {TRIGGER_MAX_CHARS} characters.", 400)
    tags = list(dict.fromkeys([*chosen, *own]))
    if len(tags) > TRIGGERS_MAX:
        raise PostingError(f"Choose at most {TRIGGERS_MAX} triggers for one entry.", 400)
    return tags


def write_entry(user: User, mood: int, craving: int, body: str, triggers: list[str]) -> None:
    """A new entry on the member's own day (the caller commits)."""
    profile = profile_for_writing(user.id)
    payload = json.dumps({"body": body, "triggers": triggers}, ensure_ascii=False)
    db.session.add(
        JournalEntry(
            user_id=user.id,
            written_at=utcnow(),
            day=local_today(user),
            mood=mood,
            craving=craving,
            sealed=seal(profile, "journal", payload),
        )
    )


def _read(profile: PracticeProfile | None, entry: JournalEntry) -> ReadEntry:
    text = unseal_or_note(profile, "journal", entry.sealed)
    try:
        payload = json.loads(text)
    except ValueError:  # a note that the words can't be read
        payload = {"body": text, "triggers": []}
    return ReadEntry(
        entry.id,
        entry.written_at,
        entry.day,
        entry.mood,
        entry.craving,
        payload["body"],
        payload["triggers"],
    )


def entries_of(user: Any, limit: int | None = None) -> list[ReadEntry]:
    """The member's own entries, newest first."""
    query = (
        select(JournalEntry)
        .where(JournalEntry.user_id == user.id)
        .order_by(JournalEntry.written_at.desc(), JournalEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    profile = db.session.get(PracticeProfile, user.id)
    return [_read(profile, entry) for entry in db.session.scalars(query)]


def own_entry(user: Any, entry_id: int) -> JournalEntry | None:
    """The entry if it is this member's; None for anyone else's, whoever asks."""
    entry = db.session.get(JournalEntry, entry_id)
    return entry if entry is not None and entry.user_id == user.id else None


@dataclass(frozen=True)
class DayPoint:
    day: date
    mood: float | None
    craving: float | None
    sos_uses: int


def daily_series(user: Any, days: int, moment: datetime | None = None) -> list[DayPoint]:
    """One point a day for the last `days` days (today last): the day's average mood and
    craving, if the member wrote, and how often they pressed the SOS."""
    today = local_today(user, moment)
    first = today - timedelta(days=days - 1)
    moods: dict[date, list[int]] = {}
    cravings: dict[date, list[int]] = {}
    for day, mood, craving in db.session.execute(
        select(JournalEntry.day, JournalEntry.mood, JournalEntry.craving).where(
            JournalEntry.user_id == user.id, JournalEntry.day >= first
        )
    ):
        moods.setdefault(day, []).append(mood)
        cravings.setdefault(day, []).append(craving)
    sos: dict[date, int] = {}
    for (day,) in db.session.execute(
        select(SosUse.day).where(SosUse.user_id == user.id, SosUse.day >= first)
    ):
        sos[day] = sos.get(day, 0) + 1

    def mean(values: list[int] | None) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return [
        DayPoint(day, mean(moods.get(day)), mean(cravings.get(day)), sos.get(day, 0))
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]
